/**
 * Invoice renditions: the OFD (layout of the tax bureau's 210×140 mm invoice: labels on the template page,
 * values on the page at the same baselines, custom tags pointing at the value objects), original_invoice.xml
 * (2019 `eInvoice`, for 增值税电子发票) and the 数电票 `EInvoice` XML (for 电子发票, which has no issuer XBRL map
 * in schemas/xbrl), written from one InvoiceData.
 */
import { amountInWords, chineseDate, money } from './amounts';
import { imageObject, lineObject, ofdFiles, rectObject, textObject, textWidth, xmlEscape, type SealSpec } from './ofd-build';
import { rateText, unitPriceText, type InvoiceData } from './invoice-data';
import { qrPng } from './png';

const enc = new TextEncoder();
const E = xmlEscape;

/** original_invoice.xml, 2019 schema: root un-namespaced, children fp: (ofd.md §7, element order of S1). */
export function originalInvoiceXml(inv: InvoiceData): string {
  const goods = inv.lines
    .map(
      (l, i) =>
        `<fp:GoodsInfo><fp:LineNo>${i + 1}</fp:LineNo><fp:LineNature>0</fp:LineNature><fp:Item>${E(l.name)}</fp:Item>` +
        (l.specification ? `<fp:Specification>${E(l.specification)}</fp:Specification>` : '') +
        (l.unit ? `<fp:MeasurementDimension>${E(l.unit)}</fp:MeasurementDimension>` : '') +
        `<fp:Price>${unitPriceText(l.unitPriceFen)}</fp:Price><fp:Quantity>${l.quantity * (inv.red ? -1 : 1)}</fp:Quantity>` +
        `<fp:Amount>${money(l.amountFen)}</fp:Amount><fp:TaxScheme>${rateText(l.ratePercent)}</fp:TaxScheme><fp:TaxAmount>${money(l.taxFen)}</fp:TaxAmount></fp:GoodsInfo>`,
    )
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?><eInvoice xmlns:fp="http://www.edrm.org.cn/schema/e-invoice/2019" Version="1.0">` +
    `<fp:TypeCode>${inv.kind === 'inv_spcl' ? '08' : '10'}</fp:TypeCode>` +
    `<fp:InvoiceCode>${inv.invoiceCode}</fp:InvoiceCode><fp:InvoiceNo>${inv.invoiceNumber}</fp:InvoiceNo>` +
    `<fp:IssueDate><![CDATA[${chineseDate(inv.issueDate)}]]></fp:IssueDate><fp:InvoiceCheckCode>${inv.checkCode}</fp:InvoiceCheckCode>` +
    `<fp:MachineNo>${inv.machineNumber}</fp:MachineNo><fp:GraphCode>${inv.qrPayload}</fp:GraphCode>` +
    `<fp:Buyer><fp:BuyerName>${E(inv.buyer.name)}</fp:BuyerName><fp:BuyerTaxID>${inv.buyer.taxId}</fp:BuyerTaxID>` +
    `<fp:BuyerAddrTel>${E(`${inv.buyer.address} ${inv.buyer.phone}`)}</fp:BuyerAddrTel><fp:BuyerFinancialAccount>${E(`${inv.buyer.bank} ${inv.buyer.account}`)}</fp:BuyerFinancialAccount></fp:Buyer>` +
    `<fp:Seller><fp:SellerName>${E(inv.seller.name)}</fp:SellerName><fp:SellerTaxID>${inv.seller.taxId}</fp:SellerTaxID>` +
    `<fp:SellerAddrTel>${E(`${inv.seller.address} ${inv.seller.phone}`)}</fp:SellerAddrTel><fp:SellerFinancialAccount>${E(`${inv.seller.bank} ${inv.seller.account}`)}</fp:SellerFinancialAccount></fp:Seller>` +
    `<fp:TaxInclusiveTotalAmount>${money(inv.totalFen)}</fp:TaxInclusiveTotalAmount><fp:TaxInclusiveTotalAmountWithWords>${amountInWords(inv.totalFen)}</fp:TaxInclusiveTotalAmountWithWords>` +
    `<fp:TaxExclusiveTotalAmount>${money(inv.exTaxFen)}</fp:TaxExclusiveTotalAmount><fp:TaxTotalAmount>${money(inv.taxFen)}</fp:TaxTotalAmount>` +
    (inv.remarks ? `<fp:Note>${E(inv.remarks)}</fp:Note>` : '') +
    `<fp:InvoiceClerk>${E(inv.drawer)}</fp:InvoiceClerk><fp:Payee>${E(inv.payee)}</fp:Payee><fp:Checker>${E(inv.reviewer)}</fp:Checker>` +
    (inv.original ? `<fp:OriginalInvoiceCode>${inv.original.code}</fp:OriginalInvoiceCode><fp:OriginalInvoiceNo>${inv.original.number}</fp:OriginalInvoiceNo>` : '') +
    `<fp:GoodsInfos>${goods}</fp:GoodsInfos></eInvoice>`
  );
}

/** 数电票 XML (voucher-formats.md §3c; the element set the xml reader knows). */
export function digitalInvoiceXml(inv: InvoiceData): string {
  const special = inv.kind === 'einv_spcl';
  const items = inv.lines
    .map(
      (l) =>
        `<IssuItemInformation><ItemName>${E(l.name)}</ItemName>` +
        (l.specification ? `<SpecMod>${E(l.specification)}</SpecMod>` : '') +
        (l.unit ? `<MeaUnits>${E(l.unit)}</MeaUnits>` : '') +
        `<Quantity>${l.quantity * (inv.red ? -1 : 1)}</Quantity><UnPrice>${unitPriceText(l.unitPriceFen)}</UnPrice><Amount>${money(l.amountFen)}</Amount>` +
        `<TaxRate>${rateText(l.ratePercent)}</TaxRate><ComTaxAm>${money(l.taxFen)}</ComTaxAm><TotaltaxIncludedAmount>${money(l.amountFen + l.taxFen)}</TotaltaxIncludedAmount></IssuItemInformation>`,
    )
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?><EInvoice><Header><EIid>${inv.invoiceNumber}</EIid><EInvoiceTag>SWEI${inv.invoiceNumber.slice(2, 4)}00</EInvoiceTag><Version>0.37</Version>` +
    `<InherentLabel><InIssuType><LabelCode>${inv.red ? 'N' : 'Y'}</LabelCode><LabelName>${inv.red ? '红字发票' : '蓝字发票'}</LabelName></InIssuType>` +
    `<EInvoiceType><LabelCode>${special ? '01' : '02'}</LabelCode><LabelName>${special ? '增值税专用发票' : '普通发票'}</LabelName></EInvoiceType>` +
    `<GeneralOrSpecialVAT><LabelCode>${special ? '01' : '02'}</LabelCode><LabelName>${special ? '增值税专用发票' : '普通发票'}</LabelName></GeneralOrSpecialVAT></InherentLabel></Header>` +
    `<EInvoiceData><SellerInformation><SellerIdNum>${inv.seller.taxId}</SellerIdNum><SellerName>${E(inv.seller.name)}</SellerName><SellerAddr>${E(inv.seller.address)}</SellerAddr>` +
    `<SellerTelNum>${inv.seller.phone}</SellerTelNum><SellerBankName>${E(inv.seller.bank)}</SellerBankName><SellerBankAccNum>${inv.seller.account}</SellerBankAccNum></SellerInformation>` +
    `<BuyerInformation><BuyerIdNum>${inv.buyer.taxId}</BuyerIdNum><BuyerName>${E(inv.buyer.name)}</BuyerName></BuyerInformation>` +
    `<BasicInformation><TotalAmWithoutTax>${money(inv.exTaxFen)}</TotalAmWithoutTax><TotalTaxAm>${money(inv.taxFen)}</TotalTaxAm>` +
    `<TotalTax-includedAmount>${money(inv.totalFen)}</TotalTax-includedAmount><TotalTax-includedAmountInChinese>${amountInWords(inv.totalFen)}</TotalTax-includedAmountInChinese>` +
    `<Drawer>${E(inv.drawer)}</Drawer><RequestTime>${inv.issueDate} ${inv.issueTime}</RequestTime></BasicInformation>${items}` +
    (inv.remarks ? `<AdditionalInformation><Remark>${E(inv.remarks)}</Remark></AdditionalInformation>` : '') +
    `</EInvoiceData><TaxSupervisionInfo><InvoiceNumber>${inv.invoiceNumber}</InvoiceNumber><IssueTime>${inv.issueDate} ${inv.issueTime}</IssueTime>` +
    `<TaxBureauCode>1${inv.invoiceNumber.slice(2, 4)}00000000</TaxBureauCode><TaxBureauName>evarchive 测试税务局</TaxBureauName></TaxSupervisionInfo></EInvoice>`
  );
}

