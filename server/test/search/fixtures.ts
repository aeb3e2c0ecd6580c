/**
 * Fixture documents shared by the behavioural suite of both backends: two units, Chinese party names,
 * invoice numbers, kinds, dates and amounts chosen so that each query below has a small, known answer.
 */
import { sql } from 'kysely';
import type { Db } from '../../src/platform/database/database';
import type { SearchDocumentInput } from '../../src/modules/search/search.types';

export const UNIT_A = '0a000000-0000-4000-8000-00000000000a';
export const UNIT_B = '0b000000-0000-4000-8000-00000000000b';
export const FONDS_A = '0a000000-0000-4000-8000-0000000000fa';

export async function seedUnits(db: Db): Promise<void> {
  await sql`insert into unit (id, code, name) values (${UNIT_A}, 'NT-CZJ', '南通市财政局'), (${UNIT_B}, 'RG-JYJ', '如皋市教育局')`.execute(db);
  await sql`insert into fonds (id, code, name, unit_id) values (${FONDS_A}, 'Q001', '南通市财政局全宗', ${UNIT_A})`.execute(db);
}

const v = (sourceId: string, d: Partial<SearchDocumentInput>): SearchDocumentInput => ({
  docType: 'voucher',
  sourceId,
  unitId: UNIT_A,
  fondsId: FONDS_A,
  category: 'voucher',
  title: '',
  state: 'archived',
  ...d,
  year: d.year ?? (d.date ? Number(d.date.slice(0, 4)) : null),
  period: d.period ?? (d.date ? Number(d.date.slice(5, 7)) : null),
});

export const DOCS: SearchDocumentInput[] = [
  v('v01', { kind: 'einv_ord', title: '电子发票（普通发票）', number: '24320000000000000101', amount: '1280.00', date: '2024-03-15', parties: ['南通市财政局培训中心', '南通市财政局'], body: '会议费' }),
  v('v02', { kind: 'inv_spcl', title: '增值税电子专用发票', number: '24320000000000000102', numbers: ['032002400111'], amount: '56000.00', date: '2024-03-28', parties: ['示例科技有限公司12', '南通市财政局'], body: '办公设备 服务器' }),
  v('v03', { kind: 'rai', title: '铁路电子客票', number: 'E123456789', amount: '354.50', date: '2024-04-02', parties: ['测试甲1'], body: '南京南-南通 二等座', state: 'booked' }),
  v('v04', { kind: 'bker', title: '银行电子回单', number: '2024040500001', amount: '100000.00', date: '2024-04-05', parties: ['南通市财政局', '示例银行南通分行'], body: '国库集中支付 差旅费' }),
  v('v05', { kind: 'efi', title: '财政电子票据', number: '0001234567', amount: '45.00', date: '2023-12-20', parties: ['南通大学'], body: '非税收入 住宿费' }),
  v('v06', { kind: 'einv_ord', title: '电子发票（普通发票）', number: '24320000000000000106', amount: '88.00', date: '2024-06-01', parties: ['如东县财政局'], body: '资料费' }),
  v('v07', { kind: 'inv_ord', title: '增值税电子普通发票', number: '3200000007', amount: '150.00', date: '2023-11-11', parties: ['示例贸易有限公司3'], body: '复印纸 A4' }),
  {
    docType: 'journal', sourceId: 'j01', unitId: UNIT_A, fondsId: FONDS_A, kind: 'journal', category: 'voucher', year: 2024, period: 3,
    archivalCode: 'NT001-2024-KJ-PZ-0031', number: '记-0031', title: '记账凭证 记-0031', amount: '1280.00', date: '2024-03-31',
    accounts: ['1001 库存现金', '6602 管理费用'], body: '支付会议费 南通', state: 'archived', retention: '30y',
  },
  { docType: 'ledger', sourceId: 'l01', unitId: UNIT_A, fondsId: FONDS_A, kind: 'general_ledger', category: 'ledger', year: 2024, title: '2024年总账', state: 'archived', retention: '30y', archivalCode: 'NT001-2024-KJ-ZB-0001' },
  { docType: 'report', sourceId: 'r01', unitId: UNIT_A, fondsId: FONDS_A, kind: 'monthly_report', category: 'report', year: 2024, period: 3, date: '2024-04-10', title: '2024年3月财务报告', state: 'archived', retention: 'permanent' },
  v('b01', { unitId: UNIT_B, fondsId: null, kind: 'einv_ord', title: '电子发票（普通发票）', number: '24320000000000000201', amount: '980.00', date: '2024-03-20', parties: ['南通市财政局培训中心', '如皋市教育局'], body: '会议费' }),
  v('b02', { unitId: UNIT_B, fondsId: null, kind: 'inv_ord', title: '增值税电子普通发票', number: '3200000202', amount: '320.00', date: '2024-05-01', parties: ['示例餐饮管理有限公司7', '如皋市教育局'], body: '餐费' }),
];

/** Short ids in assertions: `voucher:v01` → v01. */
export const short = (id: string) => id.split(':')[1];
