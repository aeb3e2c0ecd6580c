import { loadScheme, parseScheme, NATURES, STAGES, stageItems } from './scheme';

describe('check scheme as data', () => {
  test('the shipped scheme validates and covers the three stages × four natures', () => {
    const s = loadScheme();
    expect(s.id).toBe('dat70-accounting');
    for (const stage of STAGES) {
      const items = stageItems(s, stage);
      for (const n of NATURES) expect(items.some((i) => i.nature === n)).toBe(true);
      for (const i of items) expect(i.code.startsWith(`${stage}-${i.nature}-`)).toBe(true);
    }
    expect(s.items.find((i) => i.code === 'GD-ZS-1-1')).toMatchObject({ severity: 'veto', check: { fn: 'fixity' } });
  });

  test.each([
    ['an unknown check function', 'id: x\nversion: 1\ntitle: t\nitems:\n  - {code: GD-ZS-1-1, name: n, clause: c, severity: veto, check: {fn: guess}}\n', /check-scheme.schema.json/],
    ['a malformed code', 'id: x\nversion: 1\ntitle: t\nitems:\n  - {code: GD-XX-1, name: n, clause: c, severity: veto, check: {fn: fixity}}\n', /check-scheme.schema.json/],
    ['a duplicated code', 'id: x\nversion: 1\ntitle: t\nitems:\n  - {code: GD-ZS-1-1, name: n, clause: c, severity: veto, check: {fn: fixity}}\n  - {code: GD-ZS-1-1, name: n, clause: c, severity: warn, check: {fn: fixity}}\n', /twice/],
    ['invalid YAML', 'id: [', /not valid YAML/],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseScheme(text, 'test.yaml')).toThrow(message);
  });
});
