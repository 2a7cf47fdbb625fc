// The production topology as started by `npm run cluster` (here by tests/setup/servers.ts): Temporal server
// 1.29.1 keeping its state in PostgreSQL, two API processes behind the balancer, two workers on one task queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSql } from '../../src/db/client.js';
import { eventually } from '../helpers/context.js';
import { clusterFixture, requestOutcome, type ClusterFixture } from './helpers.js';

describe('the cluster topology', () => {
  let f: ClusterFixture;
  beforeAll(async () => {
    f = await clusterFixture(6);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('runs two API processes and two workers, all ready, on one Temporal server', () => {
    const kinds = f.state.members.map((m) => `${m.kind}:${m.ready}`).sort();
    expect(kinds).toEqual(['api:true', 'api:true', 'temporal:true', 'worker:true', 'worker:true']);
    expect(new Set(f.state.members.map((m) => m.pid)).size).toBe(5);
  });

  it('answers /readyz on each API process and through the balancer', async () => {
    for (const m of f.state.members.filter((x) => x.kind === 'api')) {
      expect((await fetch(`http://127.0.0.1:${m.port}/readyz`)).status).toBe(200);
    }
    expect((await fetch(`${f.state.url}/readyz`)).status).toBe(200);
  });

  it('has both workers polling the one task queue', async () => {
    const pollers = await eventually(
      'two workers polling',
      async () => {
        const r = await f.client.workflowService.describeTaskQueue({
          namespace: f.state.namespace,
          taskQueue: { name: f.state.taskQueue },
          taskQueueType: 1, // workflow tasks
        });
        const ids = new Set((r.pollers ?? []).map((p) => p.identity));
        return ids.size >= 2 ? ids : null;
      },
      60_000,
    );
    expect(pollers.size).toBe(2);
  });

  it('carries term elections from start to completed request through the balancer, state in PostgreSQL', async () => {
    const h = { authorization: f.authorization, 'content-type': 'application/json' };
    const ids: string[] = [];
    for (const code of f.villages) {
      const r = await fetch(`${f.state.url}/api/v1/processes/term-election`, { method: 'POST', headers: h, body: JSON.stringify({ organization: code }) });
      expect(r.status, await r.clone().text()).toBe(201);
      ids.push(((await r.json()) as { id: string }).id);
    }
    for (const id of ids) {
      const taskId = await eventually(
        `the request task of ${id}`,
        async () => (await f.sql<{ id: number }[]>`select id from tasks where workflow_id = ${id} and state = 'open'`)[0]?.id,
        60_000,
      );
      const c = await fetch(`${f.state.url}/api/v1/tasks/${taskId}/complete`, {
        method: 'POST',
        headers: { ...h, 'idempotency-key': `topology-${taskId}` },
        body: JSON.stringify(requestOutcome()),
      });
      expect(c.status, await c.clone().text()).toBe(200);
      const [done] = await f.sql<{ state: string; completed: number }[]>`
        select t.state, (select count(*)::int from task_events e where e.task_id = t.id and e.kind = 'completed') as completed from tasks t where t.id = ${taskId}`;
      expect(done).toEqual({ state: 'done', completed: 1 });
    }
    // Temporal's own tables on PostgreSQL hold the runs (no SQLite anywhere), and its visibility store answers queries.
    const temporalDb = createSql(f.state.databaseUrl.replace(/\/[^/]+$/, '/temporal'), { max: 1 });
    try {
      const [row] = await temporalDb<{ n: number }[]>`select count(*)::int as n from executions where workflow_id = any(${ids})`;
      expect(row!.n).toBe(ids.length);
    } finally {
      await temporalDb.end();
    }
    const listed = await eventually(
      'visibility to list the runs',
      async () => {
        const n = (await f.client.workflow.count(`WorkflowType = 'termElection' AND WorkflowId STARTS_WITH '${ids[0]!.replace(/-\d+$/, '')}'`)).count;
        return n >= ids.length ? n : null;
      },
      30_000,
    );
    expect(listed).toBe(ids.length);
  });
});