/** Object IDs of the values the custom tags point at. */
interface Placed {
  id: number;
  text: string;
}

/**
 * Page layout. Labels go on the template, values on the page at the same baseline (y, size), as the tax
 * bureau's layouts do; returns both contents, the custom tag file and the next free ID.
 */
function layout(inv: InvoiceData, qrResourceId: number) {
  const digital = inv.kind.startsWith('einv');
  let next = 10;
  const tpl: string[] = [];
  const page: string[] = [];
  const label = (x: number, y: number, text: string, size = 3.175) => tpl.push(textObject(next++, x, y, text, size));
  const value = (x: number, y: number, text: string, size = 3.175, font = 3): Placed => {
    const id = next++;
    page.push(textObject(id, x, y, text, size, font));
    return { id, text };
  };
  const rule = (x1: number, y1: number, x2: number, y2: number) => tpl.push(lineObject(next++, x1, y1, x2, y2));

  // Title: on the template for 增值税电子发票 (province-specific templates), on the page for 数电票 (ofd 3a).
  const titleSize = 6;
  const titleX = 105 - textWidth(inv.title, titleSize) / 2;
  if (digital) value(titleX, 5, inv.title, titleSize, 4);
  else label(titleX, 5, inv.title, titleSize);
  tpl.push(lineObject(next++, titleX, 13, titleX + textWidth(inv.title, titleSize), 13, 0.5));
  page.push(imageObject(next++, qrResourceId, 8, 4, 20, 20));

  const head: Record<string, Placed> = {};
  const heads: [string, string, string | undefined][] = [
    ['code', '发票代码：', inv.invoiceCode],
    ['number', '发票号码：', inv.invoiceNumber],
    ['date', '开票日期：', chineseDate(inv.issueDate)],
    ['check', '校验码：', inv.checkCode],
  ];
  let hy = 10;
  for (const [key, l, v] of heads) {
    if (v === undefined) continue;
    label(140, hy, l);
    head[key] = value(157, hy, v, 3.175, 5);
    hy += 5;
  }

  tpl.push(rectObject(next++, 5, 30, 200, 100));
  const party = (y: number, who: 'buyer' | 'seller') => {
    const c = inv[who];
    label(7, y, who === 'buyer' ? '购买方' : '销售方', 3.175);
    label(20, y, '名称：');
    const name = value(32, y, c.name);
    label(20, y + 5, '纳税人识别号：');
    const taxId = value(46, y + 5, c.taxId, 3.175, 5);
    label(20, y + 10, '地址、电话：');
    value(42, y + 10, `${c.address} ${c.phone}`);
    label(20, y + 15, '开户行及账号：');
    value(46, y + 15, `${c.bank} ${c.account}`);
    return { name, taxId };
  };
  const buyer = party(31, 'buyer');
  rule(5, 50, 205, 50);

  const cols: [number, string][] = [[7, '项目名称'], [62, '规格型号'], [82, '单位'], [94, '数量'], [110, '单价'], [136, '金额'], [162, '税率'], [180, '税额']];
  for (const [x, l] of cols) label(x, 51, l, 3);
  const step = Math.min(4.5, 22 / inv.lines.length);
  const lineRefs = inv.lines.map((l, i) => {
    const y = 56 + i * step;
    const s = 2.6;
    return {
      item: value(7, y, l.name, s),
      spec: l.specification ? value(62, y, l.specification, s) : undefined,
      unit: l.unit ? value(82, y, l.unit, s) : undefined,
      quantity: value(94, y, String(l.quantity * (inv.red ? -1 : 1)), s),
      price: value(110, y, unitPriceText(l.unitPriceFen), s),
      amount: value(136, y, money(l.amountFen), s),
      rate: value(162, y, rateText(l.ratePercent), s),
      tax: value(180, y, money(l.taxFen), s),
    };
  });
  rule(5, 80, 205, 80);
  label(20, 81, '合计');
  const exTax = value(136, 81, `¥${money(inv.exTaxFen)}`);
  const tax = value(180, 81, `¥${money(inv.taxFen)}`);
  rule(5, 87, 205, 87);
  label(7, 89, '价税合计（大写）');
  value(60, 89, amountInWords(inv.totalFen));
  label(140, 89, '（小写）');
  const total = value(155, 89, `¥${money(inv.totalFen)}`);
  rule(5, 95, 205, 95);
  const seller = party(97, 'seller');
  rule(5, 117, 205, 117);
  label(7, 119, '备注：');
  if (inv.remarks) value(18, 119, inv.remarks, 3);
  label(10, 132, '收款人：');
  value(24, 132, inv.payee);
  label(60, 132, '复核：');
  value(71, 132, inv.reviewer);
  label(110, 132, '开票人：');
  const drawer = value(124, 132, inv.drawer);

  const ref = (p: Placed | undefined) => (p ? `<ofd:ObjectRef PageRef="1">${p.id}</ofd:ObjectRef>` : '');
  const P = digital ? 'ofd' : 'fp';
  const t = (name: string, p: Placed | undefined) => (p ? `<${P}:${name}>${ref(p)}</${P}:${name}>` : '');
  const lines = lineRefs
    .map((l) => t('Item', l.item) + t('Specification', l.spec) + t('MeasurementDimension', l.unit) + t('Quantity', l.quantity) + t('Price', l.price) + t('Amount', l.amount) + t('TaxScheme', l.rate) + t('TaxAmount', l.tax))
    .join('');
  const body =
    t('InvoiceCode', head.code) +
    t('InvoiceNo', head.number) +
    t('IssueDate', head.date) +
    t('InvoiceCheckCode', head.check) +
    `<${P}:Buyer>${t('BuyerName', buyer.name)}${t('BuyerTaxID', buyer.taxId)}</${P}:Buyer>` +
    `<${P}:Seller>${t('SellerName', seller.name)}${t('SellerTaxID', seller.taxId)}</${P}:Seller>` +
    t('TaxExclusiveTotalAmount', exTax) +
    t('TaxTotalAmount', tax) +
    t('TaxInclusiveTotalAmount', total) +
    t('InvoiceClerk', drawer) +
    lines;
  // 数电票: `ofd:root` with ofd: children (voucher-formats.md §3a); 增值税电子发票: fp:e-invoice/fp:eInvoice (ofd.md §8).
  const customTag = digital
    ? `<?xml version="1.0" encoding="UTF-8"?><ofd:root xmlns:ofd="http://www.ofdspec.org/2016" version="1.0">${body}</ofd:root>`
    : `<?xml version="1.0" encoding="UTF-8"?><fp:e-invoice xmlns:fp="http://www.edrm.org.cn/schema/e-invoice/2019" xmlns:ofd="http://www.ofdspec.org/2016" version="1.0"><fp:eInvoice>${body}</fp:eInvoice></fp:e-invoice>`;
  return { templateContent: tpl.join(''), pageContent: page.join(''), customTag, maxUnitId: next };
}

