import { InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, Input, Progress, Space, Statistic, Table, Tag, Upload, type UploadFile } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n } from '../../i18n/I18nProvider';
import { codeLabel } from '../../i18n/labels';
import { uploadNote } from '../../i18n/server-messages';
import { OUTCOME_COLORS, poolApi, VERDICT_COLORS, type Batch, type BatchItem } from './api';

/** 票据采集: drag many files (OFD, PDF, XML, XBRL, JSON, photos of paper invoices), watch the batch progress, see each file's outcome. */
export default function UploadPage() {
  const { t } = useI18n();
  const { currentUnit } = useAuth();
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [personal, setPersonal] = useState(false);
  const [subPool, setSubPool] = useState('');
  const [batch, setBatch] = useState<Batch>();
  const [error, setError] = useState<string>();
  const [sending, setSending] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  const poll = (id: string) => {
    timer.current = setTimeout(async () => {
      try {
        const b = await poolApi.batch(id);
        setBatch(b);
        if (b.status !== 'complete') poll(id);
      } catch (e) {
        setError((e as Error).message);
      }
    }, 700);
  };

  const send = async () => {
    setSending(true);
    setError(undefined);
    setBatch(undefined);
    try {
      const b = await poolApi.upload(files.map((f) => f.originFileObj as File), { unitId: currentUnit?.id, subPool: subPool.trim() || undefined, personal });
      setBatch(b);
      setFiles([]);
      if (b.status !== 'complete') poll(b.id);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSending(false);
    }
  };

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card title={t('pool.upload.title')}>
        <Upload.Dragger
          multiple
          fileList={files}
          beforeUpload={() => false}
          onChange={({ fileList }) => setFiles(fileList)}
          accept=".ofd,.pdf,.xml,.xbrl,.json,.jpg,.jpeg,.png"
          data-testid="pool-dropzone"
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">{t('pool.upload.drop')}</p>
          <p className="ant-upload-hint">{t('pool.upload.hint')}</p>
        </Upload.Dragger>
        <Space style={{ marginTop: 16 }} wrap>
          <span>{t('pool.upload.target')}: {personal ? t('pool.scope.personal') : (currentUnit?.name ?? t('pool.upload.byBuyer'))}</span>
          <Checkbox checked={personal} onChange={(e) => setPersonal(e.target.checked)}>{t('pool.upload.personal')}</Checkbox>
          <Input placeholder={t('pool.upload.subPool')} value={subPool} onChange={(e) => setSubPool(e.target.value)} style={{ width: 180 }} disabled={personal} />
          <Button type="primary" disabled={!files.length} loading={sending} onClick={() => void send()} data-testid="pool-upload-send">
            {t('pool.upload.send', { count: files.length })}
          </Button>
        </Space>
        {error && <Alert type="error" showIcon title={error} style={{ marginTop: 16 }} />}
      </Card>
      {batch && (
        <Card title={t('pool.upload.batch')} data-testid="pool-batch">
          <Progress percent={batch.progress} status={batch.status === 'complete' ? 'success' : 'active'} />
          <Space size="large" style={{ margin: '16px 0' }} wrap>
            <Statistic title={t('pool.outcome.created')} value={batch.summary.created} />
            <Statistic title={t('pool.outcome.duplicate')} value={batch.summary.duplicates} />
            <Statistic title={t('pool.outcome.linked')} value={batch.summary.linked} />
            <Statistic title={t('pool.outcome.conflict')} value={batch.summary.conflicts} />
            <Statistic title={t('pool.outcome.rejected')} value={batch.summary.rejected} />
          </Space>
          <Table<BatchItem> size="small" rowKey="seq" pagination={false} dataSource={batch.items}
            columns={[
              { title: '#', dataIndex: 'seq', width: 50 },
              { title: t('pool.file.name'), dataIndex: 'filename' },
              { title: t('pool.upload.outcome'), dataIndex: 'outcome', render: (o: string | null) => (o ? <Tag color={OUTCOME_COLORS[o]}>{t(`pool.outcome.${o}` as never)}</Tag> : <Tag>{t('pool.outcome.pending')}</Tag>) },
              { title: t('pool.field.kind'), dataIndex: 'kind', render: (k: string | null) => (k ? codeLabel(t, k, ['pool.kind']) : '—') },
              { title: t('pool.field.verdict'), dataIndex: 'verdict', render: (v: string | null) => (v ? <Tag color={VERDICT_COLORS[v]}>{codeLabel(t, v, ['pool.verdict'])}</Tag> : '—') },
              { title: t('pool.upload.reason'), render: (_, r) => <span title={r.message ?? undefined} data-testid="upload-note">{uploadNote(t, r)}</span> },
              { title: '', render: (_, r) => (r.voucherId ? <Link to={`/pool/vouchers/${r.voucherId}`}>{t('pool.upload.open')}</Link> : null) },
            ]} />
        </Card>
      )}
    </Space>
  );
}
