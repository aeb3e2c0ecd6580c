import { Alert, Button, Card, DatePicker, Descriptions, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useApi } from '../../api/useApi';
import { useAuth } from '../../auth/AuthProvider';
import dayjs from 'dayjs';
import { DATE_FORMAT } from '../../i18n/dates';
import { useI18n } from '../../i18n/I18nProvider';
import { volumesApi, type DueItem, type RetentionRow } from './api';
import { ErrorAlert, StateTag, useLabels } from './common';

/** 保管期限: the table of the unit's regime (附表1 or a column of 附表2) and the items due for appraisal (鉴定). */
export default function RetentionPage() {
  const { t } = useI18n();
  const labels = useLabels();
  const { currentUnit, effectiveRoles } = useAuth();
  const canSet = ['archivist', 'unit_admin', 'system_admin'].some((r) => effectiveRoles.has(r as never));
  const [before, setBefore] = useState<string>(new Date().toISOString().slice(0, 10));
  const [includeUnarchived, setIncludeUnarchived] = useState(false);
  const [error, setError] = useState<unknown>();
  const overview = useApi((signal) => (currentUnit ? volumesApi.retention(currentUnit.id, signal) : Promise.reject(new Error('no unit'))), [currentUnit?.id]);
  const due = useApi((signal) => volumesApi.due(before, includeUnarchived, signal), [before, includeUnarchived]);
  const o = overview.data;

  async function setRegime(regime: string) {
    if (!currentUnit) return;
    setError(undefined);
    try {
      await volumesApi.setRegime(currentUnit.id, regime);
      overview.reload();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card title={t('retention.title')} loading={overview.loading && !o}>
        <ErrorAlert error={overview.error ?? error} />
        {o && (
          <>
            <Descriptions size="small" column={2} bordered>
              <Descriptions.Item label={t('retention.regime')}>
                {canSet ? (
                  <Select style={{ width: 240 }} value={o.regime} onChange={setRegime} options={o.regimes.map((r) => ({ value: r.id, label: labels.regime(r.id, r.name) }))} data-testid="retention-regime" />
                ) : (
                  labels.regime(o.regime, o.regimeName)
                )}
                {!o.explicit && <Tag style={{ marginLeft: 8 }}>{t('retention.default')}</Tag>}
              </Descriptions.Item>
              <Descriptions.Item label={t('retention.table')}>
                {o.table} ({o.ruleId} v{o.ruleVersion})
              </Descriptions.Item>
            </Descriptions>
            <Table<RetentionRow>
              style={{ marginTop: 16 }}
              data-testid="retention-table"
              rowKey="no"
              size="small"
              pagination={false}
              dataSource={o.rows}
              columns={[
                { title: t('retention.no'), dataIndex: 'no', width: 60 },
                { title: t('volumes.category'), dataIndex: 'category', width: 80, render: (c: string) => labels.category(c) },
                { title: t('retention.item'), dataIndex: 'item' },
                { title: t('volumes.retention'), dataIndex: 'retention', width: 150, render: (r: string) => labels.retention(r) },
                { title: t('retention.notes'), dataIndex: 'notes', render: (n: string | undefined, row) => <>{n}{row.confidence === 'I' && <Tag color="orange" style={{ marginLeft: 8 }}>{t('retention.toConfirm')}</Tag>}</> },
              ]}
            />
            <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
              {o.source}
            </Typography.Paragraph>
          </>
        )}
      </Card>
      <Card
        title={t('retention.due.title')}
        extra={
          <Space>
            <DatePicker value={dayjs(before)} format={DATE_FORMAT} allowClear={false} onChange={(d) => d && setBefore(d.format(DATE_FORMAT))} aria-label={t('retention.due.before')} prefix={t('retention.due.before')} style={{ width: 220 }} data-testid="retention-before" />
            <Switch checked={includeUnarchived} onChange={setIncludeUnarchived} /> {t('retention.due.includeUnarchived')}
            <Button onClick={due.reload}>{t('common.refresh')}</Button>
          </Space>
        }
      >
        <ErrorAlert error={due.error} />
        {due.data && due.data.items.length === 0 && <Alert type="success" showIcon title={t('retention.due.none', { date: due.data.before })} />}
        {due.data && due.data.items.length > 0 && (
          <Table<DueItem>
            data-testid="retention-due"
            rowKey={(i) => i.itemCode}
            size="small"
            dataSource={due.data.items}
            pagination={{ pageSize: 50, showTotal: (n) => t('common.total', { count: n }) }}
            columns={[
              { title: t('volumes.archivalCode'), dataIndex: 'itemCode', width: 280 },
              { title: t('volumes.volume'), dataIndex: 'volumeCode', width: 240, render: (c: string, i) => <Link to={`/volumes/${i.volumeId}`}>{c}</Link> },
              { title: t('volumes.number'), dataIndex: 'number', width: 110, render: (n: string | null) => n ?? '—' },
              { title: t('volumes.itemTitle'), dataIndex: 'itemTitle' },
              { title: t('volumes.retention'), dataIndex: 'retention', width: 100, render: (r: string) => labels.retention(r) },
              { title: t('volumes.expires'), dataIndex: 'expiresOn', width: 110 },
              { title: t('volumes.state'), dataIndex: 'volumeState', width: 90, render: (s: DueItem['volumeState']) => <StateTag state={s} /> },
            ]}
          />
        )}
      </Card>
    </Space>
  );
}
