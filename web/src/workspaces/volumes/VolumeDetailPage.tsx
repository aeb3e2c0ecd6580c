import { ArrowLeftOutlined } from '@ant-design/icons';
import { App, Alert, Button, Card, Descriptions, Input, Modal, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useApi } from '../../api/useApi';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n } from '../../i18n/I18nProvider';
import { volumesApi, type VolumeDetail, type VolumeItem } from './api';
import { ErrorAlert, StateTag, useLabels } from './common';

/** Where the source of an item is shown: journal vouchers in the 记账凭证 workspace, originals in the pool. */
function sourceLink(i: VolumeItem): string | null {
  if (i.sourceType === 'journal_voucher') return `/journal/vouchers/${i.sourceId}`;
  if (i.sourceType === 'original') return `/pool/vouchers/${i.sourceId}`;
  return null;
}

/** One volume: its cover data, state actions (submit/approve/reopen), the items in order with 档号 and their originals. */
export default function VolumeDetailPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const labels = useLabels();
  const { message } = App.useApp();
  const { effectiveRoles, user } = useAuth();
  const has = (...roles: string[]) => effectiveRoles.has('system_admin') || roles.some((r) => effectiveRoles.has(r as never));
  const volume = useApi((signal) => volumesApi.detail(id, signal), [id]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState<'gap' | 'reopen' | null>(null);
  const [reason, setReason] = useState('');
  const v = volume.data;
  const openGaps = v?.gaps.filter((g) => !g.acknowledged) ?? [];

  async function act(fn: () => Promise<unknown>, done: string) {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
      message.success(done);
      setAsking(null);
      setReason('');
      volume.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card
      title={
        <Space>
          <Link to="/volumes">
            <ArrowLeftOutlined />
          </Link>
          {v ? `${v.archivalCode} ${v.title}` : t('volumes.detail.title')}
        </Space>
      }
      loading={volume.loading && !v}
      extra={
        v && (
          <Space>
            {v.state === 'draft' && has('archivist', 'accountant') && (
              <Button type="primary" loading={busy} data-testid="volume-submit" onClick={() => (openGaps.length ? setAsking('gap') : act(() => volumesApi.submit(v.id), t('volumes.done.submitted')))}>
                {t('volumes.action.submit')}
              </Button>
            )}
            {v.state === 'submitted' && has('archivist', 'unit_admin') && v.submittedById !== user?.id && (
              <Button type="primary" loading={busy} data-testid="volume-approve" onClick={() => act(() => volumesApi.approve(v.id), t('volumes.done.approved'))}>
                {t('volumes.action.approve')}
              </Button>
            )}
            {v.state === 'submitted' && has('archivist', 'unit_admin') && v.submittedById === user?.id && (
              <Typography.Text type="secondary" data-testid="volume-four-eyes">
                {t('volumes.fourEyes')}
              </Typography.Text>
            )}
            {(v.state === 'submitted' || v.state === 'approved') && has('archivist') && (
              <Button danger loading={busy} onClick={() => setAsking('reopen')}>
                {t('volumes.action.reopen')}
              </Button>
            )}
          </Space>
        )
      }
    >
      <ErrorAlert error={volume.error ?? error} />
      {v && <Cover v={v} />}
      {v && openGaps.length > 0 && (
        <Alert style={{ margin: '16px 0' }} type="warning" showIcon title={t('volumes.gaps.open', { count: openGaps.length })} description={openGaps.map((g) => g.missing).join('、')} />
      )}
      {v && v.gaps.some((g) => g.acknowledged) && (
        <Alert style={{ margin: '16px 0' }} type="info" showIcon title={t('volumes.gaps.acknowledged')} description={v.gaps.filter((g) => g.acknowledged).map((g) => `${g.missing}: ${g.reason} (${g.acknowledgedBy})`).join('；')} />
      )}
      {v && (
        <Table
          style={{ marginTop: 16 }}
          data-testid="volume-items"
          rowKey="id"
          size="small"
          dataSource={v.items}
          pagination={{ pageSize: 100, hideOnSinglePage: true }}
          expandable={{
            rowExpandable: (i) => i.originals.length > 0,
            expandedRowRender: (i) => (
              <Table<VolumeItem>
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={i.originals}
                columns={[
                  { title: t('volumes.archivalCode'), dataIndex: 'archivalCode', width: 300 },
                  { title: t('volumes.original'), dataIndex: 'title', render: (title: string, o) => (sourceLink(o) ? <Link to={sourceLink(o)!}>{title}</Link> : title) },
                ]}
              />
            ),
          }}
          columns={[
            { title: t('volumes.itemNo'), dataIndex: 'itemNo', width: 70 },
            { title: t('volumes.archivalCode'), dataIndex: 'archivalCode', width: 280 },
            { title: t('volumes.number'), dataIndex: 'number', width: 120, render: (n: string | null, i) => (sourceLink(i) ? <Link to={sourceLink(i)!}>{n ?? '—'}</Link> : (n ?? '—')) },
            { title: t('volumes.date'), dataIndex: 'date', width: 110, render: (d: string | null) => d ?? '—' },
            { title: t('volumes.itemTitle'), dataIndex: 'title' },
            { title: t('volumes.originals'), key: 'o', width: 90, render: (_, i) => i.originals.length },
          ]}
        />
      )}
      {v && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 16 }}>
          {t('volumes.detail.rules', { ruleVersion: v.rule.version, retentionVersion: v.retentionRule.version, regime: labels.regime(v.retentionRule.regime), row: v.retentionRule.row })} · {labels.category(v.category)}
        </Typography.Paragraph>
      )}
      <Modal
        open={asking !== null}
        title={asking === 'gap' ? t('volumes.gaps.ackTitle') : t('volumes.action.reopen')}
        okText={asking === 'gap' ? t('volumes.action.submit') : t('volumes.action.reopen')}
        okButtonProps={{ disabled: !reason.trim(), loading: busy }}
        onCancel={() => setAsking(null)}
        onOk={() =>
          v && (asking === 'gap' ? act(() => volumesApi.submit(v.id, reason.trim()), t('volumes.done.submitted')) : act(() => volumesApi.reopen(v.id, reason.trim()), t('volumes.done.reopened')))
        }
      >
        {asking === 'gap' && <Typography.Paragraph>{t('volumes.gaps.ackText', { missing: openGaps.map((g) => g.missing).join('、') })}</Typography.Paragraph>}
        <Input.TextArea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('volumes.reason')} data-testid="volume-reason" />
      </Modal>
    </Card>
  );
}

