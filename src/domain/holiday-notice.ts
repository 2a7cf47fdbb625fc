// A year's holidays as an admin loads them from the State Council's notice (国务院办公厅关于某年部分节假日安排的通知):
// the days off (休, including weekends inside a holiday) and the adjusted workdays (班, weekends worked), from rows
// (JSON), a table (CSV/XLSX: one row a day) or an iCalendar file (one all-day event a holiday span, as calendar
// publishers write them: SUMMARY "国庆节(休)" / "国庆节(班)"). Every problem is named by row and column; nothing is
// half-read. Pure: the API route writes what this returns.
import ICAL from 'ical.js';
import { addDays, isValidIsoDate, type IsoDate } from './dates.js';

export interface HolidayDay {
  day: IsoDate;
  isWorkday: boolean;
  note: string | null;
}

export interface NoticeError {
  /** JSON: the day's position (1-based); table: the spreadsheet row (header = 1); iCalendar: the event's position. */
  row: number;
  column: string;
  message: string;
}

export type NoticeResult = { days: HolidayDay[]; errors: NoticeError[] };

/**
 * Whether `day` belongs to the notice of `year`: its own days, and the last days of December before it (a New
 * Year holiday may begin on 30 or 31 December, as 2023's did).
 */
export function inNoticeYear(day: IsoDate, year: number): boolean {
  return day.startsWith(`${year}-`) || (day.startsWith(`${year - 1}-12-`) && day >= `${year - 1}-12-25`);
}

const WORK = new Set(['班', '上班', 'workday', 'work', 'true', '1', '是', 'yes', 'y']);
const OFF = new Set(['休', '休息', '假', '放假', 'holiday', 'off', 'false', '0', '否', 'no', 'n']);

/** A type cell: 班/workday/true → workday, 休/假/holiday/false → day off; anything else undefined. */
export function workdayOf(cell: string | boolean): boolean | undefined {
  if (typeof cell === 'boolean') return cell;
  const t = cell.trim().toLowerCase();
  if (WORK.has(t)) return true;
  if (OFF.has(t)) return false;
  return undefined;
}

/** Checks the days (each in the year, each once) and adds their errors; `at` names a day's row and column. */
function checkDays(year: number, days: { d: HolidayDay; row: number; column: string }[], errors: NoticeError[]): HolidayDay[] {
  const seen = new Map<IsoDate, number>();
  for (const { d, row, column } of days) {
    if (!inNoticeYear(d.day, year)) {
      errors.push({
        row,
        column,
        message: `${d.day} is not in ${year} (a notice for ${year} holds its days, and late December of ${year - 1} for a New Year holiday)`,
      });
    } else if (seen.has(d.day)) {
      errors.push({ row, column, message: `${d.day} is listed twice (first at row ${seen.get(d.day)})` });
    } else seen.set(d.day, row);
  }
  if (!days.length && !errors.length)
    errors.push({ row: 1, column: 'day', message: `no days: the notice for ${year} lists its holidays and adjusted workdays` });
  return days.map((x) => x.d).sort((a, b) => a.day.localeCompare(b.day));
}

/** Rows as the JSON body gives them. */
export function noticeFromRows(year: number, rows: readonly { day: string; isWorkday: boolean; note?: string | null }[]): NoticeResult {
  const errors: NoticeError[] = [];
  const days: { d: HolidayDay; row: number; column: string }[] = [];
  rows.forEach((r, i) => {
    if (!isValidIsoDate(r.day)) errors.push({ row: i + 1, column: 'day', message: `${r.day} is not a date YYYY-MM-DD` });
    else days.push({ d: { day: r.day, isWorkday: r.isWorkday, note: r.note ?? null }, row: i + 1, column: 'day' });
  });
  return { days: checkDays(year, days, errors), errors };
}

const DAY_COLUMNS = ['day', 'date', '日期'];
const TYPE_COLUMNS = ['type', 'is_workday', 'isworkday', '类型', '安排'];
const NOTE_COLUMNS = ['note', 'name', '名称', '节日', '说明', '备注'];

