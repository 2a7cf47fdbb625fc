import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import type { Sql } from '../../src/db/client.js';
import { installRuntimeLogger, withDeadlineWorker } from '../../src/worker.js';
import { quietLog, testSql } from './context.js';
import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowClient, type WorkflowHandle } from '@temporalio/client';
import { completeTaskUpdate, processStateQuery, type Actor, type ProcessView } from '../../workflows/messages.js';

export interface TimeSkipping {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  newWorker(): Promise<{ worker: Worker; taskQueue: string }>;
}

/** The Java time-skipping test server (from the per-user cache), its clock locked until a test moves it. */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  // The SDK gives the JVM 5 s to listen; on a loaded 2-core machine a cold start can take longer: retry.
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
      });
    } catch (err) {
      if (attempt >= 4 || !/did not start within/.test(String(err))) throw err;
    }
  }
}

/**
 * Temporal's Java time-skipping test server (wrapper from the per-user cache) with a worker whose activities
 * write to the suite's real PostgreSQL.
 */
/** Without the shared worker: every test takes its own from `newWorker()`. */
export async function timeSkipping(sql: Sql, opts: { sharedWorker: false }): Promise<TimeSkipping>;
// (Last: `ReturnType<typeof timeSkipping>` in the older tests reads this one.)
export async function timeSkipping(sql: Sql): Promise<TimeSkipping & { worker: Worker }>;
export async function timeSkipping(sql: Sql, opts: { sharedWorker?: boolean } = {}): Promise<TimeSkipping & { worker?: Worker }> {
  installRuntimeLogger(quietLog);
  const env = await startTimeSkippingServer();
  const taskQueue = `ts-${randomUUID()}`;
  const ready = env;
  const workflowBundle = { codePath: inject('workflowBundlePath') };
  // With the lane's deadline worker, as every worker of the product runs: the sweep records reminders and escalations.
  const workerOn = async (queue: string) =>
    withDeadlineWorker(await Worker.create({ connection: ready.nativeConnection, taskQueue: queue, workflowBundle, activities: createActivities(sql) }), {
      connection: ready.nativeConnection,
      taskQueue: queue,
      sql,
      workflowBundle,
    });
  // A worker created and never run holds the connection open at teardown: made only when wanted.
  const worker = opts.sharedWorker === false ? undefined : await workerOn(taskQueue);
  /**
   * A worker runs once (`runUntil`): a file with several tests gives each its own worker, on a task queue of its
   * own (two live workers may not share one, e.g. when a filter skips the test that would run `worker`).
   */
  const newWorker = async () => {
    const queue = `ts-${randomUUID()}`;
    return { worker: await workerOn(queue), taskQueue: queue };
  };
  return { env, worker, taskQueue, newWorker };
}

/**
 * Ends a process at the end of a test, whose run may be continuing as new at that moment (a renewed term, the next
 * training cycle): the latest run by the workflow's id, once there is one running — terminating the run that just
 * closed fails, and on a loaded machine a test can reach that instant.
 */
export async function endProcess(client: WorkflowClient, workflowId: string, reason = 'end of test'): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const latest = client.getHandle(workflowId);
    try {
      await latest.terminate(reason);
      return;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) || attempt >= 100) throw err;
      // Closed for good (not continued as new): there is nothing left to end.
      const { status } = await latest.describe();
      if (status.name !== 'CONTINUED_AS_NEW' && status.name !== 'RUNNING') return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A process workflow as the time-skipping tests drive it: its state query, its open tasks, completing them. */
export function processDriver(handle: WorkflowHandle, actor: Actor) {
  const state = () => handle.query(processStateQuery);
  const waitFor = async <T>(what: string, fn: (s: ProcessView) => T | undefined | null | false | Promise<T | undefined | null | false>): Promise<T> => {
    for (let i = 0; i < 400; i++) {
      const v = await fn(await state());
      if (v) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await state())}`);
  };
  const openTask = (step: string, key?: string) =>
    waitFor(`an open ${step} task`, (s) =>
      s.tasks.find((t) => t.step === step && (!key || t.taskKey === key) && t.state !== 'done' && t.state !== 'cancelled'),
    );
  return {
    state,
    waitFor,
    openTask,
    stepIs: (step: string) => waitFor(`step ${step}`, (s) => s.step === step),
    /** Completes the open task of `step` (when the process is at that step, or the task's key is given). */
    async complete(step: string, outcome: Record<string, unknown> = {}, key?: string) {
      if (!key) await waitFor(`step ${step}`, (s) => s.step === step);
      const t = await openTask(step, key);
      return handle.executeUpdate(completeTaskUpdate, { args: [{ taskKey: t.taskKey, actor, outcome }] });
    },
  };
}

export type ProcessDriver = ReturnType<typeof processDriver>;

/**
 * A term election driven up to the supervisor's review of its candidates: the request (with `request`'s figures),
 * approved, and `candidates` proposed for `seats`.
 */
export async function proposeTermCandidates(run: ProcessDriver, seats: number, candidates: string[], request: Record<string, unknown> = {}): Promise<void> {
  await run.complete('election-request', { seats, ...request });
  await run.complete('election-reply', { decision: 'approve' });
  await run.complete('candidates', { seats, candidates });
}

/** The refusal of an Update's validator: its failure type and the rule it names (nothing entered history). */
export async function refused(p: Promise<unknown>): Promise<{ type: string | undefined; rule: string | undefined; message: string }> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof WorkflowUpdateFailedError)) throw err;
    const cause = err.cause;
    if (cause instanceof ApplicationFailure)
      return { type: cause.type ?? undefined, rule: (cause.details?.[0] as { rule?: string } | undefined)?.rule, message: cause.message };
    return { type: undefined, rule: undefined, message: cause?.message ?? err.message };
  }
  throw new Error('the Update was accepted, a refusal was expected');
}

/**
 * For a describe block: the suite's PostgreSQL and one time-skipping server with a shared worker, started before
 * its tests and torn down after them. `suite.ts` is set once the block's tests run.
 */
export function timeSkippingSuite(): { sql: Sql; ts: TimeSkipping & { worker: Worker } } {
  const suite = { sql: testSql() } as { sql: Sql; ts: TimeSkipping & { worker: Worker } };
  beforeAll(async () => {
    suite.ts = await timeSkipping(suite.sql);
  });
  afterAll(async () => {
    await suite.ts?.env.teardown();
    await suite.sql.end();
  });
  return suite;
}

/**
 * For a describe block whose tests each need their own server and worker (a worker's runUntil ends it, and one
 * test's runs must leave nothing for the next): `t.ts` and `t.worker` are set before each test, torn down after it.
 */
export function timeSkippingPerTest(): { sql: Sql; ts: TimeSkipping; worker: { worker: Worker; taskQueue: string } } {
  const t = { sql: testSql() } as { sql: Sql; ts: TimeSkipping; worker: { worker: Worker; taskQueue: string } };
  beforeEach(async () => {
    t.ts = await timeSkipping(t.sql, { sharedWorker: false });
    t.worker = await t.ts.newWorker();
  });
  afterEach(async () => {
    await t.ts?.env.teardown();
  });
  afterAll(async () => {
    await t.sql.end();
  });
  return t;
}
