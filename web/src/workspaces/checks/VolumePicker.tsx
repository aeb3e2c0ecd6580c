import { Select, Space, Typography } from 'antd';
import { useApi } from '../../api/useApi';
import { useAuth } from '../../auth/AuthProvider';
import { useI18n } from '../../i18n/I18nProvider';
import { volumesApi, type Volume, type VolumeState } from '../volumes/api';
import { StateTag } from '../volumes/common';

/** Volumes listed for choosing: a unit files a few dozen a year, so 5 pages of 1000 cover decades. */
const PAGE = 1000;
const MAX_PAGES = 5;

async function unitVolumes(unitId: string, signal: AbortSignal): Promise<{ items: Volume[]; truncated: boolean }> {
  const items: Volume[] = [];
  let after: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await volumesApi.list({ unitId, limit: PAGE, after }, signal);
    items.push(...page.items);
    if (!page.nextAfter) return { items, truncated: false };
    after = page.nextAfter;
  }
  return { items, truncated: true };
}

/**
 * The volume to check, chosen from the current unit's volumes (newest first) and found by typing any part of
 * its 档号, title or state; the value is the volume id.
 */
export function VolumePicker({ value, onChange, states, testId = 'checks-volume', placeholder, empty, reloadKey }: {
  value: string;
  onChange(id: string): void;
  /** Only volumes in these states (e.g. approved ones for archiving). */
  states?: VolumeState[];
  testId?: string;
  placeholder?: string;
  /** Shown when no volume qualifies. */
  empty?: string;
  /** Changing it lists the volumes again (after one changed state). */
  reloadKey?: unknown;
}) {
  const { t } = useI18n();
  const { currentUnit } = useAuth();
  const volumes = useApi((signal) => (currentUnit ? unitVolumes(currentUnit.id, signal) : Promise.resolve({ items: [], truncated: false })), [currentUnit?.id, reloadKey]);
  const items = (volumes.data?.items ?? []).filter((v) => !states || states.includes(v.state)).sort((a, b) => b.year - a.year || b.archivalCode.localeCompare(a.archivalCode));
  return (
    <Space orientation="vertical" size={2}>
      <Select
        data-testid={testId}
        style={{ width: 560 }}
        value={value || undefined}
        onChange={(v: string | undefined) => onChange(v ?? '')}
        allowClear
        loading={volumes.loading}
        placeholder={placeholder ?? t('checks.run.pick')}
        notFoundContent={volumes.loading ? t('app.loading') : (empty ?? t('checks.run.noVolumes'))}
        showSearch={{ optionFilterProp: 'search' }}
        options={items.map((v) => ({
          value: v.id,
          search: `${v.archivalCode} ${v.title} ${t(`volumes.state.${v.state}`)}`,
          label: (
            <Space size={6}>
              <Typography.Text strong>{v.archivalCode}</Typography.Text>
              <Typography.Text type="secondary" ellipsis style={{ maxWidth: 300 }}>
                {v.title}
              </Typography.Text>
              <StateTag state={v.state} />
            </Space>
          ),
        }))}
      />
      {volumes.data?.truncated && <Typography.Text type="secondary">{t('checks.run.truncated', { count: PAGE * MAX_PAGES })}</Typography.Text>}
      {volumes.error && <Typography.Text type="danger">{volumes.error.message}</Typography.Text>}
    </Space>
  );
}
