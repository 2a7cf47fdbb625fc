import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import rateLimit from '@fastify/rate-limit';
import { z } from 'zod';
import { redeemTaskLink, TASK_LINK_SESSION } from '../../auth/task-links.js';
import { HttpError } from '../errors.js';

/**
 * POST /auth/task-link: a message's link (`/t/<token>`, opened by web/src/pages/task-link.tsx) spent for a session
 * held to its one task. Public like login (the link is the credential), rate-limited per address so tokens cannot be
 * guessed at speed (32 random bytes make that hopeless anyway). A refusal is 403 `task_link_<reason>` with the
 * reason and, when the link was genuine, its task, so the page can say which case it is.
 */
const taskLinks: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  await app.register(rateLimit, { global: false });

  app.post(
    '/auth/task-link',
    {
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: "spend a task link from a message: a session as the link's recipient for that one task",
        body: z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a task link token') }),
        response: { 200: z.object({ token: z.string(), expiresIn: z.number(), taskId: z.number() }) },
      },
    },
    async (req) => {
      const r = await redeemTaskLink(app.sql, req.body.token, req.ip);
      if (!r.ok) {
        req.log.info({ reason: r.reason, task: r.taskId }, 'task link refused');
        throw new HttpError(403, `task_link_${r.reason}`, `this task link cannot be used: ${r.reason}`, { reason: r.reason, taskId: r.taskId ?? null });
      }
      req.log.info({ task: r.taskId, user: r.userId, link: r.linkId }, 'task link redeemed');
      const token = await app.signSession({ userId: r.userId, username: r.username, task: r.taskId, expiresIn: TASK_LINK_SESSION.expiresIn });
      return { token, expiresIn: TASK_LINK_SESSION.seconds, taskId: r.taskId };
    },
  );
};

export default taskLinks;
