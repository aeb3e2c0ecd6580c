/**
 * The MoF e-voucher kinds that travel as XBRL (and the toolkit's JSON twin): railway and air tickets, fiscal
 * e-receipts, non-tax payment forms (with 缴款码), treasury payment vouchers, bank receipts and statements.
 * Each is generated as a Voucher (fields + the kind's extras, every field sourced `xbrl`), written through the
 * element maps (`xbrl/write.ts`), and paired with the Voucher the readers must give back — including what the
 * kind's normaliser derives (route, refund fee, statement period), computed here independently.
 */
import { emptyVoucher } from '../kinds/build';
import type { LineItem, Voucher } from '../voucher';
import { amountInWords, money, taxOf } from './amounts';
import { syntheticCompany, syntheticPerson, syntheticUscc } from './parties';
import type { Prng } from './prng';

export type DataKind = 'rai' | 'atr' | 'efi' | 'ntrev' | 'ctp' | 'bker' | 'bkrs';
export const DATA_KINDS: readonly DataKind[] = ['rai', 'atr', 'efi', 'ntrev', 'ctp', 'bker', 'bkrs'];

/** Issuer-side element map of each kind (schemas/xbrl/<configId>.json). */
export const CONFIG_ID: Record<DataKind, string> = {
  rai: 'rai_issuer',
  atr: 'atr_issuer',
  efi: 'efi',
  ntrev: 'ntrev_gpm_issuer',
  ctp: 'ctp',
  bker: 'bker_issuer',
  bkrs: 'bkrs',
};

export interface DataOverrides {
  /** YYYY-MM-DD */
  issueDate?: string;
  /** Total in fen (bker, ctp, efi, ntrev, rai, atr). */
  totalFen?: bigint;
  /** Railway: a refund ticket (退票), whose fare is the refund fee. */
  refund?: boolean;
  /** Bank statement: number of lines (default 3–8). */
  lines?: number;
}

export interface DataVoucher {
  configId: string;
  /** What is written (fields with their `xbrl` source). */
  voucher: Voucher;
  /** What the readers must return. */
  expected: Voucher;
  /** Context of the XBRL instance. */
  entityIdentifier: string;
}

