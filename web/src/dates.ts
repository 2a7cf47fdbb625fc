// Calendar dates as the server counts them: Beijing time (Asia/Shanghai), YYYY-MM-DD.

/** Today in Beijing: terms end on Chinese calendar dates, wherever the browser is. */
export function shanghaiToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** A calendar date `m` months later, the day clamped to the month's end (as src/domain/dates.ts addMonths). */
export function addMonthsIso(iso: string, m: number): string {
  const [y, mo, d] = iso.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, mo - 1 + m, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))).toISOString().slice(0, 10);
}
