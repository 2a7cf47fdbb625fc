// No request holds the API for long: a handler that never answers is answered 503 `timeout` at its route's limit,
// closing the server closes a connection whose request never ends, and the API's pool ends long statements and
// idle transactions in PostgreSQL itself.
import { request } from 'node:http';
import Fastify from 'fastify';
import { describe, expect, inject, it } from 'vitest';
import limits from '../../src/api/plugins/limits.js';
import { API_POOL, createSql } from '../../src/db/client.js';
import { testSql } from '../helpers/context.js';

const never = () => new Promise<never>(() => {});

describe('request limits', () => {
  it('answers a handler that never returns with 503 timeout at the route limit', async () => {
    const app = Fastify();
    await app.register(limits);
    app.get('/slow', { config: { timeoutMs: 300 } }, never);
    app.get('/fast', async () => ({ ok: true }));
    const t0 = Date.now();
    const r = await app.inject({ method: 'GET', url: '/slow' });
    expect(r.statusCode).toBe(503);
    expect(r.json().error.code).toBe('timeout');
    expect(r.headers['retry-after']).toBe('5');
    // Tells the limit (300 ms) from a handler left hanging, far from both: a slow machine cannot fail it.
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect((await app.inject({ method: 'GET', url: '/fast' })).statusCode).toBe(200);
    await app.close();
  });

  it('closes a connection whose request never ends when the server closes (SIGTERM cannot be held up)', async () => {
    const app = Fastify({ forceCloseConnections: true });
    await app.register(limits);
    app.post('/upload', { config: { timeoutMs: 60_000 } }, never);
    app.addContentTypeParser('text/csv', (_req, payload, done) => done(null, payload));
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const closed = new Promise<void>((resolve) => {
      const req = request(`${address}/upload`, { method: 'POST', headers: { 'content-type': 'text/csv', 'transfer-encoding': 'chunked' } });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write('code,name\n');
    });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await app.close();
    await closed;
    // Well under the route's 60 s limit, which is what closing would wait for if it waited for the request.
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it("ends the API pool's long statements and every pool's idle transactions in PostgreSQL", async () => {
    const api = createSql(inject('databaseUrl'), { max: 1, ...API_POOL });
    const worker = testSql();
    try {
      const [statement] = await api<{ statement_timeout: string }[]>`show statement_timeout`;
      expect(statement!.statement_timeout).toBe('30s');
      const [idle] = await worker<{ idle_in_transaction_session_timeout: string }[]>`show idle_in_transaction_session_timeout`;
      expect(idle!.idle_in_transaction_session_timeout).toBe('1min');
      // The limit is PostgreSQL's own: a statement past it is cancelled (here lowered for one transaction).
      const err = await api
        .begin(async (tx) => {
          await tx`set local statement_timeout = '200ms'`;
          await tx`select pg_sleep(5)`;
        })
        .catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('57014');
    } finally {
      await api.end();
      await worker.end();
    }
  });
});