function Cover({ v }: { v: VolumeDetail }) {
  const { t } = useI18n();
  const labels = useLabels();
  const when = (at: string | null, who: string | null) => (at ? `${new Date(at).toLocaleString()} · ${who ?? ''}` : '—');
  return (
    <Descriptions size="small" bordered column={3} data-testid="volume-cover">
      <Descriptions.Item label={t('volumes.archivalCode')}>{v.archivalCode}</Descriptions.Item>
      <Descriptions.Item label={t('volumes.state')}>
        <StateTag state={v.state} />
      </Descriptions.Item>
      <Descriptions.Item label={t('volumes.period')}>{v.period}</Descriptions.Item>
      <Descriptions.Item label={t('volumes.items')}>
        {v.itemCount} / {t('volumes.originals')} {v.subItemCount}
      </Descriptions.Item>
      <Descriptions.Item label={t('volumes.range')}>{v.firstNumber ? `${v.firstNumber} – ${v.lastNumber}` : '—'}</Descriptions.Item>
      <Descriptions.Item label={t('volumes.retention')}>
        {labels.retention(v.retention)} ({v.retentionCode}){v.expiresOn ? ` · ${t('volumes.expires')} ${v.expiresOn}` : ''}
      </Descriptions.Item>
      <Descriptions.Item label={t('volumes.submitted')}>{when(v.submittedAt, v.submittedBy)}</Descriptions.Item>
      <Descriptions.Item label={t('volumes.approved')}>{when(v.approvedAt, v.approvedBy)}</Descriptions.Item>
      <Descriptions.Item label={t('volumes.archived')}>{when(v.archivedAt, null)}</Descriptions.Item>
      {v.reopenedAt && (
        <Descriptions.Item label={t('volumes.reopened')} span={3}>
          {when(v.reopenedAt, v.reopenedBy)} — {v.reopenReason}
        </Descriptions.Item>
      )}
    </Descriptions>
  );
}
