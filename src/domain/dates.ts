// Pure date arithmetic on calendar dates (YYYY-MM-DD) in Asia/Shanghai, safe inside workflows: no clock,
// no locale. China keeps no daylight saving, so a fixed +08:00 offset is exact.

export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseIsoDate(d: IsoDate): { y: number; m: number; day: number } {
  const match = ISO_DATE.exec(d);
  if (!match) throw new Error(`not a YYYY-MM-DD date: ${d}`);
  return { y: Number(match[1]), m: Number(match[2]), day: Number(match[3]) };
}

export function isValidIsoDate(d: string): boolean {
  if (!ISO_DATE.test(d)) return false;
  const { y, m, day } = parseIsoDate(d);
  const t = new Date(Date.UTC(y, m - 1, day));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === day;
}

function fmt(t: Date): IsoDate {
  return t.toISOString().slice(0, 10);
}

/** Adds calendar months; the 31st of a month without one falls back to its last day. */
export function addMonths(d: IsoDate, months: number): IsoDate {
  const { y, m, day } = parseIsoDate(d);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return fmt(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(day, last))));
}

export function addDays(d: IsoDate, days: number): IsoDate {
  const { y, m, day } = parseIsoDate(d);
  return fmt(new Date(Date.UTC(y, m - 1, day + days)));
}

/** The instant of a wall-clock time on a date in Asia/Shanghai. */
export function shanghaiInstant(d: IsoDate, hour = 9, minute = 0): Date {
  const { y, m, day } = parseIsoDate(d);
  return new Date(Date.UTC(y, m - 1, day, hour - 8, minute));
}

/** The calendar date in Asia/Shanghai of an instant. */
export function shanghaiDate(t: Date | number): IsoDate {
  return fmt(new Date(new Date(t).getTime() + 8 * 3_600_000));
}
