// The production topology on one machine (`npm run cluster`, `npm test -- --cluster`, `npm run bench -- --cluster`):
// PostgreSQL (embedded, or DATABASE_URL's server), Temporal server 1.29.1 on it (temporal-server.ts), two orglife
// API processes and two worker processes on one task queue (`npm run api` / `npm run worker`, i.e. src/main.ts),
// and a round-robin load balancer in front of the APIs (balancer.ts).
//
// This process supervises the others as a process manager would: a member that exits without being asked to
// (a crash, `kill -9`) is started again after half a second, on the same port and data. Every member's pid is
// in <dir>/cluster.json (rewritten on every change) and in <dir>/pids/, so the next start stops members orphaned
// by a `kill -9` of this process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSql } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { startEmbeddedPostgres } from './postgres.js';
import { serverPorts, startTemporalServer, type TemporalServerHandle } from './temporal-server.js';
import { startBalancer, type Balancer } from './balancer.js';
import { clearStalePidFile, sleepMs } from './stale.js';
import { freePort } from './ports.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ClusterOptions {
  /** Data and logs: <dir>/postgres (embedded), <dir>/temporal, <dir>/logs, <dir>/cluster.json. */
  dir: string;
  /** PostgreSQL of orglife; Temporal's two databases go on the same server, same credentials. Unset: embedded. */
  databaseUrl?: string;
  pgPort?: number;
  /** Temporal frontend port (7233 in `npm run cluster`); the server's internal ports are free ones. */
  temporalPort?: number;
  /** The load balancer (the address clients use). */
  host?: string;
  port?: number;
  apis?: number;
  workers?: number;
  namespace?: string;
  /** Namespaces to register besides `namespace` (the test suite's own, beside the cluster's). */
  extraNamespaces?: string[];
  taskQueue?: string;
  /** More environment for the API and worker processes (LOG_LEVEL, ORGLIFE_JWT_SECRET, ORGLIFE_FAILPOINTS ...). */
  env?: NodeJS.ProcessEnv;
  log: (m: string) => void;
}

export type MemberKind = 'api' | 'worker' | 'temporal';

export interface MemberState {
  name: string;
  kind: MemberKind;
  pid: number | null;
  port: number | null;
  /** Where Prometheus scrapes it: an API's GET /metrics, a worker's Temporal SDK metrics, the Temporal server's own. */
  metrics: string | null;
  restarts: number;
  ready: boolean;
}

export interface ClusterState {
  url: string;
  databaseUrl: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  members: MemberState[];
}

export interface Cluster {
  url: string;
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  stateFile: string;
  state(): ClusterState;
  /** Requests the balancer answered 502 (no API process reachable, or one died mid-request). */
  balancerFailures(): number;
  stop(): Promise<void>;
}

interface Member {
  state: MemberState;
  stop(): Promise<void>;
}

