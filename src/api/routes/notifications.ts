import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../errors.js';
import { markAllRead, markRead, notificationsOf, unreadCount } from '../../notifications/store.js';

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
      const [rows, unread] = await Promise.all([
        notificationsOf(sql, me, { unreadOnly: q.unread === 'true', beforeId: q.cursor, limit: q.limit }),
        unreadCount(sql, me),
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
        unread,
        nextCursor: rows.length > q.limit ? page.at(-1)!.id : null,
      };
    },
  );

  app.get('/notifications/unread-count', { schema: { tags: ['notifications'], response: { 200: z.object({ unread: z.number() }) } } }, async (req) => {
    return { unread: await unreadCount(sql, req.principal.userId) };
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
      const readAt = await markRead(sql, req.principal.userId, req.params.id);
      if (!readAt) throw notFound(`notification ${req.params.id}`);
      return { id: req.params.id, readAt: readAt.toISOString() };
    },
  );

  app.post('/notifications/read-all', { schema: { tags: ['notifications'], response: { 200: z.object({ marked: z.number() }) } } }, async (req) => {
    return { marked: await markAllRead(sql, req.principal.userId) };
  });
};

export default notifications;
