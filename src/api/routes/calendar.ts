import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import ical from 'ical-generator';
import { z } from 'zod';
import { HttpError } from '../errors.js';
import { requireRole } from '../scope.js';
import { tokenDigest } from '../plugins/auth.js';
import { heldBy } from '../substitutes.js';
import { isoDateSchema } from '../../../workflows/messages.js';
import { actorOf } from '../gateway.js';
import { calendarReplanRunning, startCalendarReplan } from '../../processes/calendar.js';
import {
  calendarTokenOwner,
  daysOfYear,
  deadlinesHeld,
  loadedYears,
  noticedYears,
  provisionalTasksByYear,
  writeCalendarToken,
  writeDay,
  writeYear,
} from '../../calendar/store.js';
import { PACKAGE_HOLIDAY_YEARS } from '../../domain/calendar.js';
import { shanghaiDate } from '../../domain/dates.js';
import { isICalendar, noticeFromICalendar, noticeFromRows, noticeFromTable, type HolidayDay, type NoticeError } from '../../domain/holiday-notice.js';
import { XLSX_TYPE, sheetRows, uploadBytes } from '../uploads.js';
import { idempotent } from '../idempotency.js';
import { calendarYearsSchema, holidayLoadSchema } from '../../calendar/schemas.js';
import { stepWords } from '../../domain/step-words.js';

const FEED_PREFIX = 'olc_';
/** A year's notice is a few dozen days: a file of 1 MiB is already far more than one. */
const NOTICE_MAX_BYTES = 1024 * 1024;
const NOTICE_LIMITS = { maxBytes: NOTICE_MAX_BYTES, maxRows: 2_000, timeoutMs: 30_000 };
const yearParams = z.object({ year: z.coerce.number().int().min(2000).max(2100) });

/**
 * Writes a year's days (replacing the year's rows: the notice is the whole arrangement) and marks the year loaded,
 * in one transaction; then hands the re-plan of every open task planned provisionally into the year to the year's
 * `calendarReplan` workflow (src/processes/calendar.ts) and answers at once: a province holds thousands of such
 * tasks, and one Update each inside the request would hold it for minutes. `replanned` is how many are queued; the
 * run's progress is GET /calendar/years (`provisionalTasks` falls, `replanRunning`). A task whose re-plan fails stays
 * provisional and is sent again by the next load of the year.
 */
async function loadYear(app: FastifyInstance, req: FastifyRequest, year: number, days: HolidayDay[], source: string, note: string | null) {
  const queued = await writeYear(app.sql, year, days, { source, note, by: req.principal.username });
  // Started after the commit, so the run reads the days just written. Nothing to re-plan: no run.
  const replanWorkflowId = queued > 0 ? await startCalendarReplan(app.temporal, app.config.TEMPORAL_TASK_QUEUE, year, actorOf(req.principal)) : null;
  return {
    year,
    days: days.length,
    holidays: days.filter((d) => !d.isWorkday).length,
    workdays: days.filter((d) => d.isWorkday).length,
    replanned: queued,
    failed: [],
    replanWorkflowId,
  };
}

/** What both loads answer about the re-plan (their OpenAPI descriptions). */
const REPLAN_WORDS =
  'The answer comes once the days are written: `replanned` is the number of open tasks planned provisionally into the year ' +
  'whose re-plan is queued (`failed` stays empty); the workflow `replanWorkflowId` (`calendar-replan:<year>`, null when ' +
  'nothing is queued) re-plans them in the background, and GET /calendar/years shows its progress. Loading the year again ' +
  'while it runs makes it walk the provisional tasks again on the new days.';

function refuseRows(errors: NoticeError[]): never {
  throw new HttpError(422, 'invalid_rows', `${errors.length} error(s); nothing was loaded`, errors);
}

/**
 * The caller's calendar settings (authenticated): a per-user feed token, and the admin-extensible
 * working-day calendar (years the chinese-days package does not know yet, late corrections).
 */
