/**
 * Obviously synthetic parties: companies named 示例科技有限公司 + a number, GB 32100-shaped USCCs with correct check
 * characters (organisation code part starting "MA", which marks them as made up here), people 测试 + a number,
 * banks 示例银行 + a branch. Nothing here resembles a real entity.
 */
import { usccCheckChar } from '../kinds/taxid';
import type { Prng } from './prng';

export interface Company {
  name: string;
  taxId: string;
  address: string;
  phone: string;
  bank: string;
  account: string;
}

const TRADES = ['科技', '贸易', '信息技术', '咨询', '物业服务', '印务', '餐饮管理', '文化传播', '建筑工程', '办公设备'];
const FORMS = ['有限公司', '有限责任公司', '股份有限公司'];
/** Province (as printed in invoice titles), its capital, and the GB/T 2260 region code. */
const CITIES: [province: string, city: string, code: string][] = [
  ['北京', '北京', '110000'],
  ['上海', '上海', '310000'],
  ['浙江', '杭州', '330100'],
  ['江苏', '南京', '320100'],
  ['广东', '广州', '440100'],
  ['四川', '成都', '510100'],
];
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** 18-character USCC: 9 (enterprise) 1 (company) + region + "MA" + 7 random + check character. */
export function syntheticUscc(rng: Prng, region = rng.pick(CITIES)[2]): string {
  let body = `91${region}MA`;
  while (body.length < 17) body += USCC_ALPHABET[rng.int(0, 30)];
  return body + usccCheckChar(body)!;
}

export function syntheticCompany(rng: Prng, trade = rng.pick(TRADES)): Company {
  const [, city, region] = rng.pick(CITIES);
  const n = rng.int(1, 9999);
  return {
    name: `示例${trade}${FORMS[n % FORMS.length]}${n}`,
    taxId: syntheticUscc(rng, region),
    address: `${city}市示例区测试路${rng.int(1, 999)}号`,
    phone: `0${rng.int(10, 99)}-${rng.digits(8, true)}`,
    bank: `示例银行${city}测试支行`,
    account: rng.digits(19, true),
  };
}

export function syntheticPerson(rng: Prng): string {
  return `测试${rng.pick(['甲', '乙', '丙', '丁', '戊'])}${rng.int(1, 99)}`;
}

/** A province name for printed invoice titles (北京增值税电子普通发票) and invoice-code regions. */
export function syntheticRegion(rng: Prng): { name: string; code: string } {
  const [name, , code] = rng.pick(CITIES);
  return { name, code };
}
