/**
 * A realistic month of one budget unit's bookkeeping, seeded, with the ground-truth links: journal vouchers
 * (记账凭证) booking invoices, travel tickets, non-tax payments and bank receipts, plus the hard cases at
 * rates seen in practice — several invoices in one journal voucher, one invoice paid in parts, red invoices,
 * mistyped numbers, nothing cited, same amount on the same day — and records on either side with no partner.
 *
 * Vouchers are generated as Voucher-shaped records (the factory builds sealed files, far too slow for 10⁵+
 * items, and only the fields matching reads matter here). Names are the factory's obviously synthetic parties.
 */
import { Prng } from '../../../formats/factory/prng';
import { syntheticCompany, type Company } from '../../../formats/factory/parties';
import { fromFen } from '../../../formats/kinds/money';
import type { Voucher, VoucherKind } from '../../../formats/voucher';
import type { JournalEntry, JournalVoucher } from '../../ledger/journal';

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
  | 'non-tax-income'
  | 'bank-receipt'
  | 'no-original'
  | 'unbooked-voucher';

/** Share of business events per case; the rest of the month is the common case. */
export const CASE_RATES: Record<Exclude<CaseName, 'single-invoice'>, number> = {
  'invoice-in-attachments': 0.08,
  'several-invoices': 0.1,
  'split-payment': 0.04,
  'red-invoice': 0.02,
  'typo-number': 0.03,
  'nothing-cited': 0.04,
  'same-amount-same-day': 0.015,
  'travel-reimbursement': 0.08,
  'non-tax-income': 0.08,
  'bank-receipt': 0.08,
  'no-original': 0.1,
  'unbooked-voucher': 0.04,
};

export interface GeneratedMonth {
  period: string;
  journals: { id: string; voucher: JournalVoucher; case: CaseName }[];
  vouchers: { id: string; voucher: Voucher; reimbursementId?: string; case: CaseName }[];
  /** Ground truth: which journal voucher books which original voucher. */
  truth: { journalId: string; voucherId: string; case: CaseName }[];
  cases: Partial<Record<CaseName, number>>;
}

export interface MonthOptions {
  seed?: string;
  /** YYYY-MM */
  period?: string;
  /** At least this many journal vouchers. */
  journals?: number;
  /** Prefix for ids (several months or units in one run). */
  idPrefix?: string;
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

