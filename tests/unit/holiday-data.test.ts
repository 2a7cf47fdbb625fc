import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import chineseDays from 'chinese-days';
import { PACKAGE_HOLIDAY_YEARS, WorkingCalendar } from '../../src/domain/calendar.js';
import { addDays, shanghaiDate } from '../../src/domain/dates.js';
import { noticeFromICalendar, noticeFromRows, noticeFromTable } from '../../src/domain/holiday-notice.js';
import { planTask } from '../../src/domain/task-plan.js';

// Years without holiday data (chinese-days 1.5.7 ends with 2026) are known as such, plans reaching into them
// are provisional, and the calendar reads dates in Asia/Shanghai whatever the host's zone.
describe('holiday data by year', () => {
  const withZone = <T>(zone: string, f: () => T): T => {
    const before = process.env.TZ;
    process.env.TZ = zone;
    try {
      return f();
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  };

  it('knows which years the package holds, and counts a year an admin loaded as known', () => {
    expect(PACKAGE_HOLIDAY_YEARS[0]).toBe(2004);
    expect(PACKAGE_HOLIDAY_YEARS.at(-1)).toBe(2026);
    const cal = new WorkingCalendar();
    expect(cal.hasHolidayData(2026)).toBe(true);
    expect(cal.hasHolidayData(2027)).toBe(false);
    expect(cal.missingYears('2026-12-01', '2028-02-01')).toEqual([2027, 2028]);
    expect(new WorkingCalendar(new Map(), [2027]).missingYears('2026-12-01', '2028-02-01')).toEqual([2028]);
  });

  it('agrees with chinese-days (read on a UTC host) on every day of the years it holds, on any host zone', () => {
    const reference = withZone('UTC', () => {
      const m = new Map<string, boolean>();
      for (let d = '2004-01-01'; d <= '2026-12-31'; d = addDays(d, 1)) m.set(d, chineseDays.isWorkday(d));
      return m;
    });
    for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Shanghai']) {
      withZone(zone, () => {
        const cal = new WorkingCalendar();
        for (const [d, work] of reference) if (cal.isWorkday(d) !== work) throw new Error(`${zone}: ${d} differs`);
      });
    }
    // The package's own functions read even a date string in the host's zone: on a host west of UTC, Saturday
    // 28 November 2026 is a workday and Monday the 30th is not.
    expect(withZone('America/Los_Angeles', () => [chineseDays.isWorkday('2026-11-28'), chineseDays.isWorkday('2026-11-30')])).toEqual([true, false]);
    expect(withZone('America/Los_Angeles', () => [new WorkingCalendar().isWorkday('2026-11-28'), new WorkingCalendar().isWorkday('2026-11-30')])).toEqual([
      false,
      true,
    ]);
  });

  it('reads an instant’s day in Asia/Shanghai: 00:30 on National Day in Beijing is a holiday on a UTC or American host', () => {
    const instant = new Date('2026-10-01T00:30:00+08:00');
    for (const zone of ['UTC', 'America/New_York', 'Asia/Shanghai']) {
      expect(
        withZone(zone, () => new WorkingCalendar().isWorkday(shanghaiDate(instant))),
        zone,
      ).toBe(false);
    }
    // What the package does with the same instant on a UTC host: it reads 30 September, a workday.
    expect(withZone('UTC', () => chineseDays.isWorkday(instant))).toBe(true);
  });

  it('marks a plan reaching into a year without data provisional, and plans it around the holiday once the year is loaded', () => {
    const input = {
      due: { on: '2027-10-01' },
      from: '2026-11-30T02:00:00Z',
      reminderWorkingDays: [5, 1],
      escalationWorkingDays: [3, 10, 20] as [number, number, number],
    };
    const provisional = planTask(new WorkingCalendar(), input);
    // Every Monday to Friday a workday: due Friday 1 October, escalations on 6, 15 and 29 October — the first inside
    // the National Day holiday.
    expect(provisional.dueAt).toBe('2027-10-01T10:00:00.000Z');
    expect(provisional.escalations.map((e) => e.at.slice(0, 10))).toEqual(['2027-10-06', '2027-10-15', '2027-10-29']);
    expect(provisional.provisionalYears).toEqual([2027]);
    expect(provisional.basis).toEqual(input);
    // The 2027 arrangement loaded (illustrative: 1–7 October off, 26 September and 9 October worked).
    const days = new Map<string, boolean>([
      ['2027-09-26', true],
      ['2027-10-09', true],
    ]);
    for (let d = '2027-10-01'; d <= '2027-10-07'; d = addDays(d, 1)) days.set(d, false);
    const final = planTask(new WorkingCalendar(days, [2027]), input);
    expect(final.dueAt).toBe('2027-09-30T10:00:00.000Z');
    // +3 working days from 30 September: 8, 9 (Saturday, worked), 11 October.
    expect(final.escalations.map((e) => e.at.slice(0, 10))).toEqual(['2027-10-11', '2027-10-20', '2027-11-03']);
    expect(final.provisionalYears).toEqual([]);
    // A plan inside known years is final; one that counts from 2026 into 2027 is not.
    expect(planTask(new WorkingCalendar(), { ...input, due: { on: '2026-06-01' }, from: '2026-05-01T00:00:00Z' }).provisionalYears).toEqual([]);
    expect(planTask(new WorkingCalendar(), { ...input, due: { workingDays: 15 }, from: '2026-12-20T00:00:00Z' }).provisionalYears).toEqual([2027]);
  });
});

describe('a year’s notice as an admin loads it', () => {
  it('reads the package’s own iCalendar for 2026 into the package’s own days', () => {
    const file = createRequire(import.meta.url).resolve('chinese-days/dist/years/2026.ics');
    const r = noticeFromICalendar(2026, readFileSync(file, 'utf8'));
    if ('fileError' in r) throw new Error(r.fileError);
    expect(r.errors).toEqual([]);
    const cal = new WorkingCalendar();
    expect(r.days.length).toBeGreaterThan(30);
    for (const d of r.days) expect(d.isWorkday, d.day).toBe(cal.isWorkday(d.day));
    expect(r.days.find((d) => d.day === '2026-10-01')).toEqual({ day: '2026-10-01', isWorkday: false, note: '国庆节' });
  });

  it('names each bad row and column, and reads tables in Chinese or English', () => {
    expect(
      noticeFromRows(2027, [
        { day: '2026-12-31', isWorkday: false },
        { day: '2026-06-01', isWorkday: false },
      ]).errors,
    ).toEqual([{ row: 2, column: 'day', message: expect.stringMatching(/2026-06-01 is not in 2027/) }]);
    const table = noticeFromTable(
      2027,
      ['日期', '类型', '名称'],
      [
        { row: 2, cells: ['2027/10/1', '休', '国庆节'] },
        { row: 3, cells: ['2027-10-09', '班', '国庆节'] },
        { row: 4, cells: ['', '', ''] },
      ],
    );
    expect(table).toEqual({
      days: [
        { day: '2027-10-01', isWorkday: false, note: '国庆节' },
        { day: '2027-10-09', isWorkday: true, note: '国庆节' },
      ],
      errors: [],
    });
    expect(noticeFromTable(2027, ['date', 'kind'], [])).toHaveProperty('headerError');
    expect(noticeFromRows(2027, []).errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/no days/) })]);
  });
});
