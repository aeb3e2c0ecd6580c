/**
 * A journal voucher (记账凭证) as a search document (docType `journal`, kind `journal`, category 凭证): found by its
 * number, a word of its summaries, an amount, a counterparty, an account code or name, and by the numbers of the
 * documents it cites (invoice numbers, 缴款码, bank serials, reimbursement ids). Written by LedgerService through
 * SearchIndexer in the import's transaction, so the index (and the OpenSearch outbox) commits with the ledger.
 */
import type { SearchDocumentInput } from '../search/search.types';
import type { JournalVoucher } from './journal';

export const JOURNAL_DOC_TYPE = 'journal';

export function projectJournal(row: { id: string; unitId: string; fondsId: string | null }, v: JournalVoucher): SearchDocumentInput {
  const [year, month] = v.period.split('-').map(Number);
  const refs = v.references;
  const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x && !!x.trim()))];
  const entryLines = v.entries.map((e) =>
    [e.summary, e.accountCode, e.accountName, e.debit !== '0.00' ? `借 ${e.debit}` : `贷 ${e.credit}`, e.counterparty, e.project, e.department].filter(Boolean).join(' '),
  );
  return {
    docType: JOURNAL_DOC_TYPE,
    sourceId: row.id,
    unitId: row.unitId,
    fondsId: row.fondsId,
    kind: JOURNAL_DOC_TYPE,
    category: 'voucher',
    year,
    period: month,
    number: v.number,
    numbers: uniq([...refs.invoiceNumbers, ...refs.paymentCodes, ...refs.bankSerials, ...refs.reimbursementIds]),
    title: `记账凭证 ${v.voucherType ? `${v.voucherType}-` : ''}${v.number} ${v.summary}`,
    amount: v.totalDebit,
    date: v.date,
    parties: uniq(v.entries.map((e) => e.counterparty)),
    accounts: uniq([...v.entries.map((e) => e.accountCode), ...v.entries.map((e) => e.accountName), ...v.entries.map((e) => e.counterpartyAccount)]),
    state: 'booked',
    body: [...entryLines, ...refs.attachments, [v.maker, v.checker, v.poster].filter(Boolean).join(' ')].filter(Boolean).join('\n'),
  };
}
