import { DownloadOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, DatePicker, Descriptions, Empty, Form, Input, Modal, Select, Space, Table, Tag, Timeline, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n, type MessageKey } from '../../i18n/I18nProvider';
import { codeLabel } from '../../i18n/labels';
import { FormError } from '../admin/FormError';
import { claimsApi, type BookingEntry, type ClaimView, type Writeback } from './api';

const STATE_COLORS: Record<string, string> = { available: 'green', claimed: 'orange', reimbursed: 'blue', booked: 'purple', archived: 'default' };
const MONEY = /^\d{1,16}(\.\d{1,2})?$/;

/** Amount strings to fen without floats, for the balance shown while typing. */
function fen(s: string | undefined): bigint {
  if (!s || !MONEY.test(s)) return 0n;
  const [i, f = ''] = s.split('.');
  return BigInt(i) * 100n + BigInt((f + '00').slice(0, 2));
}
const yuan = (n: bigint) => `${n / 100n}.${String(n % 100n).padStart(2, '0')}`;

export function StateTag({ state }: { state: string }) {
  const { t } = useI18n();
  return <Tag color={STATE_COLORS[state] ?? 'default'}>{t(`pool.state.${state}` as MessageKey)}</Tag>;
}

/** A claim's status (active, released, expired, reimbursed, booked) and, when it says more, why it ended (rejected, cancelled …). */
export function ClaimStatus({ c }: { c: Pick<ClaimView, 'status' | 'endReason'> }) {
  const { t } = useI18n();
  const status = codeLabel(t, c.status, ['poolb.claimStatus']);
  const reason = c.endReason && c.endReason !== c.status ? codeLabel(t, c.endReason, ['poolb.reason']) : null;
  return <span data-testid="claim-status">{reason && reason !== status ? `${status}（${reason}）` : status}</span>;
}

type Action = 'claim' | 'release' | 'reimbursed' | 'booked';

/**
 * 报销与入账 of one voucher: its state, the claim (who holds it, until when), the actions the state allows
 * (claim, release on rejection, mark reimbursed, book with the journal voucher and its entries), the booking with
 * the receiver (入账) XBRL/JSON files, and the history. The server decides; a refused move shows its reason.
 */
