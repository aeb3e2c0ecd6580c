import { ValidationError } from '../../platform/errors/errors';
import { VOUCHER_KINDS } from '../../formats/voucher';
import { JOURNAL_DOC_TYPE } from '../ledger/search-document';
import { normalizeQuery, queryFromParams } from './query';
import { SEARCH_KINDS } from './search.types';

const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as Error).message;
  }
  throw new Error('expected a ValidationError');
};

describe('normalizeQuery refuses what the database would choke on, naming the field (API and CLI alike)', () => {
  test('dates that are not in the calendar', () => {
    expect(refused(() => normalizeQuery({ filters: { dateFrom: '2024-02-30' } }))).toBe('dateFrom: "2024-02-30" is not a date in the calendar');
    expect(refused(() => normalizeQuery({ filters: { dateTo: '0000-01-01' } }))).toBe('dateTo: "0000-01-01" is not a date in the calendar');
    expect(refused(() => normalizeQuery({ filters: { dateFrom: '2024-13-01' } }))).toBe('dateFrom: expected a date YYYY-MM-DD, got "2024-13-01"');
    expect(normalizeQuery({ filters: { dateFrom: '2024-02-29', dateTo: '2024-03-01' } }).filters).toMatchObject({ dateFrom: '2024-02-29', dateTo: '2024-03-01' });
  });

  test('a word longer than a text search can hold', () => {
    expect(refused(() => normalizeQuery({ text: 'a'.repeat(2048) }))).toBe('q: a word of 2048 characters is too long to search for (at most 2046 bytes of UTF-8 per word)');
    expect(refused(() => normalizeQuery({ text: `发票 ${'é'.repeat(1100)}` }))).toMatch(/^q: a word of 1100 characters is too long/);
    expect(normalizeQuery({ text: 'a'.repeat(2000) }).terms).toHaveLength(1);
  });

  test('an unknown kind or document type, naming the bad value and the known ones (it found nothing before)', () => {
    const msg = refused(() => normalizeQuery(queryFromParams({ kind: 'nosuchkind' })));
    expect(msg).toBe(`kind: unknown kind "nosuchkind"; expected one of ${SEARCH_KINDS.join(', ')}`);
    expect(msg).toContain('inv_ord, inv_spcl, einv_ord');
    expect(refused(() => normalizeQuery(queryFromParams({ kind: 'inv_ord,bogus,Inv_Ord' })))).toMatch(/^kind: unknown kinds "bogus", "Inv_Ord"; expected one of inv_ord/);
    expect(refused(() => normalizeQuery(queryFromParams({ docType: 'vouchers' })))).toBe('docType: unknown document type "vouchers"; expected one of voucher, journal, ledger, report, volume, file, other');
    expect(normalizeQuery(queryFromParams({ kind: 'einv_ord,inv_ord,journal', docType: 'voucher' })).filters).toMatchObject({ kind: ['einv_ord', 'inv_ord', 'journal'], docType: ['voucher'] });
  });

  test('the known kinds are every voucher kind and the journal voucher kind the ledger indexes', () => {
    expect(SEARCH_KINDS).toEqual([...VOUCHER_KINDS, JOURNAL_DOC_TYPE]);
  });
});
