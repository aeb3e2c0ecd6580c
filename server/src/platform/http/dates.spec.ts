import { findImpossibleDate, impossibleDate, isCalendarDate } from './dates';

describe('calendar dates at the HTTP edge', () => {
  test('impossible days and months are named; real ones and non-dates pass', () => {
    expect(impossibleDate('2024-02-30')).toBe('2024-02 has 29 days');
    expect(impossibleDate('2023-02-29')).toBe('2023-02 has 28 days');
    expect(impossibleDate('2024-13-01')).toBe('month 13 does not exist');
    expect(impossibleDate('2024-04-31T10:00:00Z')).toBe('2024-04 has 30 days');
    expect(impossibleDate('2024-02-00')).toBe('2024-02 has 29 days');
    expect(impossibleDate('2024-02-29')).toBeUndefined();
    expect(impossibleDate('2024-02-29T23:59:59.999+08:00')).toBeUndefined();
    expect(impossibleDate('发票 2024-02-30')).toBeUndefined();
    expect(impossibleDate('20240230')).toBeUndefined();
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2024-02-30')).toBe(false);
    expect(isCalendarDate('2024-02-29T00:00:00Z')).toBe(false);
  });

  test('the first impossible date in a query or nested body, with its dotted path', () => {
    expect(findImpossibleDate({ unitId: 'x', dateFrom: '2024-02-30' })).toEqual({ field: 'dateFrom', value: '2024-02-30', problem: '2024-02 has 29 days' });
    expect(findImpossibleDate({ state: ['booked', 'archived'], to: ['2024-01-01', '2024-06-31'] })).toMatchObject({ field: 'to.1', value: '2024-06-31' });
    expect(findImpossibleDate({ entries: [{ date: '2025-03-01' }] })).toBeUndefined();
    expect(findImpossibleDate(undefined)).toBeUndefined();
  });
});
