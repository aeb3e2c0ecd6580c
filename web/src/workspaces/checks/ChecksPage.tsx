import { DownloadOutlined, PlayCircleOutlined, PrinterOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Drawer, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { useApi } from '../../api/useApi';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n } from '../../i18n/I18nProvider';
import { vetoMessage } from '../../i18n/server-messages';
import { volumesApi } from '../volumes/api';
import { checksApi, printPdf, type CheckResult, type CheckRun, type Nature, type Outcome, type Stage } from './api';
import { VolumePicker } from './VolumePicker';

const OUTCOME_COLOR: Record<Outcome | 'pass' | 'warn' | 'fail', string> = { pass: 'green', fail: 'red', warn: 'orange', not_applicable: 'default' };
const NATURES: Nature[] = ['ZS', 'WZ', 'KY', 'AQ'];
const STAGES: Stage[] = ['GD', 'YJ', 'BC'];
const OUTCOMES: Outcome[] = ['pass', 'fail', 'warn', 'not_applicable'];

/** 四性检测: the check runs, a run's results with filters, the signed report to download or print. */
export default function ChecksPage() {
  const { t, formatDateTime } = useI18n();
  const { effectiveRoles } = useAuth();
  const canRun = effectiveRoles.has('archivist') || effectiveRoles.has('unit_admin') || effectiveRoles.has('system_admin');
  // The home page links here with ?verdict=fail (volumes whose checks failed).
  const [params] = useSearchParams();
  const [filter, setFilter] = useState<{ stage?: string; verdict?: string }>(() => ({
    verdict: ['pass', 'warn', 'fail'].includes(params.get('verdict') ?? '') ? params.get('verdict')! : undefined,
  }));
  const runs = useApi((s) => checksApi.runs(filter, s), [filter.stage, filter.verdict]);
  const [volume, setVolume] = useState('');
  const [stage, setStage] = useState<Stage>('GD');
  const [running, setRunning] = useState(false);
  const [runError, setRunError] = useState<string>();
  const [open, setOpen] = useState<CheckRun>();

  const start = async () => {
    setRunning(true);
    setRunError(undefined);
    try {
      const r = await checksApi.run(volume, stage);
      runs.reload();
      setOpen(r);
    } catch (e) {
      setRunError(e instanceof ApiError ? `${e.code}: ${e.message}` : (e as Error).message);
    } finally {
      setRunning(false);
    }
  };

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card title={t('checks.runs.title')}>
        <Typography.Paragraph type="secondary">{t('checks.runs.intro')}</Typography.Paragraph>
        {canRun && (
          <Space wrap style={{ marginBottom: 16 }}>
            <VolumePicker value={volume} onChange={setVolume} />
            <Select value={stage} onChange={setStage} style={{ width: 160 }} options={STAGES.map((s) => ({ value: s, label: t(`checks.stage.${s}`) }))} />
            <Button type="primary" icon={<PlayCircleOutlined />} loading={running} disabled={!volume} onClick={start} data-testid="checks-run">
              {t('checks.run.start')}
            </Button>
          </Space>
        )}
        {runError && <Alert type="error" showIcon title={runError} style={{ marginBottom: 16 }} />}
        <Space wrap style={{ marginBottom: 12 }}>
          <Select allowClear placeholder={t('checks.filter.stage')} style={{ width: 160 }} value={filter.stage} onChange={(v) => setFilter({ ...filter, stage: v })} options={STAGES.map((s) => ({ value: s, label: t(`checks.stage.${s}`) }))} />
          <Select allowClear placeholder={t('checks.filter.verdict')} style={{ width: 160 }} value={filter.verdict} onChange={(v) => setFilter({ ...filter, verdict: v })} options={(['pass', 'warn', 'fail'] as const).map((v) => ({ value: v, label: t(`checks.verdict.${v}`) }))} />
        </Space>
        {runs.error && <Alert type="error" showIcon title={runs.error.message} />}
        <Table<CheckRun>
          rowKey="id"
          size="small"
          loading={runs.loading}
          dataSource={runs.data ?? []}
          pagination={{ pageSize: 20 }}
          onRow={(r) => ({ onClick: () => setOpen(r), style: { cursor: 'pointer' } })}
          columns={[
            { title: t('checks.col.subject'), dataIndex: 'subjectLabel' },
            { title: t('checks.col.stage'), dataIndex: 'stage', render: (s: Stage) => t(`checks.stage.${s}`) },
            { title: t('checks.col.verdict'), dataIndex: 'verdict', render: (v: 'pass') => <Tag color={OUTCOME_COLOR[v]}>{t(`checks.verdict.${v}`)}</Tag> },
            { title: t('checks.col.counts'), render: (_: unknown, r) => `${r.summary.pass} / ${r.summary.fail} / ${r.summary.warn}` },
            { title: t('checks.col.scheme'), render: (_: unknown, r) => `${r.schemeId}@${r.schemeVersion}` },
            { title: t('checks.col.finished'), dataIndex: 'finishedAt', render: (d: string) => formatDateTime(new Date(d)) },
            { title: t('checks.col.actor'), dataIndex: 'actor' },
          ]}
        />
      </Card>
      <Drawer open={!!open} onClose={() => setOpen(undefined)} size="large" title={open ? `${t('checks.detail.title')} ${open.subjectLabel}` : ''} destroyOnHidden>
        {open && <RunDetail run={open} />}
      </Drawer>
    </Space>
  );
}

