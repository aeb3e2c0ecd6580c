/**
 * Synthetic OFD packages for tests: a small but complete VAT e-invoice (template + page text with IDs, custom
 * tags, OFD.xml CustomData, optional original_invoice.xml attachment) whose every part can be overridden to
 * build the edge cases. All values are invented.
 */
import { writeZip, type ZipWriteEntry } from '../../zip';

export const NS = 'xmlns:ofd="http://www.ofdspec.org/2016"';

export interface SyntheticInvoice {
  code: string;
  number: string;
  date: string; // as printed: 2021年03月04日
  checkCode: string; // as printed, grouped
  exTax: string;
  tax: string;
  total: string;
  seller: string;
  sellerTaxId: string;
  buyer: string;
  buyerTaxId: string;
}

export const SAMPLE: SyntheticInvoice = {
  code: '011002100111',
  number: '12345678',
  date: '2021年03月04日',
  checkCode: '11111 22222 33333 44444',
  exTax: '100.00',
  tax: '6.00',
  total: '106.00',
  seller: '示例科技有限公司',
  sellerTaxId: '91110000MA0000000H', // valid GB 32100 check character
  buyer: '样例贸易有限公司',
  buyerTaxId: '91320000MA1111111L',
};

/** `text` in a TextObject at (x, y) with baseline offset 3 and 1.5875 mm advances. */
export function textObject(id: number, x: number, y: number, text: string, size = 3.175): string {
  const dx = [...text].length > 1 ? ` DeltaX="g ${[...text].length - 1} 1.5875"` : '';
  return `<ofd:TextObject ID="${id}" Boundary="${x} ${y} 80 5" Font="3" Size="${size}"><ofd:TextCode X="0" Y="3"${dx}>${text}</ofd:TextCode></ofd:TextObject>`;
}

export interface SyntheticOptions {
  invoice?: Partial<SyntheticInvoice>;
  /** Values printed on the page, when they should differ from the data (tampering tests). */
  printed?: Partial<SyntheticInvoice>;
  /** Custom tag file content; default: the Suwell dialect with the malformed `<:eInvoice xmlns:="">` root. */
  customTag?: string | null;
  /** original_invoice.xml content; default none. */
  originalInvoice?: string;
  customData?: Record<string, string>;
  /** Extra or replacement entries (name → content); `null` removes an entry. */
  entries?: Record<string, string | Uint8Array | null>;
  method?: 0 | 8;
}

