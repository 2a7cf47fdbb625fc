import { createHash, randomBytes } from 'node:crypto';
import fp from 'fastify-plugin';
import jwt from '@fastify/jwt';
import type { FastifyRequest } from 'fastify';
import { loadPrincipal, type Principal } from '../../auth/principal.js';
import { taskLinkAllows } from '../../auth/task-links.js';
import { lentGrants } from '../substitutes.js';
import { HttpError } from '../errors.js';
import type { Sql } from '../../db/client.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate`; present on every route under /api/v1 but login. */
    principal: Principal;
  }
  interface FastifyInstance {
    authenticate(req: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
  interface FastifyContextConfig {
    /** The route changes who may do what (a substitution): cached principals are forgotten before it answers. */
    changesPrincipals?: boolean;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    /** `task`: a session granted by a task link, held to that one task. */
    payload: { sub: string; username: string; task?: number };
    user: { sub: string; username: string; task?: number };
  }
}

export const TOKEN_PREFIX = 'olt_';
export const tokenDigest = (token: string) => createHash('sha256').update(token).digest('hex');
export const newApiToken = () => `${TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;

/** The JWT signing key: ORGLIFE_JWT_SECRET, else one generated once and kept in PostgreSQL for every API process. */
async function signingSecret(sql: Sql, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  await sql`insert into app_secrets (name, value) values ('jwt', ${randomBytes(48).toString('base64url')}) on conflict do nothing`;
  const [row] = await sql<{ value: string }[]>`select value from app_secrets where name = 'jwt'`;
  return row!.value;
}

const unauthorized = () => new HttpError(401, 'unauthorized', 'a valid Bearer token is required');

/**
 * Principals are read from PostgreSQL at most every PRINCIPAL_TTL_MS per user and API process: one query
 * less on every request (the inbox's throughput doubled, bench/http.ts). A change to roles or substitutions is
 * announced by PostgreSQL to every API process at commit and drops the entry; the TTL bounds what no notice covers
 * (a substitution's first day beginning at midnight, a notice lost with a dropped connection).
 */
export const PRINCIPAL_TTL_MS = 5_000;
const PRINCIPAL_CACHE_MAX = 50_000;
const LISTEN_RETRY_MS = 5_000;

/**
 * Bearer authentication: a JWT from /auth/login (HS256 only, with expiry) or a machine API token (olt_…).
 * Either resolves to a Principal with its roles (cached for PRINCIPAL_TTL_MS).
 */
export default fp(
  async (app) => {
    await app.register(jwt, {
      secret: await signingSecret(app.sql, app.config.ORGLIFE_JWT_SECRET),
      sign: { algorithm: 'HS256', expiresIn: '8h' },
      // Verified tokens cached (fast-jwt's LRU, keyed by a hash of the token, never past the token's expiry): an HMAC
      // and a JSON parse less on every request of a signed-in person (bench/http.ts).
      verify: { algorithms: ['HS256'], cache: 10_000 },
    });
    app.decorateRequest('principal', null as unknown as Principal);
    const cache = new Map<number, { principal: Principal | null; until: number }>();
    // Bumped by every change notice: a principal read while one arrived may be stale and is answered, not cached.
    let changes = 0;
    const principalOf = async (userId: number) => {
      const hit = cache.get(userId);
      if (hit && hit.until > Date.now()) return hit.principal;
      const seen = changes;
      // The grants lent by substitutions are read with the roles, so the inbox's withSubstitutions costs no query.
      const [own, lent] = await Promise.all([loadPrincipal(app.sql, userId), lentGrants(app.sql, userId)]);
      const principal = own && { ...own, lent };
      if (seen !== changes) return principal;
      if (cache.size >= PRINCIPAL_CACHE_MAX) cache.clear();
      cache.set(userId, { principal, until: Date.now() + PRINCIPAL_TTL_MS });
      return principal;
    };
    // A role, a disabled flag or a substitution changed (migrations/092_principal_changed.sql): read it afresh.
    // Listened to in the background: the API starts (and /readyz says why it is not ready) while PostgreSQL is down,
    // and keeps trying every LISTEN_RETRY_MS until it answers; meanwhile the TTL bounds what is cached. Each
    // (re)connection forgets every principal: notices sent while the listener was away are lost.
    let retry: NodeJS.Timeout | undefined;
    let closed = false;
    const listen = () =>
      app.sql
        .listen(
          'orglife_principal',
          (userId) => {
            changes++;
            cache.delete(Number(userId));
          },
          () => {
            changes++;
            cache.clear();
          },
        )
        .catch((err: unknown) => {
          if (closed) return;
          app.log.warn({ err }, 'principal change notices: not listening yet, retrying');
          retry = setTimeout(listen, LISTEN_RETRY_MS).unref();
        });
    void listen();
    // PostgreSQL's notice reaches this process a moment after the commit; the caller's next request may come
    // sooner. A change made through this process is therefore forgotten here before its answer leaves.
    app.addHook('onSend', async (req, reply, payload) => {
      if (reply.statusCode < 400 && req.routeOptions.config.changesPrincipals) {
        changes++;
        cache.clear();
      }
      return payload;
    });
    app.addHook('onClose', async () => {
      closed = true;
      clearTimeout(retry);
    });
    app.decorate('authenticate', async (req: FastifyRequest) => {
      const header = req.headers.authorization ?? '';
      const bearer = /^Bearer (.+)$/i.exec(header)?.[1];
      if (!bearer) throw unauthorized();
      let userId: number | undefined;
      let onlyTask: number | undefined;
      if (bearer.startsWith(TOKEN_PREFIX)) {
        const [row] = await app.sql<{ user_id: number }[]>`
          select user_id from api_tokens where token_sha256 = ${tokenDigest(bearer)} and revoked_at is null`;
        userId = row?.user_id;
      } else {
        try {
          const claims = await req.jwtVerify<{ sub: string; task?: number }>();
          userId = Number(claims.sub);
          onlyTask = typeof claims.task === 'number' ? claims.task : undefined;
        } catch {
          throw unauthorized();
        }
      }
      const principal = userId ? await principalOf(userId) : null;
      if (!principal) throw unauthorized();
      if (onlyTask === undefined) {
        req.principal = principal;
        return;
      }
      // A task link's session: the caller's own rights, on that one task's routes only.
      const ask = { method: req.method, route: req.routeOptions.url, params: req.params, query: req.query };
      if (!(await taskLinkAllows(app.sql, ask, onlyTask))) {
        throw new HttpError(403, 'task_link_scope', `this session was opened by a link to task ${onlyTask} and reaches only that task; sign in to do more`);
      }
      req.principal = { ...principal, onlyTask };
    });
  },
  { name: 'orglife-auth' },
);