export default function WorkflowPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const { effectiveRoles } = useAuth();
  const [wb, setWb] = useState<Writeback>();
  const [error, setError] = useState<unknown>();
  const [action, setAction] = useState<Action | null>(null);
  const [actionError, setActionError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();
  const entries = Form.useWatch('entries', form) as { side: string; amount?: string }[] | undefined;

  const load = useCallback(
    (signal?: AbortSignal) =>
      claimsApi.writeback(id, signal).then(
        (w) => {
          setWb(w);
          setError(undefined);
        },
        (e) => (e as Error).name !== 'AbortError' && setError(e),
      ),
    [id],
  );
  useEffect(() => {
    const ctrl = new AbortController();
    void load(ctrl.signal);
    return () => ctrl.abort();
  }, [load]);

  const admin = effectiveRoles.has('system_admin');
  const canMove = admin || effectiveRoles.has('reimbursement_clerk') || effectiveRoles.has('accountant');
  const canBook = admin || effectiveRoles.has('accountant');

  const open = (a: Action) => {
    setActionError(undefined);
    form.resetFields();
    if (a === 'booked') form.setFieldsValue({ entries: [{ side: 'debit' }, { side: 'credit' }] });
    setAction(a);
  };

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setActionError(undefined);
    try {
      if (action === 'claim') await claimsApi.claim(id, { reimbursementDocId: v.reimbursementDocId, ...(v.expiresAt ? { expiresAt: v.expiresAt.toISOString() } : {}) });
      if (action === 'release') await claimsApi.release(id, { reason: v.reason, note: v.note });
      if (action === 'reimbursed') await claimsApi.reimbursed(id, v.amount ? { amount: v.amount } : {});
      if (action === 'booked')
        await claimsApi.booked(id, {
          journalVoucherNumber: v.journalVoucherNumber,
          period: v.period.format('YYYY-MM'),
          bookedAt: v.bookedAt.format('YYYY-MM-DD'),
          summary: v.summary,
          entries: (v.entries as { side: 'debit' | 'credit'; accountCode: string; accountName: string; subsidiaryName?: string; amount: string }[]).map((e) => ({
            accountCode: e.accountCode,
            accountName: e.accountName,
            ...(e.subsidiaryName ? { subsidiaryName: e.subsidiaryName } : {}),
            [e.side]: e.amount,
          })),
        });
      setAction(null);
      await load();
    } catch (e) {
      setActionError(e);
      // The state may have moved meanwhile (another clerk claimed it): show the current one.
      void load();
    } finally {
      setBusy(false);
    }
  };

  if (error) return <FormError error={error} />;
  if (!wb) return <Card loading />;
  const s = wb.state;
  const debit = (entries ?? []).filter((e) => e?.side === 'debit').reduce((a, e) => a + fen(e?.amount), 0n);
  const credit = (entries ?? []).filter((e) => e?.side === 'credit').reduce((a, e) => a + fen(e?.amount), 0n);

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }} data-testid="pool-workflow">
      <Card
        title={
          <Space>
            {t('poolb.workflow.title')}
            <Link to={`/pool/vouchers/${wb.id}`}>{[wb.kindName, wb.invoiceNumber ?? wb.bankSerialNumber].filter(Boolean).join(' ')}</Link>
            <StateTag state={s} />
          </Space>
        }
        extra={
          <Space>
            {canMove && s === 'available' && (
              <Button type="primary" onClick={() => open('claim')} data-testid="action-claim">
                {t('poolb.action.claim')}
              </Button>
            )}
            {canMove && s === 'claimed' && (
              <Button type="primary" onClick={() => open('reimbursed')} data-testid="action-reimbursed">
                {t('poolb.action.reimbursed')}
              </Button>
            )}
            {canBook && s === 'reimbursed' && (
              <Button type="primary" onClick={() => open('booked')} data-testid="action-booked">
                {t('poolb.action.booked')}
              </Button>
            )}
            {canMove && (s === 'claimed' || s === 'reimbursed') && (
              <Button danger onClick={() => open('release')} data-testid="action-release">
                {t('poolb.action.release')}
              </Button>
            )}
          </Space>
        }
      >
        <Descriptions size="small" column={3}>
          <Descriptions.Item label={t('poolb.field.unit')}>{wb.unit ? `${wb.unit.code} ${wb.unit.name}` : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('poolb.field.amount')}>{wb.totalAmount ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('poolb.field.issueDate')}>{wb.issueDate ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('poolb.field.holder')} span={3}>
            {wb.claim ? <ClaimLine c={wb.claim} /> : '—'}
          </Descriptions.Item>
        </Descriptions>
        {actionError && !action ? <FormError error={actionError} /> : null}
      </Card>

      <Card title={t('poolb.booking.title')}>
        {wb.booking ? (
          <>
            <Descriptions size="small" column={3}>
              <Descriptions.Item label={t('poolb.booking.number')}>{wb.booking.journalVoucherNumber}</Descriptions.Item>
              <Descriptions.Item label={t('poolb.booking.period')}>{wb.booking.period}</Descriptions.Item>
              <Descriptions.Item label={t('poolb.booking.bookedAt')}>{wb.booking.bookedAt}</Descriptions.Item>
              <Descriptions.Item label={t('poolb.booking.summary')} span={3}>
                {wb.booking.summary ?? '—'}
              </Descriptions.Item>
            </Descriptions>
            <Table<BookingEntry & { i: number }>
              rowKey="i"
              size="small"
              pagination={false}
              dataSource={wb.booking.entries.map((e, i) => ({ ...e, i }))}
              columns={[
                { title: t('poolb.booking.account'), render: (_, e) => `${e.accountCode} ${e.accountName}${e.subsidiaryName ? ` / ${e.subsidiaryName}` : ''}` },
                { title: t('poolb.booking.debit'), align: 'right', render: (_, e) => (e.direction === 'debit' ? e.amount : '') },
                { title: t('poolb.booking.credit'), align: 'right', render: (_, e) => (e.direction === 'credit' ? e.amount : '') },
              ]}
              summary={() => (
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0}>{t('poolb.booking.total')}</Table.Summary.Cell>
                  <Table.Summary.Cell index={1} align="right">
                    {wb.booking!.debitTotal}
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={2} align="right">
                    {wb.booking!.creditTotal}
                  </Table.Summary.Cell>
                </Table.Summary.Row>
              )}
            />
            <Typography.Title level={5} style={{ marginTop: 16 }}>
              {t('poolb.booking.files')}
            </Typography.Title>
            {wb.receiverFiles.length ? (
              <Space wrap>
                {wb.receiverFiles.map((f) => (
                  <Button key={f.id} size="small" icon={<DownloadOutlined />} href={claimsApi.fileUrl(f.id)} data-testid={`receiver-file-${f.role}`}>
                    {f.filename ?? codeLabel(t, f.role, ['pool.role'])} ({f.format.toUpperCase()}, {f.size} B)
                  </Button>
                ))}
              </Space>
            ) : (
              <Typography.Text type="secondary">{t('poolb.booking.noFiles')}</Typography.Text>
            )}
          </>
        ) : (
          <Empty description={t('poolb.booking.none')} />
        )}
      </Card>

      <Card title={t('poolb.history')}>
        <Timeline
          items={wb.history.map((e) => ({
            color: STATE_COLORS[e.toState ?? ''] ?? 'gray',
            content: (
              <Space orientation="vertical" size={0}>
                <span>
                  {new Date(e.at).toLocaleString()} · {codeLabel(t, e.action, ['pool.event'])}
                  {e.fromState || e.toState ? ` (${e.fromState ? codeLabel(t, e.fromState, ['pool.state']) : '—'} → ${e.toState ? codeLabel(t, e.toState, ['pool.state']) : '—'})` : ''} · {e.actor.name ?? codeLabel(t, e.actor.type, ['actor'])}
                </span>
                {typeof e.details.reimbursementDocId === 'string' ? <Typography.Text type="secondary">{t('poolb.field.doc')}: {e.details.reimbursementDocId}</Typography.Text> : null}
                {typeof e.details.journalVoucherNumber === 'string' ? (
                  <Typography.Text type="secondary">
                    {t('poolb.booking.number')}: {e.details.journalVoucherNumber} · {String(e.details.period)}
                  </Typography.Text>
                ) : null}
              </Space>
            ),
          }))}
        />
        {wb.claims.length > 1 && (
          <Table<ClaimView>
            rowKey="claimId"
            size="small"
            pagination={false}
            dataSource={wb.claims}
            columns={[
              { title: t('poolb.field.doc'), dataIndex: 'reimbursementDocId' },
              { title: t('poolb.field.claimant'), render: (_, c) => [c.claimant.name, c.claimant.user].filter(Boolean).join(' / ') },
              { title: t('poolb.field.claimedAt'), render: (_, c) => new Date(c.claimedAt).toLocaleString() },
              { title: t('poolb.field.status'), render: (_, c) => <ClaimStatus c={c} /> },
            ]}
          />
        )}
      </Card>

      <Modal open={action !== null} title={action ? t(`poolb.action.${action}` as MessageKey) : ''} onOk={submit} confirmLoading={busy} onCancel={() => setAction(null)} width={action === 'booked' ? 860 : 520} destroyOnHidden>
        {actionError ? <FormError error={actionError} /> : null}
        <Form form={form} layout="vertical">
          {action === 'claim' && (
            <>
              <Form.Item name="reimbursementDocId" label={t('poolb.field.doc')} rules={[{ required: true }]}>
                <Input maxLength={128} data-testid="claim-doc" />
              </Form.Item>
              <Form.Item name="expiresAt" label={t('poolb.field.expiresAt')} extra={t('poolb.field.expiresHint')}>
                <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" />
              </Form.Item>
            </>
          )}
          {action === 'release' && (
            <>
              <Form.Item name="reason" label={t('poolb.field.reason')} initialValue="rejected" rules={[{ required: true }]}>
                <Select options={['rejected', 'released', 'cancelled'].map((r) => ({ value: r, label: t(`poolb.reason.${r}` as MessageKey) }))} />
              </Form.Item>
              <Form.Item name="note" label={t('poolb.field.note')}>
                <Input.TextArea maxLength={1000} rows={2} />
              </Form.Item>
            </>
          )}
          {action === 'reimbursed' && (
            <Form.Item name="amount" label={t('poolb.field.reimbursedAmount')} rules={[{ pattern: MONEY, message: t('poolb.field.moneyHint') }]}>
              <Input placeholder={wb.totalAmount ?? ''} />
            </Form.Item>
          )}
          {action === 'booked' && (
            <>
              <Space wrap>
                <Form.Item name="journalVoucherNumber" label={t('poolb.booking.number')} rules={[{ required: true }]}>
                  <Input maxLength={64} data-testid="book-number" />
                </Form.Item>
                <Form.Item name="period" label={t('poolb.booking.period')} rules={[{ required: true }]}>
                  <DatePicker picker="month" format="YYYY-MM" />
                </Form.Item>
                <Form.Item name="bookedAt" label={t('poolb.booking.bookedAt')} rules={[{ required: true }]}>
                  <DatePicker format="YYYY-MM-DD" />
                </Form.Item>
              </Space>
              <Form.Item name="summary" label={t('poolb.booking.summary')}>
                <Input maxLength={500} />
              </Form.Item>
              <Form.List name="entries">
                {(fields, { add, remove }) => (
                  <>
                    {fields.map((f) => (
                      <Space key={f.key} align="baseline" wrap>
                        <Form.Item name={[f.name, 'side']} rules={[{ required: true }]}>
                          <Select style={{ width: 80 }} options={[{ value: 'debit', label: t('poolb.booking.debit') }, { value: 'credit', label: t('poolb.booking.credit') }]} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'accountCode']} rules={[{ required: true }]}>
                          <Input placeholder={t('poolb.booking.accountCode')} style={{ width: 110 }} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'accountName']} rules={[{ required: true }]}>
                          <Input placeholder={t('poolb.booking.accountName')} style={{ width: 180 }} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'subsidiaryName']}>
                          <Input placeholder={t('poolb.booking.subsidiary')} style={{ width: 140 }} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'amount']} rules={[{ required: true, pattern: MONEY, message: t('poolb.field.moneyHint') }]}>
                          <Input placeholder={t('poolb.booking.amount')} style={{ width: 120 }} />
                        </Form.Item>
                        {fields.length > 2 && <MinusCircleOutlined onClick={() => remove(f.name)} />}
                      </Space>
                    ))}
                    <Space>
                      <Button icon={<PlusOutlined />} onClick={() => add({ side: 'debit' })}>
                        {t('poolb.booking.addEntry')}
                      </Button>
                      <Typography.Text type={debit === credit ? 'secondary' : 'danger'}>
                        {t('poolb.booking.balance', { debit: yuan(debit), credit: yuan(credit) })}
                      </Typography.Text>
                    </Space>
                  </>
                )}
              </Form.List>
            </>
          )}
        </Form>
      </Modal>
    </Space>
  );
}

function ClaimLine({ c }: { c: ClaimView }) {
  const { t } = useI18n();
  return (
    <span data-testid="claim-holder">
      {t('poolb.field.doc')} <Typography.Text strong>{c.reimbursementDocId}</Typography.Text> · {[c.claimant.name, c.claimant.user].filter(Boolean).join(' / ')} ·{' '}
      {new Date(c.claimedAt).toLocaleString()}
      {c.expiresAt ? ` · ${t('poolb.field.expiresAt')} ${new Date(c.expiresAt).toLocaleString()}` : ''}
      {c.reimbursedAmount ? ` · ${t('poolb.field.reimbursedAmount')} ${c.reimbursedAmount}` : ''}
    </span>
  );
}
