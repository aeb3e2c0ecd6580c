import { Button, Card, Form, Input, Space, Table } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { useI18n } from '../../i18n/I18nProvider';
import { FormError } from '../admin/FormError';
import { journalApi, type JournalFilter, type JournalListItem } from './api';

/** 记账凭证: the list, filtered by period, number, account and amount. */
export default function JournalListPage() {
  const { t } = useI18n();
  const [filter, setFilter] = useState<JournalFilter>({});
  const [items, setItems] = useState<JournalListItem[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();

  const load = async (f: JournalFilter, after?: string, signal?: AbortSignal) => {
    setLoading(true);
    try {
      const page = await journalApi.list(f, after, signal);
      setItems((prev) => (after ? [...prev, ...page.items] : page.items));
      setNext(page.nextAfter);
      setError(undefined);
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setError(e);
    } finally {
      if (!signal?.aborted) setLoading(false);
    }
  };

  useEffect(() => {
    const ctrl = new AbortController();
    void load(filter, undefined, ctrl.signal);
    return () => ctrl.abort();
  }, [filter]);

  return (
    <Card title={t('nav.journal')}>
      <Form layout="inline" onFinish={(v: JournalFilter) => setFilter(Object.fromEntries(Object.entries(v).filter(([, x]) => x)) as JournalFilter)} style={{ marginBottom: 16 }}>
        <Form.Item name="period" rules={[{ pattern: /^\d{4}-(0[1-9]|1[0-2])$/, message: 'YYYY-MM' }]}>
          <Input placeholder={t('journal.period')} allowClear style={{ width: 120 }} data-testid="journal-filter-period" />
        </Form.Item>
        <Form.Item name="number">
          <Input placeholder={t('journal.number')} allowClear style={{ width: 110 }} />
        </Form.Item>
        <Form.Item name="account">
          <Input placeholder={t('journal.account')} allowClear style={{ width: 120 }} />
        </Form.Item>
        <Form.Item name="min" rules={[{ pattern: /^-?\d+(\.\d{1,2})?$/, message: '0.00' }]}>
          <Input placeholder={t('journal.amountMin')} allowClear style={{ width: 120 }} />
        </Form.Item>
        <Form.Item name="max" rules={[{ pattern: /^-?\d+(\.\d{1,2})?$/, message: '0.00' }]}>
          <Input placeholder={t('journal.amountMax')} allowClear style={{ width: 120 }} />
        </Form.Item>
        <Form.Item name="q">
          <Input placeholder={t('journal.summary')} allowClear style={{ width: 160 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t('journal.filter')}
        </Button>
      </Form>
      <FormError error={error} />
      <Table<JournalListItem>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={items}
        pagination={false}
        data-testid="journal-table"
        columns={[
          { title: t('journal.unit'), dataIndex: 'unitCode', width: 90 },
          { title: t('journal.period'), dataIndex: 'period', width: 90 },
          { title: t('journal.number'), dataIndex: 'number', width: 90, render: (n: string, r) => <Link to={`/journal/vouchers/${r.id}`}>{n}</Link> },
          { title: t('journal.date'), dataIndex: 'date', width: 110 },
          { title: t('journal.summary'), dataIndex: 'summary' },
          { title: t('journal.amount'), dataIndex: 'totalDebit', align: 'right', width: 130 },
          { title: t('journal.attachments'), dataIndex: 'attachmentCount', width: 80, align: 'right' },
          { title: t('journal.version'), dataIndex: 'version', width: 70, align: 'right' },
        ]}
      />
      {next && (
        <Space style={{ marginTop: 12 }}>
          <Button onClick={() => load(filter, next)}>{t('journal.more')}</Button>
        </Space>
      )}
    </Card>
  );
}
