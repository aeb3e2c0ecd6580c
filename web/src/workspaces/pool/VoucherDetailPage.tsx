import { ArrowLeftOutlined, DownloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Empty, List, Space, Table, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useApi } from '../../api/useApi';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n } from '../../i18n/I18nProvider';
import { codeLabel } from '../../i18n/labels';
import { signatureReason, voucherWarning } from '../../i18n/server-messages';
import { AREA_ROLES } from '../../nav/areas';
import { journalApi, type VoucherJournals } from '../journal/api';
import { Explanation, TierTag } from '../journal/Explanation';
import { poolApi, STATE_COLORS, VERDICT_COLORS, type VoucherFile } from './api';
import { identityText } from './identity';

const yesNo = (v: boolean | null) => (v === null ? '—' : v ? '✓' : '✗');

/** One voucher: its fields, every signature with every reason, the files (downloadable originals), warnings, conflicts and history. */
export default function VoucherDetailPage() {
  const { id = '' } = useParams();
  const { t, formatDateTime } = useI18n();
  const { message } = App.useApp();
  const res = useApi((signal) => poolApi.detail(id, signal), [id]);
  const [busy, setBusy] = useState<string>();
  const v = res.data;

  const resolve = async (conflictId: string, resolution: 'keep_existing' | 'take_incoming') => {
    setBusy(conflictId);
    try {
      await poolApi.resolve(conflictId, resolution);
      message.success(t('pool.conflict.resolved'));
      res.reload();
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(undefined);
    }
  };

  if (res.error) return <Alert type="error" showIcon title={res.error.message} />;
  if (!v) return <Card loading />;
  const f = (x: string | null | undefined) => x ?? '—';
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={
          <Space>
            <Link to="/pool">
              <ArrowLeftOutlined />
            </Link>
            {v.kindName}
            <Tag color={STATE_COLORS[v.state]}>{t(`pool.state.${v.state}` as never)}</Tag>
            <Tag color={VERDICT_COLORS[v.signatureVerdict]}>{t(`pool.verdict.${v.signatureVerdict}` as never)}</Tag>
            {v.carrier === 'paper' && <Tag>{t('pool.carrier.paper')}</Tag>}
          </Space>
        }
      >
        <Descriptions size="small" bordered column={{ xs: 1, md: 2 }} data-testid="pool-fields">
          <Descriptions.Item label={t('pool.field.identity')}>
            <span title={v.identityKey} data-testid="voucher-identity">{identityText(t, v.identityKey)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('pool.field.unit')}>{v.unit ? `${v.unit.code} ${v.unit.name}` : t('pool.scope.personal')}{v.subPool ? ` / ${v.subPool}` : ''}</Descriptions.Item>
          <Descriptions.Item label={t('pool.field.invoiceCode')}>{f(v.invoiceCode)}</Descriptions.Item>
          <Descriptions.Item label={t('pool.field.number')}>{f(v.invoiceNumber ?? v.bankSerialNumber)}</Descriptions.Item>
          <Descriptions.Item label={t('pool.field.issueDate')}>{f(v.issueDate)}</Descriptions.Item>
          <Descriptions.Item label={t('pool.field.total')}>{v.totalAmount ? `${v.totalAmount} ${v.currency}` : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('pool.field.amountExTax')}>{f(v.amountExTax)}</Descriptions.Item>
          <Descriptions.Item label={t('pool.field.taxAmount')}>{f(v.taxAmount)}</Descriptions.Item>
          <Descriptions.Item label={t('pool.field.seller')}>{[v.sellerName, v.sellerTaxId].filter(Boolean).join(' · ') || '—'}</Descriptions.Item>
          <Descriptions.Item label={t('pool.field.buyer')}>{[v.buyerName, v.buyerTaxId].filter(Boolean).join(' · ') || '—'}</Descriptions.Item>
          {(v.payerName || v.payeeName) && <Descriptions.Item label={t('pool.field.payer')}>{f(v.payerName)}</Descriptions.Item>}
          {(v.payerName || v.payeeName) && <Descriptions.Item label={t('pool.field.payee')}>{f(v.payeeName)}</Descriptions.Item>}
          <Descriptions.Item label={t('pool.field.created')}>{formatDateTime(v.createdAt)}</Descriptions.Item>
        </Descriptions>
        {v.warnings.length > 0 && (
          <Alert style={{ marginTop: 16 }} type="warning" showIcon title={t('pool.detail.warnings')} description={<ul style={{ margin: 0, paddingLeft: 20 }}>{v.warnings.map((w, i) => <li key={i} title={w} data-testid="voucher-warning">{voucherWarning(t, w, v.warningCodes?.[i])}</li>)}</ul>} />
        )}
      </Card>

      {v.conflicts.length > 0 && (
        <Card title={t('pool.detail.conflicts')}>
          {v.conflicts.map((c) => (
            <Card key={c.id} type="inner" size="small" style={{ marginBottom: 8 }} title={`${formatDateTime(c.createdAt)} · ${t(`pool.conflict.${c.status}` as never)}`}
              extra={c.status === 'open' && (
                <Space>
                  <Button size="small" loading={busy === c.id} onClick={() => void resolve(c.id, 'keep_existing')}>{t('pool.conflict.keep')}</Button>
                  <Button size="small" type="primary" loading={busy === c.id} onClick={() => void resolve(c.id, 'take_incoming')}>{t('pool.conflict.take')}</Button>
                </Space>
              )}>
              <Table size="small" pagination={false} rowKey="field" dataSource={c.differences}
                columns={[
                  { title: t('pool.conflict.field'), dataIndex: 'field' },
                  { title: t('pool.conflict.existing'), dataIndex: 'existing' },
                  { title: t('pool.conflict.incoming'), dataIndex: 'incoming' },
                ]} />
              {c.resolution && <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t(`pool.conflict.${c.resolution}` as never)}{c.note ? ` — ${c.note}` : ''}</Typography.Paragraph>}
            </Card>
          ))}
        </Card>
      )}

      <Card title={t('pool.detail.signatures')} data-testid="pool-signatures">
        {v.signatures.length === 0 ? (
          <Empty description={t('pool.detail.noSignatures')} />
        ) : (
          v.signatures.map((s, i) => (
            <Card key={i} type="inner" size="small" style={{ marginBottom: 8 }} title={`${codeLabel(t, s.type, ['pool.sig.type'])} · ${codeLabel(t, s.format, ['pool.sig.format'])}${s.location ? ` · ${s.location}` : ''}`}>
              <Descriptions size="small" column={{ xs: 1, md: 3 }}>
                <Descriptions.Item label={t('pool.sig.digests')}>{yesNo(s.digestsOk)}</Descriptions.Item>
                <Descriptions.Item label={t('pool.sig.valid')}>{yesNo(s.signatureValid)}</Descriptions.Item>
                <Descriptions.Item label={t('pool.sig.chain')}>{s.chain ? codeLabel(t, s.chain, ['pool.sig.chain']) : '—'}</Descriptions.Item>
                <Descriptions.Item label={t('pool.sig.signer')}>{s.signerSubject ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('pool.sig.time')}>{s.signingTime ? formatDateTime(s.signingTime) : '—'}</Descriptions.Item>
              </Descriptions>
              <List size="small" dataSource={s.reasons.map((r, k) => ({ r, c: s.reasonCodes?.[k] }))} renderItem={({ r, c }) => <List.Item title={r} data-testid="sig-reason">{signatureReason(t, r, c)}</List.Item>} />
            </Card>
          ))
        )}
      </Card>

      <Card title={t('pool.detail.files')}>
        <Table<VoucherFile> size="small" rowKey="id" pagination={false} dataSource={v.files} data-testid="pool-files"
          columns={[
            { title: t('pool.file.role'), dataIndex: 'role', render: (r: string) => t(`pool.role.${r}` as never) },
            { title: t('pool.file.name'), dataIndex: 'filename' },
            { title: t('pool.file.format'), dataIndex: 'format' },
            { title: t('pool.file.size'), dataIndex: 'size', align: 'right' },
            { title: t('pool.field.verdict'), dataIndex: 'signatureVerdict', render: (x: string | null) => (x ? <Tag color={VERDICT_COLORS[x]}>{t(`pool.verdict.${x}` as never)}</Tag> : '—') },
            { title: 'SM3', dataIndex: 'sm3', render: (x: string) => <Typography.Text code copyable={{ text: x }}>{x.slice(0, 12)}…</Typography.Text> },
            { title: t('pool.file.received'), dataIndex: 'receivedAt', render: (x: string) => formatDateTime(x) },
            { title: '', render: (_, r) => <Button size="small" icon={<DownloadOutlined />} href={poolApi.fileUrl(r.id)}>{t('pool.file.download')}</Button> },
          ]} />
      </Card>

      <JournalVouchersCard voucherId={v.id} />

      <Card title={t('pool.detail.history')} data-testid="pool-history">
        <Timeline items={v.history.map((h) => ({ content: `${formatDateTime(h.at)} · ${codeLabel(t, h.action, ['pool.event'])} · ${h.actor.name ?? codeLabel(t, h.actor.type, ['actor'])}` }))} />
      </Card>
    </Space>
  );
}

