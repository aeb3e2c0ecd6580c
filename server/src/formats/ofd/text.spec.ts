import { firstCharsOf, fold, textLines, valueAfterLabel, valuesAfterLabel, type PlacedText } from './text';

function run(text: string, x: number, y: number, size = 3.175): PlacedText {
  return { text, x, y, xEnd: x + [...text].length * size * 0.8, size, layer: 'page' };
}

describe('textLines', () => {
  it('groups runs by baseline and orders them left to right, with spaces at visible gaps', () => {
    const lines = textLines([run('发票号码：', 150, 13), run('12345678', 163, 13.2), run('开票日期：', 150, 18), run('购买方', 10, 13.1)]);
    expect(lines.map((l) => l.text)).toEqual(['购买方 发票号码：12345678', '开票日期：']);
  });
});

describe('valueAfterLabel', () => {
  it('reads a value in the label run, in the next run, or behind a lone currency sign', () => {
    const lines = textLines([
      run('发票代码：011002100111', 150, 10),
      run('发 票 号 码：', 150, 15),
      run("12345678", 174, 15),
      run('（小写）', 120, 90),
      run('¥', 134, 90),
      run('106.00', 137, 90),
    ]);
    expect(valueAfterLabel(lines, '发票代码')).toBe('011002100111');
    expect(valueAfterLabel(lines, '发票号码')).toBe('12345678');
    expect(valueAfterLabel(lines, /[（(]小写[)）]/)).toBe('¥106.00');
  });

  it('takes a value set slightly off the label baseline, but not the next label or the other column', () => {
    const lines = textLines([
      run('统一社会信用代码/纳税人识别号：', 11.5, 46.0),
      run('913700000000000000', 53.6, 47.5, 4.2),
      run('纳税人识别号：', 112, 46.0),
      run('开票日期：', 150, 60),
      run('校验码：', 166, 60),
    ]);
    expect(valuesAfterLabel(lines, /统一社会信用代码\/纳税人识别号|纳税人识别号/).map((v) => v.value)).toEqual(['913700000000000000']);
    expect(valueAfterLabel(lines, '开票日期')).toBeUndefined();
  });

  it('matches labels written with Kangxi radicals (PDF-converted 数电票)', () => {
    expect(fold('电⼦发票（普通发票）')).toBe('电子发票(普通发票)');
    const lines = textLines([run('统⼀社会信用代码/纳税⼈识别号：', 10, 40), run('91510000000000000X', 60, 40)]);
    expect(valueAfterLabel(lines, '统一社会信用代码/纳税人识别号')).toBe('91510000000000000X');
  });
});

describe('firstCharsOf (which runs a label lookup tries)', () => {
  it('reads the first characters of plain alternatives and classes', () => {
    expect(firstCharsOf(/[（(]小写[)）]|小写/)).toEqual(['（', '(', '小']);
    expect(firstCharsOf(/统一社会信用代码\/纳税人识别号|纳税人识别号/)).toEqual(['统', '纳']);
    expect(firstCharsOf(/付款人(户名|名称|全称)|付款户名/)).toEqual(['付']);
  });

  it('gives up (every run is tried) on anything that could start otherwise', () => {
    for (const re of [/(会计|交易|业务)?流水号/, /a?b/, /a*b/, /a{0,2}b/, /a|/, /[^a]b/, /[a-c]b/, /\d+/, /ab/i, /.b/]) {
      expect(firstCharsOf(re)).toBeUndefined();
    }
  });

  it('finds values after regex labels whose first character differs per alternative, in run order', () => {
    const lines = textLines([
      run('付款人名称：', 10, 20),
      run('甲公司', 35, 20),
      run('付款户名：乙公司', 10, 30),
      run('流水号：42', 10, 40),
      run('交易流水号：43', 10, 50),
    ]);
    expect(valuesAfterLabel(lines, /付款人(户名|名称|全称)|付款户名/).map((v) => v.value)).toEqual(['甲公司', '乙公司']);
    expect(valuesAfterLabel(lines, /(会计|交易|业务)?流水号/).map((v) => v.value)).toEqual(['42', '43']);
  });
});