const STATIONS = ['北京南', '上海虹桥', '杭州东', '南京南', '广州南', '成都东', '武汉', '西安北'];
const AIRPORTS = ['PEK', 'SHA', 'HGH', 'CAN', 'CTU', 'WUH', 'XIY', 'NKG'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function date(rng: Prng, o: DataOverrides): string {
  return o.issueDate ?? `${rng.int(2022, 2026)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`;
}

/** Sets a field with source xbrl (top-level) — the writer only writes fields that have a recorded source. */
function set<K extends keyof Voucher>(v: Voucher, field: K, value: Voucher[K]) {
  v[field] = value;
  v.sources[field as string] = 'xbrl';
}

export function dataVoucher(rng: Prng, kind: DataKind, serial: number, o: DataOverrides = {}): DataVoucher {
  const v = emptyVoucher(kind);
  const issueDate = date(rng, o);
  const ymd = issueDate.replace(/-/g, '');
  set(v, 'issueDate', issueDate);
  const x = v.extra;
  const derived: Record<string, unknown> = {};
  let entity = syntheticUscc(rng);

  switch (kind) {
    case 'rai': {
      // 票价 includes 9% VAT; the ticket prints the tax-exclusive amount and the tax separately.
      const total = o.totalFen ?? BigInt(rng.int(20, 1500)) * 100n + BigInt(rng.int(0, 1) * 50);
      const exTax = (total * 100n + 54n) / 109n;
      const [from, to] = twoOf(rng, STATIONS);
      const buyer = syntheticCompany(rng);
      set(v, 'title', '电子发票（铁路电子客票）');
      set(v, 'invoiceNumber', `${issueDate.slice(2, 4)}${rng.digits(2)}7${pad(serial % 1e15, 15)}`);
      set(v, 'amountExTax', money(exTax));
      set(v, 'taxAmount', money(total - exTax));
      set(v, 'buyerName', buyer.name);
      set(v, 'buyerTaxId', buyer.taxId);
      Object.assign(x, {
        eTicketNumber: `${rng.digits(5, true)}${rng.digits(16)}`,
        businessType: o.refund ? '退票' : '售票',
        departureStation: from,
        destinationStation: to,
        trainNumber: `${rng.pick(['G', 'D', 'C'])}${rng.int(1, 9999)}`,
        travelDate: issueDate,
        departureTime: `${pad(rng.int(6, 21))}:${pad(rng.int(0, 59))}`,
        seatLevel: rng.pick(['二等座', '一等座', '商务座']),
        carriage: pad(rng.int(1, 16)),
        seat: `${pad(rng.int(1, 20))}${rng.pick(['A', 'B', 'C', 'D', 'F'])}`,
        fare: money(total),
        taxRate: '0.09',
        traveller: syntheticPerson(rng),
        travellerIdNumber: `${rng.digits(6, true)}19${rng.digits(2)}****${rng.digits(3)}X`,
      });
      derived.route = `${from}→${to}`;
      if (o.refund) derived.refundFee = money(total);
      // Fare is the 价税合计 (kinds/travel.ts): no separate total element on the ticket.
      v.totalAmount = undefined;
      break;
    }
    case 'atr': {
      const fare = BigInt(rng.int(300, 3000)) * 100n;
      const fuel = BigInt(rng.int(0, 20)) * 1000n;
      const fund = 5000n;
      const tax = taxOf(fare + fuel, 9);
      const [from, to] = twoOf(rng, AIRPORTS);
      const carrier = rng.pick(['CA', 'MU', 'CZ', '3U']);
      const flight = `${carrier}${rng.int(1000, 9999)}`;
      const buyer = syntheticCompany(rng);
      set(v, 'invoiceNumber', `${issueDate.slice(2, 4)}${rng.digits(2)}8${pad(serial % 1e15, 15)}`);
      set(v, 'checkCode', rng.digits(4));
      set(v, 'taxAmount', money(tax));
      set(v, 'totalAmount', money(fare + fuel + tax + fund));
      set(v, 'sellerName', `示例航空票务有限公司${rng.int(1, 99)}`);
      set(v, 'buyerName', buyer.name);
      set(v, 'buyerTaxId', buyer.taxId);
      Object.assign(x, {
        traveller: syntheticPerson(rng),
        travellerIdNumber: `${rng.digits(6, true)}19${rng.digits(2)}****${rng.digits(3)}X`,
        fare: money(fare),
        fuelSurcharge: money(fuel),
        civilAviationDevelopmentFund: money(fund),
        taxRate: '0.09',
        eTicketNumber: `${rng.digits(3, true)}${rng.digits(10)}`,
        segments: [{ from, to, carrier, flight, class: rng.pick(['Y', 'B', 'M']), date: issueDate, time: `${pad(rng.int(6, 22))}${pad(rng.int(0, 5) * 10)}` }],
      });
      derived.route = `${from}→${to}`;
      derived.flights = [flight];
      break;
    }
    case 'efi':
    case 'ntrev': {
      const agency = `示例市测试局${rng.int(1, 99)}`;
      const payer = syntheticCompany(rng);
      const items: LineItem[] = [];
      const itemExtras: Record<string, unknown>[] = [];
      let total = 0n;
      for (let i = 0, n = rng.int(1, 3); i < n; i++) {
        const q = rng.int(1, 5);
        const price = BigInt(rng.int(10, 2000)) * 100n;
        total += price * BigInt(q);
        items.push({ name: rng.pick(['行政事业性收费', '考试费', '工本费', '培训费', '资料费']), unit: '次', quantity: String(q), unitPrice: money(price).replace(/\.?0+$/, ''), amount: money(price * BigInt(q)) });
        itemExtras.push({ [kind === 'efi' ? 'itemCode' : 'incomeCode']: `${rng.int(100, 999)}${rng.digits(5)}` });
      }
      const code = `${rng.int(11, 65)}${rng.digits(6)}`;
      const number = pad(serial % 1e10, 10);
      set(v, 'invoiceCode', code);
      set(v, 'invoiceNumber', number);
      set(v, 'checkCode', rng.hex(6).toLowerCase());
      set(v, 'totalAmount', money(total));
      set(v, 'payerName', payer.name);
      // Line items travel as tuples; the XBRL reader records no source for them.
      v.lineItems = items;
      x.lineItemExtras = itemExtras;
      if (kind === 'efi') {
        set(v, 'title', '非税收入统一票据（电子）');
        set(v, 'sellerName', agency);
        set(v, 'sellerTaxId', (entity = syntheticUscc(rng)));
        set(v, 'buyerTaxId', payer.taxId);
        x.eInvoiceId = `${code}-${number}`;
      } else {
        set(v, 'title', '非税收入一般缴款书（电子）');
        set(v, 'payeeName', `${agency}非税收入专户`);
        set(v, 'payeeAccount', rng.digits(19, true));
        set(v, 'payeeBank', '示例银行测试支行');
        set(v, 'payerAccount', payer.account);
        set(v, 'payerBank', payer.bank);
        // 缴款码: the 20-digit code the payer pays with (evoucher-standard §8).
        x.paymentCode = rng.digits(20, true);
        x.executingAgencyName = agency;
      }
      break;
    }
    case 'ctp': {
      const total = o.totalFen ?? BigInt(rng.int(1000, 10_000_000));
      const region = `${rng.pick(['11', '31', '33', '44'])}0000`;
      set(v, 'invoiceNumber', `${ymd}${pad(serial % 1e6, 6)}`);
      set(v, 'totalAmount', money(total));
      Object.assign(x, { uniqueCode: `${region}${ymd}${pad(serial % 1e8, 8)}`, adminDivisionCode: region, fiscalYear: issueDate.slice(0, 4), voucherTypeCode: '8202' });
      break;
    }
    case 'bker': {
      const total = o.totalFen ?? BigInt(rng.int(100, 50_000_000));
      const payer = syntheticCompany(rng);
      const payee = syntheticCompany(rng);
      entity = payer.taxId;
      set(v, 'invoiceNumber', `${ymd}${pad(serial % 1e10, 10)}`);
      set(v, 'checkCode', rng.hex(16));
      set(v, 'bankSerialNumber', `${ymd}${rng.digits(12)}`);
      set(v, 'currency', 'CNY');
      set(v, 'totalAmount', money(total));
      set(v, 'payerName', payer.name);
      set(v, 'payerAccount', payer.account);
      set(v, 'payerBank', payer.bank);
      set(v, 'payeeName', payee.name);
      set(v, 'payeeAccount', payee.account);
      set(v, 'payeeBank', payee.bank);
      Object.assign(x, { receiptType: '转账回单', creditOrDebit: '借', bookkeepingDate: issueDate, totalAmountInWords: amountInWords(total), usage: rng.pick(['货款', '服务费', '往来款', '报销款']) });
      break;
    }
    case 'bkrs': {
      const account = syntheticCompany(rng);
      entity = account.taxId;
      const [y, m] = issueDate.split('-');
      let balance = BigInt(rng.int(100_000, 100_000_000));
      const lines: Record<string, unknown>[] = [];
      for (let i = 0, n = o.lines ?? rng.int(3, 8); i < n; i++) {
        const credit = rng.chance(0.5);
        const amount = BigInt(rng.int(100, 5_000_000));
        balance += credit ? amount : -amount;
        const other = syntheticCompany(rng);
        lines.push({
          bookkeepingDate: `${y}-${m}-${pad(Math.min(28, 1 + i * 3))}`,
          serialNumber: `${y}${m}${rng.digits(10)}`,
          creditOrDebit: credit ? '贷' : '借',
          amount: money(amount),
          balance: money(balance),
          counterpartyAccount: other.account,
          counterpartyName: other.name,
          counterpartyBank: other.bank,
        });
      }
      set(v, 'currency', 'CNY');
      Object.assign(x, {
        account: account.account,
        accountName: account.name,
        statementYear: y,
        statementMonth: m,
        closingBalance: money(balance),
        statementLines: lines,
      });
      derived.statementPeriod = `${y}-${m}`;
      break;
    }
  }
  const expected: Voucher = structuredClone(v);
  Object.assign(expected.extra, derived);
  if (kind === 'rai') {
    expected.totalAmount = x.fare as string;
    expected.sources.totalAmount = 'xbrl';
  }
  return { configId: CONFIG_ID[kind], voucher: v, expected, entityIdentifier: entity };
}

function twoOf<T>(rng: Prng, items: readonly T[]): [T, T] {
  const a = rng.int(0, items.length - 1);
  const b = (a + rng.int(1, items.length - 1)) % items.length;
  return [items[a], items[b]];
}
