// The real servers a benchmark runs against: an embedded PostgreSQL and a Temporal dev server in a fresh
// directory, or the ones named by DATABASE_URL / TEMPORAL_ADDRESS.
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { createSql, type Sql } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { startEmbeddedPostgres } from '../src/runtime/postgres.js';
import { startDevServer } from '../src/runtime/temporal-dev-server.js';
import { freePort } from '../tests/helpers/ports.js';

export interface BenchServers {
  sql: Sql;
  databaseUrl: string;
  client: Client;
  temporalAddress: string;
  stop(): Promise<void>;
}

export async function startBenchServers(log: (m: string) => void = () => {}): Promise<BenchServers> {
  mkdirSync(resolve('bench', 'out'), { recursive: true });
  const dir = mkdtempSync(join(resolve('bench', 'out'), 'servers-'));
  chmodSync(dir, 0o755);
  const pg = process.env.DATABASE_URL
    ? { url: process.env.DATABASE_URL, stop: async () => {} }
    : await startEmbeddedPostgres(join(dir, 'postgres'), await freePort(), log);
  const temporal = process.env.TEMPORAL_ADDRESS
    ? { address: process.env.TEMPORAL_ADDRESS, stop: async () => {} }
    : await startDevServer({ dir: join(dir, 'temporal'), port: await freePort(), namespace: 'default', log });
  const sql = createSql(pg.url, { max: 20 });
  await migrate(sql);
  const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  return {
    sql,
    databaseUrl: pg.url,
    client,
    temporalAddress: temporal.address,
    async stop() {
      await client.connection.close();
      await sql.end();
      await temporal.stop();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import type { BenchResult } from './types.js';
export type { BenchResult };

/** Runs `task` for every item with at most `concurrency` in flight. */
export async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
