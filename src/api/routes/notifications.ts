import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../errors.js';

const notificationSchema = z.object({
  id: z.number(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  taskId: z.number().nullable(),
  escalationId: z.number().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

/** The caller's in-app notifications (newest first), the unread count, and marking them read. */
const notifications: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  app.get(
    '/notifications',
    {
      schema: {
        tags: ['notifications'],
        querystring: z.object({
          unread: z.enum(['true', 'false']).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.coerce.number().int().positive().optional().describe('id of the last notification of the previous page'),
        }),
        response: { 200: z.object({ items: z.array(notificationSchema), unread: z.number(), nextCursor: z.number().nullable() }) },
      },
    },
    async (req) => {
      const q = req.query;
      const me = req.principal.userId;
      const [rows, [count]] = await Promise.all([
        sql<
          {
            id: number;
            kind: string;
            title: string;
            body: string;
            task_id: number | null;
            escalation_id: number | null;
            created_at: Date;
            read_at: Date | null;
          }[]
        >`
          select id, kind, title, body, task_id, escalation_id, created_at, read_at from notifications
          where user_id = ${me} ${q.unread === 'true' ? sql`and read_at is null` : sql``} ${q.cursor ? sql`and id < ${q.cursor}` : sql``}
          order by id desc limit ${q.limit + 1}`,
        sql<{ n: number }[]>`select count(*)::int as n from notifications where user_id = ${me} and read_at is null`,
      ]);
      const page = rows.slice(0, q.limit);
      return {
        items: page.map((n) => ({
          id: n.id,
          kind: n.kind,
          title: n.title,
          body: n.body,
          taskId: n.task_id,
          escalationId: n.escalation_id,
          createdAt: n.created_at.toISOString(),
          readAt: n.read_at?.toISOString() ?? null,
        })),
        unread: count!.n,
        nextCursor: rows.length > q.limit ? page.at(-1)!.id : null,
      };
    },
  );

  app.get('/notifications/unread-count', { schema: { tags: ['notifications'], response: { 200: z.object({ unread: z.number() }) } } }, async (req) => {
    const [r] = await sql<{ n: number }[]>`select count(*)::int as n from notifications where user_id = ${req.principal.userId} and read_at is null`;
    return { unread: r!.n };
  });

  app.post(
    '/notifications/:id/read',
    {
      schema: {
        tags: ['notifications'],
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: z.object({ id: z.number(), readAt: z.string() }) },
      },
    },
    async (req) => {
      // Someone else's notification does not exist for the caller.
      const [r] = await sql<{ read_at: Date }[]>`
        update notifications set read_at = coalesce(read_at, now()) where id = ${req.params.id} and user_id = ${req.principal.userId} returning read_at`;
      if (!r) throw notFound(`notification ${req.params.id}`);
      return { id: req.params.id, readAt: r.read_at.toISOString() };
    },
  );

  app.post('/notifications/read-all', { schema: { tags: ['notifications'], response: { 200: z.object({ marked: z.number() }) } } }, async (req) => {
    const r = await sql`update notifications set read_at = now() where user_id = ${req.principal.userId} and read_at is null`;
    return { marked: r.count };
  });
};

export default notifications;
