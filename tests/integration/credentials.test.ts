import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac, randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { addOrganizations, eventually, orgRow, quietLog, startBareTask, startStack, testSql, uniqueCode, type Stack } from '../helpers/context.js';
import { buildApp } from '../../src/api/app.js';
import { SESSION_SECONDS } from '../../src/api/plugins/auth.js';
import { createUser } from '../../src/auth/users.js';
import { passwordProblem, PasswordRefused } from '../../src/auth/password-policy.js';
import { ACCOUNT_RULE, SOURCE_RULE, accountKey, sourceKey } from '../../src/auth/throttle.js';
import { issueTaskLink } from '../../src/auth/task-links.js';
import { DEMO_PASSWORD, DEMO_SIGN_INS } from '../../src/demo/seed.js';
import type { Sql } from '../../src/db/client.js';

// Credentials against the real API and PostgreSQL: the password policy wherever a password is set, the sign-in
// lockout per account and per source address (kept in PostgreSQL, so a second API process agrees), sessions that end
// on sign-out, password change and disable — at once, though principals are cached — and JWTs that must carry `exp`.
describe('credentials', () => {
  let s: Stack;
  let second: FastifyInstance;
  let secondSql: Sql;
  const root = uniqueCode('R');
  const countyA = uniqueCode('A');
  const villageA = uniqueCode('VA');
  const countyB = uniqueCode('B');
  const villageB = uniqueCode('VB');
  const PASSWORD = 'correct horse battery'; // what startStack().userWith gives every user

  /** An address of its own for each caller (198.18.0.0/16, for tests), so that no test meets another's source count. */
  let sources = randomInt(0, 30_000);
  const newSource = () => {
    sources++;
    return `198.18.${(sources >> 8) & 255}.${sources & 255}`;
  };
  const login = (username: string, password: string, from: string, app: FastifyInstance = s.app) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress: from });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const me = (headers: { authorization: string }, app: FastifyInstance = s.app) => app.inject({ url: '/api/v1/me', headers });
  const tokenOf = async (username: string, password = PASSWORD) => {
    const r = await login(username, password, newSource());
    expect(r.statusCode, r.body).toBe(200);
    return r.json().token as string;
  };

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(countyA, root, { type: 'committee', sector: 'regional' }),
      orgRow(villageA, countyA),
      orgRow(countyB, root, { type: 'committee', sector: 'regional' }),
      orgRow(villageB, countyB),
    ]);
    // A second API process on the same database: what one process locks or revokes, the other refuses too. It keeps
    // a principal for ten minutes: within a test only PostgreSQL's change notice can make it refuse one it has read,
    // however slow the machine.
    secondSql = testSql(s.config.DATABASE_URL);
    second = await buildApp({ sql: secondSql, temporal: s.client, config: s.config, log: quietLog, principalTtlMs: 10 * 60_000 });
    await second.ready();
  });
  afterAll(async () => {
    await second?.close();
    await secondSql?.end();
    await s?.close();
  });

  describe('password policy', () => {
    it('refuses the passwords the probe got through, in words and by reason', async () => {
      for (const [password, reason] of [
        ['12345678', 'too-short'],
        ['password', 'too-short'],
        ['        ', 'blank'],
        ['            ', 'blank'],
        ['password1234', 'common'],
        ['Password2024!', 'common'],
        ['qwertyuiop12', 'common'],
        ['aaaaaaaaaaaa', 'repetitive'],
        ['probe-user-2024', 'username'],
        ['PROBE-USER', 'too-short'],
        ['probe-user', 'too-short'],
      ] as const) {
        expect((await passwordProblem(password, 'probe-user'))?.reason, JSON.stringify(password)).toBe(reason);
      }
      expect(await passwordProblem('correct horse battery', 'probe-user')).toBeNull();
    });

    it('keeps the demo sign-ins working: orglife-demo passes for every demo user', async () => {
      for (const u of [...DEMO_SIGN_INS.map((d) => d.username), 'admin']) expect(await passwordProblem(DEMO_PASSWORD, u), u).toBeNull();
    });

    it('is applied where users are made: createUser (CLI, seed, bootstrap) and POST /users (422 naming body.password)', async () => {
      await expect(createUser(s.sql, { username: uniqueCode('w').toLowerCase(), password: 'password1234', roles: [] })).rejects.toBeInstanceOf(PasswordRefused);
      const org = await s.userWith([{ role: 'organizer', org: countyA }]);
      const post = (username: string, password: string) =>
        s.app.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: { authorization: org.authorization },
          payload: { username, password, roles: [{ role: 'secretary', org: villageA }] },
        });
      const name = `sec-${uniqueCode('').toLowerCase()}`;
      const short = await post(name, '12345678');
      expect(short.statusCode).toBe(400);
      expect(short.json().error.details.map((d: { field: string }) => d.field)).toEqual(['body.password']);
      for (const [password, reason] of [
        ['            ', 'blank'],
        ['password1234', 'common'],
        [`${name}-secret`, 'username'],
      ] as const) {
        const r = await post(name, password);
        expect(r.statusCode, r.body).toBe(422);
        expect(r.json().error.details).toEqual([expect.objectContaining({ field: 'body.password', reason })]);
      }
      expect((await s.sql`select 1 from users where username = ${name}`).length).toBe(0);
      expect((await post(name, 'long enough pw')).statusCode).toBe(201);
    });
  });

  describe('sign-in lockout', () => {
    it(`locks an account after ${ACCOUNT_RULE.maxFailures} failures from any sources, for a growing time, and a success resets it`, async () => {
      const u = await s.userWith([{ role: 'secretary', org: villageA }]);
      // Each guess from another address: the account's count is not per address.
      for (let i = 0; i < ACCOUNT_RULE.maxFailures; i++) {
        const r = await login(u.username, `wrong guess ${i}`, newSource());
        expect(r.statusCode, `guess ${i}: ${r.body}`).toBe(401);
      }
      const locked = await login(u.username, 'one more guess', newSource());
      expect(locked.statusCode).toBe(429);
      expect(locked.json().error.code).toBe('too_many_requests');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(ACCOUNT_RULE.baseSeconds - 5);
      expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(ACCOUNT_RULE.baseSeconds);
      // The right password is refused the same way while locked (a refusal tells nothing about the guess), and by
      // the other API process too.
      expect((await login(u.username, PASSWORD, newSource())).statusCode).toBe(429);
      expect((await login(u.username, PASSWORD, newSource(), second)).statusCode).toBe(429);

      // The lock runs out (moved to the past instead of waiting a minute): the next failure locks again, twice as long.
      await s.sql`update login_throttle set locked_until = now() - interval '1 second' where key = ${accountKey(u.username)}`;
      expect((await login(u.username, 'after the lock', newSource())).statusCode).toBe(401);
      const again = await login(u.username, PASSWORD, newSource());
      expect(again.statusCode).toBe(429);
      expect(Number(again.headers['retry-after'])).toBeGreaterThan(2 * ACCOUNT_RULE.baseSeconds - 5);

      // Out again; the right password signs in and forgets the account's failures.
      await s.sql`update login_throttle set locked_until = now() - interval '1 second' where key = ${accountKey(u.username)}`;
      expect((await login(u.username, PASSWORD, newSource())).statusCode).toBe(200);
      expect(await s.sql`select 1 from login_throttle where key = ${accountKey(u.username)}`).toHaveLength(0);
      expect((await login(u.username, 'a fresh mistake', newSource())).statusCode).toBe(401);
      expect((await login(u.username, PASSWORD, newSource())).statusCode).toBe(200);
    });

    it('locks a username that does not exist exactly like one that does (no telling which exist)', async () => {
      const ghost = `ghost-${uniqueCode('').toLowerCase()}`;
      const codes = [];
      for (let i = 0; i <= ACCOUNT_RULE.maxFailures; i++) codes.push((await login(ghost, `guess ${i}`, newSource())).statusCode);
      expect(codes).toEqual([...Array(ACCOUNT_RULE.maxFailures).fill(401), 429]);
    });

    it(`locks a source address after ${SOURCE_RULE.maxFailures} failures over many accounts, and only that address`, async () => {
      const from = newSource();
      const victims = await Promise.all(Array.from({ length: 10 }, () => s.userWith([{ role: 'secretary', org: villageA }])));
      // The probe's spray: a few guesses at each of ten accounts, under every account's own limit.
      const codes: number[] = [];
      for (let i = 0; i < SOURCE_RULE.maxFailures; i++) codes.push((await login(victims[i % 10]!.username, `spray ${i}`, from)).statusCode);
      expect(codes.every((c) => c === 401)).toBe(true);
      const refused = await login(victims[0]!.username, 'spray more', from);
      expect(refused.statusCode).toBe(429);
      expect(refused.json().error.code).toBe('too_many_requests');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // Every account, the right password included, from that address; from another address the accounts are fine.
      expect((await login(victims[1]!.username, PASSWORD, from)).statusCode).toBe(429);
      expect((await login(victims[1]!.username, PASSWORD, newSource())).statusCode).toBe(200);
      expect((await login(victims[2]!.username, PASSWORD, from, second)).statusCode).toBe(429);
    });

    it('counts a client behind a trusted proxy by its X-Forwarded-For, and ignores that header from anyone else', async () => {
      const client = newSource();
      const spoofed = newSource();
      const name = `nobody-${uniqueCode('').toLowerCase()}`;
      // From loopback (the default trusted proxy): the forwarded client is the source.
      await s.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: name, password: 'x' },
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': client },
      });
      // From elsewhere: the header is the caller's own claim, not believed.
      const direct = newSource();
      await s.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: name, password: 'x' },
        remoteAddress: direct,
        headers: { 'x-forwarded-for': spoofed },
      });
      const keys = (
        await s.sql<{ key: string }[]>`select key from login_throttle where key in ${s.sql([sourceKey(client), sourceKey(spoofed), sourceKey(direct)])}`
      ).map((r) => r.key);
      expect(keys.sort()).toEqual([sourceKey(client), sourceKey(direct)].sort());
      // IPv6 sources are counted by their /64.
      expect(sourceKey('2001:db8:1:2:aaaa::1')).toBe(sourceKey('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee'));
      expect(sourceKey('::ffff:198.51.100.9')).toBe(sourceKey('198.51.100.9'));
    });

    it('lets no more than the limit through a burst of parallel guesses', async () => {
      const u = await s.userWith([{ role: 'secretary', org: villageA }]);
      const codes = (await Promise.all(Array.from({ length: 2 * ACCOUNT_RULE.maxFailures }, (_, i) => login(u.username, `burst ${i}`, newSource())))).map(
        (r) => r.statusCode,
      );
      expect(codes.filter((c) => c === 401).length).toBeLessThanOrEqual(ACCOUNT_RULE.maxFailures);
      expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(ACCOUNT_RULE.maxFailures);
      expect(codes.every((c) => c === 401 || c === 429)).toBe(true);
    });

    it('answers the per-process flood limit with too_many_requests, not bad_request', async () => {
      const u = await s.userWith([{ role: 'secretary', org: villageA }]);
      const from = newSource();
      const codes = [];
      // Right passwords: only the flood limit (10 a minute per address and username) can refuse them.
      for (let i = 0; i < 11; i++) codes.push(await login(u.username, PASSWORD, from));
      expect(codes.slice(0, 10).map((r) => r.statusCode)).toEqual(Array(10).fill(200));
      expect(codes[10]!.statusCode).toBe(429);
      expect(codes[10]!.json().error.code).toBe('too_many_requests');
      expect(Number(codes[10]!.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('sessions that end', () => {
    it('ends this session on sign-out at once (on both API processes), and no other', async () => {
      const u = await s.userWith([{ role: 'secretary', org: villageA }]);
      const phone = bearer(await tokenOf(u.username));
      const desk = bearer(await tokenOf(u.username));
      // Both cached by both processes.
      for (const app of [s.app, second]) for (const h of [phone, desk]) expect((await me(h, app)).statusCode).toBe(200);
      const out = await s.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: phone });
      expect(out.statusCode, out.body).toBe(200);
      expect(out.json()).toEqual({ ended: 'session' });
      expect((await me(phone)).statusCode).toBe(401);
      expect((await me(desk)).statusCode).toBe(200);
      // The other process drops its cached principal on PostgreSQL's notice, well before the cache would expire.
      await eventually('the other process refusing the signed-out session', async () => (await me(phone, second)).statusCode === 401);
      expect((await me(desk, second)).statusCode).toBe(200);
      // A second sign-out of the same session: it is over already.
      expect((await s.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: phone })).statusCode).toBe(401);
    });

    it('ends a machine API token signed out with, and every session of a token minted before sessions had ids', async () => {
      const u = await s.userWith([{ role: 'supervisor', org: countyA }]);
      const t = await s.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { authorization: u.authorization }, payload: { name: 'sign-out' } });
      const machine = bearer(t.json().token);
      expect((await me(machine)).statusCode).toBe(200);
      expect((await s.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: machine })).json()).toEqual({ ended: 'api-token' });
      expect((await me(machine)).statusCode).toBe(401);
      expect((await me(u)).statusCode).toBe(200);

      const [row] = await s.sql<{ id: number }[]>`select id from users where username = ${u.username}`;
      const legacy = bearer(s.app.jwt.sign({ sub: String(row!.id), username: u.username }));
      expect((await me(legacy)).statusCode).toBe(200);
      expect((await s.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: legacy })).json()).toEqual({ ended: 'all-sessions' });
      expect((await me(legacy)).statusCode).toBe(401);
      expect((await me(u)).statusCode).toBe(401);
    });

    it('changes the password: policy refusals name the field, every earlier session ends, the answer is a new one', async () => {
      const u = await s.userWith([{ role: 'secretary', org: villageA }]);
      const other = bearer(await tokenOf(u.username));
      expect((await me(other, second)).statusCode).toBe(200);
      const change = (headers: { authorization: string }, currentPassword: string, newPassword: string) =>
        s.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers, payload: { currentPassword, newPassword }, remoteAddress: newSource() });

      for (const [next, reason] of [
        ['12345678', 'too-short'],
        ['password', 'too-short'],
        ['        ', 'blank'],
        [u.username, 'username'],
        [`${u.username}!!`, 'username'],
        ['password1234', 'common'],
        [PASSWORD, 'unchanged'],
      ] as const) {
        const r = await change(u, PASSWORD, next);
        expect(r.statusCode, `${JSON.stringify(next)}: ${r.body}`).toBe(422);
        expect(r.json().error.details).toEqual([expect.objectContaining({ field: 'body.newPassword', reason })]);
      }
      const wrong = await change(u, 'not my password', 'a much better passphrase');
      expect(wrong.statusCode).toBe(422);
      expect(wrong.json().error.details).toEqual([expect.objectContaining({ field: 'body.currentPassword', reason: 'wrong' })]);
      expect((await me(u)).statusCode).toBe(200);

      const ok = await change(u, PASSWORD, 'a much better passphrase');
      expect(ok.statusCode, ok.body).toBe(200);
      const fresh = bearer(ok.json().token);
      expect((await me(u)).statusCode).toBe(401);
      expect((await me(other)).statusCode).toBe(401);
      await eventually('the other process refusing the old session', async () => (await me(other, second)).statusCode === 401);
      expect((await me(fresh)).statusCode).toBe(200);
      expect((await login(u.username, PASSWORD, newSource())).statusCode).toBe(401);
      expect((await login(u.username, 'a much better passphrase', newSource())).statusCode).toBe(200);
      const [audit] = await s.sql`select actor, action from action_audit where subject = ${`user ${u.username}`} and action = 'user.password'`;
      expect(audit).toEqual({ actor: u.username, action: 'user.password' });
    });

    it('ends every session when the password is written by another writer (the CLI, SQL), since the database moves the version', async () => {
      const u = await s.userWith([{ role: 'secretary', org: villageA }]);
      expect((await me(u, second)).statusCode).toBe(200);
      await s.sql`update users set password_hash = 'replaced' where username = ${u.username}`;
      await eventually('the session refused', async () => (await me(u, second)).statusCode === 401);
    });

    it('keeps a task link session working, lets it sign out, and ends it with the password', async () => {
      const sec = await s.userWith([{ role: 'secretary', org: villageA }]);
      const [vid] = await s.sql<{ id: number }[]>`select id from organizations where code = ${villageA}`;
      const [uid] = await s.sql<{ id: number }[]>`select id from users where username = ${sec.username}`;
      const taskId = await startBareTask(s, `cred-${uniqueCode('')}`, vid!.id);
      const open = async () => {
        const path = await issueTaskLink(s.sql, { userId: uid!.id, taskId });
        const r = await s.app.inject({ method: 'POST', url: '/api/v1/auth/task-link', payload: { token: path.slice(3) } });
        expect(r.statusCode, r.body).toBe(200);
        return bearer(r.json().token);
      };
      const link = await open();
      expect((await me(link)).json()).toMatchObject({ username: sec.username, onlyTask: taskId });
      expect((await s.app.inject({ url: `/api/v1/tasks/${taskId}`, headers: link })).statusCode).toBe(200);
      // Held to its task: no password change from a link.
      const change = await s.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: link,
        payload: { currentPassword: PASSWORD, newPassword: 'a much better passphrase' },
      });
      expect(change.statusCode).toBe(403);
      expect((await s.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: link })).json()).toEqual({ ended: 'session' });
      expect((await me(link)).statusCode).toBe(401);
      expect((await me(sec)).statusCode).toBe(200);

      const another = await open();
      expect((await me(another)).statusCode).toBe(200);
      const changed = await s.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: sec,
        payload: { currentPassword: PASSWORD, newPassword: 'a much better passphrase' },
      });
      expect(changed.statusCode, changed.body).toBe(200);
      expect((await me(another)).statusCode).toBe(401);
      // Links sent after the change open sessions of the new version.
      expect((await me(await open())).statusCode).toBe(200);
    });
  });

  describe('JWT claims', () => {
    let secret: string;
    let user: { username: string; authorization: string; id: number };
    const sign = (claims: Record<string, unknown>) => {
      const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
      const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
    };
    beforeAll(async () => {
      secret = (await s.sql<{ value: string }[]>`select value from app_secrets where name = 'jwt'`)[0]!.value;
      const u = await s.userWith([{ role: 'secretary', org: villageA }]);
      const [row] = await s.sql<{ id: number }[]>`select id from users where username = ${u.username}`;
      user = { ...u, id: row!.id };
    });

    it('signs sessions of 8 hours with the user’s token version and an id of their own', async () => {
      const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      const [a, b] = [claims(await tokenOf(user.username)), claims(await tokenOf(user.username))];
      expect(Number(a.exp) - Number(a.iat)).toBe(SESSION_SECONDS);
      expect(a).toMatchObject({ sub: String(user.id), username: user.username, ver: 0, jti: expect.any(String) });
      expect(a.jti).not.toBe(b.jti);
    });

    it('accepts a token with exp and iat, and refuses one without exp or iat, issued in the future, or older than a session', async () => {
      const now = Math.floor(Date.now() / 1000);
      const base = { sub: String(user.id), username: user.username };
      // The control: signed by hand exactly as the server would, it is accepted.
      expect((await me(bearer(sign({ ...base, iat: now, exp: now + 3600 })))).statusCode).toBe(200);
      for (const [what, claims] of [
        ['no exp', { ...base, iat: now }],
        ['no exp, no iat', base],
        ['no iat', { ...base, exp: now + 3600 }],
        ['iat in the future', { ...base, iat: now + 3600, exp: now + 7200 }],
        ['older than a session, with a far exp', { ...base, iat: now - 9 * 3600, exp: now + 365 * 86400 }],
        ['sub not a user id', { ...base, sub: '1e400', iat: now, exp: now + 3600 }],
      ] as const) {
        expect((await me(bearer(sign(claims)))).statusCode, what).toBe(401);
      }
    });
  });

  describe('disable and enable', () => {
    it('lets an admin covering all the user’s roles disable them: every session and API token ends at once; enable lets them sign in again', async () => {
      const admin = await s.userWith([{ role: 'admin', org: countyA }]);
      const sec = await s.userWith([{ role: 'secretary', org: villageA }]);
      const t = await s.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { authorization: sec.authorization }, payload: { name: 'robot' } });
      const machine = bearer(t.json().token);
      for (const h of [sec, machine]) for (const app of [s.app, second]) expect((await me(h, app)).statusCode).toBe(200);

      const off = await s.app.inject({ method: 'POST', url: `/api/v1/users/${sec.username}/disable`, headers: { authorization: admin.authorization } });
      expect(off.statusCode, off.body).toBe(200);
      expect(off.json()).toEqual({ username: sec.username, disabled: true, apiTokensRevoked: 1 });
      expect((await me(sec)).statusCode).toBe(401);
      expect((await me(machine)).statusCode).toBe(401);
      await eventually(
        'the other process refusing the disabled user',
        async () => (await me(sec, second)).statusCode === 401 && (await me(machine, second)).statusCode === 401,
      );
      expect((await login(sec.username, PASSWORD, newSource())).statusCode).toBe(401);
      const [audit] = await s.sql`select actor, detail from action_audit where action = 'user.disable' and subject = ${`user ${sec.username}`}`;
      expect(audit).toEqual({ actor: admin.username, detail: { wasDisabled: false, apiTokensRevoked: 1 } });

      const on = await s.app.inject({ method: 'POST', url: `/api/v1/users/${sec.username}/enable`, headers: { authorization: admin.authorization } });
      expect(on.json()).toEqual({ username: sec.username, disabled: false, apiTokensRevoked: 0 });
      // Signs in again; what the disable ended stays ended.
      const back = bearer(await tokenOf(sec.username));
      expect((await me(back)).statusCode).toBe(200);
      expect((await me(sec)).statusCode).toBe(401);
      expect((await me(machine)).statusCode).toBe(401);
      expect(await s.sql`select 1 from action_audit where action = 'user.enable' and subject = ${`user ${sec.username}`}`).toHaveLength(1);
    });

    it('refuses anyone else: an organizer (403), an admin elsewhere (404), an admin of part of the user’s roles (403), oneself (403)', async () => {
      const target = await s.userWith([
        { role: 'secretary', org: villageA },
        { role: 'secretary', org: villageB },
      ]);
      const onlyA = await s.userWith([{ role: 'secretary', org: villageA }]);
      const adminA = await s.userWith([{ role: 'admin', org: countyA }]);
      const adminB = await s.userWith([{ role: 'admin', org: countyB }]);
      const organizer = await s.userWith([{ role: 'organizer', org: countyA }]);
      const disable = (who: { authorization: string }, username: string) =>
        s.app.inject({ method: 'POST', url: `/api/v1/users/${username}/disable`, headers: { authorization: who.authorization } });
      expect((await disable(organizer, onlyA.username)).statusCode).toBe(403);
      expect((await disable(adminB, onlyA.username)).statusCode).toBe(404);
      expect((await disable(adminA, target.username)).statusCode).toBe(403);
      expect((await disable(adminA, adminA.username)).statusCode).toBe(403);
      expect((await disable(adminA, 'no-such-user-anywhere')).statusCode).toBe(404);
      expect((await disable(adminA, encodeURIComponent('not a name'))).statusCode).toBe(400);
      const untouched = await s.sql`select username from users where username in ${s.sql([target.username, onlyA.username, adminA.username])} and disabled`;
      expect(untouched).toHaveLength(0);
      // An admin of the whole tree reaches both counties.
      expect((await disable(s.admin, target.username)).statusCode).toBe(200);
    });
  });
});
