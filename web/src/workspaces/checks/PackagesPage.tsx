import { DownloadOutlined, FileProtectOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { useApi } from '../../api/useApi';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n } from '../../i18n/I18nProvider';
import { packageProblem } from '../../i18n/server-messages';
import { checksApi, type ArchiveOutcome, type ArchivePackage, type PackageVerdict } from './api';
import { VolumePicker } from './VolumePicker';

/**
 * 归档信息包: archive an approved volume (the archiving-stage checks run first; any veto failure refuses it),
 * then the stored packages with a verify action (digests, every file, the manifest signature).
 */
export default function PackagesPage() {
  const { t, formatDateTime } = useI18n();
  const { effectiveRoles } = useAuth();
  const canArchive = effectiveRoles.has('archivist') || effectiveRoles.has('unit_admin') || effectiveRoles.has('system_admin');
  const pkgs = useApi((s) => checksApi.packages(s), []);
  const [volume, setVolume] = useState('');
  const [archiving, setArchiving] = useState(false);
  const [archived, setArchived] = useState<ArchiveOutcome | string>();

  const archive = async () => {
    setArchiving(true);
    setArchived(undefined);
    try {
      setArchived(await checksApi.archive(volume));
      setVolume('');
      pkgs.reload();
    } catch (e) {
      setArchived(e instanceof ApiError ? `${e.code}: ${e.message}` : (e as Error).message);
    } finally {
      setArchiving(false);
    }
  };
  const [verdicts, setVerdicts] = useState<Record<string, PackageVerdict | string>>({});
  const [busy, setBusy] = useState<string>();
  // A verified package opens its row to show the verdict at once; the row can be folded again.
  const [expanded, setExpanded] = useState<string[]>([]);

  const verify = async (id: string) => {
    setBusy(id);
    try {
      const v = await checksApi.verifyPackage(id);
      setVerdicts((m) => ({ ...m, [id]: v }));
    } catch (e) {
      setVerdicts((m) => ({ ...m, [id]: e instanceof ApiError ? `${e.code}: ${e.message}` : (e as Error).message }));
    } finally {
      setExpanded((keys) => (keys.includes(id) ? keys : [...keys, id]));
      setBusy(undefined);
    }
  };

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      {canArchive && (
        <Card title={t('checks.archive.title')}>
          <Typography.Paragraph type="secondary">{t('checks.archive.intro')}</Typography.Paragraph>
          <Space wrap align="start">
            <VolumePicker
              value={volume}
              onChange={setVolume}
              states={['approved']}
              testId="archive-volume"
              placeholder={t('checks.archive.pick')}
              empty={t('checks.archive.none')}
              reloadKey={archived}
            />
            <Button type="primary" icon={<FileProtectOutlined />} loading={archiving} disabled={!volume} onClick={archive} data-testid="archive-run">
              {t('checks.archive.run')}
            </Button>
          </Space>
          {archived && (
            <Alert
              style={{ marginTop: 16 }}
              showIcon
              data-testid="archive-result"
              type={typeof archived === 'string' ? 'error' : 'success'}
              title={typeof archived === 'string' ? archived : t('checks.archive.done', { code: archived.archivalCode, items: archived.items, files: archived.files })}
            />
          )}
        </Card>
      )}
      <Card title={t('checks.packages.title')}>
        <Typography.Paragraph type="secondary">{t('checks.packages.intro')}</Typography.Paragraph>
        {pkgs.error && <Alert type="error" showIcon title={pkgs.error.message} />}
        <Table<ArchivePackage>
          data-testid="packages-table"
          rowKey="id"
          size="small"
          loading={pkgs.loading}
          dataSource={pkgs.data ?? []}
          expandable={{
            rowExpandable: (p) => !!verdicts[p.id],
            expandedRowKeys: expanded,
            onExpand: (open, p) => setExpanded((keys) => (open ? [...keys, p.id] : keys.filter((k) => k !== p.id))),
            expandedRowRender: (p) => {
              const v = verdicts[p.id];
              if (typeof v === 'string') return <Alert type="error" showIcon title={v} />;
              return (
                <Alert
                  data-testid={`package-verdict-${p.id}`}
                  type={v.ok ? 'success' : 'error'}
                  showIcon
                  title={v.ok ? t('checks.packages.ok', { files: v.files }) : t('checks.packages.broken', { count: v.problems.length })}
                  description={
                    <ul style={{ margin: 0 }}>
                      {v.signature && <li>{`${t('checks.packages.signature')}: ${v.signature.ok ? '✓' : '✗'} ${v.signature.signer ?? ''} ${v.signature.algorithm ?? ''}`}</li>}
                      {v.problems.map((x, i) => <li key={i} title={x.message}>{packageProblem(t, x)}</li>)}
                    </ul>
                  }
                />
              );
            },
          }}
          columns={[
            { title: t('checks.col.subject'), dataIndex: 'archivalCode' },
            { title: t('checks.packages.version'), dataIndex: 'version' },
            { title: t('checks.packages.files'), dataIndex: 'files' },
            { title: t('checks.packages.size'), dataIndex: 'size', render: (n: number) => `${(n / 1024).toFixed(0)} KB` },
            { title: t('checks.packages.signature'), dataIndex: 'signatureAlgorithm', render: (a: string) => <Tag>{a}</Tag> },
            { title: 'SM3', dataIndex: 'sm3', render: (h: string) => <Typography.Text code copyable={{ text: h }}>{h.slice(0, 12)}…</Typography.Text> },
            { title: t('checks.col.finished'), dataIndex: 'createdAt', render: (d: string) => formatDateTime(new Date(d)) },
            {
              title: '',
              render: (_: unknown, p) => (
                <Space>
                  <Button size="small" icon={<SafetyCertificateOutlined />} loading={busy === p.id} onClick={() => verify(p.id)} data-testid={`package-verify-${p.id}`}>
                    {t('checks.packages.verify')}
                  </Button>
                  <Button size="small" icon={<DownloadOutlined />} href={checksApi.packageUrl(p.id)} />
                </Space>
              ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
