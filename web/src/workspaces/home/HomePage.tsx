import { Alert, Badge, Card, Col, Descriptions, Empty, List, Row, Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { useApi } from '../../api/useApi';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n } from '../../i18n/I18nProvider';
import { menuFor, type NavPage } from '../../nav/registry';

/** GET /api/health (no login needed). */
interface Health {
  status: 'ok' | 'degraded';
  version: string;
  db: 'ok' | 'error';
  dbError?: string;
  jobs: 'running' | 'off';
}

/**
 * The landing page for every role: who I am here (roles per unit), which units I work for, where I can go,
 * and whether the system is healthy. Every figure comes from the server; nothing is invented.
 */
export default function HomePage() {
  const { user, currentUnit, effectiveRoles } = useAuth();
  const { t, formatDateTime } = useI18n();
  const health = useApi(
    async (signal) => ({ body: await api.get<Health>('/api/health', { signal }).catch(healthFromError), at: new Date() }),
    [],
  );
  if (!user) return null;

  const workspaces: NavPage[] = menuFor(effectiveRoles)
    .flatMap((n) => (n.type === 'page' ? [n.page] : n.pages))
    .filter((p) => p.key !== 'home');

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={3} style={{ marginBottom: 4 }} data-testid="home-welcome">
          {t('home.welcome', { name: user.displayName })}
        </Typography.Title>
        <Typography.Text type="secondary">{t('home.intro')}</Typography.Text>
      </div>
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
                <Descriptions.Item label={t('home.status')}>
                  <Badge
                    status={health.data.body.status === 'ok' ? 'success' : 'error'}
                    text={health.data.body.status === 'ok' ? t('home.status.ok') : t('home.status.down')}
                  />
                </Descriptions.Item>
                <Descriptions.Item label={t('home.status.version')}>{health.data.body.version}</Descriptions.Item>
                <Descriptions.Item label={t('home.status.database')}>
                  {health.data.body.db}
                  {health.data.body.dbError ? ` (${health.data.body.dbError})` : ''}
                </Descriptions.Item>
                <Descriptions.Item label={t('home.status.checkedAt')}>{formatDateTime(health.data.at)}</Descriptions.Item>
              </Descriptions>
            )}
            {health.error && <Alert type="error" showIcon message={t('home.status.unavailable', { message: health.error.message })} />}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('home.units')} data-testid="home-units">
            <Table
              size="small"
              rowKey="id"
              pagination={false}
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
              <List
                size="small"
                dataSource={workspaces}
                renderItem={(p) => (
                  <List.Item>
                    <Link to={p.path}>
                      <Space>
                        {p.icon}
                        {t(p.labelKey)}
                      </Space>
                    </Link>
                  </List.Item>
                )}
              />
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
