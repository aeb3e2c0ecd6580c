import { Button, Result } from 'antd';
import { Link } from 'react-router-dom';
import { useI18n } from '../i18n/I18nProvider';

/** Shown in place of a page the user's roles do not allow (the URL stays, so they can say what they tried). */
export function ForbiddenPage() {
  const { t } = useI18n();
  return (
    <Result
      status="403"
      title={t('error.403.title')}
      subTitle={t('error.403.subtitle')}
      data-testid="page-403"
      extra={
        <Link to="/">
          <Button type="primary">{t('error.backHome')}</Button>
        </Link>
      }
    />
  );
}

export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <Result
      status="404"
      title={t('error.404.title')}
      subTitle={t('error.404.subtitle')}
      data-testid="page-404"
      extra={
        <Link to="/">
          <Button type="primary">{t('error.backHome')}</Button>
        </Link>
      }
    />
  );
}