type JournalLink = VoucherJournals['journalVouchers'][number];

/**
 * 联查 back: the journal vouchers (记账凭证) that book this voucher, each with how the link holds and why. A reader
 * whose roles may not read matching (403) sees no card at all: the link exists, it is just not theirs to read.
 */
function JournalVouchersCard({ voucherId }: { voucherId: string }) {
  const { t } = useI18n();
  const { effectiveRoles } = useAuth();
  const res = useApi((signal) => journalApi.ofVoucher(voucherId, signal), [voucherId]);
  if (res.error?.status === 403) return null;
  // While the answer is pending, a reader without a matching role in this unit gets no card at all (no loading skeleton that would then disappear on the 403).
  if (!res.data && !res.error && !AREA_ROLES.journal.some((r) => effectiveRoles.has(r))) return null;
  return (
    <Card title={t('pool.detail.journals')} loading={res.loading && !res.data} data-testid="pool-journals">
      {res.error ? (
        <Alert type="error" showIcon title={res.error.message} />
      ) : !res.data?.journalVouchers.length ? (
        <Empty description={t('pool.detail.noJournals')} />
      ) : (
        <Table<JournalLink>
          size="small"
          pagination={false}
          rowKey={(r) => r.link.id}
          dataSource={res.data.journalVouchers}
          columns={[
            {
              title: t('pool.detail.journalVoucher'),
              width: 280,
              render: (_, r) => (
                <Space orientation="vertical" size={0}>
                  <Link to={`/journal/vouchers/${r.link.journalVoucherId}`} data-testid="pool-journal-link">
                    {r.journalVoucher ? t('journal.detail.title', { number: r.journalVoucher.number, period: r.journalVoucher.period }) : r.link.journalVoucherId}
                  </Link>
                  {r.journalVoucher && (
                    <Typography.Text type="secondary">
                      {r.journalVoucher.date} {r.journalVoucher.totalDebit}
                    </Typography.Text>
                  )}
                  {r.journalVoucher && <Typography.Text type="secondary">{r.journalVoucher.summary}</Typography.Text>}
                </Space>
              ),
            },
            { title: t('journal.tier'), width: 100, render: (_, r) => <TierTag link={r.link} /> },
            { title: t('journal.explanation'), render: (_, r) => <Explanation link={r.link} /> },
          ]}
        />
      )}
    </Card>
  );
}
