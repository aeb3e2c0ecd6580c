import { Card, Input, Segmented, Space, Table } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n, type MessageKey } from '../../i18n/I18nProvider';
import { FormError } from '../admin/FormError';
import { claimsApi } from './api';
import { StateTag } from './WorkflowPage';

const STATES = ['available', 'claimed', 'reimbursed', 'booked'] as const;
type Row = Awaited<ReturnType<typeof claimsApi.byState>>['items'][number];

/** 报销与入账: the unit's vouchers by reimbursement state, each opening its claim/reimburse/book page. */
export default function ClaimsPage() {
  const { t } = useI18n();
  const { currentUnit } = useAuth();
  const navigate = useNavigate();
  const [state, setState] = useState<string>('claimed');
  const [rows, setRows] = useState<Row[]>();
  const [error, setError] = useState<unknown>();
  const [lookupError, setLookupError] = useState<unknown>();

  useEffect(() => {
    const ctrl = new AbortController();
    setRows(undefined);
    claimsApi.byState(state, currentUnit?.id, ctrl.signal).then(
      (r) => setRows(r.items),
      (e) => (e as Error).name !== 'AbortError' && setError(e),
    );
    return () => ctrl.abort();
  }, [state, currentUnit?.id]);

  const lookup = async (number: string) => {
    setLookupError(undefined);
    if (!number.trim()) return;
    try {
      const r = await fetch(`/api/pool/receiver/vouchers?invoiceNumber=${encodeURIComponent(number.trim())}`, { credentials: 'same-origin' }).then((x) => x.json());
      const first = r.items?.[0];
      if (first) navigate(`/pool/claims/${first.id}`);
      else setLookupError(new Error(t('poolb.lookup.none', { number })));
    } catch (e) {
      setLookupError(e);
    }
  };

  return (
    <Card
      title={t('poolb.claims.title')}
      extra={<Input.Search placeholder={t('poolb.lookup.placeholder')} onSearch={lookup} allowClear style={{ width: 280 }} data-testid="claims-lookup" />}
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        {lookupError ? <FormError error={lookupError} /> : null}
        {error ? <FormError error={error} /> : null}
        <Segmented value={state} onChange={(v) => setState(String(v))} options={STATES.map((s) => ({ value: s, label: t(`pool.state.${s}` as MessageKey) }))} />
        <Table<Row>
          rowKey="id"
          size="small"
          loading={!rows && !error}
          dataSource={rows ?? []}
          pagination={{ pageSize: 20 }}
          columns={[
            { title: t('poolb.field.kind'), dataIndex: 'kindName' },
            { title: t('poolb.field.number'), render: (_, r) => <Link to={`/pool/claims/${r.id}`}>{r.invoiceNumber ?? r.bankSerialNumber ?? r.id}</Link> },
            { title: t('poolb.field.issueDate'), dataIndex: 'issueDate' },
            { title: t('poolb.field.amount'), dataIndex: 'totalAmount', align: 'right' },
            { title: t('poolb.field.seller'), dataIndex: 'sellerName' },
            { title: t('poolb.field.status'), render: (_, r) => <StateTag state={r.state} /> },
          ]}
        />
      </Space>
    </Card>
  );
}
