// An upgrade under running work, on the production topology's Temporal server (docs/operations.md, "Upgrades"): build 1
// of a Worker Deployment runs processes that wait for a person; build 2, whose second step changed without `patched()`,
// is deployed beside it on the same task queue and made current; new processes start on build 2, and the old ones, when
// the person acts, finish on build 1, every workflow task and activity of theirs run by build 1's worker. Both workers
// use the product's own deployment options (src/worker.ts).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { deploymentOptions, installRuntimeLogger } from '../../src/worker.js';
import { deadlineQueue } from '../../workflows/deadline-sweep.js';
import { quietLog } from '../helpers/context.js';
import { clusterState } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const { EventType } = temporal.api.enums.v1;
const PINNED = temporal.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_PINNED;
const RUNS = 3;

/** Polls `probe` until it returns a value other than undefined, or fails with what it last saw. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s${last ? ` (${(last as Error).message})` : ''}`);
    await sleep(300);
  }
}

describe('two builds of a Worker Deployment on one task queue', () => {
  const deploymentName = `orglife-upgrade-${randomUUID().slice(0, 8)}`;
  const taskQueue = `upgrade-${randomUUID()}`;
  let client: Client;
  let namespace: string;
  let workerConnection: NativeConnection;
  const workers: { worker: Worker; running: Promise<void> }[] = [];

  beforeAll(async () => {
    installRuntimeLogger(quietLog);
    const state = await clusterState();
    namespace = state.namespace;
    client = new Client({ connection: await Connection.connect({ address: state.temporalAddress }), namespace });
    workerConnection = await NativeConnection.connect({ address: state.temporalAddress });
  });
  afterAll(async () => {
    for (const w of workers) if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
    await Promise.allSettled(workers.map((w) => w.running));
    await workerConnection?.close();
    await client?.connection.close();
  });

  /** A worker of `buildId` running the bundle `file`; its activity says which build ran it. */
  async function startBuild(buildId: string, file: string): Promise<void> {
    const code = await bundleWorkflowCode({ workflowsPath: join(here, 'upgrade-workflows', file), logger: silent });
    const worker = await Worker.create({
      connection: workerConnection,
      namespace,
      taskQueue,
      workflowBundle: { code: code.code },
      activities: { step: async (name: string) => `${name}@${buildId}` },
      ...deploymentOptions({ name: deploymentName, buildId, behavior: 'PINNED' }),
    });
    workers.push({ worker, running: worker.run() });
  }

  /** What an operator does with `temporal worker deployment set-current-version`, once the build's pollers are seen. */
  async function setCurrent(buildId: string): Promise<void> {
    await until(`build ${buildId} made current`, async () => {
      await client.workflowService.setWorkerDeploymentCurrentVersion({ namespace, deploymentName, buildId, identity: 'upgrade test' });
      return true;
    });
  }

  async function startRuns(tag: string): Promise<WorkflowHandle[]> {
    const handles = await Promise.all(
      Array.from({ length: RUNS }, (_, i) => client.workflow.start('upgradeProbe', { taskQueue, workflowId: `upgrade-${tag}-${i}-${randomUUID()}`, args: [] })),
    );
    // Each has run its first step and waits for the person.
    for (const h of handles) {
      await until(`${h.workflowId} waits for the person`, async () => {
        const events = (await h.fetchHistory()).events ?? [];
        return events.some((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) ? true : undefined;
      });
    }
    return handles;
  }

  /** The build each completed workflow task of a run was completed by, from its history. */
  async function taskBuilds(h: WorkflowHandle): Promise<string[]> {
    const events = (await h.fetchHistory()).events ?? [];
    return events
      .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
      .map(
        (e) =>
          e.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId ?? `none (${e.workflowTaskCompletedEventAttributes?.workerDeploymentVersion})`,
      );
  }

  /** Open runs of a version, as visibility counts them (what `temporal workflow count` tells an operator draining it). */
  async function openOn(buildId: string): Promise<number> {
    const { count } = await client.workflow.count(
      `TaskQueue = "${taskQueue}" AND TemporalWorkerDeploymentVersion = "${deploymentName}:${buildId}" AND ExecutionStatus = "Running"`,
    );
    return count;
  }

  it('keeps the runs build 1 started on build 1 to their end, and starts new runs on build 2', async () => {
    await startBuild('v1', 'v1.ts');
    await setCurrent('v1');
    const old = await startRuns('old');

    await startBuild('v2', 'v2.ts');
    await setCurrent('v2');
    const current = await client.workflowService.describeWorkerDeployment({ namespace, deploymentName });
    expect(current.workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId).toBe('v2');
    const fresh = await startRuns('new');

    // Draining: the old runs are still open on build 1, which must keep running until they end.
    await until('visibility counts the open runs of each build', async () =>
      (await openOn('v1')) === RUNS && (await openOn('v2')) === RUNS ? true : undefined,
    );

    // The person acts on every process, old and new.
    await Promise.all([...old, ...fresh].map((h) => h.signal('proceed')));
    const oldResults = await Promise.all(old.map((h) => h.result()));
    const newResults = await Promise.all(fresh.map((h) => h.result()));
    expect(oldResults).toEqual(Array(RUNS).fill(['first@v1', 'second@v1']));
    expect(newResults).toEqual(Array(RUNS).fill(['first@v2', 'check@v2', 'second, reworded@v2']));

    for (const [runs, buildId] of [
      [old, 'v1'],
      [fresh, 'v2'],
    ] as const) {
      for (const h of runs) {
        const info = (await h.describe()).raw.workflowExecutionInfo?.versioningInfo;
        expect(info?.deploymentVersion?.buildId, h.workflowId).toBe(buildId);
        expect(info?.behavior, h.workflowId).toBe(PINNED);
        const builds = await taskBuilds(h);
        expect(builds.length, h.workflowId).toBeGreaterThanOrEqual(3);
        expect(new Set(builds), h.workflowId).toEqual(new Set([buildId]));
      }
    }
    // Build 1 has nothing left to run: the operator may stop its workers.
    await until('build 1 drained in visibility', async () => ((await openOn('v1')) === 0 ? true : undefined));
  }, 120_000);

  it("runs the product's worker (`npm run worker`) as a build of its deployment from its configuration, on the lane's queue and its deadline queue", async () => {
    const queue = `upgrade-product-${randomUUID()}`;
    const name = `orglife-product-${randomUUID().slice(0, 8)}`;
    const state = await clusterState();
    let output = '';
    const worker = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
      env: {
        ...process.env,
        DATABASE_URL: state.databaseUrl,
        TEMPORAL_ADDRESS: state.temporalAddress,
        TEMPORAL_NAMESPACE: namespace,
        TEMPORAL_TASK_QUEUE: queue,
        ORGLIFE_WORKER_BUILD_ID: 'release-2',
        ORGLIFE_WORKER_DEPLOYMENT: name,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (d) => (output += d));
    worker.stderr!.on('data', (d) => (output += d));
    const exited = new Promise((r) => worker.once('exit', r));
    try {
      const queues = await until(
        'the worker to poll as release-2',
        async () => {
          if (worker.exitCode !== null) throw new Error(`the worker exited with ${worker.exitCode}: ${output.slice(-2000)}`);
          const r = await client.workflowService.describeWorkerDeploymentVersion({
            namespace,
            deploymentVersion: { deploymentName: name, buildId: 'release-2' },
          });
          const seen = new Set((r.workerDeploymentVersionInfo?.taskQueueInfos ?? []).map((q) => q.name));
          return seen.has(queue) && seen.has(deadlineQueue(queue)) ? [...seen].sort() : undefined;
        },
        90_000,
      );
      expect(queues).toEqual([queue, deadlineQueue(queue)].sort());
      // Both queues polled: the server accepts the build as current (it refuses one that leaves a queue unpolled).
      await client.workflowService.setWorkerDeploymentCurrentVersion({ namespace, deploymentName: name, buildId: 'release-2', identity: 'upgrade test' });
    } finally {
      worker.kill('SIGTERM');
      await Promise.race([exited, sleep(20_000)]);
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
  }, 120_000);
});

const silent = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } as never;
