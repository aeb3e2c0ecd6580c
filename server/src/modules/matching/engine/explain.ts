/**
 * Explanations in structured form and their text. The engine records, for each condition of a link and for each
 * note on its tier, a `Reason`: a message code and the values it compared. Links store that form; the API renders
 * it in the reader's language (zh-CN by default, en) with the templates here, and the web renders the same codes
 * with its own dictionary (web/src/i18n, keys `match.reason.<code>`, `match.field.<field>`).
 */

/** Every message an explanation can carry. */
export const REASON_CODES = [
  'join.hit',
  'join.miss',
  'exact.hit',
  'exact.miss',
  'words',
  'regex.hit',
  'regex.miss',
  'fuzzy.edits',
  'fuzzy.tooFar',
  'fuzzy.similarity',
  'amount.missing',
  'amount.equal',
  'amount.tolerance',
  'amount.sumOfVouchers',
  'amount.paidInParts',
  'amount.differ',
  'date.none',
  'date.sameDay',
  'date.before',
  'date.after',
  'note.maxTier',
  'note.inexact',
  'note.ambiguousJournal',
  'note.ambiguousVoucher',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface Reason {
  code: ReasonCode;
  values: Record<string, string | number>;
}

export type ExplainLocale = 'zh-CN' | 'en';
export const EXPLAIN_LOCALES: readonly ExplainLocale[] = ['zh-CN', 'en'];

/** Values that name a field (business key or record field) and are themselves translated. */
const FIELD_VALUES = ['key', 'journalField', 'voucherField'];

const FIELDS: Record<ExplainLocale, Record<string, string>> = {
  'zh-CN': {
    invoiceNumber: '发票号码',
    paymentCode: '缴款码',
    bankSerial: '银行流水号',
    reimbursementId: '报销单号',
    counterpartyAccount: '对方账号',
    summary: '摘要',
    counterparties: '往来单位',
    names: '当事方名称',
    text: '票据内容',
    kind: '票据种类',
  },
  en: {
    invoiceNumber: 'invoice number',
    paymentCode: 'payment code (缴款码)',
    bankSerial: 'bank serial number',
    reimbursementId: 'reimbursement document number',
    counterpartyAccount: 'counterparty account',
    summary: 'summary',
    counterparties: 'counterparty',
    names: 'party names',
    text: 'voucher text',
    kind: 'voucher kind',
  },
};

const MODES: Record<ExplainLocale, Record<string, string>> = {
  'zh-CN': { any: '任一', all: '全部' },
  en: { any: 'any', all: 'all' },
};

const TEMPLATES: Record<ExplainLocale, Record<ReasonCode, string>> = {
  'zh-CN': {
    'join.hit': '记账凭证引用的{key} {value} 与票据一致',
    'join.miss': '{key}不一致：记账凭证引用 {journal}，票据为 {voucher}',
    'exact.hit': '记账凭证{journalField}与票据{voucherField}相同：“{value}”',
    'exact.miss': '记账凭证{journalField} {journal} 与票据{voucherField} {voucher} 不同',
    words: '记账凭证{journalField}须包含{mode}关键词 [{words}]：找到 [{found}]',
    'regex.hit': '符合模式 /{pattern}/',
    'regex.miss': '不符合模式 /{pattern}/',
    'fuzzy.edits': '记账凭证{journalField} “{journal}” 与票据{voucherField} “{voucher}” 相差 {edits} 个字符',
    'fuzzy.tooFar': '记账凭证的{journalField}与票据{voucherField} {voucher} 相差都超过 {maxEdits} 个字符',
    'fuzzy.similarity': '记账凭证{journalField} “{journal}” 与票据{voucherField} “{voucher}” 相似度 {similarity}（要求 {min}）',
    'amount.missing': '一方缺少金额',
    'amount.equal': '金额相等：{amount}',
    'amount.tolerance': '金额 {journal} 与 {voucher} 相差 {difference}，在容差之内',
    'amount.sumOfVouchers': '记账凭证金额 {journal} 等于所引用 {count} 张票据之和（{parts}）',
    'amount.paidInParts': '票据金额 {voucher} 由 {count} 张记账凭证分次支付（{parts}）',
    'amount.differ': '金额不一致：记账凭证 {journal}，票据 {voucher}',
    'date.none': '票据没有日期',
    'date.sameDay': '票据日期 {date}，与记账凭证同一天（允许早 {before} 天至晚 {after} 天）',
    'date.before': '票据日期 {date}，早于记账凭证 {days} 天（允许早 {before} 天至晚 {after} 天）',
    'date.after': '票据日期 {date}，晚于记账凭证 {days} 天（允许早 {before} 天至晚 {after} 天）',
    'note.maxTier': '规则 {rule} 只提出建议，从不自动关联',
    'note.inexact': '条件 {condition} 只是近似满足：最多作为建议',
    'note.ambiguousJournal': '有歧义：{count} 张票据都符合记账凭证 {journal}，需人工判断',
    'note.ambiguousVoucher': '有歧义：{count} 张记账凭证都符合这张票据，需人工判断',
  },
  en: {
    'join.hit': '{key} {value} cited by the journal voucher',
    'join.miss': '{key}: journal voucher cites {journal}, voucher has {voucher}',
    'exact.hit': 'journal {journalField} equals voucher {voucherField} "{value}"',
    'exact.miss': 'journal {journalField} {journal} ≠ voucher {voucherField} {voucher}',
    words: 'journal {journalField} contains {mode} of [{words}]: found [{found}]',
    'regex.hit': '/{pattern}/ matches',
    'regex.miss': '/{pattern}/ does not match',
    'fuzzy.edits': 'journal {journalField} "{journal}" is {edits} edit(s) from voucher {voucherField} "{voucher}"',
    'fuzzy.tooFar': 'no journal {journalField} within {maxEdits} edit(s) of voucher {voucherField} {voucher}',
    'fuzzy.similarity': 'journal {journalField} "{journal}" ~ voucher {voucherField} "{voucher}": similarity {similarity} (needs {min})',
    'amount.missing': 'amount missing on one side',
    'amount.equal': 'amounts equal {amount}',
    'amount.tolerance': 'amounts {journal} and {voucher} differ by {difference}, within tolerance',
    'amount.sumOfVouchers': 'journal amount {journal} = sum of {count} cited vouchers ({parts})',
    'amount.paidInParts': 'voucher amount {voucher} paid by {count} journal vouchers ({parts})',
    'amount.differ': 'amounts differ: journal {journal}, voucher {voucher}',
    'date.none': 'voucher has no date',
    'date.sameDay': 'voucher dated {date}, same day as the journal voucher (window −{before}/+{after})',
    'date.before': 'voucher dated {date}, {days} day(s) before the journal voucher (window −{before}/+{after})',
    'date.after': 'voucher dated {date}, {days} day(s) after the journal voucher (window −{before}/+{after})',
    'note.maxTier': 'rule {rule} never links automatically',
    'note.inexact': 'condition {condition} passed only approximately: at most a suggestion',
    'note.ambiguousJournal': 'ambiguous: {count} vouchers qualify for journal voucher {journal}; a person decides',
    'note.ambiguousVoucher': 'ambiguous: {count} journal vouchers qualify for this voucher; a person decides',
  },
};

export function reason(code: ReasonCode, values: Reason['values'] = {}): Reason {
  return { code, values };
}

/** The text of a reason in `locale`; an unknown code (a newer server's link) shows its code and values. */
export function renderReason(r: Reason, locale: ExplainLocale = 'zh-CN'): string {
  const template = TEMPLATES[locale][r.code];
  if (!template) return `${r.code} ${JSON.stringify(r.values)}`;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = r.values[name];
    if (v === undefined) return m;
    if (FIELD_VALUES.includes(name)) return FIELDS[locale][String(v)] ?? String(v);
    if (name === 'mode') return MODES[locale][String(v)] ?? String(v);
    return String(v);
  });
}

/**
 * The reader's language from an Accept-Language header: the first supported tag by preference (q), zh-CN when
 * none is (the archive's users are Chinese; an English browser alone does not switch it).
 */
export function localeFrom(acceptLanguage: string | undefined | null): ExplainLocale {
  if (!acceptLanguage) return 'zh-CN';
  const ranked = acceptLanguage
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q[1]) : 1, i };
    })
    .filter((x) => x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranked) {
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'zh-CN';
}

/** A stored explanation item with its text: structured links get theirs rendered, links stored before as text keep it. */
export function withText<T extends { reason?: Reason; detail?: string }>(o: T, locale: ExplainLocale): T & { text: string } {
  return { ...o, text: o.reason ? renderReason(o.reason, locale) : (o.detail ?? '') };
}

/** Notes on a link's tier with their text (older links stored notes as English sentences). */
export function notesWithText(notes: unknown, locale: ExplainLocale): { code?: ReasonCode; values?: Reason['values']; text: string }[] {
  if (!Array.isArray(notes)) return [];
  return notes.map((n) => (typeof n === 'string' ? { text: n } : { ...(n as Reason), text: renderReason(n as Reason, locale) }));
}
