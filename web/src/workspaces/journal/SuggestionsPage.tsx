import { Button, Card, Input, Modal, Space, Table, Typography, message } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n } from '../../i18n/I18nProvider';
import { codeLabel } from '../../i18n/labels';
import { FormError } from '../admin/FormError';
import { journalApi, type LinkView } from './api';
import { Explanation } from './Explanation';

/** The suggestion queue: links the rules could not make alone, for a person to accept or reject with a reason. */
export default function SuggestionsPage() {
  const { t } = useI18n();
  const { currentUnit } = useAuth();
  const [period, setPeriod] = useState('');
  const [items, setItems] = useState<LinkView[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const [deciding, setDeciding] = useState<{ link: LinkView; decision: 'accept' | 'reject' }>();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);

  const load = async () => {
    setLoading(true);
    try {
      setItems(await journalApi.suggestions(/^\d{4}-\d{2}$/.test(period) ? period : undefined));
      setError(undefined);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const decide = async () => {
    if (!deciding) return;
    setBusy(true);
    try {
      if (deciding.decision === 'accept') await journalApi.accept(deciding.link.id, reason || undefined);
      else await journalApi.reject(deciding.link.id, reason);
      setItems((xs) => xs.filter((x) => x.id !== deciding.link.id));
      setDeciding(undefined);
      setReason('');
    } catch (e) {
      setError(e);
      setDeciding(undefined);
    } finally {
      setBusy(false);
    }
  };

  const runMatching = async () => {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) {
      void message.warning(t('journal.suggestions.periodFirst'));
      return;
    }
    try {
      const r = await journalApi.run(period, currentUnit?.code);
      void message.success(t('journal.suggestions.ran', { auto: r.totals.auto, suggestions: r.totals.suggestions }));
      await load();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <Card title={t('journal.suggestions.title')}>
      <Space style={{ marginBottom: 16 }}>
        <Input placeholder={t('journal.period')} value={period} onChange={(e) => setPeriod(e.target.value)} style={{ width: 120 }} allowClear />
        <Button onClick={load}>{t('journal.filter')}</Button>
        <Button type="primary" onClick={runMatching} data-testid="run-matching">
          {t('journal.suggestions.run')}
        </Button>
      </Space>
      <FormError error={error} />
      <Table<LinkView>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={items}
        pagination={{ pageSize: 20 }}
        data-testid="suggestion-table"
        columns={[
          {
            title: t('journal.nav'),
            width: 220,
            render: (_, l) =>
              l.journalVoucher && (
                <Space orientation="vertical" size={0}>
                  <Link to={`/journal/vouchers/${l.journalVoucherId}`}>
                    {l.journalVoucher.period} {l.journalVoucher.number}
                  </Link>
                  <Typography.Text type="secondary">
                    {l.journalVoucher.date} {l.journalVoucher.totalDebit}
                  </Typography.Text>
                  <Typography.Text type="secondary">{l.journalVoucher.summary}</Typography.Text>
                </Space>
              ),
          },
          {
            title: t('journal.original'),
            width: 220,
            render: (_, l) =>
              l.voucher && (
                <Space orientation="vertical" size={0}>
                  <Link to={`/pool/vouchers/${l.voucherId}`}>
                    {codeLabel(t, l.voucher.kind, ['pool.kind'])} {l.voucher.invoiceNumber ?? l.voucher.bankSerial ?? ''}
                    {l.statementLine !== null ? ` #${l.statementLine + 1}` : ''}
                  </Link>
                  <Typography.Text type="secondary">
                    {l.voucher.issueDate} {l.voucher.totalAmount ?? l.voucher.statementLine?.amount} {l.voucher.sellerName ?? ''}
                  </Typography.Text>
                </Space>
              ),
          },
          { title: t('journal.explanation'), render: (_, l) => <Explanation link={l} /> },
          {
            title: '',
            width: 150,
            render: (_, l) => (
              <Space>
                <Button size="small" type="primary" onClick={() => setDeciding({ link: l, decision: 'accept' })}>
                  {t('journal.accept')}
                </Button>
                <Button size="small" danger onClick={() => setDeciding({ link: l, decision: 'reject' })}>
                  {t('journal.reject')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={!!deciding}
        title={deciding?.decision === 'accept' ? t('journal.accept') : t('journal.reject')}
        onCancel={() => setDeciding(undefined)}
        onOk={decide}
        confirmLoading={busy}
        okButtonProps={{ disabled: deciding?.decision === 'reject' && !reason.trim() }}
      >
        <Typography.Paragraph type="secondary">{deciding?.decision === 'reject' ? t('journal.reason.required') : t('journal.reason.optional')}</Typography.Paragraph>
        <Input.TextArea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} data-testid="decision-reason" />
      </Modal>
    </Card>
  );
}