export const calendarSettings: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  app.post(
    '/calendar/token',
    {
      schema: {
        tags: ['calendar'],
        summary: 'issue (or rotate) the caller’s calendar feed token',
        response: { 200: z.object({ token: z.string(), url: z.string() }) },
      },
    },
    async (req) => {
      const token = `${FEED_PREFIX}${randomBytes(24).toString('base64url')}`;
      await writeCalendarToken(sql, req.principal.userId, tokenDigest(token));
      return { token, url: `/api/v1/calendar.ics?token=${token}` };
    },
  );

  app.get(
    '/calendar/days',
    {
      schema: {
        tags: ['calendar'],
        querystring: z.object({ year: z.coerce.number().int().min(2000).max(2100) }),
        response: { 200: z.object({ items: z.array(z.object({ day: z.string(), isWorkday: z.boolean(), note: z.string().nullable() })) }) },
      },
    },
    async (req) => {
      return { items: await daysOfYear(sql, req.query.year) };
    },
  );

  app.get(
    '/calendar/years',
    {
      schema: {
        tags: ['calendar'],
        summary: 'the years with and without holiday data, and the open tasks planned provisionally for each',
        description:
          'From last year to two years ahead, and every year an open task reaches into: whether its holidays are known (from the ' +
          'chinese-days package, or loaded by an admin from the State Council’s notice) and how many open tasks were planned ' +
          'without them (provisional: every Monday to Friday counted as a workday), and whether their re-plan after a load is ' +
          'running (`replanRunning`: `provisionalTasks` falls as it goes). `notice`: the first year the daily calendar notice ' +
          'announced to the admins (from 1 November of the year before) that still has no holiday data, else null; the web UI ' +
          'shows admins a banner while it is set.',
        response: { 200: calendarYearsSchema },
      },
    },
    async () => {
      const thisYear = Number(shanghaiDate(Date.now()).slice(0, 4));
      const [loaded, pending, notices] = await Promise.all([loadedYears(sql), provisionalTasksByYear(sql), noticedYears(sql)]);
      // Only a loaded year with provisional tasks left can have a re-plan running: one look at Temporal each.
      const replannable = loaded.filter((l) => pending.some((p) => p.year === l.year && p.n > 0));
      const running = new Map(await Promise.all(replannable.map(async (l) => [l.year, await calendarReplanRunning(app.temporal, l.year)] as const)));
      // A year the daily calendar notice announced to the admins (from 1 November of the year before) that still has no
      // holiday data: the web UI's banner while it is set.
      const hasData = (y: number) => loaded.some((l) => l.year === y) || PACKAGE_HOLIDAY_YEARS.includes(y);
      const notice = notices.find((n) => !hasData(n.year))?.year ?? null;
      const years = new Set([thisYear - 1, thisYear, thisYear + 1, thisYear + 2, ...pending.map((p) => p.year), ...(notice === null ? [] : [notice])]);
      const items = [...years]
        .sort((a, b) => a - b)
        .map((year) => {
          const l = loaded.find((x) => x.year === year);
          const source = l ? ('loaded' as const) : PACKAGE_HOLIDAY_YEARS.includes(year) ? ('package' as const) : null;
          return {
            year,
            hasHolidayData: source !== null,
            source,
            note: l?.note ?? null,
            days: l?.days ?? null,
            loadedBy: l?.loaded_by ?? null,
            loadedAt: l ? l.loaded_at.toISOString() : null,
            provisionalTasks: pending.find((p) => p.year === year)?.n ?? 0,
            replanRunning: running.get(year) ?? false,
          };
        });
      return {
        items,
        missing: items.filter((i) => !i.hasHolidayData).map((i) => i.year),
        notice,
        packageYears: [PACKAGE_HOLIDAY_YEARS[0]!, PACKAGE_HOLIDAY_YEARS.at(-1)!] as [number, number],
      };
    },
  );

  app.put(
    '/calendar/years/:year',
    {
      schema: {
        tags: ['calendar'],
        summary: 'load a year’s holidays from the State Council’s notice, as rows; queues the re-plan of the open provisional tasks of the year',
        description:
          'The year’s days off (isWorkday false, weekends inside a holiday included) and adjusted workdays (isWorkday true); other days ' +
          'follow the week. Replaces the year’s rows. Each day must lie in the year (or in late December before it, for a New Year ' +
          'holiday) and appear once: otherwise 422 naming each row (its position, 1-based) and column, and nothing is written. Admins only. ' +
          REPLAN_WORDS,
        params: yearParams,
        body: z.object({
          note: z.string().trim().max(200).optional().describe('the notice, e.g. 国办发明电〔2026〕7号'),
          days: z.array(z.object({ day: z.string().max(20), isWorkday: z.boolean(), note: z.string().max(200).optional() })).max(400),
        }),
        response: { 200: holidayLoadSchema },
      },
    },
    async (req, reply) => {
      requireRole(req.principal, '', ['admin']);
      const { days, errors } = noticeFromRows(req.params.year, req.body.days);
      if (errors.length) refuseRows(errors);
      return idempotent(app.sql, req, reply, async () => ({
        status: 200,
        body: await loadYear(app, req, req.params.year, days, 'rows', req.body.note ?? null),
      }));
    },
  );

  // The file reaches the handler as a stream: CSV/XLSX through the import reader, iCalendar by its first line.
  app.addContentTypeParser(['text/csv', 'text/calendar', XLSX_TYPE, 'application/octet-stream'], (_req, payload, done) => done(null, payload));
  app.post(
    '/calendar/years/:year/import',
    {
      bodyLimit: NOTICE_MAX_BYTES,
      schema: {
        tags: ['calendar'],
        summary: 'load a year’s holidays from a file: iCalendar (.ics), CSV or XLSX; queues the re-plan of the open provisional tasks of the year',
        description:
          'iCalendar: one all-day event a span of days off (SUMMARY or DESCRIPTION with 休) or of adjusted workdays (班), DTEND ' +
          'exclusive; rows are the events in order, columns their properties. CSV/XLSX: a header with a date column (day, date, 日期), ' +
          'a type column (type, is_workday, 类型: 休 or 班) and optionally a note (note, name, 名称). An unreadable file or header is ' +
          '400; any bad row 422 with every error by row and column; nothing is written then. Admins only. ' +
          REPLAN_WORDS,
        consumes: ['text/calendar', 'text/csv', XLSX_TYPE],
        params: yearParams,
        querystring: z.object({ note: z.string().trim().max(200).optional() }),
        response: { 200: holidayLoadSchema },
      },
    },
    async (req, reply) => {
      requireRole(req.principal, '', ['admin']);
      const year = req.params.year;
      const file = await uploadBytes(req.body, NOTICE_LIMITS);
      const text = file.toString('utf8');
      let source: string;
      let result: ReturnType<typeof noticeFromICalendar> | ReturnType<typeof noticeFromTable>;
      if (isICalendar(text)) {
        source = 'ics';
        result = noticeFromICalendar(year, text);
        if ('fileError' in result)
          throw new HttpError(400, 'invalid_file', result.fileError, [{ row: 1, column: 'BEGIN:VCALENDAR', message: result.fileError }]);
      } else {
        source = file.subarray(0, 4).toString('latin1') === 'PK\x03\x04' ? 'xlsx' : 'csv';
        const [head, ...data] = await sheetRows(Readable.from([file]), NOTICE_LIMITS);
        result = noticeFromTable(year, head?.cells ?? [], data);
        if ('headerError' in result) throw new HttpError(400, 'invalid_file', result.headerError, [{ row: 1, column: 'header', message: result.headerError }]);
      }
      if (result.errors.length) refuseRows(result.errors);
      const loaded = result.days;
      return idempotent(app.sql, req, reply, async () => ({ status: 200, body: await loadYear(app, req, year, loaded, source, req.query.note ?? null) }));
    },
  );

  app.put(
    '/calendar/days/:day',
    {
      schema: {
        tags: ['calendar'],
        summary: 'declare a day a holiday or an (adjusted) workday; applies to tasks planned or extended afterwards',
        params: z.object({ day: isoDateSchema }),
        body: z.object({ isWorkday: z.boolean(), note: z.string().max(200).optional() }),
        response: { 200: z.object({ day: z.string(), isWorkday: z.boolean() }) },
      },
    },
    async (req) => {
      requireRole(req.principal, '', ['admin']);
      await writeDay(sql, { day: req.params.day, isWorkday: req.body.isWorkday, note: req.body.note ?? null });
      return { day: req.params.day, isWorkday: req.body.isWorkday };
    },
  );
};

