/**
 * A realistic month of one budget unit's bookkeeping, seeded, with the ground-truth links: journal vouchers
 * (记账凭证) booking invoices, travel tickets, fiscal receipts, non-tax payment forms, bank receipts and bank
 * statement lines, plus the hard cases at rates seen in practice — several invoices in one journal voucher, one
 * invoice paid in parts, red invoices, refunded tickets (退票费), mistyped numbers, nothing cited, same amount on
 * the same day — and records on either side with no partner. Journal vouchers cite what they book the way real ledgers do: invoice numbers
 * in the summary, the 发票号 column or the attachment list, 缴款码 in the summary, bank serial numbers, the
 * counterparty's account on the bank entry, the reimbursement document's number.
 *
 * The original vouchers come from a `VoucherMaker` (voucher-makers.ts): the synthetic factory (files parsed by the
 * real readers, and the factory's model for the bulk) for the ground-truth test, minimal records for the
 * benchmark. Real vouchers (the corpus) can be added: each gets a journal voucher citing it by its key.
 */
import { Prng } from '../../../formats/factory/prng';
import { syntheticCompany, type Company } from '../../../formats/factory/parties';
import type { GeneratedFile } from '../../../formats/factory';
import { fromFen, toFen } from '../../../formats/kinds/money';
import { VOUCHER_KIND_NAMES, type Voucher } from '../../../formats/voucher';
import type { JournalEntry, JournalVoucher } from '../../ledger/journal';
import type { StatementLineView } from '../adapters';
import type { InvoiceKind, VoucherMaker } from './voucher-makers';

export type CaseName =
  | 'single-invoice'
  | 'invoice-in-attachments'
  | 'several-invoices'
  | 'split-payment'
  | 'red-invoice'
  | 'typo-number'
  | 'nothing-cited'
  | 'same-amount-same-day'
  | 'travel-reimbursement'
  | 'ticket-refund'
  | 'fiscal-receipt'
  | 'non-tax-income'
  | 'bank-receipt'
  | 'bank-statement'
  | 'no-original'
  | 'unbooked-voucher'
  | 'treasury-voucher'
  | 'corpus-voucher';

/** Share of business events per case; the rest of the month is the common case. */
export const CASE_RATES: Record<Exclude<CaseName, 'single-invoice' | 'corpus-voucher'>, number> = {
  'invoice-in-attachments': 0.08,
  'several-invoices': 0.1,
  'split-payment': 0.04,
  'red-invoice': 0.02,
  'typo-number': 0.03,
  'nothing-cited': 0.04,
  'same-amount-same-day': 0.015,
  'travel-reimbursement': 0.065,
  'ticket-refund': 0.005,
  'fiscal-receipt': 0.02,
  'non-tax-income': 0.07,
  'bank-receipt': 0.07,
  'bank-statement': 0.008,
  'no-original': 0.1,
  'unbooked-voucher': 0.04,
  // 国库集中支付凭证: no matching rule covers them yet, so they must stay unlinked.
  'treasury-voucher': 0.01,
};

/** Where a voucher of the month came from: a factory file parsed by the readers, the factory's model, a record, the corpus. */
export type VoucherOrigin = 'file' | 'model' | 'record' | 'corpus';

export interface MonthVoucher {
  id: string;
  voucher: Voucher;
  reimbursementId?: string;
  case: CaseName;
  origin: VoucherOrigin;
  /** The file a file-backed voucher was written as (bytes dropped once parsed), or the corpus file's name. */
  file?: GeneratedFile | { name: string };
}

export interface GeneratedMonth {
  period: string;
  journals: { id: string; voucher: JournalVoucher; case: CaseName }[];
  vouchers: MonthVoucher[];
  /** Ground truth: which journal voucher books which original voucher (`<id>#<line>` for a statement line). */
  truth: { journalId: string; voucherId: string; case: CaseName }[];
  cases: Partial<Record<CaseName, number>>;
  /** Real vouchers that got no journal voucher, with why (no key a rule joins on). */
  corpusSkipped: { name: string; kind: string; why: string }[];
}

