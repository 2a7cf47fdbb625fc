import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import rateLimit from '@fastify/rate-limit';
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import { HttpError } from '../errors.js';

/** POST /auth/login: username and password for a Bearer JWT. Public, rate-limited per address and username. */
const auth: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  await app.register(rateLimit, { global: false });
  const dummyHash = await hashPassword(randomBytes(16).toString('hex'));

  app.post(
    '/auth/login',
    {
      config: {
        rateLimit: {
          // After body parsing, so the key can hold the username.
          hook: 'preHandler',
          max: 10,
          timeWindow: '1 minute',
          keyGenerator: (req) => `${req.ip}|${(req.body as { username?: unknown } | undefined)?.username ?? ''}`,
        },
      },
      schema: {
        tags: ['auth'],
        body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }),
        response: { 200: z.object({ token: z.string(), expiresIn: z.number() }) },
      },
    },
    async (req) => {
      const [user] = await app.sql<{ id: number; username: string; password_hash: string }[]>`
        select id, username, password_hash from users where username = ${req.body.username} and not disabled`;
      // Verify against a dummy hash for unknown users too: the answer takes as long either way.
      const ok = await verifyPassword(user?.password_hash ?? dummyHash, req.body.password);
      if (!user || !ok) throw new HttpError(401, 'unauthorized', 'wrong username or password');
      return { token: app.jwt.sign({ sub: String(user.id), username: user.username }), expiresIn: 8 * 3600 };
    },
  );
};

export default auth;
