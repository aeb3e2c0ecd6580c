/**
 * 会计账簿, 财务会计报告 and 其他会计资料 (会计档案管理办法 第六条): the record types the archive accepts, each
 * with the period shape it is filed under.
 */
export const RECORD_TYPES = {
  book: {
    general_ledger: '总账',
    subsidiary_ledger: '明细账',
    cash_journal: '现金日记账',
    bank_journal: '银行存款日记账',
    fixed_asset_card: '固定资产卡片',
    other_book: '其他辅助性账簿',
  },
  report: {
    monthly: '月度财务会计报告',
    quarterly: '季度财务会计报告',
    half_yearly: '半年度财务会计报告',
    annual: '年度财务会计报告',
  },
  other: {
    bank_reconciliation: '银行存款余额调节表',
    bank_statement: '银行对账单',
    tax_return: '纳税申报表',
    transfer_list: '会计档案移交清册',
    custody_list: '会计档案保管清册',
    destruction_list: '会计档案销毁清册',
    appraisal_opinion: '会计档案鉴定意见书',
    other_material: '其他会计资料',
  },
} as const;
export type RecordCategory = keyof typeof RECORD_TYPES;

/** Period shapes: YYYY (annual books, annual reports), YYYY-MM, YYYY-Qn, YYYY-H1/H2. */
const PERIOD_BY_TYPE: Record<string, RegExp> = {
  monthly: /^\d{4}-(0[1-9]|1[0-2])$/,
  quarterly: /^\d{4}-Q[1-4]$/,
  half_yearly: /^\d{4}-H[12]$/,
  annual: /^\d{4}$/,
};
const ANY_PERIOD = /^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-H[12])?$/;

/** Problems with a record's category/type/period, empty when it is acceptable. */
export function checkRecordKind(category: string, recordType: string, period: string): string[] {
  const types = (RECORD_TYPES as Record<string, Record<string, string>>)[category];
  if (!types) return [`category must be one of ${Object.keys(RECORD_TYPES).join(', ')}, not "${category}"`];
  if (!(recordType in types)) return [`type of a ${category} must be one of ${Object.keys(types).join(', ')}, not "${recordType}"`];
  const re = (category === 'report' && PERIOD_BY_TYPE[recordType]) || ANY_PERIOD;
  return re.test(period) ? [] : [`period "${period}" does not fit a ${types[recordType]} (${re.source})`];
}
