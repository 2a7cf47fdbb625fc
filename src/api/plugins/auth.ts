import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fp from 'fastify-plugin';
import jwt from '@fastify/jwt';
import type { FastifyRequest } from 'fastify';
import { loadSessionPrincipal, type Principal } from '../../auth/principal.js';
import { taskLinkAllows } from '../../auth/task-links.js';
import { lentGrants } from '../substitutes.js';
import { HttpError } from '../errors.js';
import type { Sql } from '../../db/client.js';

/** What the caller presented: a session (JWT) or a machine API token. Set by `authenticate` beside the principal. */
export type Credential = { kind: 'session'; jti: string | null; expiresAt: number } | { kind: 'api-token'; id: number };

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate`; present on every route under /api/v1 but login. */
    principal: Principal;
    /** Set by `authenticate`: the credential that named the principal (sign-out ends that one). */
    credential: Credential;
  }
  interface FastifyInstance {
    authenticate(req: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** Signs a session for a user (its current token_version unless given), with its own id for sign-out. */
    signSession(s: { userId: number; username: string; task?: number; expiresIn?: string; tokenVersion?: number }): Promise<string>;
  }
  interface FastifyContextConfig {
    /** The route changes who may do what (a substitution): cached principals are forgotten before it answers. */
    changesPrincipals?: boolean;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    /**
     * `task`: a session granted by a task link, held to that one task. `ver`: the user's token_version when signed
     * (absent: 0, the version of every user before sessions could be revoked). `jti`: the session's id, for sign-out.
     */
    payload: { sub: string; username: string; task?: number; ver?: number; jti?: string };
    user: { sub: string; username: string; task?: number; ver?: number; jti?: string };
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

/** How long a session from /auth/login lasts; no JWT older than this is accepted, whatever its `exp` says. */
export const SESSION_SECONDS = 8 * 3600;
/** A JWT issued this far in the future is refused: API processes' clocks may differ by a little, not by more. */
const CLOCK_SKEW_SECONDS = 30;

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
  async (app, opts: { principalTtlMs?: number }) => {
    const principalTtlMs = opts.principalTtlMs ?? PRINCIPAL_TTL_MS;
    await app.register(jwt, {
      secret: await signingSecret(app.sql, app.config.ORGLIFE_JWT_SECRET),
      sign: { algorithm: 'HS256', expiresIn: SESSION_SECONDS },
      // Verified tokens cached (fast-jwt's LRU, keyed by a hash of the token, never past the token's expiry): an HMAC
      // and a JSON parse less on every request of a signed-in person (bench/http.ts). A token without `exp` (or `iat`)
      // is refused rather than valid for ever, and none lives longer than a session, whatever its `exp` (@fastify/jwt
      // reads a number as seconds).
      verify: { algorithms: ['HS256'], cache: 10_000, requiredClaims: ['exp', 'iat', 'sub'], maxAge: SESSION_SECONDS },
    });
    app.decorateRequest('principal', null as unknown as Principal);
    app.decorateRequest('credential', null as never);
    type Entry = { principal: Principal; tokenVersion: number; revoked: ReadonlySet<string> } | null;
    const cache = new Map<number, { entry: Entry; until: number }>();
    // Bumped by every change notice: a principal read while one arrived may be stale and is answered, not cached.
    let changes = 0;
    const principalOf = async (userId: number): Promise<Entry> => {
      const hit = cache.get(userId);
      if (hit && hit.until > Date.now()) return hit.entry;
      const seen = changes;
      // The grants lent by substitutions are read with the roles, so the inbox's withSubstitutions costs no query.
      const [own, lent] = await Promise.all([loadSessionPrincipal(app.sql, userId), lentGrants(app.sql, userId)]);
      const entry = own && { ...own, principal: { ...own.principal, lent } };
      if (seen !== changes) return entry;
      if (cache.size >= PRINCIPAL_CACHE_MAX) cache.clear();
      cache.set(userId, { entry, until: Date.now() + principalTtlMs });
      return entry;
    };
    // A role, a disabled flag, a substitution (migrations/092_principal_changed.sql), a token_version or a signed-out
    // session (migrations/094_credentials.sql) changed: read it afresh.
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
    app.decorate('signSession', async (s: { userId: number; username: string; task?: number; expiresIn?: string; tokenVersion?: number }) => {
      let ver = s.tokenVersion;
      if (ver === undefined) {
        const [row] = await app.sql<{ token_version: number }[]>`select token_version from users where id = ${s.userId}`;
        ver = row?.token_version ?? 0;
      }
      const claims = { sub: String(s.userId), username: s.username, ver, jti: randomUUID(), ...(s.task === undefined ? {} : { task: s.task }) };
      return app.jwt.sign(claims, s.expiresIn ? { expiresIn: s.expiresIn } : {});
    });
    app.decorate('authenticate', async (req: FastifyRequest) => {
      const header = req.headers.authorization ?? '';
      const bearer = /^Bearer (.+)$/i.exec(header)?.[1];
      if (!bearer) throw unauthorized();
      let userId: number | undefined;
      let onlyTask: number | undefined;
      let credential: Credential;
      let session: { ver: number; jti: string | null } | undefined;
      if (bearer.startsWith(TOKEN_PREFIX)) {
        const [row] = await app.sql<{ id: number; user_id: number }[]>`
          select id, user_id from api_tokens where token_sha256 = ${tokenDigest(bearer)} and revoked_at is null`;
        if (!row) throw unauthorized();
        userId = row.user_id;
        credential = { kind: 'api-token', id: row.id };
      } else {
        let claims: { sub: string; task?: number; ver?: unknown; jti?: unknown; iat: number; exp: number };
        try {
          claims = await req.jwtVerify<typeof claims>();
        } catch {
          throw unauthorized();
        }
        if (claims.iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS) throw unauthorized();
        userId = Number(claims.sub);
        onlyTask = typeof claims.task === 'number' ? claims.task : undefined;
        const jti = typeof claims.jti === 'string' ? claims.jti : null;
        session = { ver: typeof claims.ver === 'number' ? claims.ver : 0, jti };
        credential = { kind: 'session', jti, expiresAt: claims.exp };
      }
      const entry = Number.isSafeInteger(userId) && userId! > 0 ? await principalOf(userId!) : null;
      if (!entry) throw unauthorized();
      // A session signed before its user's password changed, the user was disabled, or all sessions were signed out;
      // or this very session was signed out.
      if (session && (session.ver !== entry.tokenVersion || (session.jti !== null && entry.revoked.has(session.jti)))) throw unauthorized();
      req.credential = credential;
      const principal = entry.principal;
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
