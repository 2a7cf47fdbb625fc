import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import sharedReads from '../../src/api/plugins/shared-reads.js';
import type { Principal } from '../../src/auth/principal.js';

// The single-flight of `sharedRead` routes (src/api/plugins/shared-reads.ts) on a real fastify: a page whose reading
// is held open by the test, so which requests share a reading is decided by the plugin, not by timing.
describe('shared reads', () => {
  let app: FastifyInstance;
  afterEach(async () => {
    await app?.close();
  });

  async function start() {
    app = Fastify();
    app.decorateRequest('principal', null as unknown as Principal);
    app.addHook('onRequest', async (req) => {
      req.principal = { userId: Number(req.headers['x-user']), username: `u${req.headers['x-user']}`, grants: [] } as unknown as Principal;
    });
    await app.register(sharedReads);
    let readings = 0;
    let gate: () => void = () => {};
    let held = new Promise<void>((r) => (gate = r));
    let fail = false;
    app.get('/page', { config: { sharedRead: true } }, async (req) => {
      const n = ++readings;
      await held;
      if (fail) throw new Error('the reading failed');
      return { n, user: req.principal.userId, q: (req.query as { q?: string }).q ?? null };
    });
    app.post('/act', async () => ({ ok: true }));
    await app.ready();
    return {
      get: (user: number, q = '') => app.inject({ method: 'GET', url: `/page${q}`, headers: { 'x-user': String(user) } }),
      act: (user: number) => app.inject({ method: 'POST', url: '/act', headers: { 'x-user': String(user) } }),
      readings: () => readings,
      release() {
        gate();
        held = new Promise<void>((r) => (gate = r));
      },
      failNext: () => (fail = true),
      until: async (n: number) => {
        for (let i = 0; readings < n && i < 1000; i++) await new Promise((r) => setImmediate(r));
        expect(readings).toBe(n);
      },
    };
  }

  it('the same user asking the same page while it is read shares that reading; another user or URL reads for itself', async () => {
    const s = await start();
    const first = s.get(1);
    await s.until(1);
    const same = [s.get(1), s.get(1), s.get(1)];
    const other = s.get(2);
    const otherUrl = s.get(1, '?q=x');
    await s.until(3);
    s.release();
    const bodies = (await Promise.all([first, ...same])).map((r) => [r.statusCode, r.json()]);
    expect(bodies).toEqual(Array(4).fill([200, { n: 1, user: 1, q: null }]));
    expect((await other).json()).toMatchObject({ user: 2 });
    expect((await otherUrl).json()).toMatchObject({ user: 1, q: 'x' });
    expect(s.readings()).toBe(3);
    // Nothing is kept once answered: the next request reads again.
    const later = s.get(1);
    await s.until(4);
    s.release();
    expect((await later).json()).toEqual({ n: 4, user: 1, q: null });
  });

  it('a person who has just acted does not get a reading that began before the action', async () => {
    const s = await start();
    const before = s.get(1);
    await s.until(1);
    expect((await s.act(1)).statusCode).toBe(200);
    const after = s.get(1); // must not join the reading from before the action
    await s.until(2);
    const joined = s.get(1); // joins the reading that began after it
    await new Promise((r) => setImmediate(r));
    expect(s.readings()).toBe(2);
    s.release();
    expect((await before).json().n).toBe(1);
    expect((await after).json().n).toBe(2);
    expect((await joined).json().n).toBe(2);
  });

  it('when the shared reading fails, each waiting request reads for itself', async () => {
    const s = await start();
    const leader = s.get(1);
    await s.until(1);
    const follower = s.get(1);
    await new Promise((r) => setImmediate(r));
    s.failNext();
    s.release();
    expect((await leader).statusCode).toBe(500);
    // The follower's own reading (the gate is held again until released).
    await s.until(2);
    s.release();
    expect((await follower).statusCode).toBe(500);
    expect(s.readings()).toBe(2);
  });
});
