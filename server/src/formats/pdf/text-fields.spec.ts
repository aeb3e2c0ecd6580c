import type { RawTextItem } from './engine';
import { layoutPage } from './layout';
import { readTextLayer } from './text-fields';

/** A text run as pdf.js reports it: CJK glyphs one em wide, ASCII half an em. */
function run(str: string, x: number, y: number, size = 9): RawTextItem {
  const width = [...str].reduce((w, c) => w + (c.charCodeAt(0) > 0x7f ? size : size / 2), 0);
  return { str, a: size, b: 0, c: 0, d: size, x, y, width, height: size, font: 'f' };
}

describe('readTextLayer by kind (printed forms, synthetic positions)', () => {
  it('railway e-ticket: number, date, fare as total, buyer, refund flag', () => {
    const layer = readTextLayer(
      layoutPage([
        run('电子发票（铁路电子客票）', 180, 380, 16),
        run('发票号码:', 420, 360),
        run('25429165800000012345', 460, 360),
        run('开票日期:', 420, 345),
        run('2025年03月08日', 460, 345),
        run('电子客票号:', 20, 330),
        run('E123456789012345678901234', 75, 330),
        run('退票费:', 20, 200),
        run('￥12.50', 55, 200),
        run('购买方名称:', 20, 150),
        run('示例有限公司', 75, 150),
        run('统一社会信用代码:', 250, 150),
        run('91110000000000000X', 330, 150),
      ]),
    );
    expect(layer.kind).toBe('rai');
    expect(layer.fields).toMatchObject({
      invoiceNumber: '25429165800000012345',
      issueDate: '2025-03-08',
      totalAmount: '12.50',
      buyerName: '示例有限公司',
      buyerTaxId: '91110000000000000X',
    });
    expect(layer.extra).toMatchObject({ refund: true, eTicketNumber: 'E123456789012345678901234' });
  });

  it('fiscal e-receipt (票据（电子）): code, number, check code, payer, collecting unit, total', () => {
    const layer = readTextLayer(
      layoutPage([
        run('浙江省医疗门诊收费票据（电子）', 150, 380, 16),
        run('票据代码：', 20, 350),
        run('33060122', 65, 350),
        run('票据号码：', 200, 350),
        run('0012345678', 245, 350),
        run('校验码：', 380, 350),
        run('a1b2c3', 416, 350),
        run('交款人：', 20, 330),
        run('张某', 56, 330),
        run('开票日期：', 380, 330),
        run('2024-05-06', 425, 330),
        run('金额合计（小写）', 20, 120),
        run('¥356.20', 100, 120),
        run('收款单位（章）：', 20, 60),
        run('示例市人民医院', 92, 60),
      ]),
    );
    expect(layer.kind).toBe('efi');
    expect(layer.fields).toEqual({
      invoiceCode: '33060122',
      invoiceNumber: '0012345678',
      checkCode: 'a1b2c3',
      issueDate: '2024-05-06',
      totalAmount: '356.20',
      currency: 'CNY',
      payerName: '张某',
      sellerName: '示例市人民医院',
    });
  });

  it('old VAT layout: seller and buyer told apart by the vertical 购买方 / 销售方 columns', () => {
    const col = (text: string, x: number, top: number) => [...text].map((c, i) => run(c, x, top - i * 14));
    const layer = readTextLayer(
      layoutPage([
        run('示例省增值税电子普通发票', 200, 360, 18),
        ...col('购买方', 28, 295),
        run('名', 48, 299),
        run('称:', 93, 299),
        run('买方公司', 108, 299),
        run('纳税人识别号:', 48, 284),
        run('91110000000000001A', 108, 284, 12),
        ...col('销售方', 29, 84),
        run('名', 48, 91),
        run('称:', 93, 91),
        run('卖方公司', 106, 91),
        run('纳税人识别号:', 48, 76),
        run('91110000000000002B', 106, 76, 12),
      ]),
    );
    expect(layer.kind).toBe('inv_ord');
    expect(layer.title).toBe('示例省增值税电子普通发票');
    expect(layer.fields).toMatchObject({ buyerName: '买方公司', buyerTaxId: '91110000000000001A', sellerName: '卖方公司', sellerTaxId: '91110000000000002B' });
  });

  it('bank e-receipt worded 付款方户名 / 开户银行 / 交易金额（小写）', () => {
    const layer = readTextLayer(
      layoutPage([
        run('中国示例银行电子回单', 200, 380, 16),
        run('回单编号：', 20, 350),
        run('A0012', 65, 350),
        run('交易日期：', 300, 350),
        run('2024-06-30', 345, 350),
        run('付款方户名：', 20, 320),
        run('甲公司', 74, 320),
        run('收款方户名：', 300, 320),
        run('乙公司', 354, 320),
        run('付款方账号：', 20, 305),
        run('6222000011112222', 74, 305),
        run('收款方账号：', 300, 305),
        run('6222000033334444', 354, 305),
        run('付款方开户银行：', 20, 290),
        run('示例银行一支行', 92, 290),
        run('收款方开户银行：', 300, 290),
        run('示例银行二支行', 372, 290),
        run('币种：', 20, 270),
        run('人民币', 47, 270),
        run('交易金额（小写）：', 120, 270),
        run('¥1,234.50', 201, 270),
        run('交易流水号：', 20, 250),
        run('T20240630000123', 74, 250),
      ]),
    );
    expect(layer.kind).toBe('bker');
    expect(layer.fields).toEqual({
      invoiceNumber: 'A0012',
      issueDate: '2024-06-30',
      payerName: '甲公司',
      payerAccount: '6222000011112222',
      payerBank: '示例银行一支行',
      payeeName: '乙公司',
      payeeAccount: '6222000033334444',
      payeeBank: '示例银行二支行',
      totalAmount: '1234.50',
      currency: 'CNY',
      bankSerialNumber: 'T20240630000123',
    });
  });
});
