// kill -9 under steady load, on the production topology (docs/reliability.md, "The cluster topology under kill -9").
// Eight clients run term elections through the balancer without pause: start one, wait for its request task,
// complete it (with an Idempotency-Key); every failed request is counted and retried. Meanwhile one worker,
// then one API process, then Temporal's server are killed with SIGKILL; the supervisor starts each again, as a
// process manager would. Afterwards every process the load started, every task, reminder and audit row must be
// there exactly once, in PostgreSQL and in Temporal.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { clusterFixture, clusterState, requestOutcome, type ClusterFixture } from './helpers.js';

const heavy = process.env.ORGLIFE_HEAVY === '1';
const LANES = 8;
/** Seconds of load before the first kill, and between a member's recovery and the next kill. */
const CALM = heavy ? 30 : 15;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Phase = 'calm' | 'worker-killed' | 'api-killed' | 'temporal-killed' | 'after';

describe('kill -9 of a worker, an API process and the Temporal server under steady load', () => {
  let f: ClusterFixture;
  beforeAll(async () => {
    f = await clusterFixture(4000);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('loses nothing and doubles nothing', async () => {
    const h = { authorization: f.authorization, 'content-type': 'application/json' };
    let phase: Phase = 'calm';
    const errors: Record<string, number> = {};
    const errorsByPhase: Record<Phase, number> = { calm: 0, 'worker-killed': 0, 'api-killed': 0, 'temporal-killed': 0, after: 0 };
    const fail = (what: string) => {
      errors[what] = (errors[what] ?? 0) + 1;
      errorsByPhase[phase]++;
    };
    let requests = 0;
    const started = new Set<string>();
    const completed = new Map<string, number>(); // workflow id → task id
    const abandoned: string[] = [];
    let stopLoad = false;
    let next = 0;

    // One request, retried until `ok` says so; every other answer is counted as an error of the load.
    const until = async (what: string, send: () => Promise<Response>, ok: (r: Response) => boolean, deadlineMs = 240_000) => {
      const deadline = Date.now() + deadlineMs;
      // What the last few attempts got, so that a request that never succeeds says why.
      const last: string[] = [];
      for (;;) {
        requests++;
        const r = await send().catch((err: Error & { cause?: { code?: string } }) => {
          fail(`${what}: ${err.cause?.code ?? err.message}`);
          last.push(`${err.cause?.code ?? err.message}`);
          return null;
        });
        if (r && ok(r)) return r;
        if (r) {
          fail(`${what}: ${r.status}`);
          last.push(`${r.status} ${r.headers.get('idempotent-replayed') ? '(replayed) ' : ''}${(await r.text().catch(() => '')).slice(0, 200)}`);
        }
        if (last.length > 3) last.shift();
        if (Date.now() > deadline) throw new Error(`${what}: no success in ${deadlineMs / 1000} s; last answers: ${last.join(' | ')}`);
        await sleep(r?.status === 409 ? 1000 : 250);
      }
    };
    const taskOf = async (id: string) => {
      const deadline = Date.now() + 240_000;
      for (;;) {
        const [t] = await f.sql<{ id: number }[]>`select id from tasks where workflow_id = ${id} and step = 'election-request'`.catch(() => []);
        if (t) return t.id;
        if (Date.now() > deadline) throw new Error(`no request task for ${id}`);
        await sleep(200);
      }
    };
    const lane = async () => {
      while (!stopLoad && next < f.villages.length) {
        const code = f.villages[next++]!;
        const id = `term-election:${code}`;
        try {
          // 201, or 409 when an earlier attempt started it and its answer was lost.
          await until(
            'start',
            () =>
              fetch(`${f.state.url}/api/v1/processes/term-election`, {
                method: 'POST',
                signal: AbortSignal.timeout(60_000),
                headers: h,
                body: JSON.stringify({ organization: code }),
              }),
            (r) => r.status === 201 || r.status === 409,
          );
          started.add(id);
          const taskId = await taskOf(id);
          await until(
            'complete',
            () =>
              fetch(`${f.state.url}/api/v1/tasks/${taskId}/complete`, {
                method: 'POST',
                signal: AbortSignal.timeout(60_000),
                headers: { ...h, 'idempotency-key': `kill9-${code}` },
                body: JSON.stringify(requestOutcome()),
              }),
            (r) => r.status === 200,
          );
          completed.set(id, taskId);
        } catch (err) {
          abandoned.push(`${id}: ${(err as Error).message}`);
        }
      }
    };

    const timeline: { at: number; what: string }[] = [];
    const t0 = Date.now();
    const mark = (what: string) => {
      timeline.push({ at: Math.round((Date.now() - t0) / 100) / 10, what });
      console.log(`[kill9] ${timeline.at(-1)!.at} s: ${what} (${completed.size} lifecycles done, ${Object.values(errors).reduce((a, b) => a + b, 0)} errors)`);
    };
    const kill = async (name: string, p: Phase) => {
      const before = (await clusterState()).members.find((m) => m.name === name)!;
      expect(before.pid).toBeTruthy();
      phase = p;
      process.kill(before.pid!, 'SIGKILL');
      const killedAt = Date.now();
      mark(`kill -9 ${name} (pid ${before.pid})`);
      for (;;) {
        const m = (await clusterState()).members.find((x) => x.name === name)!;
        if (m.pid && m.pid !== before.pid && m.ready) {
          mark(`${name} back as pid ${m.pid} after ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
          return (Date.now() - killedAt) / 1000;
        }
        if (Date.now() - killedAt > 180_000) throw new Error(`${name} did not come back`);
        await sleep(100);
      }
    };

    const lanes = Array.from({ length: LANES }, lane);
    mark('load started');
    await sleep(CALM * 1000);
    const recovery: Record<string, number> = {};
    recovery['worker-1'] = await kill('worker-1', 'worker-killed');
    await sleep(CALM * 1000);
    recovery['api-1'] = await kill('api-1', 'api-killed');
    await sleep(CALM * 1000);
    recovery.temporal = await kill('temporal', 'temporal-killed');
    await sleep(CALM * 1000);
    phase = 'after';
    stopLoad = true;
    mark('load stopping');
    await Promise.all(lanes);
    mark('load stopped');
    const seconds = (Date.now() - t0) / 1000;

    // Let the completed runs take their next step (their next task, reminders and events), then count.
    const ids = [...started];
    const counts = async () =>
      f.sql<
        {
          workflow_id: string;
          processes: number;
          tasks: number;
          opened: number;
          completed: number;
          reminders: number;
          events: number;
          request_state: string | null;
        }[]
      >`
        select w.id as workflow_id,
          (select count(*)::int from processes p where p.workflow_id = w.id) as processes,
          (select count(*)::int from tasks t where t.workflow_id = w.id) as tasks,
          (select count(*)::int from task_events e join tasks t on t.id = e.task_id where t.workflow_id = w.id and e.kind = 'opened') as opened,
          (select count(*)::int from task_events e join tasks t on t.id = e.task_id where t.workflow_id = w.id and e.kind = 'completed') as completed,
          (select count(*)::int from task_deadlines r join tasks t on t.id = r.task_id where t.workflow_id = w.id and r.kind = 'reminder') as reminders,
          (select count(*)::int from process_events e where e.workflow_id = w.id) as events,
          (select t.state from tasks t where t.workflow_id = w.id and t.step = 'election-request') as request_state
        from unnest(${ids}::text[]) as w(id)`;
    const signature = (r: Awaited<ReturnType<typeof counts>>[number]) =>
      `${r.processes}/${r.tasks}/${r.opened}/${r.completed}/${r.reminders}/${r.events}/${r.request_state}`;
    let rows = await counts();
    const settleUntil = Date.now() + 120_000;
    // Settled: every completed run has the signature of the runs completed in the calm phase, minutes ago.
    const reference = () => {
      const bySig = new Map<string, number>();
      for (const r of rows) if (completed.has(r.workflow_id)) bySig.set(signature(r), (bySig.get(signature(r)) ?? 0) + 1);
      return [...bySig.entries()].sort((a, b) => b[1] - a[1]);
    };
    while (reference().length > 1 && Date.now() < settleUntil) {
      await sleep(2000);
      rows = await counts();
    }
    const sigs = reference();
    const [refSig] = sigs[0] ?? ['none'];
    const [processes, tasks, opened, completedEvents, reminders] = refSig.split('/').map(Number);

    // Temporal: one run per workflow id, none failed or terminated.
    const runs = new Map<string, string[]>();
    for await (const w of f.client.workflow.list({
      query: `WorkflowType = 'termElection' AND WorkflowId STARTS_WITH 'term-election:${f.villages[0]!.replace(/-\d+$/, '')}'`,
    })) {
      runs.set(w.workflowId, [...(runs.get(w.workflowId) ?? []), w.status.name]);
    }

    // For a run the load gave up on: where Temporal has it (its pending workflow task and last events).
    const abandonedRuns = await Promise.all(
      abandoned.map(async (a) => {
        const id = a.split(': ')[0]!;
        const h = f.client.workflow.getHandle(id);
        const d = await h.describe().catch((err: Error) => ({ error: err.message }) as const);
        const history = await h.fetchHistory().catch(() => null);
        return {
          id,
          status: 'error' in d ? d.error : d.status.name,
          pendingWorkflowTask: 'error' in d ? null : d.raw.pendingWorkflowTask,
          // An activity stuck in its retries says why here (its attempt and last failure).
          pendingActivities:
            'error' in d
              ? null
              : (d.raw.pendingActivities ?? []).map((a) => ({
                  type: a.activityType?.name,
                  state: a.state,
                  attempt: a.attempt,
                  lastFailure: a.lastFailure?.message ?? null,
                })),
          lastEvents: history?.events?.slice(-8).map((e) => `${e.eventId} ${e.eventType}`) ?? null,
        };
      }),
    );

    const report = {
      abandonedRuns,
      seconds: Math.round(seconds),
      lanes: LANES,
      requests,
      started: started.size,
      completed: completed.size,
      abandoned,
      errors: Object.values(errors).reduce((a, b) => a + b, 0),
      errorsByKind: errors,
      errorsByPhase,
      recoverySeconds: recovery,
      timeline,
      signatures: sigs.map(([s, n]) => ({ 'processes/tasks/opened/completed/reminders/process events/request state': s, runs: n })),
      temporalRuns: { workflowIds: runs.size, moreThanOneRun: [...runs].filter(([, s]) => s.length > 1).length, statuses: countOf([...runs.values()].flat()) },
    };
    writeFileSync(join(inject('testDataDir'), '..', 'kill9-report.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`[kill9] ${JSON.stringify(report, null, 2)}`);

    expect(abandoned).toEqual([]);
    expect(started.size).toBeGreaterThan(50);
    // Every completed run took the same path: one process row, one 'opened' per task, one 'completed', the same
    // reminders and process events as the runs completed before any kill.
    expect(sigs.length, JSON.stringify(sigs)).toBe(1);
    expect(processes).toBe(1);
    expect(opened).toBe(tasks);
    expect(completedEvents).toBe(1);
    expect(reminders).toBeGreaterThan(0);
    // Started but not (yet) completed by the load: none, since every lane finishes its item.
    for (const r of rows) {
      expect(r.processes, r.workflow_id).toBe(1);
      expect(r.opened, r.workflow_id).toBe(r.tasks);
      expect(r.completed, r.workflow_id).toBe(completed.has(r.workflow_id) ? 1 : 0);
    }
    // Temporal holds exactly one run of each, and no run of a village the load did not start.
    expect(runs.size).toBe(started.size);
    expect(report.temporalRuns.moreThanOneRun).toBe(0);
    expect(Object.keys(report.temporalRuns.statuses)).toEqual(['RUNNING']);
  }, 1_800_000);
});

/** How many times each value occurs. */
function countOf(values: string[]): Record<string, number> {
  const n: Record<string, number> = {};
  for (const v of values) n[v] = (n[v] ?? 0) + 1;
  return n;
}
