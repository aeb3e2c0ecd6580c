import { Card, Descriptions, Empty, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useI18n } from '../../i18n/I18nProvider';
import { codeLabel } from '../../i18n/labels';
import { FormError } from '../admin/FormError';
import { journalApi, type Chain, type JournalEntry, type LinkView } from './api';
import { Explanation, TierTag } from './Explanation';

/** One journal voucher with its entries and its evidence chain (联查): every linked original, with why. */
export default function JournalDetailPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const [chain, setChain] = useState<Chain>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    const ctrl = new AbortController();
    journalApi.chain(id, ctrl.signal).then(setChain, (e) => (e as Error).name !== 'AbortError' && setError(e));
    return () => ctrl.abort();
  }, [id]);

  if (error) return <FormError error={error} />;
  if (!chain) return <Card loading />;
  const j = chain.journalVoucher.voucher;
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card title={t('journal.detail.title', { number: j.number, period: j.period })}>
        <Descriptions size="small" column={3}>
          <Descriptions.Item label={t('journal.unit')}>{chain.journalVoucher.unitCode}</Descriptions.Item>
          <Descriptions.Item label={t('journal.date')}>{j.date}</Descriptions.Item>
          <Descriptions.Item label={t('journal.version')}>{chain.journalVoucher.version}</Descriptions.Item>
          <Descriptions.Item label={t('journal.summary')} span={3}>
            {j.summary}
          </Descriptions.Item>
          <Descriptions.Item label={t('journal.attachments')}>{j.attachmentCount}</Descriptions.Item>
          <Descriptions.Item label={t('journal.people')} span={2}>
            {[j.maker, j.checker, j.poster].map((x) => x ?? '—').join(' / ')}
          </Descriptions.Item>
          <Descriptions.Item label={t('journal.references')} span={3}>
            {[...j.references.invoiceNumbers, ...j.references.reimbursementIds, ...j.references.paymentCodes, ...j.references.bankSerials].map((r) => (
              <Tag key={r}>{r}</Tag>
            ))}
          </Descriptions.Item>
        </Descriptions>
        <Table<JournalEntry>
          rowKey="line"
          size="small"
          pagination={false}
          dataSource={j.entries}
          columns={[
            { title: t('journal.summary'), render: (_, e) => e.summary ?? j.summary },
            { title: t('journal.account'), render: (_, e) => `${e.accountCode} ${e.accountName}` },
            { title: t('journal.counterparty'), render: (_, e) => [e.counterparty, e.counterpartyAccount].filter(Boolean).join(' ') },
            { title: t('journal.debit'), dataIndex: 'debit', align: 'right', render: (v: string) => (v === '0.00' ? '' : v) },
            { title: t('journal.credit'), dataIndex: 'credit', align: 'right', render: (v: string) => (v === '0.00' ? '' : v) },
          ]}
          summary={() => (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0} colSpan={3}>
                {t('journal.total')}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={1} align="right">
                {j.totalDebit}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={2} align="right">
                {j.totalCredit}
              </Table.Summary.Cell>
            </Table.Summary.Row>
          )}
        />
      </Card>
      <Card title={t('journal.chain')} data-testid="journal-chain">
        {chain.links.length === 0 ? (
          <Empty description={t('journal.chain.none')} />
        ) : (
          <Table<LinkView>
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={chain.links}
            columns={[
              { title: t('journal.tier'), width: 90, render: (_, l) => <TierTag link={l} /> },
              {
                title: t('journal.original'),
                width: 280,
                render: (_, l) =>
                  l.voucher ? (
                    <Space orientation="vertical" size={0}>
                      <Link to={`/pool/vouchers/${l.voucher.id}`}>
                        {codeLabel(t, l.voucher.kind, ['pool.kind'])} {l.voucher.invoiceNumber ?? l.voucher.bankSerial ?? ''}
                        {l.statementLine !== null ? ` #${l.statementLine + 1}` : ''}
                      </Link>
                      <Typography.Text type="secondary">
                        {l.voucher.statementLine ? `${l.voucher.statementLine.bookkeepingDate ?? ''} ${l.voucher.statementLine.amount ?? ''}` : `${l.voucher.issueDate ?? ''} ${l.voucher.totalAmount ?? ''} ${l.voucher.sellerName ?? l.voucher.payeeName ?? ''}`}
                      </Typography.Text>
                    </Space>
                  ) : (
                    l.voucherId
                  ),
              },
              { title: t('journal.explanation'), render: (_, l) => <Explanation link={l} /> },
            ]}
          />
        )}
      </Card>
    </Space>
  );
}