function RunDetail({ run }: { run: CheckRun }) {
  const { t } = useI18n();
  const [q, setQ] = useState<{ nature?: string; outcome?: string; code?: string }>({});
  const results = useApi((s) => checksApi.results(run.id, q, s), [run.id, q.nature, q.outcome, q.code]);
  // Results name their item by id (a volume item's id); the volume's items give each its 档号 and title. A reader who
  // may not read volumes, or a subject that is not a volume, sees what the result's evidence names, else the id.
  const volume = useApi(run.subjectType === 'volume' ? (sig) => volumesApi.detail(run.subjectId, sig) : null, [run.subjectType, run.subjectId]);
  const items = useMemo(() => {
    const m = new Map<string, { code: string; title: string }>();
    for (const it of volume.data?.items ?? []) {
      m.set(it.id, { code: it.archivalCode, title: it.title });
      for (const o of it.originals ?? []) m.set(o.id, { code: o.archivalCode, title: o.title });
    }
    return m;
  }, [volume.data]);
  const itemCell = (id: string, r: CheckResult) => {
    if (id === '*') return t('checks.item.subject');
    if (id.startsWith('package:')) return t('checks.item.package');
    const known = items.get(id);
    if (known) return <Typography.Text title={known.title} data-testid="check-item">{known.code}</Typography.Text>;
    const code = r.evidence?.archivalCode;
    if (typeof code === 'string' && code) return <Typography.Text data-testid="check-item">{code}</Typography.Text>;
    return <Typography.Text code>{id.slice(0, 18)}</Typography.Text>;
  };
  const s = run.summary;
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap>
        <Button icon={<DownloadOutlined />} href={checksApi.reportUrl(run.id, 'pdf', true)} data-testid="checks-report-pdf">{t('checks.report.pdf')}</Button>
        <Button icon={<PrinterOutlined />} onClick={() => printPdf(checksApi.reportUrl(run.id, 'pdf'))}>{t('checks.report.print')}</Button>
        <Button href={checksApi.reportUrl(run.id, 'sig', true)}>{t('checks.report.sig')}</Button>
        <Button href={checksApi.reportUrl(run.id, 'xml', true)}>{t('checks.report.xml')}</Button>
      </Space>
      <Table
        size="small"
        pagination={false}
        rowKey="n"
        dataSource={NATURES.map((n) => ({ n, ...s.byNature[n] }))}
        columns={[
          { title: t('checks.col.nature'), dataIndex: 'n', render: (n: Nature) => t(`checks.nature.${n}`) },
          { title: t('checks.outcome.pass'), dataIndex: 'pass' },
          { title: t('checks.outcome.fail'), dataIndex: 'fail' },
          { title: t('checks.outcome.warn'), dataIndex: 'warn' },
          { title: t('checks.outcome.not_applicable'), dataIndex: 'notApplicable' },
        ]}
      />
      {s.vetoFailures.length > 0 && (
        <Alert type="error" showIcon title={t('checks.veto', { count: s.vetoFailures.length })} description={<ul style={{ margin: 0 }}>{s.vetoFailures.slice(0, 20).map((v, i) => <li key={i} title={v.message} data-testid="check-veto">{`${v.code} ${v.name}：${vetoMessage(t, v)}`}</li>)}</ul>} />
      )}
      <Space wrap>
        <Select allowClear placeholder={t('checks.col.nature')} style={{ width: 140 }} value={q.nature} onChange={(v) => setQ({ ...q, nature: v })} options={NATURES.map((n) => ({ value: n, label: t(`checks.nature.${n}`) }))} />
        <Select allowClear placeholder={t('checks.col.outcome')} style={{ width: 140 }} value={q.outcome} onChange={(v) => setQ({ ...q, outcome: v })} options={OUTCOMES.map((o) => ({ value: o, label: t(`checks.outcome.${o}`) }))} />
        <Input allowClear placeholder={t('checks.col.code')} style={{ width: 160 }} value={q.code} onChange={(e) => setQ({ ...q, code: e.target.value || undefined })} />
      </Space>
      <Table<CheckResult>
        size="small"
        loading={results.loading}
        rowKey={(r, i) => `${r.code}-${r.itemId}-${i}`}
        dataSource={results.data ?? []}
        pagination={{ pageSize: 50 }}
        expandable={{ expandedRowRender: (r) => <pre style={{ whiteSpace: 'pre-wrap', fontSize: 12, margin: 0 }}>{JSON.stringify(r.evidence, null, 2)}</pre> }}
        columns={[
          { title: t('checks.col.code'), dataIndex: 'code' },
          { title: t('checks.col.item'), dataIndex: 'itemId', render: (id: string, r) => itemCell(id, r) },
          { title: t('checks.col.outcome'), dataIndex: 'outcome', render: (o: Outcome) => <Tag color={OUTCOME_COLOR[o]}>{t(`checks.outcome.${o}`)}</Tag> },
          { title: t('checks.col.severity'), dataIndex: 'severity', render: (v: string) => t(`checks.severity.${v as 'veto'}`) },
        ]}
      />
    </Space>
  );
}