export function syntheticInvoiceFiles(options: SyntheticOptions = {}): Record<string, string | Uint8Array> {
  const inv = { ...SAMPLE, ...options.invoice };
  const shown = { ...inv, ...options.printed };
  const customData = options.customData ?? {
    发票代码: inv.code,
    发票号码: inv.number,
    开票日期: inv.date,
    校验码: inv.checkCode,
    合计金额: inv.exTax,
    合计税额: inv.tax,
    销售方纳税人识别号: inv.sellerTaxId,
  };
  const files: Record<string, string | Uint8Array> = {
    'OFD.xml':
      `<?xml version="1.0" encoding="UTF-8"?><ofd:OFD ${NS} DocType="OFD" Version="1.1"><ofd:DocBody><ofd:DocInfo>` +
      `<ofd:DocID>0123456789abcdef0123456789abcdef</ofd:DocID><ofd:Creator>Test</ofd:Creator><ofd:CreationDate>2021-03-04</ofd:CreationDate>` +
      `<ofd:CustomDatas>${Object.entries(customData).map(([k, v]) => `<ofd:CustomData Name="${k}">${v}</ofd:CustomData>`).join('')}</ofd:CustomDatas>` +
      `</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>`,
    'Doc_0/Document.xml':
      `<?xml version="1.0" encoding="UTF-8"?><ofd:Document ${NS}><ofd:CommonData><ofd:MaxUnitID>99</ofd:MaxUnitID>` +
      `<ofd:PageArea><ofd:PhysicalBox>0 0 210 140</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>` +
      `<ofd:TemplatePage ID="2" BaseLoc="Tpls/Tpl_0/Content.xml"/></ofd:CommonData>` +
      `<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>` +
      `<ofd:Annotations>Annots/Annotations.xml</ofd:Annotations>` +
      (options.originalInvoice ? `<ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments>` : '') +
      (options.customTag === null ? '' : `<ofd:CustomTags>Tags/CustomTags.xml</ofd:CustomTags>`) +
      `</ofd:Document>`,
    'Doc_0/PublicRes.xml':
      `<?xml version="1.0" encoding="UTF-8"?><ofd:Res ${NS} BaseLoc="Res"><ofd:Fonts><ofd:Font ID="3" FontName="宋体" FamilyName="SimSun"/></ofd:Fonts>` +
      `<ofd:MultiMedias><ofd:MultiMedia ID="4" Type="Image" Format="PNG"><ofd:MediaFile>qr.png</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias></ofd:Res>`,
    'Doc_0/Res/qr.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    // Labels on the template, values on the page at the same baselines (as the tax bureau's layouts do).
    'Doc_0/Tpls/Tpl_0/Content.xml':
      `<?xml version="1.0" encoding="UTF-8"?><ofd:Page ${NS}><ofd:Content><ofd:Layer ID="5">` +
      textObject(6, 70, 5, '北京增值税电子普通发票', 6) +
      textObject(7, 150, 10, '发票代码：') +
      textObject(8, 150, 15, '发票号码：') +
      textObject(9, 150, 20, '开票日期：') +
      textObject(10, 150, 25, '校验码：') +
      textObject(11, 10, 35, '名称：') +
      textObject(12, 10, 40, '纳税人识别号：') +
      textObject(13, 10, 80, '合计') +
      textObject(14, 10, 90, '价税合计（大写）') +
      textObject(15, 120, 90, '（小写）') +
      textObject(16, 10, 100, '名称：') +
      textObject(17, 10, 105, '纳税人识别号：') +
      `</ofd:Layer></ofd:Content></ofd:Page>`,
    'Doc_0/Pages/Page_0/Content.xml':
      `<?xml version="1.0" encoding="UTF-8"?><ofd:Page ${NS}><ofd:Area><ofd:PhysicalBox>0 0 210 140</ofd:PhysicalBox></ofd:Area>` +
      `<ofd:Template TemplateID="2" ZOrder="Background"/><ofd:Content><ofd:Layer ID="20">` +
      textObject(21, 168, 10, shown.code) +
      textObject(22, 168, 15, shown.number) +
      textObject(23, 168, 20, shown.date) +
      textObject(24, 165, 25, shown.checkCode) +
      textObject(25, 22, 35, shown.buyer) +
      textObject(26, 33, 40, shown.buyerTaxId) +
      `<ofd:TextObject ID="27" Boundary="120 80 30 5" Font="3" Size="3.175"><ofd:TextCode X="0" Y="3">¥</ofd:TextCode></ofd:TextObject>` +
      textObject(28, 123, 80, shown.exTax) +
      `<ofd:TextObject ID="29" Boundary="170 80 30 5" Font="3" Size="3.175"><ofd:TextCode X="0" Y="3">¥</ofd:TextCode></ofd:TextObject>` +
      textObject(30, 173, 80, shown.tax) +
      textObject(31, 135, 90, `¥${shown.total}`) +
      textObject(32, 22, 100, shown.seller) +
      textObject(33, 33, 105, shown.sellerTaxId) +
      `<ofd:PathObject ID="34" Boundary="4.5 30 201 0.25"><ofd:AbbreviatedData>M 0 0 L 201 0</ofd:AbbreviatedData></ofd:PathObject>` +
      `<ofd:ImageObject ID="35" Boundary="8.5 4 20 20" CTM="20 0 0 20 0 0" ResourceID="4"/>` +
      `</ofd:Layer></ofd:Content></ofd:Page>`,
    'Doc_0/Annots/Annotations.xml': `<?xml version="1.0" encoding="UTF-8"?><ofd:Annotations ${NS}><ofd:Page PageID="1"><ofd:FileLoc>Page_0/Annotation.xml</ofd:FileLoc></ofd:Page></ofd:Annotations>`,
    'Doc_0/Annots/Page_0/Annotation.xml':
      `<?xml version="1.0" encoding="UTF-8"?><ofd:PageAnnot ${NS}><ofd:Annot ID="40" Type="Stamp" Subtype="SignatureInFile"><ofd:Parameters><Parameter Name="fp.NativeSign">original_invoice</Parameter></ofd:Parameters>` +
      `<ofd:Appearance Boundary="150 110 40 20">${textObject(41, 0, 0, '下载次数：1')}</ofd:Appearance></ofd:Annot></ofd:PageAnnot>`,
  };
  if (options.customTag !== null) {
    files['Doc_0/Tags/CustomTags.xml'] = `<?xml version="1.0" encoding="UTF-8"?><ofd:CustomTags ${NS}><ofd:CustomTag TypeID=""><ofd:FileLoc>CustomTag.xml</ofd:FileLoc></ofd:CustomTag></ofd:CustomTags>`;
    files['Doc_0/Tags/CustomTag.xml'] =
      options.customTag ??
      `<?xml version="1.0" encoding="UTF-8"?>\n<:eInvoice xmlns:=""><InvoiceCode><ofd:ObjectRef PageRef="1">21</ofd:ObjectRef></InvoiceCode>` +
        `<InvoiceNo><ofd:ObjectRef PageRef="1">22</ofd:ObjectRef></InvoiceNo><IssueDate><ofd:ObjectRef PageRef="1">23</ofd:ObjectRef></IssueDate>` +
        `<InvoiceCheckCode><ofd:ObjectRef PageRef="1">24</ofd:ObjectRef></InvoiceCheckCode>` +
        `<Buyer><BuyerName><ofd:ObjectRef PageRef="1">25</ofd:ObjectRef></BuyerName><BuyerTaxID><ofd:ObjectRef PageRef="1">26</ofd:ObjectRef></BuyerTaxID></Buyer>` +
        `<Seller><SellerName><ofd:ObjectRef PageRef="1">32</ofd:ObjectRef></SellerName><SellerTaxID><ofd:ObjectRef PageRef="1">33</ofd:ObjectRef></SellerTaxID></Seller>` +
        `<TaxExclusiveTotalAmount><ofd:ObjectRef PageRef="1">27</ofd:ObjectRef><ofd:ObjectRef PageRef="1">28</ofd:ObjectRef></TaxExclusiveTotalAmount>` +
        `<TaxTotalAmount><ofd:ObjectRef PageRef="1">29</ofd:ObjectRef><ofd:ObjectRef PageRef="1">30</ofd:ObjectRef></TaxTotalAmount>` +
        `<TaxInclusiveTotalAmount><ofd:ObjectRef PageRef="1">31</ofd:ObjectRef></TaxInclusiveTotalAmount>` +
        `<Specification><ofd:ObjectRef PageRef="1">0</ofd:ObjectRef></Specification></:eInvoice>`;
  }
  if (options.originalInvoice) {
    files['Doc_0/Attachs/Attachments.xml'] =
      `<?xml version="1.0" encoding="UTF-8"?><ofd:Attachments ${NS}><ofd:Attachment ID="50" Name="original_invoice" Format="xml" Visible="false">` +
      `<ofd:FileLoc>original_invoice.xml</ofd:FileLoc></ofd:Attachment></ofd:Attachments>`;
    files['Doc_0/Attachs/original_invoice.xml'] = options.originalInvoice;
  }
  for (const [k, v] of Object.entries(options.entries ?? {})) {
    if (v === null) delete files[k];
    else files[k] = v;
  }
  return files;
}