/** Pid files of members of an earlier run whose supervisor was killed: stop those processes. */
async function clearOrphans(pidDir: string, log: (m: string) => void): Promise<void> {
  mkdirSync(pidDir, { recursive: true });
  for (const f of readdirSync(pidDir)) {
    const marker = f.startsWith('temporal') ? 'temporal-server' : 'src/main.ts';
    if ((await clearStalePidFile(join(pidDir, f), marker, log)) === 'in-use') {
      throw new Error(`a cluster already runs on ${dirname(pidDir)} (pid file ${f}): stop it first`);
    }
  }
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const dir = resolve(opts.dir);
  const { log } = opts;
  const namespace = opts.namespace ?? 'default';
  const taskQueue = opts.taskQueue ?? 'orglife';
  const pidDir = join(dir, 'pids');
  const logDir = join(dir, 'logs');
  const stateFile = join(dir, 'cluster.json');
  mkdirSync(logDir, { recursive: true });
  await clearOrphans(pidDir, log);

  const stops: (() => Promise<void>)[] = [];
  const members: Member[] = [];
  let stopping = false;
  let balancer: Balancer | undefined;
  let temporal: TemporalServerHandle | undefined;
  let databaseUrl = '';

  const writeState = () => {
    if (!balancer || !temporal) return;
    const s: ClusterState = {
      url: balancer.url,
      databaseUrl,
      temporalAddress: temporal.address,
      namespace,
      taskQueue,
      members: members.map((m) => ({ ...m.state })),
    };
    writeFileSync(`${stateFile}.tmp`, `${JSON.stringify(s, null, 2)}\n`);
    renameSync(`${stateFile}.tmp`, stateFile);
  };

  const stopAll = async () => {
    stopping = true;
    // Clients first (the balancer, then the APIs and workers), then Temporal, then PostgreSQL.
    await balancer?.close().catch(() => {});
    await Promise.allSettled(members.filter((m) => m.state.kind !== 'temporal').map((m) => m.stop()));
    for (const s of stops.reverse()) await s().catch((err) => log(`stopping: ${(err as Error).message}`));
    rmSync(stateFile, { force: true });
  };

  try {
    // PostgreSQL: orglife's database and Temporal's two on one server.
    let pgConn: { host: string; port: number; user: string; password: string };
    if (opts.databaseUrl) {
      databaseUrl = opts.databaseUrl;
      const u = new URL(opts.databaseUrl);
      pgConn = { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
    } else {
      const pgPort = opts.pgPort ?? (await freePort());
      // Temporal's server keeps up to 30 connections, each orglife process up to 10, the tests' stacks more.
      const pg = await startEmbeddedPostgres(join(dir, 'postgres'), pgPort, log, { extraFlags: ['-c', 'max_connections=300'] });
      stops.push(pg.stop);
      databaseUrl = pg.url;
      pgConn = { host: '127.0.0.1', port: pgPort, user: 'orglife', password: 'orglife' };
    }
    const migrator = createSql(databaseUrl, { max: 1 });
    try {
      await migrate(migrator, log);
    } finally {
      await migrator.end();
    }

    // Temporal server on that PostgreSQL.
    const temporalMember: Member = {
      state: { name: 'temporal', kind: 'temporal', pid: null, port: null, metrics: null, restarts: 0, ready: false },
      stop: async () => temporal?.stop(),
    };
    const ports = await serverPorts(opts.temporalPort);
    temporal = await startTemporalServer({
      dir: join(dir, 'temporal'),
      db: { ...pgConn },
      namespaces: [namespace, ...(opts.extraNamespaces ?? []).filter((n) => n !== namespace)],
      ports,
      log,
      onUnexpectedExit: (code, signal) => {
        temporalMember.state.ready = false;
        temporalMember.state.pid = null;
        writeState();
        if (stopping) return;
        log(`Temporal server exited (${signal ?? code}): starting it again`);
        void (async () => {
          await sleepMs(500);
          if (stopping) return;
          for (let attempt = 1; attempt <= 5 && !stopping; attempt++) {
            try {
              await temporal!.restart();
              temporalMember.state.restarts++;
              temporalMember.state.pid = temporal!.pid() ?? null;
              temporalMember.state.ready = true;
              writeFileSync(join(pidDir, 'temporal-server.pid'), String(temporalMember.state.pid));
              writeState();
              log(`Temporal server back (pid ${temporalMember.state.pid})`);
              return;
            } catch (err) {
              log(`Temporal server did not come back (attempt ${attempt}): ${(err as Error).message}`);
              await sleepMs(2000);
            }
          }
        })();
      },
    });
    writeFileSync(join(pidDir, 'temporal-server.pid'), String(temporal.pid()));
    stops.push(async () => {
      await temporal!.stop();
      rmSync(join(pidDir, 'temporal-server.pid'), { force: true });
    });
    temporalMember.state.pid = temporal.pid() ?? null;
    temporalMember.state.port = ports.frontend;
    temporalMember.state.metrics = `http://127.0.0.1:${ports.metrics}/metrics`;
    temporalMember.state.ready = true;
    members.push(temporalMember);

    // orglife's processes, as `npm run worker` / `npm run api` start them (src/main.ts).
    const apiCount = opts.apis ?? 2;
    const workerCount = opts.workers ?? 2;
    const apiPorts: number[] = [];
    const basePort = opts.port && opts.port > 0 ? opts.port : undefined;
    for (let i = 1; i <= apiCount; i++) apiPorts.push(basePort ? basePort + i : await freePort());
    const childEnv = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
      ...process.env,
      ...opts.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal!.address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      ...extra,
    });
    const spawnMember = (name: string, kind: 'api' | 'worker', port: number): Member => {
      const metrics = `http://127.0.0.1:${port}/metrics`;
      const state: MemberState = { name, kind, pid: null, port: kind === 'api' ? port : null, metrics, restarts: 0, ready: false };
      let child: ChildProcess | undefined;
      const pidFile = join(pidDir, `${name}.pid`);
      const launch = () => {
        const out = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
        const c = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', kind], {
          cwd: root,
          // A worker has no HTTP server: its port is where the Temporal SDK's runtime serves its metrics.
          env: childEnv(kind === 'api' ? { PORT: String(port), HOST: '127.0.0.1' } : { ORGLIFE_WORKER_METRICS_ADDRESS: `127.0.0.1:${port}` }),
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        });
        child = c;
        state.pid = c.pid ?? null;
        state.ready = false;
        writeFileSync(pidFile, String(c.pid));
        c.stdout!.on('data', (b: Buffer) => out.write(b));
        // src/main.ts says "worker-running" over the IPC channel once its worker polls.
        c.on('message', (m: { orglife?: string }) => {
          if (m?.orglife === 'worker-running' && child === c) {
            state.ready = true;
            writeState();
          }
        });
        c.stderr!.on('data', (b: Buffer) => out.write(b));
        c.on('exit', (code, signal) => {
          out.end();
          if (child !== c) return;
          state.pid = null;
          state.ready = false;
          writeState();
          if (stopping) return;
          log(`${name} exited (${signal ?? code}): starting it again`);
          setTimeout(() => {
            if (stopping) return;
            state.restarts++;
            launch();
            writeState();
          }, 500);
        });
        writeState();
        // An API is ready when it answers /readyz (also after a restart).
        if (kind === 'api') {
          void (async () => {
            while (child === c && c.exitCode === null && c.signalCode === null && !stopping) {
              const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
              if (r?.ok && child === c) {
                state.ready = true;
                writeState();
                return;
              }
              await sleepMs(200);
            }
          })();
        }
      };
      launch();
      return {
        state,
        async stop() {
          const c = child;
          if (!c || c.exitCode !== null || c.signalCode !== null) return void rmSync(pidFile, { force: true });
          const done = new Promise((r) => c.once('exit', r));
          c.kill('SIGTERM');
          await Promise.race([done, sleepMs(15_000)]);
          if (c.exitCode === null && c.signalCode === null) {
            c.kill('SIGKILL');
            await Promise.race([done, sleepMs(5_000)]);
          }
          rmSync(pidFile, { force: true });
        },
      };
    };
    // Workers first: the first one creates the yearly assessment's schedule and the notifier.
    for (let i = 1; i <= workerCount; i++) members.push(spawnMember(`worker-${i}`, 'worker', await freePort()));
    for (let i = 1; i <= apiCount; i++) members.push(spawnMember(`api-${i}`, 'api', apiPorts[i - 1]!));

    balancer = await startBalancer({
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 0,
      upstreams: () => members.filter((m) => m.state.kind === 'api').map((m) => m.state.port!),
      log,
    });
    writeState();
    await waitForMembers(members, logDir);
    writeState();
    log(
      `cluster ready: ${balancer.url} → API ${apiPorts.join(', ')}; ${workerCount} workers on ${taskQueue}; Temporal ${temporal.address}; PostgreSQL ${pgConn.host}:${pgConn.port}`,
    );
  } catch (err) {
    await stopAll();
    throw err;
  }

  return {
    url: balancer!.url,
    databaseUrl,
    temporalAddress: temporal!.address,
    taskQueue,
    stateFile,
    state: () => ({ url: balancer!.url, databaseUrl, temporalAddress: temporal!.address, namespace, taskQueue, members: members.map((m) => ({ ...m.state })) }),
    balancerFailures: () => balancer!.failures(),
    stop: stopAll,
  };
}

