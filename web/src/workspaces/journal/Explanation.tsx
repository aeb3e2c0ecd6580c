import { CheckCircleTwoTone, CloseCircleTwoTone } from '@ant-design/icons';
import { Space, Tag, Typography } from 'antd';
import { useI18n, type Translate } from '../../i18n/I18nProvider';
import { codeLabel } from '../../i18n/labels';
import type { MessageKey } from '../../i18n/zh-CN';
import type { LinkView, Reason } from './api';

/** Values that name a field (a business key or a record field): shown by their name in the reader's language. */
const FIELD_VALUES = new Set(['key', 'journalField', 'voucherField']);

/** A rule's name in the reader's language (archive-rules/matching); a rule this build does not know shows its id. */
export const ruleLabel = (t: Translate, ruleId: string) => codeLabel(t, ruleId, ['match.rule']);

/** A rule condition's name (`number`, `amount`, `date` …); an unknown condition id is shown as it is. */
export const conditionLabel = (t: Translate, condition: string) => codeLabel(t, condition, ['match.cond']);

/**
 * One explanation message in the UI's language, from its structured form (code + values) with the dictionary's
 * `match.reason.<code>` template; a code this web build does not know, or a link stored before explanations were
 * structured, shows the server's text.
 */
export function reasonText(t: Translate, reason: Reason | undefined, fallback: string | undefined): string {
  if (!reason) return fallback ?? '';
  const key = `match.reason.${reason.code}` as MessageKey;
  const named = (prefix: string, v: string | number) => {
    const k = `${prefix}.${v}` as MessageKey;
    const s = t(k);
    return s === k ? String(v) : s;
  };
  const values = Object.fromEntries(
    Object.entries(reason.values).map(([k, v]) => [
      k,
      FIELD_VALUES.has(k) ? named('match.field', v) : k === 'mode' ? named('match.mode', v) : k === 'rule' ? ruleLabel(t, String(v)) : k === 'condition' ? conditionLabel(t, String(v)) : v,
    ]),
  );
  const text = t(key, values);
  return text === key ? (fallback ?? `${reason.code} ${JSON.stringify(reason.values)}`) : text;
}

/** Why a link exists: each condition of the rule, passed or not, with the values it compared. */
export function Explanation({ link }: { link: LinkExplained }) {
  const { t } = useI18n();
  return (
    <Space orientation="vertical" size={2} data-testid="link-explanation">
      <Typography.Text type="secondary">
        {t('journal.rule', { id: ruleLabel(t, link.ruleId), version: link.ruleVersion, score: link.score })}
      </Typography.Text>
      {link.explanation.map((o) => (
        <span key={o.condition}>
          {o.passed ? (
            <CheckCircleTwoTone twoToneColor="#52c41a" aria-label={t('match.condition.passed')} />
          ) : (
            <CloseCircleTwoTone twoToneColor="#bfbfbf" aria-label={t('match.condition.failed')} />
          )}{' '}
          <Tag>{conditionLabel(t, o.condition)}</Tag>
          {reasonText(t, o.reason, o.text)}
          {o.passed && !o.exact ? <Tag color="orange" style={{ marginLeft: 4 }}>{t('journal.inexact')}</Tag> : null}
        </span>
      ))}
      {link.notes.map((n, i) => (
        <Typography.Text key={i} type="warning">
          {reasonText(t, n.code ? { code: n.code, values: n.values ?? {} } : undefined, n.text)}
        </Typography.Text>
      ))}
    </Space>
  );
}

/** What the explanation and the tier tag read of a link (the chain's links and the bare links of 联查 back alike). */
export type LinkExplained = Pick<LinkView, 'ruleId' | 'ruleVersion' | 'score' | 'explanation' | 'notes'>;

/** How the link holds: decided by a person (accepted / rejected), else its tier (automatic, made by hand, to confirm). */
export function TierTag({ link }: { link: Pick<LinkView, 'tier' | 'status'> }) {
  const { t } = useI18n();
  if (link.status === 'accepted') return <Tag color="green">{t('journal.tier.accepted')}</Tag>;
  if (link.status === 'rejected') return <Tag color="red">{t('journal.tier.rejected')}</Tag>;
  if (link.tier === 'auto') return <Tag color="blue">{t('journal.tier.auto')}</Tag>;
  if (link.tier === 'manual') return <Tag color="cyan">{t('journal.tier.manual')}</Tag>;
  return <Tag color="gold">{t('journal.tier.suggest')}</Tag>;
}
