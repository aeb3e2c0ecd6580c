/**
 * 银行电子回单 as an OFD (the MoF pilot banks' form, voucher-formats.md §8): a receipt page with the labels on
 * the template and the values on the page, the bker XBRL instance as an invisible attachment, and the bank's
 * seal over the package.
 */
import { chineseDate } from './amounts';
import { ofdFiles, rectObject, textObject, textWidth, lineObject, type SealSpec } from './ofd-build';
import type { Voucher } from '../voucher';

export function bankReceiptOfdFiles(v: Voucher, xbrl: string, options: { docId: string; title: string; seal?: SealSpec }): Map<string, Uint8Array> {
  let next = 10;
  const tpl: string[] = [];
  const page: string[] = [];
  const row = (x: number, y: number, label: string, value: string | undefined) => {
    tpl.push(textObject(next++, x, y, label));
    if (value) page.push(textObject(next++, x + textWidth(label, 3.175) + 1, y, value));
  };
  const size = 6;
  tpl.push(textObject(next++, 105 - textWidth(options.title, size) / 2, 6, options.title, size));
  tpl.push(rectObject(next++, 8, 18, 194, 92));
  const x = v.extra;
  row(12, 20, '回单编号：', v.invoiceNumber);
  row(110, 20, '记账日期：', v.issueDate ? chineseDate(v.issueDate) : undefined);
  row(12, 28, '付款人户名：', v.payerName);
  row(12, 34, '付款人账号：', v.payerAccount);
  row(12, 40, '付款人开户行：', v.payerBank);
  tpl.push(lineObject(next++, 8, 46, 202, 46));
  row(12, 50, '收款人户名：', v.payeeName);
  row(12, 56, '收款人账号：', v.payeeAccount);
  row(12, 62, '收款人开户行：', v.payeeBank);
  tpl.push(lineObject(next++, 8, 68, 202, 68));
  row(12, 72, '金额：', `¥${v.totalAmount}`);
  row(80, 72, '大写：', x.totalAmountInWords as string | undefined);
  row(12, 80, '币种：', v.currency === 'CNY' ? '人民币' : v.currency);
  row(80, 80, '借贷标志：', x.creditOrDebit as string | undefined);
  row(12, 88, '用途：', x.usage as string | undefined);
  row(12, 96, '交易流水号：', v.bankSerialNumber);
  row(12, 104, '验证码：', v.checkCode);
  const file = `bker_issuer_${(v.issueDate ?? '').replace(/-/g, '')}_${v.invoiceNumber}.xml`;
  return ofdFiles(
    {
      docId: options.docId,
      creationDate: v.issueDate ?? '',
      creator: 'evarchive-factory',
      customData: [],
      width: 210,
      height: 120,
      templateContent: tpl.join(''),
      pageContent: page.join(''),
      images: [],
      attachments: [{ id: 9, name: file.replace(/\.xml$/, ''), file, bytes: xbrl }],
      maxUnitId: next,
    },
    options.seal,
  );
}
