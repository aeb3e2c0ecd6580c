import { describe, expect, it } from '@jest/globals';
import { en } from './en';
import { codeLabel } from './labels';
import { importColumn, importProblem, packageProblem, signatureReason, uploadNote, vetoMessage, voucherWarning } from './server-messages';
import { makeTranslate } from './translate';
import { zhCN } from './zh-CN';

// What a reader of the Chinese (and English) UI sees for codes and sentences the server sends, with the real catalogues.
const zh = makeTranslate(zhCN);
const enT = makeTranslate(en);

describe('status codes shown as labels', () => {
  it('claim status and end reason, connector run status and fetched-file outcome', () => {
    expect(codeLabel(zh, 'released', ['poolb.claimStatus'])).toBe('已释放');
    expect(codeLabel(zh, 'rejected', ['poolb.reason'])).toBe('报销被驳回');
    expect(codeLabel(zh, 'expired', ['poolb.reason'])).toBe('占用到期');
    expect(codeLabel(zh, 'ok', ['poolb.connectors.status'])).toBe('成功');
    expect(codeLabel(zh, 'failed', ['poolb.connectors.status'])).toBe('失败');
    expect(codeLabel(zh, 'same_content', ['poolb.connectors.outcome', 'pool.outcome'])).toBe('内容与已取文件相同');
    expect(codeLabel(zh, 'created', ['poolb.connectors.outcome', 'pool.outcome'])).toBe('新入池');
    expect(codeLabel(enT, 'ok', ['poolb.connectors.status'])).toBe('Succeeded');
    // An unknown code is shown as it is, not hidden.
    expect(codeLabel(zh, 'paused', ['poolb.connectors.status'])).toBe('paused');
  });
});

describe('ledger import problems', () => {
  it('are said in Chinese by code, with the values the server names', () => {
    expect(importProblem(zh, { problem: 'debits 10.00 ≠ credits 9.99 in voucher 0101', code: 'unbalanced', params: { debit: '10.00', credit: '9.99', number: '0101' } })).toBe(
      '凭证 0101 借贷不平：借方 10.00，贷方 9.99',
    );
    expect(importProblem(zh, { problem: 'not an amount: "3000.0x"', code: 'not_amount', params: { value: '3000.0x' } })).toBe('不是有效金额：“3000.0x”');
    expect(importProblem(zh, { problem: '凭证号 is missing', code: 'missing', params: { name: '凭证号' } })).toBe('缺少凭证号');
    expect(importProblem(enT, { problem: 'x', code: 'unbalanced', params: { debit: '1.00', credit: '2.00', number: '7' } })).toBe('Voucher 7 does not balance: debits 1.00, credits 2.00');
  });

  it('schema findings by keyword, else the general sentence with the server’s words', () => {
    expect(importProblem(zh, { problem: 'must NOT have additional properties (extra)', code: 'schema', params: { message: 'must NOT have additional properties (extra)', keyword: 'additionalProperties', additionalProperty: 'extra' } })).toBe(
      '不认识的字段 extra',
    );
    expect(importProblem(zh, { problem: 'must NOT have fewer than 2 items', code: 'schema', params: { message: 'must NOT have fewer than 2 items', keyword: 'minItems', limit: 2 } })).toBe('至少需要 2 项');
    expect(importProblem(zh, { problem: 'must be equal to one of the allowed values', code: 'schema', params: { message: 'must be equal to one of the allowed values', keyword: 'enum' } })).toBe(
      '不符合导入格式：must be equal to one of the allowed values',
    );
  });

  it('an older server without codes still shows its sentence; server field names as column labels', () => {
    expect(importProblem(zh, { problem: 'something new' })).toBe('something new');
    expect(importProblem(zh, { problem: 'something new', code: 'not_known_yet' })).toBe('something new');
    expect(importColumn(zh, 'unit')).toBe('单位编码');
    expect(importColumn(zh, '借方金额')).toBe('借方金额');
  });
});

describe('archive package problems', () => {
  it('name the entry in Chinese', () => {
    expect(packageProblem(zh, { kind: 'missing', path: 'originals/a.ofd', message: 'originals/a.ofd is listed in the manifest but not in the ZIP' })).toBe('originals/a.ofd 列在清单中，但信息包里没有');
    expect(packageProblem(zh, { kind: 'signature', path: 'manifest.xml', message: 'the manifest signature does not verify: bad' })).toBe('清单签名验证失败');
  });
});

describe('upload notes', () => {
  it('say a duplicate, a conflict and each rejection in Chinese; other outcomes keep the server’s note', () => {
    expect(uploadNote(zh, { outcome: 'duplicate', errorCode: null, message: 'same content as file f1 of voucher v1' })).toBe('与已入池的文件内容完全相同，未重复入池');
    expect(uploadNote(zh, { outcome: 'conflict', errorCode: 'conflict', message: 'same identity x as voucher v1, but totalAmount 1.00 ≠ 2.00' })).toContain('业务标识相同');
    expect(uploadNote(zh, { outcome: 'rejected', errorCode: 'unknown_format', message: 'a.txt: not a voucher file (not OFD, PDF, XML, XBRL, JSON, JPEG or PNG)' })).toBe(
      '不是票据文件（不是 OFD、PDF、XML、XBRL、JSON、JPEG 或 PNG）',
    );
    expect(uploadNote(zh, { outcome: 'rejected', errorCode: 'brand_new_code', message: 'a.ofd: something' })).toBe('a.ofd: something');
    expect(uploadNote(zh, { outcome: 'created', errorCode: null, message: null })).toBe('');
  });
});

