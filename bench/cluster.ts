// The lifecycle benchmark through the whole production topology (`npm run bench -- --cluster`): the cluster of
// src/runtime/cluster.ts (embedded PostgreSQL, Temporal server 1.29.1 on it, two API and two worker processes,
// the round-robin balancer), started for the run in bench/out/; lifecycles go through the balancer.
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { startCluster } from '../src/runtime/cluster.js';
import { createSql } from '../src/db/client.js';
import { createUser } from '../src/auth/users.js';
import { runOn } from './lifecycle.js';
import type { BenchResult } from './types.js';

export async function clusterLifecycle(opts: { n: number }): Promise<BenchResult[]> {
  mkdirSync(resolve('bench', 'out'), { recursive: true });
  const dir = mkdtempSync(join(resolve('bench', 'out'), 'cluster-'));
  chmodSync(dir, 0o755); // the postgres user must reach its data (see pgDataDir)
  const cluster = await startCluster({ dir, env: { LOG_LEVEL: 'warn', ORGLIFE_DEMO: 'false' }, log: (m) => console.error(`[bench] ${m}`) });
  const sql = createSql(cluster.databaseUrl, { max: 10 });
  const client = new Client({ connection: await Connection.connect({ address: cluster.temporalAddress }) });
  try {
    const username = `bench-${randomUUID().slice(0, 8)}`;
    await createUser(sql, { username, password: 'bench password', roles: [{ role: 'admin', organizationId: null }] });
    const login = await fetch(`${cluster.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'bench password' }),
    });
    const { token } = (await login.json()) as { token: string };
    return await runOn(
      { url: cluster.url, adminToken: token, sql, client },
      { n: opts.n, label: '[cluster topology: balancer → 2 API + 2 worker processes, Temporal server 1.29.1 on PostgreSQL]' },
    );
  } finally {
    await client.connection.close().catch(() => {});
    await sql.end({ timeout: 5 });
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
