import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { buildApp } from '../../src/api/app.js';
import { addOrganizations, eventually, orgRow, quietLog, startStack, uniqueCode, type Stack } from '../helpers/context.js';

describe('authentication and scope', () => {
  let s: Stack;
  const root = uniqueCode('R');
  const countyA = uniqueCode('A');
  const villageA = uniqueCode('VA');
  const countyB = uniqueCode('B');
  const villageB = uniqueCode('VB');

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(countyA, root, { type: 'committee', sector: 'regional' }),
      orgRow(villageA, countyA),
      orgRow(countyB, root, { type: 'committee', sector: 'regional' }),
      orgRow(villageB, countyB),
    ]);
  });
  afterAll(async () => s?.close());

  it('refuses requests without a token, with a wrong password, a tampered, expired or wrong-algorithm JWT', async () => {
    expect((await s.app.inject({ url: `/api/v1/organizations/${root}` })).statusCode).toBe(401);
    const u = await s.userWith([{ role: 'organizer', org: countyA }]);
    const wrong = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: u.username, password: 'nope-nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.message).toBe('wrong username or password');

    const token = u.authorization.slice('Bearer '.length);
    const [h, p, sig] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: '1' })).toString('base64url')}.${sig}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    const expired = s.app.jwt.sign({ sub: claims.sub, username: claims.username }, { expiresIn: -10 } as never);
    const otherKey = (() => {
      const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
      const mac = createHmac('sha256', 'not the key').update(`${head}.${p}`).digest('base64url');
      return `${head}.${p}.${mac}`;
    })();
    for (const bad of [tampered, none, expired, otherKey]) {
      const r = await s.app.inject({ url: `/api/v1/organizations/${countyA}`, headers: { authorization: `Bearer ${bad}` } });
      expect(r.statusCode).toBe(401);
    }
    expect((await s.app.inject({ url: `/api/v1/organizations/${countyA}`, headers: { authorization: u.authorization } })).statusCode).toBe(200);
  });

  it('answers 404 outside the caller’s subtree, on every organization-bearing route', async () => {
    const a = await s.userWith([{ role: 'organizer', org: countyA }]);
    const get = (url: string) => s.app.inject({ url, headers: { authorization: a.authorization } });
    expect((await get(`/api/v1/organizations/${villageA}`)).statusCode).toBe(200);
    expect((await get(`/api/v1/organizations/${villageB}`)).statusCode).toBe(404);
    expect((await get(`/api/v1/organizations/${root}`)).statusCode).toBe(404);
    expect((await get(`/api/v1/organizations/${countyB}/children`)).statusCode).toBe(404);
    expect((await get(`/api/v1/tasks?org=${countyB}`)).statusCode).toBe(404);
    const start = await s.app.inject({
      method: 'POST',
      url: '/api/v1/processes/term-election',
      headers: { authorization: a.authorization },
      payload: { organization: villageB },
    });
    expect(start.statusCode).toBe(404);
    expect((await s.sql`select 1 from processes where workflow_id = ${`term-election:${villageB}`}`).length).toBe(0);
  });

  it('lets a secretary read but not start processes', async () => {
    const sec = await s.userWith([{ role: 'secretary', org: villageA }]);
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/v1/processes/term-election',
      headers: { authorization: sec.authorization },
      payload: { organization: villageA },
    });
    expect(r.statusCode).toBe(403);
  });

  it('creates users only inside the caller’s subtree, and never a second admin from an organizer', async () => {
    const org = await s.userWith([{ role: 'organizer', org: countyA }]);
    const post = (payload: Record<string, unknown>) =>
      s.app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: org.authorization }, payload });
    const name = `sec-${uniqueCode('').toLowerCase()}`;
    const ok = await post({ username: name, password: 'long enough pw', roles: [{ role: 'secretary', org: villageA }] });
    expect(ok.statusCode).toBe(201);
    const outside = await post({ username: `${name}x`, password: 'long enough pw', roles: [{ role: 'secretary', org: villageB }] });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().error.details[0].field).toBe('body.roles.0.org');
    expect((await post({ username: `${name}y`, password: 'long enough pw', roles: [{ role: 'admin', org: villageA }] })).statusCode).toBe(403);
    const bad = await post({ username: 'x', password: 'short', roles: [] });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(['body.password', 'body.roles', 'body.username']);
    expect((await post({ username: name, password: 'long enough pw', roles: [{ role: 'secretary', org: villageA }] })).statusCode).toBe(409);
    const created = await s.sql`select username from users where username like ${`${name}%`}`;
    expect(created.map((u) => u.username)).toEqual([name]);

    const login = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: name, password: 'long enough pw' } });
    const me = await s.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${login.json().token}` } });
    expect(me.json()).toEqual({ username: name, roles: [{ role: 'secretary', org: villageA }], onlyTask: null });
  });

  it('accepts machine API tokens with the roles of their owner', async () => {
    const a = await s.userWith([{ role: 'supervisor', org: countyA }]);
    const t = await s.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { authorization: a.authorization }, payload: { name: 'dashboard' } });
    expect(t.statusCode).toBe(201);
    const machine = { authorization: `Bearer ${t.json().token}` };
    expect((await s.app.inject({ url: `/api/v1/organizations/${villageA}`, headers: machine })).statusCode).toBe(200);
    expect((await s.app.inject({ url: `/api/v1/organizations/${villageB}`, headers: machine })).statusCode).toBe(404);
    expect((await s.app.inject({ url: `/api/v1/organizations/${villageA}`, headers: { authorization: 'Bearer olt_forged' } })).statusCode).toBe(401);
  });

  it('applies a role taken by another writer at once, though principals are cached', async () => {
    // An API process that keeps principals for ten minutes (on the same pool, so it hears the notices from the
    // start): within the test only PostgreSQL's change notice can make it refuse, however slow the machine.
    const app = await buildApp({ sql: s.sql, temporal: s.client, config: s.config, log: quietLog, principalTtlMs: 10 * 60_000 });
    try {
      const a = await s.userWith([{ role: 'organizer', org: countyA }]);
      const get = () => app.inject({ url: `/api/v1/organizations/${villageA}`, headers: { authorization: a.authorization } });
      expect((await get()).statusCode).toBe(200); // now cached
      // As a roster import or another API process would: straight to the table, not through this process.
      await s.sql`delete from user_roles where user_id = (select id from users where username = ${a.username})`;
      await eventually('the role taken away refused', async () => (await get()).statusCode !== 200);
    } finally {
      await app.close();
    }
  });

  it('rate-limits login attempts', async () => {
    const codes = [];
    for (let i = 0; i < 12; i++) {
      const r = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'guesser', password: `guess-${i}` } });
      codes.push(r.statusCode);
    }
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
  });
});
