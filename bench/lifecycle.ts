// `lifecycle`: full human-task lifecycles per second through the API: start a term election whose request
// task opens at once, wait for the task, complete it. The baseline is the bare start loop's rate on the same
// server (what Temporal alone gives for the first of the three steps). Published comparisons (not measured
// here): Camunda 8 self-managed ≈ 51 process instances/s on 3 brokers × 3 vCPU; jBPM 7.8 16–72 user-task
// instances/s on a laptop.
import { randomUUID } from 'node:crypto';
import { insertOrganizations } from '../src/organizations/store.js';
import { addMonths, shanghaiDate } from '../src/domain/dates.js';
import type { BenchResult, BenchServers } from './servers.js';
import { percentile, pool } from './measure.js';
import { startBenchStack } from './stack.js';

const p50 = (xs: number[]) =>
  Math.round(
    percentile(
      [...xs].sort((a, b) => a - b),
      50,
    ),
  );

export async function run(s: BenchServers, opts: { n: number; concurrency?: number; label?: string }): Promise<BenchResult[]> {
  const stack = await startBenchStack(s, { worker: true });
  try {
    return await runOn({ url: stack.url, adminToken: stack.adminToken, sql: s.sql, client: s.client }, opts);
  } finally {
    await stack.close();
  }
}

/** Where the lifecycles go: an API (in this process, or the cluster's balancer) with its PostgreSQL and Temporal. */
export interface LifecycleTarget {
  url: string;
  adminToken: string;
  sql: BenchServers['sql'];
  client: BenchServers['client'];
}

export async function runOn(target: LifecycleTarget, opts: { n: number; concurrency?: number; label?: string }): Promise<BenchResult[]> {
  const concurrency = opts.concurrency ?? 32;
  const s = target;
  const stack = target;
  const prefix = `LC${randomUUID().slice(0, 6)}`;
  const started = addMonths(shanghaiDate(Date.now()), -56); // ends in 4 months: the request task opens at once
  const rows = [
    {
      code: prefix,
      parent_code: '',
      name: '中共基准县委员会',
      type: 'committee' as const,
      sector: 'regional',
      term_years: 5,
      term_started_on: started,
      secretary_name: '',
      secretary_phone: '',
      full_members: 10,
      probationary_members: 0,
    },
    ...Array.from({ length: opts.n }, (_, i) => ({
      code: `${prefix}-${i}`,
      parent_code: prefix,
      name: `中共基准村${i}支部委员会`,
      type: 'branch' as const,
      sector: 'rural',
      term_years: 5,
      term_started_on: started,
      secretary_name: '',
      secretary_phone: '',
      full_members: 10,
      probationary_members: 0,
    })),
  ];
  await insertOrganizations(s.sql, rows);
  const headers = { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' };
  // One poller for every lifecycle waiting for its task row (one query per 50 ms, not one per lifecycle), so
  // that the measurement does not load PostgreSQL with its own polling.
  const opened = taskRowWatcher(s.sql);
  // Where a lifecycle's time goes: the start request (answered with the first task), any wait for the task row
  // after it, the completion request.
  const phases = { start: [] as number[], opened: [] as number[], complete: [] as number[], unsettled: 0 };
  try {
    const lifecycle = async (code: string) => {
      const t0 = performance.now();
      const r = await fetch(`${stack.url}/api/v1/processes/term-election`, { method: 'POST', headers, body: JSON.stringify({ organization: code }) });
      if (r.status !== 201) throw new Error(`start ${code}: ${r.status}`);
      const started = (await r.json()) as { id: string; settled: boolean; openTasks: { id: number }[] };
      const t1 = performance.now();
      // The start answers with the first task once its run settled; a start answered before that (past its wait)
      // is followed by its task row, for up to two minutes: on a crowded machine a run's first activities can queue.
      const taskId = started.openTasks[0]?.id ?? (await opened.wait(started.id, 120_000));
      if (!started.settled) phases.unsettled++;
      const t2 = performance.now();
      const c = await fetch(`${stack.url}/api/v1/tasks/${taskId}/complete`, { method: 'POST', headers, body: '{}' });
      if (c.status !== 200) throw new Error(`complete ${taskId}: ${c.status} ${await c.text()}`);
      phases.start.push(t1 - t0);
      phases.opened.push(t2 - t1);
      phases.complete.push(performance.now() - t2);
    };
    const codes = rows.slice(1).map((r) => r.code);
    const t0 = performance.now();
    await pool(codes, concurrency, lifecycle);
    const seconds = (performance.now() - t0) / 1000;

    const bareCodes = codes.slice(0, Math.min(codes.length, 500));
    const t1 = performance.now();
    await pool(bareCodes, concurrency, (c) =>
      s.client.workflow.start('termElection', { workflowId: `lcbare-${c}`, taskQueue: `lcbare-${prefix}`, args: [{ organization: c }] }),
    );
    const bareRate = bareCodes.length / ((performance.now() - t1) / 1000);
    const rate = codes.length / seconds;
    return [
      {
        name: opts.label ? `lifecycle ${opts.label}` : 'lifecycle',
        value: Math.round(rate * 10) / 10,
        unit: 'lifecycles/s',
        baseline: 'bare workflow starts/s on the same server (first step alone)',
        baselineValue: Math.round(bareRate * 10) / 10,
        ratio: Math.round((rate / bareRate) * 1000) / 1000,
        notes: `${codes.length} lifecycles (start answered with its first task → completed through the API), concurrency ${concurrency}; goal ≥ 100/s; p50 of its phases: start request ${p50(phases.start)} ms, task row waited for ${p50(phases.opened)} ms after it (${phases.unsettled} starts answered unsettled), completion request ${p50(phases.complete)} ms`,
      },
    ];
  } finally {
    opened.stop();
  }
}

/** Resolves each waited-for workflow id with its task row's id, polling for all of them in one query. */
function taskRowWatcher(sql: BenchServers['sql']) {
  const waiting = new Map<string, { resolve: (id: number) => void; reject: (e: Error) => void; until: number }>();
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const ids = [...waiting.keys()];
      if (ids.length) {
        const rows = await sql<{ workflow_id: string; id: number }[]>`select workflow_id, id from tasks where workflow_id = any(${ids})`;
        for (const r of rows) {
          waiting.get(r.workflow_id)?.resolve(r.id);
          waiting.delete(r.workflow_id);
        }
        const now = Date.now();
        for (const [id, w] of waiting) {
          if (now <= w.until) continue;
          waiting.delete(id);
          w.reject(new Error(`no task for ${id}`));
        }
      }
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  void loop();
  return {
    wait: (workflowId: string, timeoutMs: number) =>
      new Promise<number>((resolve, reject) => waiting.set(workflowId, { resolve, reject, until: Date.now() + timeoutMs })),
    stop: () => {
      stopped = true;
    },
  };
}