describe('four-nature check veto findings', () => {
  it('are said in Chinese by code; an uncoded one keeps the server’s sentence', () => {
    expect(vetoMessage(zh, { message: 'virus scan not possible: x', messageCode: 'virus_scan_unavailable', params: { message: 'virus scan not possible: x' } })).toBe(
      '无法进行病毒检测（请确认已安装 ClamAV 及其病毒库）：virus scan not possible: x',
    );
    expect(vetoMessage(zh, { message: 'files…', messageCode: 'virus_found', params: { count: 1, files: 'b.ofd', found: 'Eicar-Test-Signature' } })).toBe('1 个文件发现病毒（Eicar-Test-Signature）：b.ofd');
    expect(vetoMessage(zh, { message: 'the stored bytes no longer hash to the digests recorded at intake', messageCode: 'digests_changed', params: {} })).toBe('存储的文件与入库时登记的摘要不一致');
    expect(vetoMessage(zh, { message: 'an old run' })).toBe('an old run');
  });
});

describe('seal verification reasons', () => {
  it('are said in Chinese by code; a sentence without a code is shown as the verifier wrote it', () => {
    expect(signatureReason(zh, 'reference /Doc_0/Pages/Page_0/Content.xml: SM3 digest matches', { code: 'reference_ok', params: { path: '/Doc_0/Pages/Page_0/Content.xml', algorithm: 'SM3' } })).toBe(
      '受保护文件 /Doc_0/Pages/Page_0/Content.xml：SM3 摘要一致',
    );
    expect(signatureReason(zh, 'certificate chain not checkable: no trust anchors configured', { code: 'chain_no_anchors', params: {} })).toBe('无法校验证书链：未配置信任根');
    expect(signatureReason(zh, 'a new sentence', null)).toBe('a new sentence');
  });
});

describe('voucher warnings', () => {
  it('are said in Chinese by code, a layer warning with its inner warning, a signature warning with its reason', () => {
    expect(voucherWarning(zh, 'sellerTaxId: tax ID is masked', { code: 'tax_id_masked', params: { field: 'sellerTaxId' } })).toBe('sellerTaxId：税号已脱敏（部分字符被遮盖）');
    const layer = 'embedded-xml (Doc_0/Attachs/original_invoice.xml): Buyer/BuyerTaxID: unified social credit code fails the GB 32100 check character';
    expect(
      voucherWarning(zh, layer, {
        code: 'layer',
        params: { source: 'embedded-xml', path: 'Doc_0/Attachs/original_invoice.xml' },
        detail: { code: 'tax_id_check_char', params: { field: 'Buyer/BuyerTaxID' } },
      }),
    ).toBe('内嵌 XML（Doc_0/Attachs/original_invoice.xml）：Buyer/BuyerTaxID：统一社会信用代码校验位不符合 GB 32100');
    const sig = 'signature invalid: reference /Doc_0/Document.xml: SM3 digest mismatch (file changed after signing)';
    expect(
      voucherWarning(zh, sig, {
        code: 'signature_invalid',
        params: { detail: 'reference /Doc_0/Document.xml: SM3 digest mismatch (file changed after signing)' },
        reason: { code: 'reference_mismatch', params: { path: '/Doc_0/Document.xml', algorithm: 'SM3' } },
      }),
    ).toBe('签名验证未通过：受保护文件 /Doc_0/Document.xml：SM3 摘要不一致（签署后文件被改动）');
    expect(voucherWarning(enT, 'x', { code: 'amounts_sum', params: { ex: '100.00', tax: '6.00', sum: '106.00', total: '106.01' } })).toBe('Amount excl. tax 100.00 + tax 6.00 = 106.00, but the total is 106.01');
  });

  it('a warning no template knows, or an inner one, is shown as the server wrote it', () => {
    expect(voucherWarning(zh, 'a brand-new warning', null)).toBe('a brand-new warning');
    // Values that are codes are labels too: the kind of package entry, the data layer, the voucher kind.
    expect(voucherWarning(zh, 'x', { code: 'entry_missing', params: { referrer: 'Doc_0/Document.xml', what: 'resource file', entry: 'PublicRes.xml' } })).toBe('Doc_0/Document.xml：资源文件 PublicRes.xml 在文件包中缺失');
    expect(voucherWarning(zh, 'x', { code: 'layers_differ', params: { field: 'payerAccount', source: 'xbrl', value: '1', other: 'page text', seen: '2' } })).toBe('payerAccount：内嵌 XBRL 为 1，版式页面文字 为 2（两处不一致）');
    expect(voucherWarning(zh, 'x', { code: 'no_business_identity', params: { kind: 'other' } })).toBe('未识别出业务标识（票据种类 其他）：只按文件内容查重');
    expect(voucherWarning(zh, 'xbrl (a.xml): inner thing', { code: 'layer', params: { source: 'xbrl', path: 'a.xml' }, detail: null })).toBe('内嵌 XBRL（a.xml）：inner thing');
    expect(voucherWarning(zh, 'older server', undefined)).toBe('older server');
  });
});
