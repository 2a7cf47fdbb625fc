// The real servers a benchmark runs against: an embedded PostgreSQL and a Temporal dev server in a fresh
// directory under bench/out/, or the ones named by DATABASE_URL / TEMPORAL_ADDRESS. The only harness: every
// benchmark gets its servers here.
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createSql, type Sql } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { startEmbeddedPostgres } from '../src/runtime/postgres.js';
import { startDevServer } from '../src/runtime/temporal-dev-server.js';
import { serverPorts, startTemporalServer } from '../src/runtime/temporal-server.js';
import { freePort } from '../src/runtime/ports.js';
import pino from 'pino';
import { installRuntimeLogger } from '../src/worker.js';

let metricsAddress: string | undefined;

/**
 * The Temporal SDK's counters, gauges and histogram counts and sums (`…_count`, `…_sum`, in ms) in this process
 * for one task queue, summed over their other labels (Prometheus text from the runtime's endpoint): read before
 * and after a storm to say how its workflow tasks waited and how often the worker's cache had to evict a workflow.
 */
export async function sdkMetrics<N extends string>(taskQueue: string, names: readonly N[]): Promise<Record<N, number>> {
  const out = Object.fromEntries(names.map((n) => [n, 0])) as Record<N, number>;
  if (!metricsAddress) return out;
  const text = await (await fetch(`http://${metricsAddress}/metrics`)).text();
  for (const line of text.split('\n')) {
    const m = /^temporal_([a-z_]+?)(?:_total)?\{([^}]*)\} ([0-9.eE+-]+)$/.exec(line);
    if (m && (names as readonly string[]).includes(m[1]!) && m[2]!.includes(`task_queue="${taskQueue}"`)) out[m[1] as N] += Number(m[3]);
  }
  return out;
}

/** Every SDK histogram's sum and count and the sticky cache's hits and misses (by name and labels, the task queue left out), for a breakdown of a phase. */
export async function sdkHistograms(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!metricsAddress) return out;
  const text = await (await fetch(`http://${metricsAddress}/metrics`)).text();
  for (const line of text.split('\n')) {
    const m = /^temporal_([a-z_]+_(?:sum|count)|sticky_cache_hit|sticky_cache_miss)\{([^}]*)\} ([0-9.eE+-]+)$/.exec(line);
    if (m) out.set(`${m[1]}{${m[2]!.replace(/(namespace|service_name|task_queue)="[^"]*",?/g, '')}}`, Number(m[3]));
  }
  return out;
}

/** What moved between two `sdkHistograms` for the histogram `name{labels}` (labels as written, in order): count and sum. */
export function sdkMoved(before: Map<string, number>, after: Map<string, number>, key: string): { count: number; sum: number } {
  const [name, labels] = [key.slice(0, key.indexOf('{')), key.slice(key.indexOf('{'))];
  const at = (suffix: string) => (after.get(`${name}_${suffix}${labels}`) ?? 0) - (before.get(`${name}_${suffix}${labels}`) ?? 0);
  return { count: at('count'), sum: at('sum') };
}

export interface BenchServers {
  sql: Sql;
  databaseUrl: string;
  client: Client;
  /** For workers the benchmark runs in its own process. */
  workerConnection: NativeConnection | null;
  temporalAddress: string;
  stop(): Promise<void>;
}

/**
 * `temporal: false` for benchmarks of PostgreSQL alone (the import): no dev server, a client never dialled.
 * `temporal: 'server'`: Temporal server 1.29.1 on the same PostgreSQL (the cluster topology's Temporal,
 * src/runtime/temporal-server.ts) instead of the dev server on SQLite (`npm run bench -- --cluster`).
 */
export async function startBenchServers(log: (m: string) => void = () => {}, opts: { temporal?: boolean | 'server' } = {}): Promise<BenchServers> {
  mkdirSync(resolve('bench', 'out'), { recursive: true });
  const dir = mkdtempSync(join(resolve('bench', 'out'), 'servers-'));
  chmodSync(dir, 0o755); // the postgres user must reach its data (see pgDataDir)
  const pgPort = await freePort();
  const pg = process.env.DATABASE_URL
    ? { url: process.env.DATABASE_URL, stop: async () => {} }
    : await startEmbeddedPostgres(join(dir, 'postgres'), pgPort, log, { extraFlags: opts.temporal === 'server' ? ['-c', 'max_connections=300'] : [] });
  let temporal: { address: string; stop(): Promise<void> };
  try {
    temporal =
      opts.temporal === false
        ? { address: '127.0.0.1:1', stop: async () => {} }
        : opts.temporal === 'server'
          ? await startServerOnPostgres(dir, pg.url, log)
          : process.env.TEMPORAL_ADDRESS
            ? { address: process.env.TEMPORAL_ADDRESS, stop: async () => {} }
            : await startDevServer({ dir: join(dir, 'temporal'), port: await freePort(), namespace: 'default', log });
  } catch (err) {
    await pg.stop();
    throw err;
  }
  const sql = createSql(pg.url, { max: 20 });
  await migrate(sql);
  const client = new Client({
    connection: opts.temporal === false ? Connection.lazy({ address: temporal.address }) : await Connection.connect({ address: temporal.address }),
  });
  // The SDK's runtime is a process-wide singleton made by the first connection: give it our logger first, and
  // its metrics endpoint (read by sdkMetrics below).
  if (!metricsAddress) {
    metricsAddress = `127.0.0.1:${await freePort()}`;
    installRuntimeLogger(pino({ level: 'warn' }), metricsAddress);
  }
  const workerConnection = opts.temporal === false ? null : await NativeConnection.connect({ address: temporal.address });
  return {
    sql,
    databaseUrl: pg.url,
    client,
    workerConnection,
    temporalAddress: temporal.address,
    async stop() {
      await workerConnection?.close().catch(() => {});
      await client.connection.close().catch(() => {});
      await sql.end({ timeout: 5 });
      await temporal.stop();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Temporal server 1.29.1 with its two databases on the bench's PostgreSQL (same server, same credentials). */
async function startServerOnPostgres(dir: string, databaseUrl: string, log: (m: string) => void) {
  const u = new URL(databaseUrl);
  return startTemporalServer({
    dir: join(dir, 'temporal-server'),
    db: { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) },
    namespaces: ['default'],
    ports: await serverPorts(),
    log,
  });
}

import type { BenchResult } from './types.js';
export type { BenchResult };
