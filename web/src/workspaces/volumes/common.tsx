import { Alert, Tag } from 'antd';
import type { ApiError } from '../../api/client';
import { useI18n } from '../../i18n/I18nProvider';
import type { MessageKey } from '../../i18n/I18nProvider';
import { codeLabel } from '../../i18n/labels';
import type { Category, VolumeState } from './api';

const STATE_COLOURS: Record<VolumeState, string> = { draft: 'default', submitted: 'blue', approved: 'green', archived: 'purple' };

export function StateTag({ state }: { state: VolumeState }) {
  const { t } = useI18n();
  return <Tag color={STATE_COLOURS[state]}>{t(`volumes.state.${state}` as MessageKey)}</Tag>;
}

export function useLabels() {
  const { t } = useI18n();
  return {
    category: (c: Category | string) => t(`volumes.category.${c}` as MessageKey),
    /** The accounting regime (retention.yaml: enterprise, public_institution, general_budget); else the server's name, else the code. */
    regime: (r: string, name?: string) => codeLabel(t, r, ['volumes.regime'], name),
    retention: (r: string) => (r === 'permanent' ? t('volumes.retention.permanent') : /^disposal\+(\d+)y$/.test(r) ? t('volumes.retention.afterDisposal', { years: r.replace(/\D/g, '') }) : t('volumes.retention.years', { years: r.replace(/y$/, '') })),
  };
}

/** A server refusal; the message is the server's own (it names the volume, the gap, the rule). */
export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error as ApiError;
  return <Alert type="error" showIcon style={{ marginBottom: 16 }} title={e.code} description={e.message} data-testid="volumes-error" />;
}
