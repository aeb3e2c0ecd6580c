import { DownloadOutlined, ReloadOutlined, SearchOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, DatePicker, Form, Input, Select, Space, Table, Tag, Tooltip } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n } from '../../i18n/I18nProvider';
import { voucherWarning } from '../../i18n/server-messages';
import { KINDS, poolApi, STATES, STATE_COLORS, VERDICTS, VERDICT_COLORS, type ListFilter, type VoucherSummary } from './api';

/** 票据池: the vouchers of the current unit (or the personal folder) with filters, states and verdicts; more pages by keyset. */
export default function PoolListPage() {
  const { t } = useI18n();
  const { currentUnit } = useAuth();
  const [form] = Form.useForm();
  // Links from the home page name a state, verdict or kind (?state=available): the list opens filtered by it.
  const [params] = useSearchParams();
  const [linked] = useState(() => ({
    state: STATES.find((x) => x === params.get('state')),
    verdict: VERDICTS.find((x) => x === params.get('verdict')),
    kind: KINDS.find((x) => x === params.get('kind')),
  }));
  const [filter, setFilter] = useState<ListFilter>(linked);
  const [rows, setRows] = useState<VoucherSummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();

  const scoped = (f: ListFilter): ListFilter => {
    const { scope, ...rest } = f;
    if (scope === 'personal') return { ...rest, personal: 'true' };
    if (scope === 'all') return rest;
    return { ...rest, unitId: currentUnit?.id };
  };

  const load = async (f: ListFilter, cursor?: string, signal?: AbortSignal) => {
    setLoading(true);
    try {
      const page = await poolApi.list({ ...scoped(f), limit: '50', cursor }, signal);
      setRows((prev) => (cursor ? [...prev, ...page.items] : page.items));
      setNext(page.nextCursor);
      setError(undefined);
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setError((e as Error).message);
    } finally {
      if (!signal?.aborted) setLoading(false);
    }
  };

  useEffect(() => {
    const ctrl = new AbortController();
    void load(filter, undefined, ctrl.signal);
    return () => ctrl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filter, currentUnit?.id]);

  const apply = (v: Record<string, any>) => {
    const [from, to] = v.issueDate ?? [];
    setFilter({
      scope: v.scope,
      kind: v.kind,
      state: v.state,
      verdict: v.verdict,
      issueFrom: from ? from.format('YYYY-MM-DD') : undefined,
      issueTo: to ? to.format('YYYY-MM-DD') : undefined,
      amountMin: v.amountMin?.trim(),
      amountMax: v.amountMax?.trim(),
      party: v.party?.trim(),
      number: v.number?.trim(),
      sort: v.sort,
    });
  };

  return (
    <Card
      title={t('pool.list.title')}
      extra={
        <Space>
          <Link to="/pool/upload">
            <Button icon={<UploadOutlined />}>{t('pool.upload.nav')}</Button>
          </Link>
          <Button icon={<DownloadOutlined />} href={poolApi.exportUrl(scoped(filter))} data-testid="pool-export">
            {t('pool.list.export')}
          </Button>
        </Space>
      }
    >
      <Form form={form} layout="inline" onFinish={apply} initialValues={{ scope: 'unit', sort: 'created_desc', ...linked }} style={{ rowGap: 8, marginBottom: 16 }}>
        <Form.Item name="scope">
          <Select style={{ width: 140 }} options={[
            { value: 'unit', label: t('pool.scope.unit') },
            { value: 'personal', label: t('pool.scope.personal') },
            { value: 'all', label: t('pool.scope.all') },
          ]} />
        </Form.Item>
        <Form.Item name="kind">
          <Select allowClear placeholder={t('pool.field.kind')} style={{ width: 170 }} options={KINDS.map((k) => ({ value: k, label: t(`pool.kind.${k}` as never) }))} />
        </Form.Item>
        <Form.Item name="state">
          <Select allowClear placeholder={t('pool.field.state')} style={{ width: 120 }} options={STATES.map((s) => ({ value: s, label: t(`pool.state.${s}` as never) }))} />
        </Form.Item>
        <Form.Item name="verdict">
          <Select allowClear placeholder={t('pool.field.verdict')} style={{ width: 130 }} options={VERDICTS.map((s) => ({ value: s, label: t(`pool.verdict.${s}` as never) }))} />
        </Form.Item>
        <Form.Item name="issueDate">
          <DatePicker.RangePicker placeholder={[t('pool.field.issueFrom'), t('pool.field.issueTo')]} />
        </Form.Item>
        <Form.Item name="amountMin">
          <Input placeholder={t('pool.field.amountMin')} style={{ width: 110 }} />
        </Form.Item>
        <Form.Item name="amountMax">
          <Input placeholder={t('pool.field.amountMax')} style={{ width: 110 }} />
        </Form.Item>
        <Form.Item name="party">
          <Input placeholder={t('pool.field.party')} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="number">
          <Input placeholder={t('pool.field.number')} style={{ width: 190 }} />
        </Form.Item>
        <Form.Item name="sort">
          <Select style={{ width: 150 }} options={['created_desc', 'issue_date_desc', 'issue_date_asc', 'amount_desc', 'amount_asc'].map((s) => ({ value: s, label: t(`pool.sort.${s}` as never) }))} />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>
              {t('pool.list.search')}
            </Button>
            <Tooltip title={t('pool.list.reload')}>
              <Button icon={<ReloadOutlined />} onClick={() => void load(filter)} />
            </Tooltip>
          </Space>
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Table<VoucherSummary>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={rows}
        pagination={false}
        data-testid="pool-table"
        scroll={{ x: 1100 }}
        columns={[
          { title: t('pool.field.kind'), dataIndex: 'kindName', width: 170, render: (v, r) => <Link to={`/pool/vouchers/${r.id}`}>{v}</Link> },
          { title: t('pool.field.number'), render: (_, r) => [r.invoiceCode, r.invoiceNumber ?? r.bankSerialNumber].filter(Boolean).join(' / ') || '—' },
          { title: t('pool.field.issueDate'), dataIndex: 'issueDate', width: 110 },
          { title: t('pool.field.total'), dataIndex: 'totalAmount', align: 'right', width: 120 },
          { title: t('pool.field.seller'), render: (_, r) => r.sellerName ?? r.payeeName ?? '—', ellipsis: true },
          { title: t('pool.field.buyer'), render: (_, r) => r.buyerName ?? r.payerName ?? '—', ellipsis: true },
          { title: t('pool.field.unit'), render: (_, r) => r.unit?.code ?? t('pool.scope.personal'), width: 100 },
          { title: t('pool.field.verdict'), dataIndex: 'signatureVerdict', width: 100, render: (v: string) => <Tag color={VERDICT_COLORS[v]}>{t(`pool.verdict.${v}` as never)}</Tag> },
          {
            title: t('pool.field.state'),
            dataIndex: 'state',
            width: 110,
            render: (v: string, r) => (
              <Space size={4}>
                <Tag color={STATE_COLORS[v]}>{t(`pool.state.${v}` as never)}</Tag>
                {r.carrier === 'paper' && <Tag>{t('pool.carrier.paper')}</Tag>}
                {r.warnings.length > 0 && (
                  <Tooltip title={<div style={{ whiteSpace: 'pre-line' }}>{r.warnings.map((w, i) => voucherWarning(t, w, r.warningCodes?.[i])).join('\n')}</div>}>
                    <Tag color="warning">{r.warnings.length}</Tag>
                  </Tooltip>
                )}
              </Space>
            ),
          },
        ]}
      />
      {next && (
        <div style={{ textAlign: 'center', marginTop: 16 }}>
          <Button onClick={() => void load(filter, next)} loading={loading}>
            {t('pool.list.more')}
          </Button>
        </div>
      )}
    </Card>
  );
}
