/**
 * 入账信息结构化数据: the receiver (入账) file of a booked voucher, as XBRL instance and as the toolkit's JSON form,
 * written through the same element maps the readers use (formats/xbrl). Pure: voucher + booking in, text out.
 */
import type { Voucher, VoucherKind } from '../../../formats/voucher';
import { elementMap } from '../../../formats/xbrl/element-maps';
import { writeVoucherJson, writeXbrl } from '../../../formats/xbrl/write';
import type { BookingEntry } from '../claims/pool-b.tables';

/**
 * The receiver view of each kind. 银行电子对账单 (bkrs) has none in the standard (a statement is not booked as one
 * document) and 'other' has no taxonomy: those are booked without a receiver file.
 */
export const RECEIVER_CONFIG_IDS: Partial<Record<VoucherKind, string>> = {
  inv_ord: 'inv_ord_receiver',
  inv_spcl: 'inv_spcl_receiver',
  einv_ord: 'einv_ord_receiver',
  einv_spcl: 'einv_spcl_receiver',
  rai: 'rai_receiver',
  atr: 'atr_receiver',
  efi: 'efi',
  ntrev: 'ntrev_gpm_receiver',
  bker: 'bker_receiver',
  ctp: 'ctp',
};

export interface BookingForFile {
  journalVoucherNumber: string;
  /** YYYY-MM */
  period: string;
  /** YYYY-MM-DD */
  bookedAt: string;
  summary?: string | null;
  entries: BookingEntry[];
}

export interface AccountingEntity {
  /** 统一社会信用代码 of the booking unit; the unit code stands in when the unit has none recorded. */
  taxId: string | null;
  name: string;
  code: string;
}

export interface ReceiverFiles {
  configId: string;
  xbrl: string;
  json: string;
  /** The voucher as written (with extra.accounting), for callers that compare. */
  voucher: Voucher;
}

/** The voucher with its booking put where the receiver maps read it (`extra.accounting`, see schemas/xbrl/README.md). */
export function withAccounting(v: Voucher, booking: BookingForFile, entity: AccountingEntity): Voucher {
  const accounting: Record<string, unknown> = {
    ...((v.extra?.accounting as Record<string, unknown> | undefined) ?? {}),
    ...(entity.taxId ? { entityTaxId: entity.taxId } : {}),
    entityName: entity.name,
    booked: true,
    documents: [
      {
        number: booking.journalVoucherNumber,
        postingDate: booking.bookedAt,
        period: booking.period,
        ...(booking.summary ? { summary: booking.summary } : {}),
        // Most toolkit samples write the direction as 借方 / 贷方 (two write 借 / 贷; the readers take both).
        entries: booking.entries.map((e) => ({
          direction: e.direction === 'debit' ? '借方' : '贷方',
          ...(e.accountCode ? { generalLedgerSubjectCode: e.accountCode } : {}),
          ...(e.accountName ? { generalLedgerSubject: e.accountName } : {}),
          ...(e.subsidiaryCode ? { subsidiaryLedgerSubjectCode: e.subsidiaryCode } : {}),
          ...(e.subsidiaryName ? { subsidiaryLedgerSubject: e.subsidiaryName } : {}),
          amount: e.amount,
        })),
      },
    ],
  };
  return { ...v, extra: { ...(v.extra ?? {}), accounting } };
}

/**
 * The voucher restricted to what the receiver view carries. The receiver maps also list some issuer-side element
 * names (marked "not in the toolkit sample"), so that readers accept files written either way; a receiver file is
 * written like the toolkit's receiver samples, so a field whose only element in the view is such an alias is left
 * out (its value stays in the pool record and the original). Only the writer's input changes: the map is shared.
 */
export function receiverView(v: Voucher, configId: string): Voucher {
  const map = elementMap(configId);
  const byField = new Map<string, boolean[]>();
  for (const fm of map.facts) {
    if (fm.to.startsWith('extra.')) continue;
    const field = fm.to.split('.')[0];
    const list = byField.get(field) ?? [];
    list.push(/not in the toolkit sample/.test(fm.$comment ?? ''));
    byField.set(field, list);
  }
  const sources = { ...v.sources };
  for (const [field, aliasOnly] of byField) if (aliasOnly.every(Boolean)) delete sources[field];
  return { ...v, sources };
}

/** Both receiver files of a voucher of this kind, or null when the kind has no receiver view. */
export function receiverFiles(v: Voucher, booking: BookingForFile, entity: AccountingEntity): ReceiverFiles | null {
  const configId = RECEIVER_CONFIG_IDS[v.kind as VoucherKind];
  if (!configId) return null;
  const voucher = withAccounting(receiverView(v, configId), booking, entity);
  const xbrl = writeXbrl(configId, voucher, { entityIdentifier: entity.taxId ?? entity.code, instant: booking.bookedAt });
  const json = JSON.stringify(writeVoucherJson(configId, voucher), null, 4) + '\n';
  return { configId, xbrl, json, voucher };
}
