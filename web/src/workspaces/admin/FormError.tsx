import { Alert } from 'antd';
import { ApiError } from '../../api/client';
import { useI18n } from '../../i18n/I18nProvider';

/**
 * A server refusal shown inside a form. The server's message names the field and the rule (it is written for
 * operators and stays in its own words); the common codes get a sentence in the reader's language first.
 */
export function FormError({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  const e = error as ApiError;
  const lead =
    e.code === 'conflict'
      ? t('admin.error.conflict')
      : e.code === 'forbidden'
        ? t('admin.error.forbidden')
        : e.status === 400
          ? t('admin.error.invalid')
          : t('admin.error.other');
  return <Alert type="error" showIcon style={{ marginBottom: 16 }} title={lead} description={e.message} data-testid="form-error" />;
}
