import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTemporalCli } from './temporal-binaries.js';
import { clearStalePidFile, waitUntil } from './stale.js';

export interface DevServerHandle {
  address: string;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  dir: string;
  port: number;
  uiPort?: number;
  namespace: string;
  log: (m: string) => void;
}

/**
 * A local Temporal dev server (`temporal server start-dev`) keeping its SQLite database under `dir`, so
 * workflows survive restarts. Used when TEMPORAL_ADDRESS is not set.
 */
export async function startDevServer(opts: DevServerOptions): Promise<DevServerHandle> {
  const { dir, port, namespace, log } = opts;
  mkdirSync(dir, { recursive: true });
  const address = `127.0.0.1:${port}`;
  const dbFile = join(dir, 'temporal.db');
  const binary = await ensureTemporalCli(log);
  if (!binary) return startDownloadedDevServer(opts, dbFile);

  const pidFile = join(dir, 'temporal.pid');
  if ((await clearStalePidFile(pidFile, 'temporal', log)) === 'in-use') return { address, stop: async () => {} };
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    dbFile,
    // WAL with synchronous=NORMAL: survives a crash of the process (kill -9), only an OS crash may lose the
    // last commits; measured 4× the workflow starts per second of the default rollback journal here.
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    namespace,
    '--log-format',
    'json',
    '--log-level',
    'warn',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    '--dynamic-config-value',
    'frontend.enableExecuteMultiOperation=true',
    ...(opts.uiPort ? ['--ui-port', String(opts.uiPort)] : ['--headless']),
  ];
  const logFd = openSync(join(dir, 'temporal.log'), 'a');
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', logFd, logFd] });
  writeFileSync(pidFile, String(child.pid));
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const stop = async () => {
    if (!exited) {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
      if (!exited) child.kill('SIGKILL');
    }
    rmSync(pidFile, { force: true });
  };
  await waitUntil(
    `Temporal dev server on ${address} (log: ${join(dir, 'temporal.log')})`,
    async () => {
      if (exited) throw new Error('temporal server exited');
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await conn.workflowService.getSystemInfo({});
      } finally {
        await conn.close();
      }
    },
    60_000,
  ).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { address, stop };
}

/** Where Go is absent (a user's laptop): the SDK downloads and runs the same dev server. */
async function startDownloadedDevServer(opts: DevServerOptions, dbFile: string): Promise<DevServerHandle> {
  opts.log('Go not found: falling back to the Temporal SDK download of the dev server');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ip: '127.0.0.1',
      port: opts.port,
      namespace: opts.namespace,
      dbFilename: dbFile,
      ui: opts.uiPort !== undefined,
      uiPort: opts.uiPort,
    },
  });
  return { address: `127.0.0.1:${opts.port}`, stop: () => env.teardown() };
}