export interface MonthOptions {
  /** Makes the original vouchers (factoryMaker for tests, recordMaker for the benchmark). */
  maker: VoucherMaker;
  seed?: string;
  /** YYYY-MM */
  period?: string;
  /** At least this many journal vouchers (before the corpus ones). */
  journals?: number;
  /** Prefix for ids (several months or units in one run). */
  idPrefix?: string;
  /** Real vouchers (parsed corpus files), each booked by one journal voucher citing its key. */
  corpus?: { name: string; voucher: Voucher }[];
}

const EXPENSES: [code: string, name: string, items: string[]][] = [
  ['500101', '业务活动费用-办公费', ['办公用品', '打印纸', '硒鼓', '文件柜']],
  ['500102', '业务活动费用-印刷费', ['宣传册印刷', '资料印刷']],
  ['500103', '业务活动费用-邮电费', ['快递费', '电话费', '宽带费']],
  ['500104', '业务活动费用-物业管理费', ['物业费', '保洁服务']],
  ['500105', '业务活动费用-维修(护)费', ['空调维修', '电梯维保', '车辆维修']],
  ['500106', '业务活动费用-会议费', ['会议场地', '会务服务']],
  ['500107', '业务活动费用-培训费', ['业务培训']],
  ['510101', '单位管理费用-委托业务费', ['审计服务', '咨询服务', '软件运维']],
];
const TRAVEL = ['500108', '业务活动费用-差旅费'] as const;
const PAYING = [
  ['1011', '零余额账户用款额度'],
  ['100201', '银行存款-基本户'],
] as const;
const BANK = ['100201', '银行存款-基本户'] as const;
const INVOICE_KINDS_BY_SHARE: InvoiceKind[] = ['einv_ord', 'einv_ord', 'einv_spcl', 'inv_ord', 'inv_spcl'];
const INVOICE_LIKE = new Set(['inv_ord', 'inv_spcl', 'einv_ord', 'einv_spcl', 'rai', 'atr', 'efi', 'other']);

const fen = (v: Voucher) => (v.totalAmount !== undefined ? toFen(v.totalAmount) : 0n);

class Builder {
  readonly rng: Prng;
  readonly out: GeneratedMonth;
  private readonly companies: Company[];
  private readonly numbers = new Set<string>();
  private seq = 0;
  private vseq = 0;
  readonly days: number;
  private readonly y: number;
  private readonly m: number;

  constructor(readonly opts: Required<Omit<MonthOptions, 'corpus'>>) {
    this.rng = new Prng(opts.seed);
    this.out = { period: opts.period, journals: [], vouchers: [], truth: [], cases: {}, corpusSkipped: [] };
    const parties = this.rng.fork('parties');
    this.companies = Array.from({ length: 400 }, () => syntheticCompany(parties));
    [this.y, this.m] = opts.period.split('-').map(Number);
    this.days = new Date(Date.UTC(this.y, this.m, 0)).getUTCDate();
  }

  date(dayOfMonth: number): string {
    return new Date(Date.UTC(this.y, this.m - 1, dayOfMonth)).toISOString().slice(0, 10);
  }
  dayInMonth(): number {
    return this.rng.int(1, this.days);
  }
  /** Invoices are issued before they are booked: 0–40 days, sometimes in the previous month. */
  before(dayOfMonth: number, maxDays = 40): string {
    return this.date(dayOfMonth - this.rng.int(0, maxDays));
  }
  /** Amounts as budget units see them: mostly modest, some round, a long tail; in fen. */
  amount(): bigint {
    const r = this.rng.u32() / 0x1_0000_0000;
    const yuan = Math.exp(Math.log(20) + r * (Math.log(80_000) - Math.log(20)));
    if (this.rng.chance(0.25)) return BigInt(Math.max(1, Math.round(yuan / 10) * 10)) * 100n;
    return BigInt(Math.round(yuan * 100));
  }
  unique(make: () => string): string {
    for (;;) {
      const n = make();
      if (!this.numbers.has(n)) {
        this.numbers.add(n);
        return n;
      }
    }
  }
  company(): Company {
    return this.rng.pick(this.companies);
  }

