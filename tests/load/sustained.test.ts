import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';

// Bounded sustained load on loopback: the inbox and an organization read, as many officers would send them.
// ORGLIFE_HEAVY=1 (set by .ci/run) runs the two-minute profile; otherwise a short one. Throughput and latency under
// load are the benchmark's (`http`); this holds the API to no error and no leak.
const seconds = Number(process.env.ORGLIFE_LOAD_SECONDS ?? (process.env.ORGLIFE_HEAVY ? 120 : 15));

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

  it(
    'serves every request without an error, and the heap does not grow with it',
    async () => {
      // The load runs in rounds; after each, the heap is measured after forced full collections. RSS and a heap
      // read at a random moment hang on when the collector last ran and on what the allocator handed back; the heap
      // that survives a full collection holds only what is still referenced, which is what a leak grows.
      // Round 0 warms up (caches, prepared statements, compiled code); a leak then grows the heap with every round.
      const rounds = 5;
      const each = Math.max(2, Math.round(seconds / rounds));
      const totals = { requests: 0, errors: 0, timeouts: 0, non2xx: 0 };
      const heap: number[] = [];
      const p99: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const result = await autocannon({
          url,
          connections: 8,
          duration: each,
          requests: [
            { method: 'GET', path: '/api/v1/tasks?state=open&limit=50', headers },
            { method: 'GET', path: `/api/v1/organizations/${village}`, headers },
          ],
        });
        totals.requests += result.requests.total;
        totals.errors += result.errors;
        totals.timeouts += result.timeouts;
        totals.non2xx += result.non2xx;
        p99.push(result.latency.p99);
        heap.push(await heapAfterCollection());
      }
      const mb = (b: number) => +(b / 2 ** 20).toFixed(1);
      const growth = heap.at(-1)! - heap[1]!;
      console.log(
        `load: ${totals.requests} requests in ${rounds} rounds of ${each} s, p99 per round ${p99.join(', ')} ms, errors ${totals.errors}, ` +
          `non-2xx ${totals.non2xx}; heap after full collection per round ${heap.map(mb).join(', ')} MiB (growth after warm-up ${mb(growth)} MiB)`,
      );
      expect(totals.requests).toBeGreaterThan(0);
      expect(totals.errors).toBe(0);
      expect(totals.timeouts).toBe(0);
      expect(totals.non2xx).toBe(0);
      // A leak detector, not a speed or size target (bench/ measures those): the heap that survives a full collection
      // may not climb round after round by more than a settling cache would, nor by a leak's amount in any case. A
      // kilobyte kept per request grows it by tens of MiB in 15 s; a quiet or a busy machine moves it by a few MiB.
      const climbsEveryRound = heap.slice(2).every((h, i) => h > heap[i + 1]!);
      const leaks = (climbsEveryRound && growth > 16 * 2 ** 20) || growth > 64 * 2 ** 20;
      expect(leaks, `heap after full collection per round: ${heap.map(mb).join(', ')} MiB`).toBe(false);
    },
    (seconds + 180) * 1000,
  );
});

/** The heap in use once everything unreferenced is collected: full collections until it stops shrinking. */
async function heapAfterCollection(): Promise<number> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  let last = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 10; i++) {
    // A pause lets closed sockets and finished requests drop their last references (timers, finalizers).
    await new Promise((r) => setTimeout(r, 100));
    gc();
    const used = process.memoryUsage().heapUsed;
    if (used >= last - 2 ** 18) return Math.min(used, last);
    last = used;
  }
  return last;
}
