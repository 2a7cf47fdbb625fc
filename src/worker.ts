import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type NativeConnection, type LogLevel, type WorkflowBundleOption } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from '../activities/index.js';
import { deadlineActivities } from '../activities/deadlines.js';
import { deadlineQueue } from '../workflows/deadline-sweep.js';
import type { NotifyOptions } from '../activities/notify.js';
import type { ChannelOptions } from '../activities/channels.js';
import type { Sql } from './db/client.js';
import { DEFAULT_CACHED_RUNS } from './config.js';
import type { Tracing } from './runtime/telemetry.js';

export const workflowsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'workflows');
export const workflowsPath = join(workflowsDir, 'index.ts');

/** How every workflow bundle is built (worker, tests, benches): zod evaluated once per worker thread, not per run. */
export const workflowBundleOptions = { workflowsPath, preloadModules: [join(workflowsDir, 'shared-modules.ts')] };

/**
 * The bundle of a worker that exports traces: the workflow side of Temporal's OpenTelemetry interceptors inside
 * it. Only such a worker bundles them, since their spans leave the sandbox through a sink that only it injects
 * (`WorkerOptions.tracing`). They add no command to a history: runs started without them replay with them
 * (tests/integration/traces.test.ts replays tests/histories on this bundle).
 */
export const tracedWorkflowBundleOptions = { ...workflowBundleOptions, workflowInterceptorModules: [join(workflowsDir, 'interceptors.ts')] };

let runtimeInstalled = false;

/**
 * Routes the SDK's logs (with workflow and activity ids in their metadata) into pino. `metricsAddress`
 * (host:port) also serves the SDK's own metrics in Prometheus's format there (the bench reads the sticky cache's
 * hits and misses from it).
 */
export function installRuntimeLogger(log: Logger, metricsAddress?: string): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = (log.level === 'silent' ? 'ERROR' : log.level.toUpperCase()) as LogLevel;
  const options = {
    // main.ts owns SIGTERM/SIGINT: close the API first, then drain the worker, then stop the servers.
    shutdownSignals: [],
    logger: new DefaultLogger(level === ('FATAL' as LogLevel) ? 'ERROR' : level, ({ level: l, message, meta }) => {
      const method = l === 'TRACE' ? 'trace' : l === 'DEBUG' ? 'debug' : l === 'WARN' ? 'warn' : l === 'ERROR' ? 'error' : 'info';
      log[method](meta ?? {}, message);
    }),
  };
  if (!metricsAddress) return void Runtime.install(options);
  try {
    Runtime.install({ ...options, telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } });
  } catch (err) {
    // A worker without its metrics endpoint still does its work; the scrape target going down is the alert.
    log.error({ err, metricsAddress }, 'the Temporal SDK metrics endpoint could not be served; the worker runs without it');
    Runtime.install(options);
  }
}

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  sql: Sql;
  /** A prebuilt bundle (tests, benches); otherwise the workflows are bundled at start. */
  workflowBundlePath?: string;
  /** SMTP for digests (activities/notify.ts). */
  notify?: NotifyOptions;
  /** 企业微信, 钉钉, SMS and group robots (activities/channels.ts); src/channels/config.ts reads them from the environment. */
  channels?: ChannelOptions;
  /** Activities in flight at once (default 50): a deadline storm queues in Temporal, not in PostgreSQL. */
  maxConcurrentActivities?: number;
  /** Workflow runs kept in the worker's cache (default DEFAULT_CACHED_RUNS). */
  maxCachedWorkflows?: number;
  /**
   * Traces exported (src/runtime/telemetry.ts): the activities' spans, and the sink of the workflows' spans. A
   * prebuilt bundle must then be built with `tracedWorkflowBundleOptions`.
   */
  tracing?: Tracing;
  /** A versioned deployment (Temporal's Worker Deployments); unset: an unversioned worker, as before. */
  deployment?: WorkerDeployment;
}

/**
 * One build of the workers in a Worker Deployment (docs/operations.md, "Upgrades"). Every worker of a build, on the lane's
 * queue and its deadline queue, polls as `name`/`buildId`; Temporal sends it only the tasks of runs on that version, so a
 * second build beside it takes nothing from the runs the first one started until the operator moves them.
 */
export interface WorkerDeployment {
  name: string;
  buildId: string;
  /**
   * What a run started on this build keeps: PINNED, every task on this build until the run ends (or an operator moves
   * it); AUTO_UPGRADE, each next task on the deployment's current version, so a change must replay the run's history
   * (`patched()`).
   */
  behavior: 'PINNED' | 'AUTO_UPGRADE';
}