  invoice(c: CaseName, issueDate: string, seller = this.company(), more: { kind?: InvoiceKind; totalFen?: bigint; red?: boolean; reverses?: string } = {}): { id: string; v: Voucher } {
    const kind = more.kind ?? this.rng.pick(INVOICE_KINDS_BY_SHARE);
    return this.add(c, this.opts.maker.invoice({ kind, issueDate, seller, totalFen: more.totalFen, red: more.red, reverses: more.reverses }));
  }

  add(c: CaseName, made: { voucher: Voucher; file?: GeneratedFile }, reimbursementId?: string): { id: string; v: Voucher } {
    const id = `${this.opts.idPrefix}v${++this.vseq}`;
    const origin: VoucherOrigin = made.file ? 'file' : this.opts.maker.label === 'factory' ? 'model' : 'record';
    this.out.vouchers.push({ id, voucher: made.voucher, reimbursementId, case: c, origin, file: made.file });
    return { id, v: made.voucher };
  }

  private keys?: Set<string>;
  /** Numbers of the generated vouchers (a real voucher carrying one of them would make the truth ambiguous). */
  generatedKeys(): Set<string> {
    if (!this.keys) {
      this.keys = new Set();
      for (const { voucher: v } of this.out.vouchers)
        for (const k of [v.invoiceNumber, v.bankSerialNumber, v.extra?.paymentCode]) if (typeof k === 'string') this.keys.add(k);
    }
    return this.keys;
  }

  addCorpus(name: string, v: Voucher): string {
    const id = `${this.opts.idPrefix}c${++this.vseq}`;
    this.out.vouchers.push({ id, voucher: v, case: 'corpus-voucher', origin: 'corpus', file: { name } });
    return id;
  }

  journal(c: CaseName, day: number | string, summary: string, entries: Omit<JournalEntry, 'line'>[], refs: Partial<JournalVoucher['references']> = {}, attachments = 0): string {
    const id = `${this.opts.idPrefix}j${++this.seq}`;
    const number = String(this.seq).padStart(4, '0');
    const debit = entries.reduce((s, e) => s + toFen(e.debit), 0n);
    this.out.journals.push({
      id,
      case: c,
      voucher: {
        number,
        voucherType: '记',
        date: typeof day === 'string' ? day : this.date(day),
        period: this.opts.period,
        summary,
        entries: entries.map((e, i) => ({ ...e, line: i + 1 })),
        attachmentCount: attachments,
        maker: '测试甲1',
        checker: '测试乙2',
        poster: '测试丙3',
        references: { invoiceNumbers: [], reimbursementIds: [], paymentCodes: [], bankSerials: [], attachments: [], ...refs },
        totalDebit: fromFen(debit),
        totalCredit: fromFen(debit),
      },
    });
    this.out.cases[c] = (this.out.cases[c] ?? 0) + 1;
    return id;
  }

  link(c: CaseName, journalId: string, voucherId: string): void {
    this.out.truth.push({ journalId, voucherId, case: c });
  }

  /** Debit expense / credit paying account; amounts signed (red vouchers negative on the same sides). */
  expense(amount: bigint, counterparty?: string, account = this.rng.pick(EXPENSES)): Omit<JournalEntry, 'line'>[] {
    const pay = this.rng.pick(PAYING);
    return [
      { accountCode: account[0], accountName: account[1], debit: fromFen(amount), credit: '0.00' },
      { accountCode: pay[0], accountName: pay[1], debit: '0.00', credit: fromFen(amount), counterparty },
    ];
  }

  /** Income on the bank account (non-tax revenue collected). */
  income(amount: bigint, payer?: string): Omit<JournalEntry, 'line'>[] {
    return [
      { accountCode: BANK[0], accountName: BANK[1], debit: fromFen(amount), credit: '0.00', counterparty: payer },
      { accountCode: '2103', accountName: '应缴财政款', debit: '0.00', credit: fromFen(amount) },
    ];
  }