/** A table: a header row naming the date, type and (optional) note columns, then one row a day. */
export function noticeFromTable(
  year: number,
  header: readonly string[],
  rows: readonly { row: number; cells: readonly string[] }[],
): NoticeResult | { headerError: string } {
  const names = header.map((h) => h.trim());
  const find = (options: string[]) => names.findIndex((h) => options.includes(h.toLowerCase()));
  const [dayAt, typeAt, noteAt] = [find(DAY_COLUMNS), find(TYPE_COLUMNS), find(NOTE_COLUMNS)];
  if (dayAt < 0 || typeAt < 0) {
    return {
      headerError: `the header needs a date column (${DAY_COLUMNS.join(', ')}) and a type column (${TYPE_COLUMNS.join(', ')}); it has ${names.join(', ') || 'nothing'}`,
    };
  }
  const errors: NoticeError[] = [];
  const days: { d: HolidayDay; row: number; column: string }[] = [];
  for (const r of rows) {
    if (r.cells.every((c) => c.trim() === '')) continue;
    const dayCell = (r.cells[dayAt] ?? '').trim().replace(/\//g, '-');
    const day = /^\d{4}-\d{1,2}-\d{1,2}$/.test(dayCell) ? dayCell.replace(/-(\d)(?=-|$)/g, '-0$1') : dayCell;
    const isWorkday = workdayOf(r.cells[typeAt] ?? '');
    let ok = true;
    if (!isValidIsoDate(day)) {
      errors.push({ row: r.row, column: names[dayAt]!, message: `${dayCell || '(empty)'} is not a date YYYY-MM-DD` });
      ok = false;
    }
    if (isWorkday === undefined) {
      errors.push({
        row: r.row,
        column: names[typeAt]!,
        message: `${(r.cells[typeAt] ?? '').trim() || '(empty)'}: write 休 (day off) or 班 (adjusted workday)`,
      });
      ok = false;
    }
    const note = noteAt >= 0 ? (r.cells[noteAt] ?? '').trim() || null : null;
    if (ok) days.push({ d: { day, isWorkday: isWorkday!, note }, row: r.row, column: names[dayAt]! });
  }
  return { days: checkDays(year, days, errors), errors };
}

/** Whether a file is an iCalendar (by content, not by name or header). */
export const isICalendar = (text: string) => /^\s*BEGIN:VCALENDAR/i.test(text.replace(/^\uFEFF/, ''));

/**
 * An iCalendar file: each VEVENT an all-day span [DTSTART, DTEND) of days off or of adjusted workdays, told by its
 * SUMMARY or DESCRIPTION (休 / 班) or Apple's X-APPLE-SPECIAL-DAY (WORK-HOLIDAY / ALTERNATE-WORKDAY).
 */
export function noticeFromICalendar(year: number, text: string): NoticeResult | { fileError: string } {
  let events: InstanceType<typeof ICAL.Event>[];
  try {
    const root = new ICAL.Component(ICAL.parse(text.replace(/^\uFEFF/, '')));
    events = root.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
  } catch (err) {
    return { fileError: `not a readable iCalendar file: ${(err as Error).message}` };
  }
  const errors: NoticeError[] = [];
  const days: { d: HolidayDay; row: number; column: string }[] = [];
  events.forEach((e, i) => {
    const row = i + 1;
    const summary = (e.summary ?? '').trim();
    const special = String(e.component.getFirstPropertyValue('x-apple-special-day') ?? '').toUpperCase();
    const text = `${summary} ${e.description ?? ''}`;
    const isWorkday =
      special === 'ALTERNATE-WORKDAY' || /班/.test(summary) ? true : special === 'WORK-HOLIDAY' || /休/.test(text) ? false : /班/.test(text) ? true : undefined;
    if (isWorkday === undefined) {
      errors.push({ row, column: 'SUMMARY', message: `${summary || '(no summary)'}: neither 休 (day off) nor 班 (adjusted workday)` });
      return;
    }
    if (!e.startDate) {
      errors.push({ row, column: 'DTSTART', message: 'the event has no start' });
      return;
    }
    if (!e.startDate.isDate) {
      errors.push({ row, column: 'DTSTART', message: `${e.startDate.toString()}: expected an all-day date (DTSTART;VALUE=DATE)` });
      return;
    }
    const first = e.startDate.toString().slice(0, 10);
    // DTEND is exclusive; without it the event is its start day.
    const end = e.endDate?.isDate ? e.endDate.toString().slice(0, 10) : addDays(first, 1);
    if (end <= first) {
      errors.push({ row, column: 'DTEND', message: `${end} is not after ${first}` });
      return;
    }
    const note = summary.replace(/[（(]\s*[休班]\s*[)）]/g, '').trim() || null;
    for (let d = first, n = 0; d < end; d = addDays(d, 1), n++) {
      if (n >= 31) {
        errors.push({ row, column: 'DTEND', message: `${first} to ${end}: longer than any holiday` });
        break;
      }
      days.push({ d: { day: d, isWorkday, note }, row, column: 'DTSTART' });
    }
  });
  return { days: checkDays(year, days, errors), errors };
}
