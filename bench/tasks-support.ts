// Shared set-up of the human-task benchmarks (bench/storm.ts, bench/overdue.ts): real servers (PostgreSQL,
// Temporal dev server) from DATABASE_URL / TEMPORAL_ADDRESS or started embedded under bench/out/, migrated.
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import pino from 'pino';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../src/config.js';
import { createSql, type Sql } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { startInfrastructure } from '../src/runtime/infrastructure.js';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline: string;
  baselineValue: number;
  ratio: number;
}

export interface BenchEnv {
  sql: Sql;
  client: Client;
  workerConnection: NativeConnection;
  databaseUrl: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

export const log = (m: string) => console.error(`[bench] ${m}`);

export async function benchEnv(name: string): Promise<BenchEnv> {
  const cfg = loadConfig({
    ...process.env,
    ORGLIFE_DATA_DIR: process.env.ORGLIFE_DATA_DIR ?? resolve('bench/out', `data-${name}-${process.pid}`),
    ORGLIFE_PG_PORT: String(await freePort()),
    ORGLIFE_TEMPORAL_PORT: String(await freePort()),
    ORGLIFE_TEMPORAL_UI_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  });
  const infra = await startInfrastructure(cfg, pino({ level: 'warn' }));
  const sql = createSql(infra.databaseUrl, { max: 20 });
  await migrate(sql);
  const client = new Client({ connection: await Connection.connect({ address: infra.temporalAddress }) });
  const workerConnection = await NativeConnection.connect({ address: infra.temporalAddress });
  return {
    sql,
    client,
    workerConnection,
    databaseUrl: infra.databaseUrl,
    async stop() {
      await workerConnection.close().catch(() => {});
      await client.connection.close().catch(() => {});
      await sql.end({ timeout: 5 });
      await infra.stop();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<{ p50: number; p99: number; samples: number[] }> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), samples };
}

/**
 * A province-shaped tree inserted level by level with generate_series: 1 province → `fan` cities → `fan`
 * counties each → `fan` townships each → `fan` villages each. Returns the ids of each level.
 */
export async function insertTree(sql: Sql, prefix: string, fan: number): Promise<{ root: number; counties: number[]; villages: number[] }> {
  const [root] = await sql<{ id: number }[]>`
    insert into organizations (code, name, type, sector) values (${`${prefix}`}, ${`${prefix} 省委`}, 'committee', 'regional') returning id`;
  let parents = [root!.id];
  const levels: number[][] = [];
  for (const [level, type, sector] of [
    ['c', 'committee', 'regional'],
    ['x', 'committee', 'regional'],
    ['z', 'committee', 'regional'],
    ['v', 'branch', 'rural'],
  ] as const) {
    const rows = await sql<{ id: number }[]>`
      insert into organizations (code, parent_id, name, type, sector, term_years, term_started_on)
      select ${prefix} || ${level} || p.id || '-' || g, p.id, ${prefix} || ${level} || p.id || '-' || g, ${type}, ${sector}, 5, date '2023-01-01'
      from unnest(${parents}::bigint[]) as p(id), generate_series(1, ${fan}) g
      returning id`;
    parents = rows.map((r) => r.id);
    levels.push(parents);
  }
  return { root: root!.id, counties: levels[1]!, villages: levels[3]! };
}

export function argFlag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}
