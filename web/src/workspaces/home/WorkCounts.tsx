import { Alert, Card, Col, Flex, Row, Statistic } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useApi } from '../../api/useApi';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n, type MessageKey } from '../../i18n/I18nProvider';
import { canOpen, registry } from '../../nav/registry';
import { homeApi, POOL_STATES, VOLUME_STATES } from './api';

interface CountProps {
  label: string;
  value: number;
  /** The page listing exactly these items; no link when the user may not open it. */
  to?: string;
  testId: string;
  /** Shown in red when above zero (something is wrong and waits for someone). */
  alarm?: boolean;
}

function Count({ label, value, to, testId, alarm }: CountProps) {
  const stat = <Statistic title={label} value={value} styles={{ content: { fontSize: 22, color: alarm && value > 0 ? '#cf1322' : undefined } }} />;
  return (
    <div data-testid={testId} style={{ minWidth: 76 }}>
      {to ? <Link to={to}>{stat}</Link> : stat}
    </div>
  );
}

/**
 * 待办与概况: what waits in the unit the user works in — vouchers by pool state, seals that did not verify,
 * suggested links to decide, volumes by state, volumes whose latest check failed — each number a link to the
 * page that lists those items. Sections the user's roles cannot read are not shown.
 */
export function WorkCounts() {
  const { t } = useI18n();
  const { currentUnit, effectiveRoles } = useAuth();
  const summary = useApi((signal) => homeApi.summary(currentUnit?.id, signal), [currentUnit?.id]);
  const openable = (path: string) => registry.some((p) => p.path === path && canOpen(p, effectiveRoles));
  const link = (page: string, query = '') => (openable(page) ? `${page}${query}` : undefined);
  const s = summary.data;
  if (summary.error) return <Alert type="warning" showIcon title={t('home.work.unavailable', { message: summary.error.message })} />;
  if (s && !s.pool && s.suggestions === null && !s.volumes && s.checksFailed === null) return null;

  const group = (title: MessageKey, testId: string, span: number, children: ReactNode) => (
    <Col xs={24} lg={span}>
      <Card size="small" title={t(title)} data-testid={testId} style={{ height: '100%' }}>
        <Flex wrap gap={20}>
          {children}
        </Flex>
      </Card>
    </Col>
  );

  return (
    <Card
      title={currentUnit ? t('home.work.titleUnit', { unit: currentUnit.name }) : t('home.work.title')}
      loading={summary.loading && !s}
      data-testid="home-work"
      styles={{ body: { padding: 12 } }}
    >
      {s && (
        <Row gutter={[12, 12]}>
          {s.pool &&
            group('home.work.pool', 'home-work-pool', 10, (
              <>
                {POOL_STATES.map((st) => (
                  <Count key={st} label={t(`pool.state.${st}`)} value={s.pool!.byState[st]} to={link('/pool', `?state=${st}`)} testId={`home-count-pool-${st}`} />
                ))}
                <Count label={t('home.work.invalid')} value={s.pool.invalid} to={link('/pool', '?verdict=invalid')} testId="home-count-pool-invalid" alarm />
              </>
            ))}
          {s.suggestions !== null &&
            group('home.work.matching', 'home-work-matching', 3, (
              <Count label={t('home.work.suggestions')} value={s.suggestions} to={link('/journal/suggestions')} testId="home-count-suggestions" alarm />
            ))}
          {s.volumes &&
            group('home.work.volumes', 'home-work-volumes', 7, (
              <>
                {VOLUME_STATES.map((st) => (
                  <Count key={st} label={t(`volumes.state.${st}`)} value={s.volumes![st]} to={link('/volumes', `?state=${st}`)} testId={`home-count-volumes-${st}`} />
                ))}
              </>
            ))}
          {s.checksFailed !== null &&
            group('home.work.checks', 'home-work-checks', 4, (
              <Count label={t('home.work.checksFailed')} value={s.checksFailed} to={link('/checks', '?verdict=fail')} testId="home-count-checks-failed" alarm />
            ))}
        </Row>
      )}
    </Card>
  );
}
