import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';

// Bounded sustained load on loopback: the inbox and an organization read, as many officers would send them.
// ORGLIFE_HEAVY=1 (set by .ci/run) runs the five-minute profile; otherwise a short one.
const seconds = Number(process.env.ORGLIFE_LOAD_SECONDS ?? (process.env.ORGLIFE_HEAVY ? 300 : 15));

describe(`sustained API load (${seconds} s)`, () => {
  let s: Stack;
  let url: string;
  let headers: Record<string, string>;
  let village: string;

  beforeAll(async () => {
    s = await startStack();
    const root = uniqueCode('LD');
    village = uniqueCode('LDV');
    await addOrganizations(s.sql, [orgRow(root, '', { type: 'committee', sector: 'regional' }), orgRow(village, root)]);
    await s.sql`
      insert into tasks (workflow_id, task_key, process, step, organization_id, assignee_role, state, opened_at, due_at)
      select ${`load-${village}`}, 't' || g, 'term-election', 'election-request', o.id, 'secretary', 'open', now(), now() + g * interval '1 hour'
      from generate_series(1, 500) g, organizations o where o.code = ${village}`;
    const officer = await s.userWith([{ role: 'secretary', org: village }]);
    headers = { authorization: officer.authorization };
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(s.app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => s?.close());

  it('serves every request without an error, and memory does not grow with it', async () => {
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
    const result = await autocannon({
      url,
      connections: 8,
      duration: seconds,
      requests: [
        { method: 'GET', path: '/api/v1/tasks?state=open&limit=50', headers },
        { method: 'GET', path: `/api/v1/organizations/${village}`, headers },
      ],
    });
    clearInterval(sampler);
    const mb = (b: number) => Math.round(b / 2 ** 20);
    const third = Math.max(1, Math.floor(rss.length / 3));
    const early = Math.max(...rss.slice(0, third));
    const late = Math.max(...rss.slice(-third));
    console.log(
      `load: ${result.requests.total} requests in ${seconds} s (${Math.round(result.requests.average)}/s), p99 ${result.latency.p99} ms, ` +
        `errors ${result.errors}, non-2xx ${result.non2xx}, rss early max ${mb(early)} MiB, late max ${mb(late)} MiB`,
    );
    expect(result.requests.total).toBeGreaterThan(0);
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    // A leak detector, not a speed target: the late third may not hold far more than the early third.
    expect(mb(late - early)).toBeLessThan(150);
  }, (seconds + 120) * 1000);
});
