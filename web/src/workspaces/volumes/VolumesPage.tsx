import { BuildOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Empty, Form, InputNumber, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useApi } from '../../api/useApi';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n } from '../../i18n/I18nProvider';
import { CATEGORIES, volumesApi, type AssembleSummary, type Category, type Volume } from './api';
import { ErrorAlert, StateTag, useLabels } from './common';

const MONTHS = Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, '0'));

/** 组卷: choose fonds, year, period and category, assemble, see the result and gaps; below, the unit's volumes. */
export default function VolumesPage() {
  const { t } = useI18n();
  const { currentUnit, effectiveRoles } = useAuth();
  const labels = useLabels();
  const canAssemble = ['archivist', 'accountant', 'system_admin'].some((r) => effectiveRoles.has(r as never));
  const [year, setYear] = useState<number>(new Date().getFullYear() - (new Date().getMonth() === 0 ? 1 : 0));
  // The home page's counts link here with ?state=draft|submitted|approved|archived.
  const [params] = useSearchParams();
  const [state, setState] = useState<string | undefined>(() => ['draft', 'submitted', 'approved', 'archived'].find((s) => s === params.get('state')));
  const [category, setCategory] = useState<string>();
  const [after, setAfter] = useState<string[]>([]);
  const fonds = useApi((signal) => (currentUnit ? volumesApi.fonds(currentUnit.id, signal) : Promise.resolve({ items: [] })), [currentUnit?.id]);
  const list = useApi(
    (signal) => (currentUnit ? volumesApi.list({ unitId: currentUnit.id, year, state, category, after: after[after.length - 1], limit: 50 }, signal) : Promise.resolve({ items: [], nextAfter: null })),
    [currentUnit?.id, year, state, category, after.join('|')],
  );

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      {canAssemble && currentUnit && (
        <Builder unitId={currentUnit.id} fonds={fonds.data?.items ?? []} year={year} onYear={setYear} onDone={list.reload} />
      )}
      <Card
        title={t('volumes.list.title')}
        extra={
          <Space wrap>
            <InputNumber min={1900} max={9999} value={year} onChange={(v) => v && (setYear(v), setAfter([]))} aria-label={t('volumes.year')} />
            <Select allowClear placeholder={t('volumes.category')} style={{ width: 120 }} value={category} onChange={(v) => (setCategory(v), setAfter([]))} options={CATEGORIES.map((c) => ({ value: c, label: labels.category(c) }))} />
            <Select
              allowClear
              placeholder={t('volumes.state')}
              style={{ width: 120 }}
              value={state}
              onChange={(v) => (setState(v), setAfter([]))}
              options={(['draft', 'submitted', 'approved', 'archived'] as const).map((s) => ({ value: s, label: t(`volumes.state.${s}`) }))}
            />
            <Button icon={<ReloadOutlined />} onClick={list.reload}>
              {t('common.refresh')}
            </Button>
          </Space>
        }
      >
        <ErrorAlert error={list.error} />
        <Table<Volume>
          data-testid="volumes-table"
          rowKey="id"
          size="middle"
          loading={list.loading}
          dataSource={list.data?.items ?? []}
          pagination={false}
          scroll={{ x: 1220 }}
          columns={[
            { title: t('volumes.archivalCode'), dataIndex: 'archivalCode', width: 240, render: (code: string, v) => <Link to={`/volumes/${v.id}`}>{code}</Link> },
            { title: t('volumes.title'), dataIndex: 'title', minWidth: 320, render: (title: string) => <Typography.Text style={{ whiteSpace: 'normal', wordBreak: 'break-word' }}>{title}</Typography.Text> },
            { title: t('volumes.period'), dataIndex: 'period', width: 100 },
            { title: t('volumes.category'), dataIndex: 'category', width: 80, render: (c: Category) => labels.category(c) },
            { title: t('volumes.items'), dataIndex: 'itemCount', width: 80 },
            { title: t('volumes.range'), key: 'range', width: 190, render: (_, v) => (v.firstNumber ? `${v.firstNumber} – ${v.lastNumber}` : '—') },
            { title: t('volumes.retention'), dataIndex: 'retention', width: 110, render: (r: string) => labels.retention(r) },
            { title: t('volumes.state'), dataIndex: 'state', width: 100, render: (s: Volume['state']) => <StateTag state={s} /> },
          ]}
        />
        <Space style={{ marginTop: 16 }}>
          <Button disabled={!after.length} onClick={() => setAfter(after.slice(0, -1))}>
            {t('volumes.prevPage')}
          </Button>
          <Button disabled={!list.data?.nextAfter} onClick={() => list.data?.nextAfter && setAfter([...after, list.data.nextAfter])}>
            {t('volumes.nextPage')}
          </Button>
        </Space>
      </Card>
    </Space>
  );
}

