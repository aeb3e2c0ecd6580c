import { CheckCircleTwoTone, CloseCircleTwoTone } from '@ant-design/icons';
import { Space, Tag, Typography } from 'antd';
import { useI18n } from '../../i18n/I18nProvider';
import type { LinkView } from './api';

/** Why a link exists: each condition of the rule, passed or not, with the values it compared. */
export function Explanation({ link }: { link: LinkView }) {
  const { t } = useI18n();
  return (
    <Space orientation="vertical" size={2} data-testid="link-explanation">
      <Typography.Text type="secondary">
        {t('journal.rule', { id: link.ruleId, version: link.ruleVersion, score: link.score })}
      </Typography.Text>
      {link.explanation.map((o) => (
        <span key={o.condition}>
          {o.passed ? <CheckCircleTwoTone twoToneColor="#52c41a" /> : <CloseCircleTwoTone twoToneColor="#bfbfbf" />} <Tag>{o.condition}</Tag>
          {o.detail}
          {o.passed && !o.exact ? <Tag color="orange" style={{ marginLeft: 4 }}>{t('journal.inexact')}</Tag> : null}
        </span>
      ))}
      {link.notes.map((n) => (
        <Typography.Text key={n} type="warning">
          {n}
        </Typography.Text>
      ))}
    </Space>
  );
}

export function TierTag({ link }: { link: LinkView }) {
  const { t } = useI18n();
  if (link.status === 'accepted') return <Tag color="green">{t('journal.tier.accepted')}</Tag>;
  if (link.status === 'rejected') return <Tag color="red">{t('journal.tier.rejected')}</Tag>;
  return link.tier === 'auto' ? <Tag color="blue">{t('journal.tier.auto')}</Tag> : <Tag color="gold">{t('journal.tier.suggest')}</Tag>;
}