/** The Worker's options of a deployment's build; none for an unversioned worker. */
export function deploymentOptions(d: WorkerDeployment | undefined, behavior = d?.behavior) {
  if (!d || !behavior) return {};
  return {
    workerDeploymentOptions: {
      version: { deploymentName: d.name, buildId: d.buildId },
      useWorkerVersioning: true as const,
      defaultVersioningBehavior: behavior,
    },
  };
}

/**
 * The worker of a task queue. It brings the deadline worker of the same lane along (`withDeadlineWorker`): whoever
 * runs, awaits or shuts down the one returned runs, awaits and shuts down both.
 */
export async function createWorker(o: WorkerOptions): Promise<Worker> {
  const workflowBundle: WorkflowBundleOption = o.workflowBundlePath
    ? { codePath: o.workflowBundlePath }
    : await bundleWorkflowCode({
        ...(o.tracing ? tracedWorkflowBundleOptions : workflowBundleOptions),
        logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } as never,
      });
  const worker = await Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    workflowBundle,
    activities: createActivities(o.sql, o.notify, o.channels),
    ...traced(o.tracing),
    ...deploymentOptions(o.deployment),
    // Bounded so that 30,000 reminders due in the same minute wait their turn in the task queue instead of
    // exhausting the PostgreSQL pool; workflow tasks (user actions) keep their own slots.
    maxConcurrentActivityTaskExecutions: o.maxConcurrentActivities ?? 50,
    // The process workflows' projection writes run as local activities (workflows/process-activities.ts),
    // inside workflow tasks, under the same bound.
    maxConcurrentLocalActivityExecutions: o.maxConcurrentActivities ?? 50,
    maxConcurrentWorkflowTaskExecutions: 40,
    // Sized from what a cached run keeps (DEFAULT_CACHED_RUNS), not from the heap as the SDK's default does (2,310
    // runs at this machine's heap). Deadline storms wake no workflow (the sweep records them), so a run evicted here
    // costs a replay only when a person next acts on its task.
    maxCachedWorkflows: o.maxCachedWorkflows ?? DEFAULT_CACHED_RUNS,
    // Drain in-flight activities on SIGTERM before the process exits.
    shutdownGraceTime: '10 seconds',
  });
  return withDeadlineWorker(worker, {
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    sql: o.sql,
    workflowBundle,
    tracing: o.tracing,
    deployment: o.deployment,
  });
}

/** A worker's options for exporting traces: none when tracing is off. */
function traced(tracing: Tracing | undefined) {
  return tracing ? { interceptors: { activity: tracing.activity }, sinks: tracing.sinks } : {};
}

/**
 * The deadline sweep's own worker (workflows/deadline-sweep.ts) on the lane's deadline queue, with slots of its own:
 * a person's Update on the lane's queue never waits behind deadline work. It runs while `worker` runs: `run()` and
 * `runUntil()` of the returned worker start it and stop it when they end.
 */
export async function withDeadlineWorker(
  worker: Worker,
  o: {
    connection: NativeConnection;
    namespace?: string;
    taskQueue: string;
    sql: Sql;
    workflowBundle: WorkflowBundleOption;
    tracing?: Tracing;
    deployment?: WorkerDeployment;
  },
): Promise<Worker> {
  const sweeper = await Worker.create({
    connection: o.connection,
    namespace: o.namespace ?? 'default',
    taskQueue: deadlineQueue(o.taskQueue),
    workflowBundle: o.workflowBundle,
    activities: deadlineActivities(o.sql),
    // The same bundle as the lane's worker: traced, its workflows' spans need the sink here too.
    ...traced(o.tracing),
    // The same build as the lane's worker, since Temporal makes a version current only once it polls every queue the
    // deployment had. Always AUTO_UPGRADE: the sweep continues as new forever, so pinned it would hold its first build
    // for good and that build could never be drained; its changes are made with `patched()`.
    ...deploymentOptions(o.deployment, 'AUTO_UPGRADE'),
    maxConcurrentActivityTaskExecutions: 2,
    maxConcurrentLocalActivityExecutions: 1,
    maxConcurrentWorkflowTaskExecutions: 2,
    maxCachedWorkflows: 8,
    shutdownGraceTime: '10 seconds',
  });
  const run = worker.run.bind(worker);
  worker.run = async () => {
    const sweeping = sweeper.run();
    try {
      return await run();
    } finally {
      if (sweeper.getState() === 'RUNNING') sweeper.shutdown();
      await sweeping;
    }
  };
  return worker;
}
