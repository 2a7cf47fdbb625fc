// Temporal's own server (not the dev server) on PostgreSQL: the production topology's Temporal. Built from its Go
// module (temporal-binaries.ts), configured by the checked-in deploy/temporal/orglife.yaml (the same file
// docker-compose.yml mounts), schema by deploy/temporal/setup-schema.sh, namespace by create-namespace.sh.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { ensureTemporalCli, ensureTemporalServer, type TemporalServerBinaries } from './temporal-binaries.js';
import { clearStalePidFile, sleepMs, waitUntil } from './stale.js';
import { freePort, freePortInRange } from './ports.js';

/** deploy/temporal in this checkout: the server's config, dynamic config and the setup scripts. */
export const deployDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy', 'temporal');

export interface TemporalDb {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Databases of the default store and of visibility (created when missing). */
  database?: string;
  visibilityDatabase?: string;
}

export interface TemporalServerPorts {
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  frontendMembership: number;
  historyMembership: number;
  matchingMembership: number;
  workerMembership: number;
  /** Where the server serves its own metrics in Prometheus's format (all four services of the process). */
  metrics: number;
}

/**
 * Every port the server listens on, free ones unless `frontend` is given (then it is kept). Membership ports go
 * in a smallint column of cluster_membership: they must stay below 32768, under the OS's ephemeral range.
 */
export async function serverPorts(frontend?: number): Promise<TemporalServerPorts> {
  const membership = () => freePortInRange(20_000, 32_000);
  return {
    frontend: frontend ?? (await freePort()),
    frontendHttp: await freePort(),
    history: await freePort(),
    matching: await freePort(),
    worker: await freePort(),
    frontendMembership: await membership(),
    historyMembership: await membership(),
    matchingMembership: await membership(),
    workerMembership: await membership(),
    metrics: await freePort(),
  };
}

/** The environment deploy/temporal/orglife.yaml and the scripts read. */
function serverEnv(db: TemporalDb, ports?: TemporalServerPorts): NodeJS.ProcessEnv {
  return {
    TEMPORAL_DB_HOST: db.host,
    TEMPORAL_DB_PORT: String(db.port),
    TEMPORAL_DB_USER: db.user,
    TEMPORAL_DB_PASSWORD: db.password,
    TEMPORAL_DB: db.database ?? 'temporal',
    TEMPORAL_VISIBILITY_DB: db.visibilityDatabase ?? 'temporal_visibility',
    TEMPORAL_DYNAMIC_CONFIG: join(deployDir, 'dynamicconfig.yaml'),
    ...(ports && {
      TEMPORAL_FRONTEND_PORT: String(ports.frontend),
      TEMPORAL_FRONTEND_HTTP_PORT: String(ports.frontendHttp),
      TEMPORAL_HISTORY_PORT: String(ports.history),
      TEMPORAL_MATCHING_PORT: String(ports.matching),
      TEMPORAL_WORKER_PORT: String(ports.worker),
      TEMPORAL_FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
      TEMPORAL_HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
      TEMPORAL_MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
      TEMPORAL_WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
      TEMPORAL_METRICS_PORT: String(ports.metrics),
    }),
  };
}

