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
import { freePort } from '../tests/helpers/ports.js';
import pino from 'pino';
import { installRuntimeLogger } from '../src/worker.js';

export interface BenchServers {
  sql: Sql;
  databaseUrl: string;
  client: Client;
  /** For workers the benchmark runs in its own process. */
  workerConnection: NativeConnection | null;
  temporalAddress: string;
  stop(): Promise<void>;
}

/** `temporal: false` for benchmarks of PostgreSQL alone (the import): no dev server, a client never dialled. */
export async function startBenchServers(log: (m: string) => void = () => {}, opts: { temporal?: boolean } = {}): Promise<BenchServers> {
  mkdirSync(resolve('bench', 'out'), { recursive: true });
  const dir = mkdtempSync(join(resolve('bench', 'out'), 'servers-'));
  chmodSync(dir, 0o755); // the postgres user must reach its data (see pgDataDir)
  const pg = process.env.DATABASE_URL
    ? { url: process.env.DATABASE_URL, stop: async () => {} }
    : await startEmbeddedPostgres(join(dir, 'postgres'), await freePort(), log);
  const temporal =
    opts.temporal === false
      ? { address: '127.0.0.1:1', stop: async () => {} }
      : process.env.TEMPORAL_ADDRESS
        ? { address: process.env.TEMPORAL_ADDRESS, stop: async () => {} }
        : await startDevServer({ dir: join(dir, 'temporal'), port: await freePort(), namespace: 'default', log });
  const sql = createSql(pg.url, { max: 20 });
  await migrate(sql);
  const client = new Client({
    connection: opts.temporal === false ? Connection.lazy({ address: temporal.address }) : await Connection.connect({ address: temporal.address }),
  });
  // The SDK's runtime is a process-wide singleton made by the first connection: give it our logger first.
  installRuntimeLogger(pino({ level: 'warn' }));
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

import type { BenchResult } from './types.js';
export type { BenchResult };
