import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import ical from 'ical-generator';
import { z } from 'zod';
import { HttpError } from '../errors.js';
import { requireRole } from '../scope.js';
import { tokenDigest } from '../plugins/auth.js';
import { heldBy } from './tasks.js';
import { stepWords } from '../../domain/step-words.js';
import { isoDateSchema } from '../../../workflows/messages.js';

const FEED_PREFIX = 'olc_';

/**
 * The caller's calendar settings (authenticated): a per-user feed token, and the admin-extensible
 * working-day calendar (years the chinese-days package does not know yet, late corrections).
 */
export const calendarSettings: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  app.post(
    '/calendar/token',
    { schema: { tags: ['calendar'], summary: 'issue (or rotate) the caller’s calendar feed token', response: { 200: z.object({ token: z.string(), url: z.string() }) } } },
    async (req) => {
      const token = `${FEED_PREFIX}${randomBytes(24).toString('base64url')}`;
      await sql`update users set calendar_token_sha256 = ${tokenDigest(token)} where id = ${req.principal.userId}`;
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
      const rows = await sql<{ day: string; is_workday: boolean; note: string | null }[]>`
        select day::text as day, is_workday, note from calendar_days where extract(year from day) = ${req.query.year} order by day`;
      return { items: rows.map((r) => ({ day: r.day, isWorkday: r.is_workday, note: r.note })) };
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
      await sql`
        insert into calendar_days (day, is_workday, note) values (${req.params.day}, ${req.body.isWorkday}, ${req.body.note ?? null})
        on conflict (day) do update set is_workday = excluded.is_workday, note = excluded.note, updated_at = now()`;
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
        response: { 200: { description: 'RFC 5545 iCalendar feed of the holder\'s open deadlines', content: { 'text/calendar': { schema: z.string() } } } },
      },
    },
    async (req, reply) => {
      const [user] = await sql<{ id: number; username: string }[]>`
        select id, username from users where calendar_token_sha256 = ${tokenDigest(req.query.token)} and not disabled`;
      if (!user) throw new HttpError(404, 'not_found', 'no calendar feed for this token');
      const rows = await sql<{ id: number; step: string; process: string; name: string; due_at: Date; state: string; escalation_level: number }[]>`
        select t.id, t.step, t.process, o.name, t.due_at, t.state, t.escalation_level
        from tasks t join organizations o on o.id = t.organization_id
        where t.state in ('open', 'claimed', 'escalated') and ${heldBy(sql, user.id, user.username)}
        order by t.due_at limit 2000`;
      const cal = ical({ name: `orglife: ${user.username}`, prodId: { company: 'orglife', product: 'deadlines', language: 'ZH' }, timezone: 'Asia/Shanghai', ttl: 3600 });
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
