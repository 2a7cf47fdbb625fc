// GET /metrics of an API process (src/runtime/metrics.ts): the requests by route template, and the product's state
// read from a database of its own, so that every figure can be compared with what is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { STATE_TTL_MS } from '../../src/runtime/metrics.js';
import { addOrganizations, countyChain, freshDatabase, orgRow, quietLog, startBareTask, startStack, uniqueCode, type Stack } from '../helpers/context.js';

/** The value of one series in Prometheus's text format (its labels as written, in order), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  let s: Stack;
  let village: number;
  beforeAll(async () => {
    s = await startStack({ databaseUrl: await freshDatabase('metrics') });
    const chain = countyChain();
    const code = uniqueCode('MV');
    await addOrganizations(s.sql, [...chain.rows, orgRow(code, chain.county)]);
    village = (await s.sql<{ id: number }[]>`select id from organizations where code = ${code}`)[0]!.id;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('counts requests by route template, method and status, not by URL', async () => {
    for (let i = 0; i < 3; i++) expect((await s.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await s.app.inject({ url: '/api/v1/tasks/999999999', headers: s.admin })).statusCode).toBe(404);
    const r = await s.app.inject({ url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(r.body, 'orglife_http_request_duration_seconds_count{route="/healthz",method="GET",status_code="200"}')).toBe(3);
    expect(sample(r.body, 'orglife_http_request_duration_seconds_count{route="/api/v1/tasks/:id",method="GET",status_code="404"}')).toBe(1);
    // No series is labelled with the URL's id (a value may hold those digits by chance: only labels are checked).
    expect(r.body).not.toMatch(/\{[^}]*999999999[^}]*\}/);
    // The process itself (prom-client's default metrics).
    expect(sample(r.body, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('reports open and overdue tasks, escalations by level and the deadline lag as the database holds them', async () => {
    const now = Date.now();
    const iso = (ms: number) => new Date(now + ms).toISOString();
    // One task overdue beyond its first escalation, one due next week with its reminder tomorrow.
    const overdue = await startBareTask(s, `m-over-${now}`, village, {
      dueAt: iso(-3_600_000),
      reminders: [],
      escalations: [{ level: 1, at: iso(-60_000), workingDaysAfter: 0 }],
    });
    const due = await startBareTask(s, `m-due-${now}`, village, {
      dueAt: iso(7 * 86_400_000),
      reminders: [{ key: 'reminder-1', at: iso(86_400_000), workingDaysBefore: 6 }],
      escalations: [],
    });
    const escalated = async () =>
      (await s.sql<{ n: number }[]>`select count(*)::int as n from escalations where task_id = ${overdue} and level = 1`)[0]!.n === 1;
    for (let i = 0; i < 200 && !(await escalated()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await escalated()).toBe(true);
    // The due task's reminder, as if its instant had passed with no sweep to record it (a lane no worker serves): 90 s
    // ago, planned after the task opened (a reminder already past at opening is never sent, and is not lag).
    await s.sql`update tasks set opened_at = now() - interval '1 hour' where id = ${due}`;
    await s.sql`
      update task_deadlines set at = now() - interval '90 seconds', lane = 'no-sweep-serves-this-lane'
      where task_id = ${due} and kind = 'reminder' and recorded_at is null`;

    // The first test's scrape read the state before these tasks: a scrape reads it afresh once that reading is old.
    await new Promise((r) => setTimeout(r, STATE_TTL_MS + 50));
    const text = (await s.app.inject({ url: '/metrics' })).body;
    const [stored] = await s.sql<{ open: number; escalated: number; overdue: number }[]>`
      select count(*) filter (where state = 'open')::int as open, count(*) filter (where state = 'escalated')::int as escalated,
             count(*) filter (where due_at < now())::int as overdue
      from tasks where state in ('open', 'claimed', 'escalated')`;
    expect(stored).toEqual({ open: 1, escalated: 1, overdue: 1 });
    expect(sample(text, 'orglife_tasks_open{state="open"}')).toBe(1);
    expect(sample(text, 'orglife_tasks_open{state="escalated"}')).toBe(1);
    expect(sample(text, 'orglife_tasks_open{state="claimed"}')).toBe(0);
    expect(sample(text, 'orglife_tasks_overdue')).toBe(1);
    expect(sample(text, 'orglife_escalations_open{level="1"}')).toBe(1);
    expect(sample(text, 'orglife_escalations_open{level="2"}')).toBe(0);
    const lag = sample(text, 'orglife_deadline_lag_seconds')!;
    expect(lag).toBeGreaterThanOrEqual(89);
    expect(lag).toBeLessThan(600);
    expect(sample(text, 'orglife_channel_oldest_waiting_seconds')).toBe(0);
    expect(sample(text, 'orglife_metrics_state_errors_total')).toBe(0);
  });

  it('answers only a scraper with the token when ORGLIFE_METRICS_TOKEN is set', async () => {
    const app = await buildApp({ sql: s.sql, temporal: s.client, config: { ...s.config, ORGLIFE_METRICS_TOKEN: 'scrape-token-0123456789' }, log: quietLog });
    try {
      expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
      expect((await app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-token-0123456789' } })).statusCode).toBe(401);
      const ok = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-token-0123456789' } });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('orglife_tasks_open');
      // A session's token is no metrics token.
      expect((await app.inject({ url: '/metrics', headers: s.admin })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
