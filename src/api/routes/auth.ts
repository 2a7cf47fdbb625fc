import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import rateLimit from '@fastify/rate-limit';
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import { PASSWORD_MAX_LENGTH, passwordProblem, type PasswordProblem } from '../../auth/password-policy.js';
import { setPassword } from '../../auth/users.js';
import { endAllSessions, endSession, forgetExpiredSignOuts, revokeApiToken, userToSignIn, userWithPassword } from '../../auth/sessions.js';
import {
  ACCOUNT_RULE,
  SOURCE_RULE,
  accountKey,
  forgetAccount,
  lockedUntil,
  pruneThrottle,
  recordFailure,
  retryAfterSeconds,
  sourceKey,
} from '../../auth/throttle.js';
import { auditAction } from '../../audit/store.js';
import { HttpError } from '../errors.js';
import { SESSION_SECONDS } from '../plugins/auth.js';

const PRUNE_EVERY_MS = 10 * 60_000;

const sessionSchema = z.object({ token: z.string(), expiresIn: z.number() });

/**
 * POST /auth/login: username and password for a Bearer JWT (public). Guessing is slowed by a lockout per account and
 * per source address kept in PostgreSQL (src/auth/throttle.ts), under a per-process flood limit per address and
 * username. POST /auth/logout ends the caller's session; POST /auth/password changes the caller's password and ends
 * every other session.
 */