  /** A payment out of the bank account to a counterparty whose account the bank entry records. */
  bankPayment(amount: bigint, payee: string | undefined, account: string | undefined): Omit<JournalEntry, 'line'>[] {
    return [
      { accountCode: '2302', accountName: '应付账款', debit: fromFen(amount), credit: '0.00', counterparty: payee },
      { accountCode: BANK[0], accountName: BANK[1], debit: '0.00', credit: fromFen(amount), counterparty: payee, counterpartyAccount: account },
    ];
  }

  item(account: (typeof EXPENSES)[number]): string {
    return this.rng.pick(account[2]);
  }

  /** One business event of case `c` on `day`: its vouchers, its journal voucher(s) and their true links. */
  event(c: Exclude<CaseName, 'corpus-voucher'>, day: number): void {
    const b = this;
    const rng = this.rng;
    const period = this.opts.period;
    switch (c) {
      case 'single-invoice':
      case 'invoice-in-attachments': {
        const acc = rng.pick(EXPENSES);
        const seller = b.company();
        const inv = b.invoice(c, b.before(day), seller);
        const item = b.item(acc);
        const j =
          c === 'single-invoice'
            ? b.journal(c, day, `报销${item} 发票号${inv.v.invoiceNumber}`, b.expense(fen(inv.v), seller.name, acc), {}, 1)
            : b.journal(c, day, `支付${seller.name}${item}款`, b.expense(fen(inv.v), seller.name, acc), { attachments: [`发票_${inv.v.invoiceNumber}.ofd`] }, 1);
        b.link(c, j, inv.id);
        break;
      }
      case 'several-invoices': {
        const n = rng.int(2, 6);
        const acc = rng.pick(EXPENSES);
        const invs = Array.from({ length: n }, () => b.invoice(c, b.before(day)));
        const total = invs.reduce((s, x) => s + fen(x.v), 0n);
        // The 发票号 column of the ledger export lists every invoice of the voucher.
        const j = b.journal(c, day, `报销${b.item(acc)}等${n}张发票`, b.expense(total, undefined, acc), { invoiceNumbers: invs.map((x) => x.v.invoiceNumber!) }, n);
        for (const x of invs) b.link(c, j, x.id);
        break;
      }
      case 'split-payment': {
        const seller = b.company();
        const inv = b.invoice(c, b.before(Math.min(day, 10), 10), seller, { totalFen: b.amount() + 100_000n });
        const total = fen(inv.v);
        const parts = rng.int(2, 3);
        let left = total;
        for (let p = 0; p < parts; p++) {
          const amt = p === parts - 1 ? left : (total * BigInt(rng.int(20, 45))) / 100n;
          left -= amt;
          const j = b.journal(c, Math.min(b.days, day + p * 3), `支付${seller.name}合同款第${p + 1}期 发票${inv.v.invoiceNumber}`, b.expense(amt, seller.name));
          b.link(c, j, inv.id);
        }
        break;
      }
      case 'red-invoice': {
        // A purchase returned: the blue invoice, then the red one reversing it exactly, each booked.
        const seller = b.company();
        const kind = rng.pick(INVOICE_KINDS_BY_SHARE);
        const orig = b.invoice(c, b.before(day, 5), seller, { kind, totalFen: b.amount() });
        const amt = fen(orig.v);
        const j1 = b.journal(c, day, `报销办公用品 发票号${orig.v.invoiceNumber}`, b.expense(amt, seller.name), {}, 1);
        b.link(c, j1, orig.id);
        const red = b.invoice(c, b.date(Math.min(day + rng.int(1, 10), 28)), seller, { kind, totalFen: amt, red: true, reverses: orig.v.invoiceNumber });
        const j2 = b.journal(c, Math.min(day + rng.int(10, 20), 28), `冲销退货 红字发票${red.v.invoiceNumber} 原发票${orig.v.invoiceNumber}`, b.expense(fen(red.v), seller.name), {}, 1);
        b.link(c, j2, red.id);
        break;
      }
      case 'typo-number': {
        const seller = b.company();
        const inv = b.invoice(c, b.before(day), seller);
        const typo = mistype(rng, inv.v.invoiceNumber!);
        const j = b.journal(c, day, `报销会议费 发票号${typo}`, b.expense(fen(inv.v), seller.name), {}, 1);
        b.link(c, j, inv.id);
        break;
      }
      case 'nothing-cited': {
        const seller = b.company();
        const inv = b.invoice(c, b.date(Math.max(1, day - rng.int(0, 20))), seller);
        const j = b.journal(c, day, `支付${seller.name}服务费`, b.expense(fen(inv.v), seller.name), {}, 1);
        b.link(c, j, inv.id);
        break;
      }
      case 'same-amount-same-day': {
        // Two sellers, two invoices of the same amount on the same day, booked the same day without numbers.
        const amt = BigInt(rng.int(5, 200)) * 10_000n;
        const issued = b.date(Math.max(1, day - 2));
        for (let k = 0; k < 2; k++) {
          const seller = b.company();
          const inv = b.invoice(c, issued, seller, { totalFen: amt });
          const j = b.journal(c, day, `支付${seller.name}服务费`, b.expense(fen(inv.v), seller.name), {}, 1);
          b.link(c, j, inv.id);
        }
        break;
      }
      case 'travel-reimbursement': {
        // Tickets claimed on a reimbursement document (报销单) whose number the journal voucher cites.
        const rid = b.unique(() => `BX${period.replace('-', '')}${rng.digits(6)}`);
        const n = rng.int(1, 4);
        const tickets = Array.from({ length: n }, () => {
          const kind = rng.chance(0.6) ? 'rai' : 'atr';
          return b.add(c, b.opts.maker.data(kind, { issueDate: b.before(day, 20), totalFen: kind === 'rai' ? BigInt(rng.int(50, 2500)) * 100n + (rng.chance(0.3) ? 50n : 0n) : undefined }), rid);
        });
        const total = tickets.reduce((s, x) => s + fen(x.v), 0n);
        const j = b.journal(c, day, `报销差旅费 报销单${rid}`, b.expense(total, undefined, [TRAVEL[0], TRAVEL[1], []]), { reimbursementIds: [rid] }, n);
        for (const t of tickets) b.link(c, j, t.id);
        break;
      }
      case 'ticket-refund': {
        // A trip cancelled: the refunded ticket (退票) carries only the 退票费, reimbursed on its own document.
        const rid = b.unique(() => `BX${period.replace('-', '')}${rng.digits(6)}`);
        const t = b.add(c, b.opts.maker.data('rai', { issueDate: b.before(day, 20), totalFen: BigInt(rng.int(5, 120)) * 100n + (rng.chance(0.5) ? 50n : 0n), refund: true }), rid);
        const j = b.journal(c, day, `报销退票费 报销单${rid}`, b.expense(fen(t.v), undefined, [TRAVEL[0], TRAVEL[1], []]), { reimbursementIds: [rid] }, 1);
        b.link(c, j, t.id);
        break;
      }
      case 'fiscal-receipt': {
        // 财政电子票据 for a fee paid to an agency (training, exams), its number in the summary.
        const r = b.add(c, b.opts.maker.data('efi', { issueDate: b.before(day, 15) }));
        const j = b.journal(c, day, `缴纳${r.v.sellerName ?? ''}培训费 票据号码${r.v.invoiceNumber}`, b.expense(fen(r.v), r.v.sellerName, EXPENSES[6]), {}, 1);
        b.link(c, j, r.id);
        break;
      }
      case 'non-tax-income': {
        const x = b.add(c, b.opts.maker.data('ntrev', { issueDate: b.date(Math.max(1, day - rng.int(0, 5))) }));
        const code = x.v.extra.paymentCode as string;
        const j = b.journal(c, day, `收到${x.v.payerName ?? ''}非税收入 缴款码${code}`, b.income(fen(x.v), x.v.payerName), {}, 1);
        b.link(c, j, x.id);
        break;
      }
      case 'bank-receipt': {
        const x = b.add(c, b.opts.maker.data('bker', { issueDate: b.date(day), totalFen: b.amount() }));
        // The 银行流水号 column, and the payee's account on the bank entry.
        const j = b.journal(c, day, `支付${x.v.payeeName ?? ''}货款`, b.bankPayment(fen(x.v), x.v.payeeName, x.v.payeeAccount), { bankSerials: [x.v.bankSerialNumber!] }, 1);
        b.link(c, j, x.id);
        break;
      }
      case 'bank-statement': {
        // The month's 银行电子对账单: each line is one movement on the bank account, booked by its own journal voucher.
        const x = b.add(c, b.opts.maker.data('bkrs', { issueDate: b.date(b.days) }));
        const lines = (x.v.extra.statementLines as StatementLineView[] | undefined) ?? [];
        lines.forEach((l, i) => {
          const amt = toFen(l.amount!);
          const cited = rng.chance(0.5) && l.serialNumber ? { bankSerials: [l.serialNumber] } : {};
          const entries: Omit<JournalEntry, 'line'>[] =
            l.creditOrDebit === '贷'
              ? [
                  { accountCode: BANK[0], accountName: BANK[1], debit: fromFen(amt), credit: '0.00', counterparty: l.counterpartyName, counterpartyAccount: l.counterpartyAccount },
                  { accountCode: '1218', accountName: '其他应收款', debit: '0.00', credit: fromFen(amt), counterparty: l.counterpartyName },
                ]
              : b.bankPayment(amt, l.counterpartyName, l.counterpartyAccount);
          const j = b.journal(c, l.bookkeepingDate!, l.creditOrDebit === '贷' ? `收到${l.counterpartyName}往来款` : `支付${l.counterpartyName}款项`, entries, cited, 1);
          b.link(c, j, `${x.id}#${i}`);
        });
        break;
      }
      case 'no-original': {
        const amt = b.amount() * 3n;
        const what = rng.pick([
          ['计提本月工资', '500109', '业务活动费用-工资福利费用', '2201', '应付职工薪酬'],
          ['计提固定资产折旧', '500110', '业务活动费用-固定资产折旧费', '1602', '固定资产累计折旧'],
          ['结转本月财政拨款收入', '4001', '财政拨款收入', '3301', '本期盈余'],
        ]);
        b.journal(c, day, what[0], [
          { accountCode: what[1], accountName: what[2], debit: fromFen(amt), credit: '0.00' },
          { accountCode: what[3], accountName: what[4], debit: '0.00', credit: fromFen(amt) },
        ]);
        break;
      }
      case 'unbooked-voucher':
      case 'treasury-voucher': {
        // Received but not booked this month (or of a kind no rule links yet): stays unmatched.
        if (c === 'unbooked-voucher') b.invoice(c, b.date(day));
        else b.add(c, b.opts.maker.data('ctp', { issueDate: b.date(day), totalFen: b.amount() }));
        b.out.cases[c] = (b.out.cases[c] ?? 0) + 1;
        break;
      }
    }
  }

