import { describe, expect, it } from '@jest/globals';
import { en } from '../../i18n/en';
import { makeTranslate } from '../../i18n/translate';
import { zhCN } from '../../i18n/zh-CN';
import { identityText } from './identity';

const zh = makeTranslate(zhCN);

describe('a business identity in words', () => {
  it('names the numbers that make each kind of voucher unique', () => {
    expect(identityText(zh, 'vat:050001700111:99999951')).toBe('代码 050001700111 · 号码 99999951');
    expect(identityText(zh, 'einv:24337000000000218133')).toBe('数电票号码 24337000000000218133');
    expect(identityText(zh, 'rai:E012345678')).toBe('票号 E012345678');
    expect(identityText(zh, 'ntrev:1234567890123456')).toBe('缴款码 1234567890123456');
    expect(identityText(zh, 'bker:2026112000001')).toBe('回单流水号 2026112000001');
    expect(identityText(zh, 'bkrs:6222000011112222:2026-11')).toBe('账号 6222000011112222 · 期间 2026-11');
    expect(identityText(zh, `sha256:${'c010c3'.padEnd(64, '0')}`)).toBe('无业务编号，按文件内容查重（SHA-256 c010c3000000…）');
    expect(identityText(makeTranslate(en), 'vat:050001700111:99999951')).toBe('code 050001700111 · number 99999951');
  });

  it('shows a key of an unknown form as it is', () => {
    expect(identityText(zh, 'newkind:1:2:3')).toBe('newkind:1:2:3');
    expect(identityText(zh, 'constructor:1')).toBe('constructor:1');
    expect(identityText(zh, 'vat:onlyone')).toBe('vat:onlyone');
    expect(identityText(zh, null)).toBe('—');
  });
});
