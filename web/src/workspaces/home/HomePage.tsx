import { Alert, Badge, Card, Col, Descriptions, Empty, Flex, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { lazy, Suspense } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { ROLES, type Role } from '../../api/types';
import { useApi } from '../../api/useApi';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n } from '../../i18n/I18nProvider';
import { canOpen, menuFor, registry, type NavPage } from '../../nav/registry';
import { WorkCounts } from './WorkCounts';

// echarts only loads for users who see a chart.
const EChart = lazy(() => import('../../charts/EChart'));

/** GET /api/health (no login needed). */
interface Health {
  status: 'ok' | 'degraded';
  version: string;
  db: 'ok' | 'error';
  dbError?: string;
  jobs: 'running' | 'off';
}

/**
 * The landing page for every role: the work waiting in the current unit (counts linking to the lists), who I
 * am here (roles per unit), which units I work for, where I can go, and whether the system is healthy. Every figure comes from the server; nothing is invented.
 */
export default function HomePage() {
  const { user, currentUnit, effectiveRoles } = useAuth();
  const { t, formatDateTime } = useI18n();
  const health = useApi(
    async (signal) => ({ body: await api.get<Health>('/api/health', { signal }).catch(healthFromError), at: new Date() }),
    [],
  );
  // Figures only from lists this user may read: the admin pages' own endpoints, scoped by the server.
  const mayAdmin = registry.some((p) => p.key === 'admin.users' && canOpen(p, effectiveRoles));
  const counts = useApi(
    mayAdmin
      ? async (signal) => {
          const [users, units] = await Promise.all([
            api.get<{ items: { roles: { role: Role }[] }[] }>('/api/admin/users', { signal }),
            api.get<{ items: unknown[] }>('/api/admin/units', { signal }),
          ]);
          // The users list stops at 1000 rows (server limit): say "1000+" rather than a wrong exact number.
          const n = (items: unknown[]) => (items.length >= 1000 ? '1000+' : items.length);
          const byRole = ROLES.map((role) => ({ role, users: users.items.filter((u) => u.roles.some((g) => g.role === role)).length }));
          return { users: n(users.items), units: n(units.items), byRole };
        }
      : null,
    [mayAdmin],
  );
  if (!user) return null;

  const workspaces: NavPage[] = menuFor(effectiveRoles)
    .flatMap((n) => (n.type === 'page' ? [n.page] : n.pages))
    .filter((p) => p.key !== 'home');

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={3} style={{ marginTop: 0, marginBottom: 4 }} data-testid="home-welcome">
          {t('home.welcome', { name: user.displayName })}
        </Typography.Title>
        <Typography.Text type="secondary">{t('home.intro')}</Typography.Text>
      </div>
      <WorkCounts />
      {mayAdmin && (
        <Row gutter={[16, 16]}>
          <Col xs={24} md={8}>
            <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="home-counts">
              <Card loading={counts.loading}>
                <Statistic title={t('home.counts.users')} value={counts.data?.users ?? '—'} />
              </Card>
              <Card loading={counts.loading}>
                <Statistic title={t('home.counts.units')} value={counts.data?.units ?? '—'} />
              </Card>
            </Space>
          </Col>
          <Col xs={24} md={16}>
            <Card title={t('home.counts.byRole')} loading={counts.loading} styles={{ body: { padding: '8px 16px' } }}>
              {counts.data && (
                <Suspense fallback={<div style={{ height: 200 }} />}>
                  <EChart
                    testId="home-role-chart"
                    style={{ height: 200 }}
                    option={{
                      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
                      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
                      xAxis: { type: 'category', data: counts.data.byRole.map((r) => t(`role.${r.role}`)), axisLabel: { interval: 0 } },
                      // Each bar carries its number, so the value axis needs no labels of its own.
                      yAxis: { type: 'value', minInterval: 1, axisLabel: { show: false } },
                      series: [
                        {
                          type: 'bar',
                          name: t('home.counts.users'),
                          data: counts.data.byRole.map((r) => r.users),
                          barMaxWidth: 28,
                          label: { show: true, position: 'top', formatter: (p: { value: number }) => (p.value ? String(p.value) : '') },
                        },
                      ],
                    }}
                  />
                </Suspense>
              )}
            </Card>
          </Col>
        </Row>
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={t('home.roles')} data-testid="home-roles">
            <Space wrap>
              {user.roles.map((g) => (
                <Tag key={`${g.role}:${g.unitId ?? '*'}`} color={g.unitId === null ? 'blue' : 'default'}>
                  {t(`role.${g.role}`)} · {g.unitName ?? t('home.roleScope.all')}
                </Tag>
              ))}
            </Space>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('home.status')} data-testid="home-health" loading={health.loading && !health.data}>
            {health.data && (
              <Descriptions column={1} size="small">
                <Descriptions.Item label={t('home.status.overall')}>
                  <Badge
                    status={health.data.body.status === 'ok' ? 'success' : 'error'}
                    text={health.data.body.status === 'ok' ? t('home.status.ok') : t('home.status.down')}
                  />
                </Descriptions.Item>
                <Descriptions.Item label={t('home.status.version')}>{health.data.body.version}</Descriptions.Item>
                <Descriptions.Item label={t('home.status.database')}>
                  {health.data.body.db === 'ok' ? t('home.status.dbOk') : `${t('home.status.dbError')} ${health.data.body.dbError ?? ''}`}
                </Descriptions.Item>
                <Descriptions.Item label={t('home.status.jobs')}>
                  {health.data.body.jobs === 'running' ? t('home.status.jobsRunning') : t('home.status.jobsOff')}
                </Descriptions.Item>
                <Descriptions.Item label={t('home.status.checkedAt')}>{formatDateTime(health.data.at)}</Descriptions.Item>
              </Descriptions>
            )}
            {health.error && <Alert type="error" showIcon title={t('home.status.unavailable', { message: health.error.message })} />}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('home.units')} data-testid="home-units">
            <Table
              size="small"
              rowKey="id"
              // A system administrator belongs to every unit (about 244): page them.
              pagination={user.units.length > 10 ? { pageSize: 10, size: 'small' } : false}
              dataSource={user.units}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('home.units.none')} /> }}
              columns={[
                { title: t('home.units.code'), dataIndex: 'code', width: 140 },
                {
                  title: t('home.units.name'),
                  dataIndex: 'name',
                  render: (name: string, u) =>
                    u.id === currentUnit?.id && user.units.length > 1 ? (
                      <Space>
                        {name}
                        <Tag color="blue">{t('home.currentUnit')}</Tag>
                      </Space>
                    ) : (
                      name
                    ),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('home.workspaces')} data-testid="home-workspaces">
            {workspaces.length === 0 ? (
              <Typography.Text type="secondary">{t('home.workspaces.none')}</Typography.Text>
            ) : (
              <Flex vertical gap={10}>
                {workspaces.map((p) => (
                  <Link key={p.key} to={p.path}>
                    <Space>
                      {p.icon}
                      {t(p.labelKey)}
                    </Space>
                  </Link>
                ))}
              </Flex>
            )}
          </Card>
        </Col>
      </Row>
    </Space>
  );
}

/** A 503 from /api/health still carries the health body (database down); anything else is a real error. */
function healthFromError(e: unknown): Health {
  const err = e as { status?: number; body?: unknown };
  if (err.status === 503 && err.body && typeof err.body === 'object' && 'status' in err.body) return err.body as Health;
  throw e;
}
