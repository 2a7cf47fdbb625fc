import { describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../src/domain/calendar.js';
import { addMonths, shanghaiDate, shanghaiInstant, isValidIsoDate } from '../../src/domain/dates.js';
import { termRulesFor } from '../../src/domain/rules.js';

describe('working-day calendar (Asia/Shanghai)', () => {
  const cal = new WorkingCalendar();

  it('skips the National Day holiday and counts its adjusted workdays (调休)', () => {
    // 2025: 1–8 October off; Sunday 28 September and Saturday 11 October were workdays.
    expect(cal.isWorkday('2025-10-01')).toBe(false);
    expect(cal.isWorkday('2025-09-28')).toBe(true);
    expect(cal.isWorkday('2025-10-11')).toBe(true);
    // Friday 26 Sept + 1 = Sunday 28 Sept (adjusted workday); + 4 = Thursday 9 Oct (first workday after).
    expect(cal.addWorkingDays('2025-09-26', 1)).toBe('2025-09-28');
    expect(cal.addWorkingDays('2025-09-26', 3)).toBe('2025-09-30');
    expect(cal.addWorkingDays('2025-09-26', 4)).toBe('2025-10-09');
    expect(cal.addWorkingDays('2025-10-09', 2)).toBe('2025-10-11');
  });

  it('moves a deadline on a holiday back to the last workday before it', () => {
    expect(cal.workdayOnOrBefore('2025-10-05')).toBe('2025-09-30');
    expect(cal.workdayOnOrBefore('2025-09-30')).toBe('2025-09-30');
  });

  it('counts backwards over weekends', () => {
    expect(cal.addWorkingDays('2025-06-09', -1)).toBe('2025-06-06');
  });

  it('lets overrides from the admin table win over the package', () => {
    const ext = new WorkingCalendar(new Map([['2025-06-06', false]]));
    expect(ext.isWorkday('2025-06-06')).toBe(false);
    expect(ext.addWorkingDays('2025-06-09', -1)).toBe('2025-06-05');
  });
});

describe('dates', () => {
  it('adds months clamping to the end of the month', () => {
    expect(addMonths('2027-08-31', -6)).toBe('2027-02-28');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2027-03-15', -2)).toBe('2027-01-15');
  });
  it('converts between Shanghai dates and instants', () => {
    expect(shanghaiInstant('2026-01-01', 9).toISOString()).toBe('2026-01-01T01:00:00.000Z');
    expect(shanghaiDate(new Date('2025-12-31T16:30:00Z'))).toBe('2026-01-01');
  });
  it('rejects impossible dates', () => {
    expect(isValidIsoDate('2026-02-29')).toBe(false);
    expect(isValidIsoDate('2024-02-29')).toBe(true);
    expect(isValidIsoDate('2026-13-01')).toBe(false);
  });
});

describe('term rule sets', () => {
  it('uses the 2018 national rules today and the Hubei rules for 2011', () => {
    expect(termRulesFor('2026-11-25').id).toBe('national-2018');
    expect(termRulesFor('2026-11-25').termYears.village).toBe(5);
    expect(termRulesFor('2011-05-01').id).toBe('hubei-2010');
    expect(termRulesFor('2011-05-01').termYears.village).toBe(3);
    expect(termRulesFor('2026-11-25', 'hubei-2010').id).toBe('hubei-2010');
    expect(() => termRulesFor('2026-11-25', 'nope')).toThrow(/unknown rule set/);
  });
});
