import chineseDays from 'chinese-days';
import { addDays, type IsoDate } from './dates.js';

/**
 * The working-day calendar of mainland China: weekends and public holidays are off, adjusted workdays (调休)
 * are on. Holiday data comes from chinese-days; `overrides` (from the admin-extensible table) win over it,
 * for years the package does not know yet.
 */
export class WorkingCalendar {
  constructor(private readonly overrides: ReadonlyMap<IsoDate, boolean> = new Map()) {}

  isWorkday(d: IsoDate): boolean {
    const o = this.overrides.get(d);
    return o ?? chineseDays.isWorkday(d);
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