  constructor(
    readonly opts: Required<MonthOptions>,
  ) {
    this.rng = new Prng(opts.seed);
    this.out = { period: opts.period, journals: [], vouchers: [], truth: [], cases: {} };
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

  invoice(c: CaseName, amount: bigint, issueDate: string, seller = this.company(), kind?: VoucherKind): { id: string; v: Voucher } {
    const k = kind ?? this.rng.pick<VoucherKind>(['einv_ord', 'einv_ord', 'einv_spcl', 'inv_ord', 'inv_spcl']);
    const number = k.startsWith('einv') ? this.unique(() => `${String(this.y).slice(2)}${this.rng.digits(18)}`) : this.unique(() => this.rng.digits(8, true));
    const tax = (amount * 6n) / 106n;
    const v: Voucher = {
      kind: k,
      invoiceCode: k.startsWith('inv') ? `0${this.rng.digits(11)}` : undefined,
      invoiceNumber: number,
      issueDate,
      amountExTax: fromFen(amount - tax),
      taxAmount: fromFen(tax),
      totalAmount: fromFen(amount),
      currency: 'CNY',
      sellerName: seller.name,
      sellerTaxId: seller.taxId,
      buyerName: '示例市财政局测试预算单位',
      lineItems: [{ name: '*现代服务*服务费', amount: fromFen(amount - tax), taxAmount: fromFen(tax) }],
      extra: {},
      sources: {},
      signatures: [],
      signatureVerdict: 'valid',
      warnings: [],
    };
    return this.addVoucher(c, v);
  }

  addVoucher(c: CaseName, v: Voucher, reimbursementId?: string): { id: string; v: Voucher } {
    const id = `${this.opts.idPrefix}v${++this.vseq}`;
    this.out.vouchers.push({ id, voucher: v, reimbursementId, case: c });
    return { id, v };
  }

  journal(c: CaseName, day: number, summary: string, entries: Omit<JournalEntry, 'line'>[], refs: Partial<JournalVoucher['references']> = {}, attachments = 0): string {
    const id = `${this.opts.idPrefix}j${++this.seq}`;
    const number = String(this.seq).padStart(4, '0');
    const debit = entries.reduce((s, e) => s + BigInt(e.debit.replace('.', '')), 0n);
    this.out.journals.push({
      id,
      case: c,
      voucher: {
        number,
        voucherType: '记',
        date: this.date(day),
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

  item(account: (typeof EXPENSES)[number]): string {
    return this.rng.pick(account[2]);
  }
}

/** Generates the month; the same options always give the same month. */
export function generateMonth(options: MonthOptions = {}): GeneratedMonth {
  const opts: Required<MonthOptions> = { seed: 'month', period: '2025-03', journals: 5000, idPrefix: '', ...options };
  const b = new Builder(opts);
  const rng = b.rng;
  const cases = Object.entries(CASE_RATES) as [CaseName, number][];
  while (b.out.journals.length < opts.journals) {
    let r = rng.u32() / 0x1_0000_0000;
    let c: CaseName = 'single-invoice';
    for (const [name, rate] of cases) {
      if (r < rate) {
        c = name;
        break;
      }
      r -= rate;
    }
    const day = b.dayInMonth();
    switch (c) {
      case 'single-invoice':
      case 'invoice-in-attachments': {
        const acc = rng.pick(EXPENSES);
        const seller = b.company();
        const inv = b.invoice(c, b.amount(), b.before(day), seller);
        const item = b.item(acc);
        const j =
          c === 'single-invoice'
            ? b.journal(c, day, `报销${item} 发票号${inv.v.invoiceNumber}`, b.expense(BigInt(inv.v.totalAmount!.replace('.', '')), seller.name, acc), {}, 1)
            : b.journal(c, day, `支付${seller.name}${item}款`, b.expense(BigInt(inv.v.totalAmount!.replace('.', '')), seller.name, acc), { attachments: [`发票_${inv.v.invoiceNumber}.ofd`] }, 1);
        b.link(c, j, inv.id);
        break;
      }
      case 'several-invoices': {
        const n = rng.int(2, 6);
        const acc = rng.pick(EXPENSES);
        const invs = Array.from({ length: n }, () => b.invoice(c, b.amount() / 4n + 100n, b.before(day)));
        const total = invs.reduce((s, x) => s + BigInt(x.v.totalAmount!.replace('.', '')), 0n);
        const j = b.journal(c, day, `报销${b.item(acc)}等${n}张发票`, b.expense(total, undefined, acc), { invoiceNumbers: invs.map((x) => x.v.invoiceNumber!) }, n);
        for (const x of invs) b.link(c, j, x.id);
        break;
      }
      case 'split-payment': {
        const total = b.amount() + 100_000n;
        const seller = b.company();
        const inv = b.invoice(c, total, b.before(Math.min(day, 10), 10), seller);
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
        const seller = b.company();
        const amt = b.amount();
        const orig = b.invoice(c, amt, b.before(day, 5), seller);
        const j1 = b.journal(c, day, `报销办公用品 发票号${orig.v.invoiceNumber}`, b.expense(amt, seller.name), {}, 1);
        b.link(c, j1, orig.id);
        const red = b.invoice(c, -amt, b.date(Math.min(day + rng.int(1, 10), 28)), seller, orig.v.kind);
        red.v.extra.originalInvoiceNumber = orig.v.invoiceNumber;
        const j2 = b.journal(c, Math.min(day + rng.int(10, 20), 28), `冲销退货 红字发票${red.v.invoiceNumber} 原发票${orig.v.invoiceNumber}`, b.expense(-amt, seller.name), {}, 1);
        b.link(c, j2, red.id);
        break;
      }
      case 'typo-number': {
        const seller = b.company();
        const inv = b.invoice(c, b.amount(), b.before(day), seller);
        const typo = mistype(rng, inv.v.invoiceNumber!);
        const j = b.journal(c, day, `报销会议费 发票号${typo}`, b.expense(BigInt(inv.v.totalAmount!.replace('.', '')), seller.name), {}, 1);
        b.link(c, j, inv.id);
        break;
      }
      case 'nothing-cited': {
        const seller = b.company();
        const inv = b.invoice(c, b.amount(), b.date(Math.max(1, day - rng.int(0, 20))), seller);
        const j = b.journal(c, day, `支付${seller.name}服务费`, b.expense(BigInt(inv.v.totalAmount!.replace('.', '')), seller.name), {}, 1);
        b.link(c, j, inv.id);
        break;
      }
      case 'same-amount-same-day': {
        // Two sellers, two invoices of the same amount on the same day, booked the same day without numbers.
        const amt = BigInt(rng.int(5, 200)) * 10_000n;
        const issued = b.date(Math.max(1, day - 2));
        for (let k = 0; k < 2; k++) {
          const seller = b.company();
          const inv = b.invoice(c, amt, issued, seller);
          const j = b.journal(c, day, `支付${seller.name}服务费`, b.expense(amt, seller.name), {}, 1);
          b.link(c, j, inv.id);
        }
        break;
      }
      case 'travel-reimbursement': {
        const rid = b.unique(() => `BX${opts.period.replace('-', '')}${rng.digits(6)}`);
        const n = rng.int(1, 4);
        const tickets = Array.from({ length: n }, (_, k) => {
          const kind: VoucherKind = rng.chance(0.6) ? 'rai' : 'atr';
          const fare = BigInt(rng.int(50, 2500)) * 100n + (rng.chance(0.3) ? 50n : 0n);
          return b.invoice(c, fare, b.before(day, 20), k === 0 ? b.company() : b.company(), kind);
        });
        for (const t of tickets) t.v.sellerName = t.v.kind === 'rai' ? '中国铁路示例局集团有限公司' : '示例航空股份有限公司';
        // The tickets were added last: tag them with the reimbursement document that claimed them.
        for (let k = b.out.vouchers.length - n; k < b.out.vouchers.length; k++) b.out.vouchers[k].reimbursementId = rid;
        const total = tickets.reduce((s, x) => s + BigInt(x.v.totalAmount!.replace('.', '')), 0n);
        const j = b.journal(c, day, `报销差旅费 报销单${rid}`, b.expense(total, undefined, [TRAVEL[0], TRAVEL[1], []]), { reimbursementIds: [rid] }, n);
        for (const t of tickets) b.link(c, j, t.id);
        break;
      }
      case 'non-tax-income': {
        const code = b.unique(() => `${opts.period.slice(0, 4)}${rng.digits(16)}`);
        const amt = b.amount();
        const payer = b.company();
        const v: Voucher = {
          kind: 'ntrev',
          invoiceNumber: b.unique(() => rng.digits(10, true)),
          issueDate: b.date(Math.max(1, day - rng.int(0, 5))),
          totalAmount: fromFen(amt),
          payerName: payer.name,
          payeeName: '示例市财政局非税收入汇缴结算户',
          lineItems: [{ name: '行政事业性收费', amount: fromFen(amt) }],
          extra: { paymentCode: code },
          sources: {},
          signatures: [],
          signatureVerdict: 'unsupported',
          warnings: [],
        };
        const x = b.addVoucher(c, v);
        const j = b.journal(
          c,
          day,
          `收到${payer.name}非税收入 缴款码${code}`,
          [
            { accountCode: '100201', accountName: '银行存款-基本户', debit: fromFen(amt), credit: '0.00', counterparty: payer.name },
            { accountCode: '2103', accountName: '应缴财政款', debit: '0.00', credit: fromFen(amt) },
          ],
          {},
          1,
        );
        b.link(c, j, x.id);
        break;
      }
      case 'bank-receipt': {
        const serial = b.unique(() => `HX${opts.period.replace('-', '')}${rng.digits(10)}`);
        const amt = b.amount();
        const payee = b.company();
        const v: Voucher = {
          kind: 'bker',
          issueDate: b.date(day),
          totalAmount: fromFen(amt),
          bankSerialNumber: serial,
          payerName: '示例市财政局测试预算单位',
          payerAccount: '6222000000000000001',
          payeeName: payee.name,
          payeeAccount: payee.account,
          lineItems: [],
          extra: { creditOrDebit: '借' },
          sources: {},
          signatures: [],
          signatureVerdict: 'valid',
          warnings: [],
        };
        const x = b.addVoucher(c, v);
        const j = b.journal(
          c,
          day,
          `支付${payee.name}货款`,
          [
            { accountCode: '2302', accountName: '应付账款', debit: fromFen(amt), credit: '0.00', counterparty: payee.name },
            { accountCode: '100201', accountName: '银行存款-基本户', debit: '0.00', credit: fromFen(amt), counterpartyAccount: payee.account },
          ],
          { bankSerials: [serial] },
          1,
        );
        b.link(c, j, x.id);
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
      case 'unbooked-voucher': {
        // Received but not booked yet this month: stays unmatched.
        b.invoice(c, b.amount(), b.date(day));
        b.out.cases[c] = (b.out.cases[c] ?? 0) + 1;
        break;
      }
    }
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