const auth: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  await app.register(rateLimit, { global: false });
  const dummyHash = await hashPassword(randomBytes(16).toString('hex'));
  /** The client's address: the socket's, or the one a trusted reverse proxy names in X-Forwarded-For (app.ts trustProxy). */
  const clientAddress = (req: FastifyRequest) => req.ip;
  const accountRule = { ...ACCOUNT_RULE, maxFailures: app.config.ORGLIFE_LOGIN_MAX_FAILURES ?? ACCOUNT_RULE.maxFailures };
  const sourceRule = { ...SOURCE_RULE, maxFailures: app.config.ORGLIFE_LOGIN_SOURCE_MAX_FAILURES ?? SOURCE_RULE.maxFailures };
  let prunedAt = 0;

  const tooMany = (reply: FastifyReply, until: Date) => {
    const seconds = retryAfterSeconds(until);
    reply.header('retry-after', String(seconds));
    return new HttpError(429, 'too_many_requests', `too many failed sign-ins: try again in ${seconds} s`, { retryAfter: seconds });
  };

  /**
   * A password tried for `username` from this request's source: refused (429) while the account or the source is
   * locked; a wrong one is counted against both. Answers whether the password was right. Unknown users are checked
   * against a dummy hash, so the answer takes as long either way.
   */
  const tryPassword = async (req: FastifyRequest, reply: FastifyReply, username: string, hash: string | undefined, password: string) => {
    const keys = [accountKey(username), sourceKey(clientAddress(req))];
    const held = await lockedUntil(app.sql, keys);
    if (held) throw tooMany(reply, held);
    const ok = await verifyPassword(hash ?? dummyHash, password);
    if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
      prunedAt = Date.now();
      void pruneThrottle(app.sql).catch((err: unknown) => req.log.warn({ err }, 'login throttle: pruning failed'));
    }
    if (!hash || !ok) {
      const outcome = await recordFailure(app.sql, [
        { key: keys[0]!, rule: accountRule },
        { key: keys[1]!, rule: sourceRule },
      ]);
      if (outcome.refusedUntil) throw tooMany(reply, outcome.refusedUntil);
      for (const l of outcome.locked) req.log.warn({ key: l.key, until: l.until }, 'sign-in locked after repeated failures');
      return false;
    }
    // A concurrent attempt locked the account or the source while this one was checked: refused like the rest, so
    // that a refusal says nothing about whether this password was right.
    const late = await lockedUntil(app.sql, keys);
    if (late) throw tooMany(reply, late);
    await forgetAccount(app.sql, username);
    return true;
  };

  app.post(
    '/auth/login',
    {
      config: {
        rateLimit: {
          // After body parsing, so the key can hold the username.
          hook: 'preHandler',
          max: 10,
          timeWindow: '1 minute',
          keyGenerator: (req) => `${clientAddress(req)}|${(req.body as { username?: unknown } | undefined)?.username ?? ''}`,
        },
      },
      schema: {
        tags: ['auth'],
        description:
          'A session (JWT, 8 hours). 401 for a wrong username or password; 429 `too_many_requests` with Retry-After ' +
          'while the account or the source address is locked after repeated failures.',
        body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(PASSWORD_MAX_LENGTH) }),
        response: { 200: sessionSchema },
      },
    },
    async (req, reply) => {
      const user = await userToSignIn(app.sql, req.body.username);
      const ok = await tryPassword(req, reply, req.body.username, user?.password_hash, req.body.password);
      if (!user || !ok) throw new HttpError(401, 'unauthorized', 'wrong username or password');
      const token = await app.signSession({ userId: user.id, username: user.username, tokenVersion: user.token_version });
      return { token, expiresIn: SESSION_SECONDS };
    },
  );

  app.post(
    '/auth/logout',
    {
      onRequest: app.authenticate,
      config: { changesPrincipals: true },
      schema: {
        tags: ['auth'],
        description:
          'Ends the credential of the request: this session (JWT), or this machine API token. A session signed before ' +
          'sessions had ids ends with every other session of its user.',
        response: { 200: z.object({ ended: z.enum(['session', 'api-token', 'all-sessions']) }) },
      },
    },
    async (req) => {
      const c = req.credential;
      const userId = req.principal.userId;
      if (c.kind === 'api-token') {
        await revokeApiToken(app.sql, c.id);
        return { ended: 'api-token' as const };
      }
      // Signed-out ids are kept only while their JWT could still be presented.
      await forgetExpiredSignOuts(app.sql);
      if (!c.jti) {
        await endAllSessions(app.sql, userId);
        return { ended: 'all-sessions' as const };
      }
      await endSession(app.sql, { jti: c.jti, userId, expiresAt: c.expiresAt });
      return { ended: 'session' as const };
    },
  );

  app.post(
    '/auth/password',
    {
      onRequest: app.authenticate,
      config: { changesPrincipals: true },
      schema: {
        tags: ['auth'],
        description:
          "Changes the caller's password. The new one must pass the password policy (422 naming body.newPassword with " +
          'the reason); a wrong current password is 422 naming body.currentPassword and counts as a failed sign-in ' +
          '(429 while locked). Every session of the user ends; the answer is a new one. Machine API tokens are kept.',
        body: z.object({ currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH), newPassword: z.string().max(PASSWORD_MAX_LENGTH) }),
        response: { 200: sessionSchema },
      },
    },
    async (req, reply) => {
      const p = req.principal;
      const { currentPassword, newPassword } = req.body;
      const user = await userWithPassword(app.sql, p.userId);
      if (!user) throw new HttpError(401, 'unauthorized', 'a valid Bearer token is required');
      const problem: PasswordProblem | null =
        newPassword === currentPassword
          ? { reason: 'unchanged', message: 'must differ from the current password' }
          : await passwordProblem(newPassword, user.username);
      const ok = await tryPassword(req, reply, user.username, user.password_hash, currentPassword);
      const details = [
        ...(ok ? [] : [{ field: 'body.currentPassword', reason: 'wrong', message: 'not the current password' }]),
        ...(problem ? [{ field: 'body.newPassword', reason: problem.reason, message: problem.message }] : []),
      ];
      if (details.length) {
        throw new HttpError(422, ok ? 'weak_password' : 'wrong_password', details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
      }
      const tokenVersion = await setPassword(app.sql, user, newPassword);
      await auditAction(app.sql, { actor: user.username, action: 'user.password', subject: `user ${user.username}`, detail: { sessionsEnded: true } });
      const token = await app.signSession({ userId: user.id, username: user.username, tokenVersion });
      return { token, expiresIn: SESSION_SECONDS };
    },
  );
};

export default auth;