/** GET /calendar.ics?token=…: deadlines of the tasks the token's owner holds, as RFC 5545 text. No Bearer header. */
export const calendarFeed: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  app.get(
    '/calendar.ics',
    {
      schema: {
        tags: ['calendar'],
        querystring: z.object({ token: z.string().min(10).max(200) }),
        // Not JSON: the answer is documented with its own media type (the errors stay JSON, added in app.ts).
        response: { 200: { description: "RFC 5545 iCalendar feed of the holder's open deadlines", content: { 'text/calendar': { schema: z.string() } } } },
      },
    },
    async (req, reply) => {
      const user = await calendarTokenOwner(sql, tokenDigest(req.query.token));
      if (!user) throw new HttpError(404, 'not_found', 'no calendar feed for this token');
      const rows = await deadlinesHeld(sql, heldBy(sql, user.id, user.username));
      // Instants in UTC (`…Z`): every calendar shows them in its own zone. No calendar `timezone`: with one and no
      // VTIMEZONE generator, ical-generator writes the host's local clock with neither `Z` nor `TZID` (a floating time),
      // which a calendar reads as its own local time — 18:00 Beijing time written on a UTC host became 10:00.
      const cal = ical({ name: `orglife: ${user.username}`, prodId: { company: 'orglife', product: 'deadlines', language: 'ZH' }, ttl: 3600 });
      for (const t of rows) {
        cal.createEvent({
          id: `task-${t.id}@orglife`,
          start: new Date(t.due_at.getTime() - 30 * 60_000),
          end: t.due_at,
          summary: `截止：${stepWords(t.process, t.step, 'zh-CN')}（${t.name}）`,
          description: `process ${t.process}; state ${t.state}${t.escalation_level ? `; escalated to level ${t.escalation_level}` : ''}`,
        });
      }
      return reply.header('content-type', 'text/calendar; charset=utf-8').header('cache-control', 'private, max-age=300').send(cal.toString());
    },
  );
};