function Builder({ unitId, fonds, year, onYear, onDone }: { unitId: string; fonds: { id: string; code: string; name: string }[]; year: number; onYear(y: number): void; onDone(): void }) {
  const { t } = useI18n();
  const labels = useLabels();
  const [fondsId, setFondsId] = useState<string>();
  const [month, setMonth] = useState<string>();
  const [category, setCategory] = useState<Category>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<AssembleSummary>();
  const chosen = fondsId ?? fonds[0]?.id;

  async function assemble() {
    if (!chosen) return;
    setBusy(true);
    setError(undefined);
    try {
      setResult(await volumesApi.assemble({ unitId, fondsId: chosen, year, period: month ? `${year}-${month}` : undefined, category }));
      onDone();
    } catch (e) {
      setError(e);
      setResult(undefined);
    } finally {
      setBusy(false);
    }
  }

  const openGaps = result?.gaps.filter((g) => !g.acknowledged) ?? [];
  return (
    <Card title={t('volumes.builder.title')}>
      {fonds.length === 0 ? (
        <Empty description={t('volumes.builder.noFonds')} />
      ) : (
        <Form layout="inline" onFinish={assemble}>
          <Form.Item label={t('volumes.fonds')}>
            <Select style={{ width: 220 }} value={chosen} onChange={setFondsId} options={fonds.map((f) => ({ value: f.id, label: `${f.code} ${f.name}` }))} data-testid="builder-fonds" />
          </Form.Item>
          <Form.Item label={t('volumes.year')}>
            <InputNumber min={1900} max={9999} value={year} onChange={(v) => v && onYear(v)} />
          </Form.Item>
          <Form.Item label={t('volumes.month')}>
            <Select allowClear placeholder={t('volumes.wholeYear')} style={{ width: 120 }} value={month} onChange={setMonth} options={MONTHS.map((m) => ({ value: m, label: `${Number(m)}${t('volumes.monthSuffix')}` }))} />
          </Form.Item>
          <Form.Item label={t('volumes.category')}>
            <Select allowClear placeholder={t('volumes.allCategories')} style={{ width: 120 }} value={category} onChange={setCategory} options={CATEGORIES.map((c) => ({ value: c, label: labels.category(c) }))} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" icon={<BuildOutlined />} loading={busy} data-testid="builder-assemble">
              {t('volumes.builder.assemble')}
            </Button>
          </Form.Item>
        </Form>
      )}
      <div style={{ marginTop: 16 }}>
        <ErrorAlert error={error} />
        {result && (
          <>
            <Descriptions size="small" column={4} bordered data-testid="builder-result">
              <Descriptions.Item label={t('volumes.builder.created')}>{result.created.length}</Descriptions.Item>
              <Descriptions.Item label={t('volumes.builder.updated')}>{result.updated.length}</Descriptions.Item>
              <Descriptions.Item label={t('volumes.builder.unchanged')}>{result.unchanged.length}</Descriptions.Item>
              <Descriptions.Item label={t('volumes.builder.deleted')}>{result.deleted.length}</Descriptions.Item>
              <Descriptions.Item label={t('volumes.builder.rules')} span={4}>
                {t('volumes.builder.rulesText', { version: result.ruleVersion, regime: labels.regime(result.regime) })}
              </Descriptions.Item>
            </Descriptions>
            {[...result.created, ...result.updated].length > 0 && (
              <Typography.Paragraph style={{ marginTop: 8 }}>
                {[...result.created, ...result.updated].map((c) => (
                  <Tag key={c}>{c}</Tag>
                ))}
              </Typography.Paragraph>
            )}
            {openGaps.length > 0 && (
              <Alert style={{ marginTop: 8 }} type="warning" showIcon title={t('volumes.gaps.open', { count: openGaps.length })} description={openGaps.map((g) => `${g.period} ${g.missing}`).join('、')} data-testid="builder-gaps" />
            )}
            {result.frozen.map((f) => (
              <Alert key={`${f.category}${f.period}`} style={{ marginTop: 8 }} type={f.differs ? 'warning' : 'info'} showIcon title={t(f.differs ? 'volumes.frozen.differs' : 'volumes.frozen.same', { period: f.period, codes: f.codes.join(', ') })} />
            ))}
            {result.skipped.length > 0 && (
              <Alert style={{ marginTop: 8 }} type="info" showIcon title={t('volumes.skipped', { count: result.skipped.length })} description={result.skipped.slice(0, 10).map((s) => `${s.number ?? s.sourceId}: ${s.reason}`).join('\n')} />
            )}
          </>
        )}
      </div>
    </Card>
  );
}