/**
 * The members as Prometheus's file-based service discovery reads them: one group per member, its job by kind
 * (orglife-api, orglife-worker, temporal), the member's name as `instance_name` for the dashboard's legends.
 */
export function scrapeTargets(members: readonly MemberState[]): { targets: string[]; labels: Record<string, string> }[] {
  return members
    .filter((m) => m.metrics)
    .map((m) => ({ targets: [new URL(m.metrics!).host], labels: { job: m.kind === 'temporal' ? 'temporal' : `orglife-${m.kind}`, instance_name: m.name } }));
}

/** Until every API answers /readyz and every worker has said "worker running"; a member that keeps failing fails it. */
async function waitForMembers(members: Member[], logDir: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const failing = members.find((m) => m.state.restarts >= 3);
    if (failing) {
      const tail = readFileSync(join(logDir, `${failing.state.name}.log`), 'utf8')
        .split('\n')
        .slice(-15)
        .join('\n');
      throw new Error(`${failing.state.name} exited ${failing.state.restarts + 1} times while starting; last lines of its log:\n${tail}`);
    }
    const waiting = members.filter((m) => !m.state.ready).map((m) => m.state.name);
    if (!waiting.length) return;
    if (Date.now() > deadline) throw new Error(`the cluster's processes did not become ready within 180 s: ${waiting.join(', ')} (logs in ${logDir})`);
    await sleepMs(250);
  }
}

/** Re-reads <dir>/cluster.json (tests in another process than the supervisor). */
export async function readClusterState(stateFile: string): Promise<ClusterState> {
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(stateFile, 'utf8')) as ClusterState;
}
