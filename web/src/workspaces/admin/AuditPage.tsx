import { SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Space, Table, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/I18nProvider';
import { adminApi, type AuditEntry, type ChainVerdict } from './api';
import { FormError } from './FormError';

/** 审计日志: verify the SM3 hash chain on demand, and read the newest entries. */
export default function AuditPage() {
  const { t, formatDateTime } = useI18n();
  const [verdict, setVerdict] = useState<{ v: ChainVerdict; at: Date }>();
  const [verifying, setVerifying] = useState(false);
  const [verifyError, setVerifyError] = useState<unknown>();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [logError, setLogError] = useState<unknown>();

  const loadPage = async (beforeSeq?: string, signal?: AbortSignal) => {
    setLoading(true);
    try {
      const page = await adminApi.auditLog(beforeSeq, signal);
      setEntries((prev) => (beforeSeq ? [...prev, ...page.items] : page.items));
      setNext(page.nextBeforeSeq);
      setLogError(undefined);
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setLogError(e);
    } finally {
      if (!signal?.aborted) setLoading(false);
    }
  };

  useEffect(() => {
    const ctrl = new AbortController();
    void loadPage(undefined, ctrl.signal);
    return () => ctrl.abort();
  }, []);

  const verify = async () => {
    setVerifying(true);
    setVerifyError(undefined);
    try {
      setVerdict({ v: await adminApi.verifyAudit(), at: new Date() });
    } catch (e) {
      setVerifyError(e);
    } finally {
      setVerifying(false);
    }
  };

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card title={t('admin.audit.title')}>
        <Typography.Paragraph type="secondary">{t('admin.audit.intro')}</Typography.Paragraph>
        <Button type="primary" icon={<SafetyCertificateOutlined />} loading={verifying} onClick={verify} data-testid="audit-verify">
          {t('admin.audit.verify')}
        </Button>
        <div style={{ marginTop: 16 }}>
          <FormError error={verifyError} />
          {verdict && (
            <div data-testid="audit-verdict">
              <Alert
                type={verdict.v.ok ? 'success' : 'error'}
                showIcon
                title={verdict.v.ok ? t('admin.audit.ok', { count: verdict.v.entries }) : t('admin.audit.broken', { seq: verdict.v.seq })}
                description={verdict.v.ok ? undefined : verdict.v.message}
              />
              <Descriptions size="small" column={1} style={{ marginTop: 12 }}>
                {verdict.v.ok && (
                  <Descriptions.Item label={t('admin.audit.lastHash')}>
                    <Typography.Text code copyable style={{ wordBreak: 'break-all' }}>
                      {verdict.v.lastHash}
                    </Typography.Text>
                  </Descriptions.Item>
                )}
                <Descriptions.Item label={t('admin.audit.checkedAt')}>{formatDateTime(verdict.at)}</Descriptions.Item>
              </Descriptions>
            </div>
          )}
        </div>
      </Card>
      <Card title={t('admin.audit.log')}>
        <FormError error={logError} />
        <Table<AuditEntry>
          data-testid="audit-table"
          rowKey="seq"
          size="small"
          loading={loading}
          dataSource={entries}
          pagination={false}
          columns={[
            { title: t('admin.audit.seq'), dataIndex: 'seq', width: 80 },
            { title: t('admin.audit.at'), dataIndex: 'at', width: 190, render: (v: string) => formatDateTime(v) },
            { title: t('admin.audit.actor'), key: 'actor', width: 180, render: (_: unknown, e) => (e.actorType === 'system' ? t('admin.audit.system') : (e.actorName ?? e.actorType)) },
            { title: t('admin.audit.action'), dataIndex: 'action', width: 200, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
            { title: t('admin.audit.target'), key: 'target', render: (_: unknown, e) => (e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : '—') },
            { title: t('admin.audit.ip'), dataIndex: 'ip', width: 140, render: (v: string | null) => v ?? '—' },
          ]}
        />
        {next && (
          <Button style={{ marginTop: 12 }} onClick={() => loadPage(next)} loading={loading}>
            {t('admin.audit.more')}
          </Button>
        )}
      </Card>
    </Space>
  );
}
