import { createRequire } from 'node:module';
import { addDays, parseIsoDate, type IsoDate } from './dates.js';

/**
 * chinese-days' own tables: holidays (weekends inside a holiday included) and adjusted workdays (调休), keyed by
 * YYYY-MM-DD. Read as data, not through the package's functions, which parse a Date in the host's local time zone
 * (a UTC host reads 00:30 on 1 October in Beijing as 30 September). Every lookup here is on a Shanghai date string.
 */
const packageDays = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as {
  holidays: Record<IsoDate, string>;
  workdays: Record<IsoDate, string>;
};

/** The years chinese-days holds the State Council's holiday arrangement for (1.5.7: 2004–2026). */
export const PACKAGE_HOLIDAY_YEARS: readonly number[] = [
  ...new Set([...Object.keys(packageDays.holidays), ...Object.keys(packageDays.workdays)].map((d) => Number(d.slice(0, 4)))),
].sort((a, b) => a - b);

const yearOf = (d: IsoDate) => Number(d.slice(0, 4));

/** Monday to Friday, from the date alone (no clock, no zone). */
function isWeekday(d: IsoDate): boolean {
  const { y, m, day } = parseIsoDate(d);
  const dow = new Date(Date.UTC(y, m - 1, day)).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/**
 * The working-day calendar of mainland China: weekends and public holidays are off, adjusted workdays (调休)
 * are on. Holiday data comes from chinese-days; `overrides` (from the admin-extensible table) win over it.
 * A year neither the package nor an admin's load (`loadedYears`) holds has no holiday data: every Monday to
 * Friday counts as a workday there, and a plan that reaches into it is provisional (`missingYears`).
 */
export class WorkingCalendar {
  private readonly loaded: ReadonlySet<number>;

  constructor(
    private readonly overrides: ReadonlyMap<IsoDate, boolean> = new Map(),
    loadedYears: Iterable<number> = [],
  ) {
    this.loaded = new Set(loadedYears);
  }

  isWorkday(d: IsoDate): boolean {
    const o = this.overrides.get(d);
    if (o !== undefined) return o;
    if (d in packageDays.holidays) return false;
    if (d in packageDays.workdays) return true;
    return isWeekday(d);
  }

  /** Whether the year's holidays are known: from the package, or loaded by an admin (the State Council's notice). */
  hasHolidayData(year: number): boolean {
    return this.loaded.has(year) || PACKAGE_HOLIDAY_YEARS.includes(year);
  }

  /** The years from `from` to `to` (either order) without holiday data. */
  missingYears(from: IsoDate, to: IsoDate): number[] {
    const [a, b] = [yearOf(from), yearOf(to)].sort((x, y) => x - y) as [number, number];
    const out: number[] = [];
    for (let y = a; y <= b; y++) if (!this.hasHolidayData(y)) out.push(y);
    return out;
  }

  /** `n` working days after `d` (n > 0) or before it (n < 0); n = 0 gives `d` moved forward to a workday. */
  addWorkingDays(d: IsoDate, n: number): IsoDate {
    const step = n < 0 ? -1 : 1;
    let left = Math.abs(n);
    let cur = d;
    if (left === 0) {
      while (!this.isWorkday(cur)) cur = addDays(cur, 1);
      return cur;
    }
    while (left > 0) {
      cur = addDays(cur, step);
      if (this.isWorkday(cur)) left--;
    }
    return cur;
  }

  /** The last workday on or before `d`: a deadline that falls on a holiday moves earlier, never later. */
  workdayOnOrBefore(d: IsoDate): IsoDate {
    let cur = d;
    while (!this.isWorkday(cur)) cur = addDays(cur, -1);
    return cur;
  }
}

/** From this month (1 November, Shanghai) on, next year's missing holiday arrangement is announced to the admins. */
export const CALENDAR_NOTICE_FROM_MONTH = 11;

/**
 * The year whose missing holiday data the admins are told about on `today` (a Shanghai date): next year, from
 * 1 November on, when neither chinese-days nor an admin's load holds it. The State Council publishes the next year's
 * arrangement in October or November; deadlines planned into a year without it are provisional, so the admins are
 * told in time to load it. Null otherwise.
 */
export function calendarNoticeYear(today: IsoDate, hasHolidayData: (year: number) => boolean): number | null {
  const { y, m } = parseIsoDate(today);
  if (m < CALENDAR_NOTICE_FROM_MONTH) return null;
  return hasHolidayData(y + 1) ? null : y + 1;
}