function runScript(script: string, env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  return new Promise((res, rej) => {
    const fd = openSync(logFile, 'a');
    const child = spawn('sh', [join(deployDir, script)], { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
    child.on('error', (e) => {
      closeSync(fd);
      rej(e);
    });
    child.on('exit', (code) => {
      closeSync(fd);
      if (code === 0) res();
      else
        rej(
          new Error(
            `deploy/temporal/${script} exited with ${code}; last lines of ${logFile}:\n${readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')}`,
          ),
        );
    });
  });
}

/** deploy/temporal/setup-schema.sh with the Go-built sql tool and the schema files of the same module. */
export async function setupTemporalSchema(bin: TemporalServerBinaries, db: TemporalDb, logFile: string): Promise<void> {
  await runScript('setup-schema.sh', { ...serverEnv(db), TEMPORAL_SQL_TOOL: bin.sqlTool, TEMPORAL_SCHEMA_DIR: bin.schemaDir }, logFile);
}

export interface TemporalServerHandle {
  address: string;
  ports: TemporalServerPorts;
  pid(): number | undefined;
  /** Starts the server again on the same ports and database (after a crash or `kill -9`). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface TemporalServerOptions {
  dir: string;
  db: TemporalDb;
  /** Registered when missing (the first is the one waited for after a restart). */
  namespaces: string[];
  ports: TemporalServerPorts;
  log: (m: string) => void;
  /** Called when the process exits without stop() having been asked (a crash, kill -9). */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/**
 * Builds the server if needed, sets up its schema, starts it (all four services in one process), registers the
 * namespace and waits until a workflow call on it is answered.
 */
export async function startTemporalServer(opts: TemporalServerOptions): Promise<TemporalServerHandle> {
  const { dir, db, ports, log } = opts;
  mkdirSync(dir, { recursive: true });
  const bin = await ensureTemporalServer(log);
  const cli = await ensureTemporalCli(log);
  if (!cli) throw new Error('registering the namespace needs the temporal CLI, built with Go');
  const logFile = join(dir, 'temporal-server.log');
  const pidFile = join(dir, 'temporal-server.pid');
  await clearStalePidFile(pidFile, 'temporal-server', log);
  await setupTemporalSchema(bin, db, join(dir, 'setup.log'));
  const address = `127.0.0.1:${ports.frontend}`;
  const env = { ...process.env, ...serverEnv(db, ports) };
  let child: ChildProcess | undefined;
  let exited = true;
  let stopping = false;
  // A crash while starting is launch()'s error, not an unexpected exit for the supervisor to handle.
  let up = false;

  const launch = async () => {
    const fd = openSync(logFile, 'a');
    // --root/--config: the server loads <root>/<config>/<env>.yaml, here deploy/temporal/orglife.yaml.
    const c = spawn(bin.server, ['--root', '/', '--config', deployDir, '--env', 'orglife', '--allow-no-auth', 'start'], { env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child = c;
    exited = false;
    writeFileSync(pidFile, String(c.pid));
    c.on('exit', (code, signal) => {
      exited = true;
      if (!stopping && up && child === c) {
        up = false;
        opts.onUnexpectedExit?.(code, signal);
      }
    });
    const deadline = Date.now() + 120_000;
    for (;;) {
      // A server that exited while starting fails at once with what it logged (no waiting out the deadline).
      if (exited)
        throw new Error(`temporal-server exited while starting; last lines of ${logFile}:\n${readFileSync(logFile, 'utf8').split('\n').slice(-6).join('\n')}`);
      try {
        const conn = await Connection.connect({ address, connectTimeout: 1000 });
        try {
          await conn.workflowService.getSystemInfo({});
        } finally {
          await conn.close();
        }
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`Temporal server on ${address} did not answer within 120 s (log: ${logFile}): ${(err as Error).message}`);
        await sleepMs(200);
      }
    }
    up = true;
  };

  const stop = async () => {
    stopping = true;
    const c = child;
    if (c && !exited) {
      const done = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 15_000))]);
      if (!exited) {
        c.kill('SIGKILL');
        await Promise.race([done, new Promise((r) => setTimeout(r, 5_000))]);
      }
    }
    rmSync(pidFile, { force: true });
  };

  try {
    await launch();
    for (const ns of opts.namespaces) {
      await runScript('create-namespace.sh', { TEMPORAL_CLI: cli, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: ns }, join(dir, 'setup.log'));
    }
    for (const ns of opts.namespaces) await namespaceReady(address, ns);
  } catch (err) {
    await stop();
    throw err;
  }
  log(`Temporal server ${bin.server} on ${address} (PostgreSQL ${db.host}:${db.port}, log ${logFile})`);
  return {
    address,
    ports,
    pid: () => (exited ? undefined : child?.pid),
    async restart() {
      if (!exited) throw new Error('the Temporal server is still running');
      stopping = false;
      await launch();
      await namespaceReady(address, opts.namespaces[0]!);
    },
    stop,
  };
}

/**
 * A namespace just created reaches the frontend's namespace cache only at its next refresh (about 10 s): until
 * a visibility call on it is answered, starts would fail with "namespace not found".
 */
async function namespaceReady(address: string, namespace: string): Promise<void> {
  await waitUntil(
    `namespace ${namespace} on ${address}`,
    async () => {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await conn.workflowService.countWorkflowExecutions({ namespace, query: '' });
      } finally {
        await conn.close();
      }
    },
    60_000,
  );
}