  /**
   * A real voucher booked this month by a journal voucher citing it the way ledgers do: invoices and tickets by
   * number (summary or attachment list), non-tax forms by 缴款码, bank receipts by serial and payee account.
   * Real files are often years old: the date condition fails for them and the key and amount must carry the link.
   */
  corpusEvent(name: string, v: Voucher): void {
    const code = typeof v.extra?.paymentCode === 'string' ? (v.extra.paymentCode as string) : undefined;
    const skip = (why: string): void => {
      this.out.corpusSkipped.push({ name, kind: v.kind, why });
    };
    if (v.totalAmount === undefined) return skip('no total amount: a ledger could not book it from this file');
    const keys = [v.invoiceNumber, v.bankSerialNumber, code].filter((k): k is string => !!k);
    if (keys.some((k) => this.generatedKeys().has(k))) return skip('its number is also a generated voucher\'s');
    const amount = fen(v);
    const day = this.dayInMonth();
    const party = v.sellerName ?? v.payeeName ?? v.payerName;
    const kindName = VOUCHER_KIND_NAMES[v.kind] ?? v.kind;
    let journal: string;
    if (INVOICE_LIKE.has(v.kind) && v.invoiceNumber) {
      const id = this.addCorpus(name, v);
      journal = this.rng.chance(0.5)
        ? this.journal('corpus-voucher', day, `报销${kindName} 发票号${v.invoiceNumber}`, this.expense(amount, party), {}, 1)
        : this.journal('corpus-voucher', day, `支付${party ?? ''}款项`, this.expense(amount, party), { attachments: [`${kindName}_${v.invoiceNumber}.pdf`] }, 1);
      this.link('corpus-voucher', journal, id);
    } else if (v.kind === 'ntrev' && code) {
      const id = this.addCorpus(name, v);
      journal = this.journal('corpus-voucher', day, `收到${v.payerName ?? ''}非税收入 缴款码${code}`, this.income(amount, v.payerName), {}, 1);
      this.link('corpus-voucher', journal, id);
    } else if (v.kind === 'bker' && v.bankSerialNumber) {
      const id = this.addCorpus(name, v);
      journal = this.journal('corpus-voucher', day, `支付${v.payeeName ?? ''}款项`, this.bankPayment(amount, v.payeeName, v.payeeAccount), { bankSerials: [v.bankSerialNumber] }, 1);
      this.link('corpus-voucher', journal, id);
    } else if (INVOICE_LIKE.has(v.kind) || v.kind === 'ntrev' || v.kind === 'bker') skip(`no ${v.kind === 'ntrev' ? '缴款码' : v.kind === 'bker' ? 'bank serial number' : 'invoice number'} to cite`);
    else skip(`no matching rule covers kind ${v.kind}`);
  }
}