export function syntheticInvoiceOfd(options: SyntheticOptions = {}): Uint8Array {
  const entries: ZipWriteEntry[] = Object.entries(syntheticInvoiceFiles(options)).map(([name, data]) => ({ name, data, method: options.method }));
  return writeZip(entries);
}

/** A 2019-schema original_invoice.xml for the sample invoice (root un-namespaced, children `fp:`). */
export function originalInvoiceXml(inv: Partial<SyntheticInvoice> = {}, extra = ''): string {
  const v = { ...SAMPLE, ...inv };
  return (
    `<?xml version="1.0" encoding="utf-8"?><eInvoice xmlns:fp="http://www.edrm.org.cn/schema/e-invoice/2019" Version="1.0">` +
    `<fp:InvoiceCode>${v.code}</fp:InvoiceCode><fp:InvoiceNo>${v.number}</fp:InvoiceNo><fp:TypeCode>0</fp:TypeCode>` +
    `<fp:IssueDate><![CDATA[${v.date}]]></fp:IssueDate><fp:InvoiceCheckCode>${v.checkCode.replace(/ /g, '')}</fp:InvoiceCheckCode>` +
    `<fp:Buyer><fp:BuyerName>${v.buyer}</fp:BuyerName><fp:BuyerTaxID>${v.buyerTaxId}</fp:BuyerTaxID></fp:Buyer>` +
    `<fp:Seller><fp:SellerName>${v.seller}</fp:SellerName><fp:SellerTaxID>${v.sellerTaxId}</fp:SellerTaxID></fp:Seller>` +
    `<fp:TaxInclusiveTotalAmount>${v.total}</fp:TaxInclusiveTotalAmount><fp:TaxTotalAmount>${v.tax}</fp:TaxTotalAmount>` +
    `<fp:TaxExclusiveTotalAmount>${v.exTax}</fp:TaxExclusiveTotalAmount>` +
    `<fp:GraphCode>01,10,${v.code},${v.number},${v.exTax},${v.date.replace(/\D/g, '')},${v.checkCode.replace(/ /g, '')},ABCD,</fp:GraphCode>` +
    `<fp:GoodsInfos><fp:GoodsInfo><fp:Item>*信息技术服务*技术服务费</fp:Item><fp:Quantity>1</fp:Quantity><fp:Price>100</fp:Price>` +
    `<fp:Amount>${v.exTax}</fp:Amount><fp:TaxScheme>6%</fp:TaxScheme><fp:TaxAmount>${v.tax}</fp:TaxAmount></fp:GoodsInfo></fp:GoodsInfos>` +
    extra +
    `</eInvoice>`
  );
}