/** OFD.xml CustomData as the tax bureau writes it (S1 names for 增值税电子发票; 数电票 without names or total). */
function customData(inv: InvoiceData): [string, string][] {
  if (inv.kind.startsWith('einv'))
    return [
      ['发票号码', inv.invoiceNumber],
      ['开票日期', chineseDate(inv.issueDate)],
      ['合计金额', money(inv.exTaxFen)],
      ['合计税额', money(inv.taxFen)],
      ['购买方纳税人识别号', inv.buyer.taxId],
      ['销售方纳税人识别号', inv.seller.taxId],
    ];
  return [
    ['发票代码', inv.invoiceCode!],
    ['发票号码', inv.invoiceNumber],
    ['开票日期', chineseDate(inv.issueDate)],
    ['校验码', inv.checkCode!],
    ['销售方纳税人识别号', inv.seller.taxId],
    ['销售方名称', inv.seller.name],
    ['购买方纳税人识别号', inv.buyer.taxId],
    ['购买方名称', inv.buyer.name],
    ['开票人', inv.drawer],
    ['价税合计', money(inv.totalFen)],
    ['合计金额', money(inv.exTaxFen)],
    ['合计税额', money(inv.taxFen)],
  ];
}

export interface InvoiceOfdOptions {
  docId: string;
  seal?: SealSpec;
}

/** The invoice's OFD package files (path → bytes). */
export function invoiceOfdFiles(inv: InvoiceData, options: InvoiceOfdOptions): Map<string, Uint8Array> {
  const qrId = 8;
  const l = layout(inv, qrId);
  const digital = inv.kind.startsWith('einv');
  const attachment = digital
    ? { id: 9, name: `${inv.invoiceNumber}`, file: `${inv.invoiceNumber}.xml`, bytes: enc.encode(digitalInvoiceXml(inv)) }
    : { id: 9, name: 'original_invoice', file: 'original_invoice.xml', bytes: enc.encode(originalInvoiceXml(inv)) };
  return ofdFiles(
    {
      docId: options.docId,
      creationDate: inv.issueDate,
      creator: 'evarchive-factory',
      customData: customData(inv),
      width: 210,
      height: 140,
      templateContent: l.templateContent,
      pageContent: l.pageContent,
      images: [{ id: qrId, file: 'qr.png', bytes: qrPng(inv.qrPayload) }],
      attachments: [attachment],
      customTag: l.customTag,
      maxUnitId: l.maxUnitId,
    },
    options.seal,
  );
}
