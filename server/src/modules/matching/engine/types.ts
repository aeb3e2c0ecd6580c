/**
 * The matching engine's own view of both sides. It is pure (no Nest, no database): services load journal
 * vouchers and pool vouchers, turn them into these shapes, run `matchAll`, and store the links it returns.
 * Money is integer fen as BigInt; day numbers (days since 1970-01-01) make date windows cheap.
 */
import type { Reason } from './explain';

/** Business keys a journal voucher can cite and a voucher can carry. */
export const JOIN_KEYS = ['invoiceNumber', 'paymentCode', 'bankSerial', 'reimbursementId', 'counterpartyAccount'] as const;
export type JoinKey = (typeof JOIN_KEYS)[number];

export type Tier = 'auto' | 'suggest' | 'never';

export interface MatchEntry {
  accountCode: string;
  debit: bigint;
  credit: bigint;
  counterparty?: string;
  counterpartyAccount?: string;
}

/** 记账凭证 as the engine sees it. */
export interface MatchJournal {
  id: string;
  unitId?: string | null;
  number: string;
  /** YYYY-MM-DD */
  date: string;
  day: number;
  summary: string;
  entries: MatchEntry[];
  /** Cited business keys: explicit references, attachment list, numbers found in the summaries. */
  refs: Partial<Record<JoinKey, string[]>>;
  /** Names of counterparties across the entries (for text conditions). */
  counterparties: string[];
}

/** An original voucher (pool record) or a bank statement line, as the engine sees it. */
export interface MatchVoucher {
  id: string;
  unitId?: string | null;
  kind: string;
  date?: string;
  day?: number;
  /** Signed: red invoices and outflows are negative. */
  amount?: bigint;
  keys: Partial<Record<JoinKey, string[]>>;
  /** Seller, buyer, payer, payee names (for text conditions). */
  names: string[];
  /** Free text of the voucher (line item names, remarks), for text conditions. */
  text?: string;
}

/** What one condition found for one pair: shown to people as the link's explanation. */
export interface ConditionOutcome {
  /** The rule's condition id. */
  condition: string;
  match: string;
  passed: boolean;
  /** False when the condition passed only approximately (a fuzzy number, an amount within tolerance). */
  exact: boolean;
  weight: number;
  /** What it found, as a message code and values (rendered in zh-CN or en by explain.ts and the web). */
  reason: Reason;
  journalValue?: string;
  voucherValue?: string;
}

export interface Link {
  journalId: string;
  voucherId: string;
  score: number;
  tier: Exclude<Tier, 'never'>;
  ruleId: string;
  ruleVersion: number;
  explanation: ConditionOutcome[];
  /** Why the tier is lower than the score alone would give (ambiguity, an inexact condition, a suggest-only rule). */
  notes: Reason[];
}

export interface MatchResult {
  links: Link[];
  unmatchedJournals: string[];
  unmatchedVouchers: string[];
  stats: { journals: number; vouchers: number; pairsEvaluated: number; ms: number };
}
