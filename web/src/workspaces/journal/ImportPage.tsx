import { InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Space, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n } from '../../i18n/I18nProvider';
import { importColumn, importProblem } from '../../i18n/server-messages';
import { FormError } from '../admin/FormError';
import { journalApi, type ImportSummary, type RowError } from './api';

/** Ledger import: a JSON, CSV or Excel file; all or nothing, every bad row named with its column. */
export default function ImportPage() {
  const { t } = useI18n();
  const { currentUnit } = useAuth();
  const [file, setFile] = useState<File>();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportSummary>();
  const [rowErrors, setRowErrors] = useState<RowError[]>();
  const [error, setError] = useState<unknown>();

  const submit = async () => {
    if (!file) return;
    setBusy(true);
    setResult(undefined);
    setRowErrors(undefined);
    setError(undefined);
    try {
      setResult(await journalApi.upload(file, currentUnit?.code, reason || undefined));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'import_rejected' && Array.isArray(e.details?.errors)) setRowErrors(e.details!.errors as RowError[]);
      else setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('journal.import.title')}>
      <Typography.Paragraph type="secondary">{t('journal.import.intro')}</Typography.Paragraph>
      <Upload.Dragger
        accept=".json,.csv,.xlsx"
        maxCount={1}
        beforeUpload={(f) => {
          setFile(f);
          return false;
        }}
        onRemove={() => setFile(undefined)}
        data-testid="ledger-file"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p>{t('journal.import.drop')}</p>
      </Upload.Dragger>
      <Form layout="inline" style={{ marginTop: 16 }}>
        <Form.Item label={t('journal.import.reason')}>
          <Input value={reason} onChange={(e) => setReason(e.target.value)} style={{ width: 320 }} />
        </Form.Item>
        <Button type="primary" disabled={!file} loading={busy} onClick={submit} data-testid="ledger-import">
          {t('journal.import.submit')}
        </Button>
      </Form>
      <Space orientation="vertical" style={{ width: '100%', marginTop: 16 }}>
        <FormError error={error} />
        {result && (
          <Alert
            type="success"
            showIcon
            data-testid="import-result"
            title={t('journal.import.done', { vouchers: result.vouchers, created: result.created, updated: result.updated, unchanged: result.unchanged })}
            description={result.changes.map((c) => `${c.period} ${c.number} → v${c.version}: ${c.reason}`).join('；') || undefined}
          />
        )}
        {rowErrors && (
          <>
            <Alert type="error" showIcon title={t('journal.import.rejected', { count: rowErrors.length })} />
            <Table<RowError>
              rowKey={(r) => `${r.row}|${r.column}|${r.problem}`}
              size="small"
              dataSource={rowErrors}
              pagination={{ pageSize: 50 }}
              data-testid="import-errors"
              columns={[
                { title: t('journal.import.row'), dataIndex: 'row', width: 80 },
                { title: t('journal.import.column'), dataIndex: 'column', width: 160, render: (c: string) => importColumn(t, c) },
                { title: t('journal.import.problem'), dataIndex: 'problem', render: (_: string, r) => <span title={r.problem}>{importProblem(t, r)}</span> },
              ]}
            />
          </>
        )}
      </Space>
    </Card>
  );
}