/** Generates the month; the same options (and maker seed) always give the same month. */
export function generateMonth(options: MonthOptions): GeneratedMonth {
  const opts = { seed: 'month', period: '2025-03', journals: 5000, idPrefix: '', ...options };
  const b = new Builder(opts);
  const rng = b.rng;
  const cases = Object.entries(CASE_RATES) as [Exclude<CaseName, 'corpus-voucher'>, number][];
  while (b.out.journals.length < opts.journals) {
    let r = rng.u32() / 0x1_0000_0000;
    let c: Exclude<CaseName, 'corpus-voucher'> = 'single-invoice';
    for (const [name, rate] of cases) {
      if (r < rate) {
        c = name;
        break;
      }
      r -= rate;
    }
    b.event(c, b.dayInMonth());
  }
  // The same voucher twice (an OFD and its XML, issuer and receiver copies) is one voucher to the pool.
  const seen = new Set<string>();
  for (const { name, voucher } of options.corpus ?? []) {
    const key = `${voucher.kind}|${voucher.invoiceCode ?? ''}|${voucher.invoiceNumber ?? ''}|${voucher.bankSerialNumber ?? ''}|${(voucher.extra?.paymentCode as string) ?? ''}`;
    if (seen.has(key) && key !== `${voucher.kind}||||`) {
      b.out.corpusSkipped.push({ name, kind: voucher.kind, why: 'same voucher as an earlier corpus file (the pool keeps one)' });
      continue;
    }
    seen.add(key);
    b.corpusEvent(name, voucher);
  }
  return b.out;
}

/** One realistic typing error: a wrong digit, two digits swapped, a digit dropped or doubled. */
export function mistype(rng: Prng, s: string): string {
  const i = rng.int(1, s.length - 2);
  switch (rng.int(0, 3)) {
    case 0: {
      const d = (Number(s[i]) + rng.int(1, 9)) % 10;
      return s.slice(0, i) + d + s.slice(i + 1);
    }
    case 1:
      return s[i] === s[i + 1] ? s.slice(0, i) + ((Number(s[i]) + 1) % 10) + s.slice(i + 1) : s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
    case 2:
      return s.slice(0, i) + s.slice(i + 1);
    default:
      return s.slice(0, i) + s[i] + s.slice(i);
  }
}
