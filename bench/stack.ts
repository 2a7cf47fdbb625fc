// orglife's API and worker in the bench process, on the bench servers, as `npm start` would run them.
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/api/app.js';
import { createWorker, installRuntimeLogger, workflowBundleOptions } from '../src/worker.js';
import { createUser } from '../src/auth/users.js';
import { insertOrganizations } from '../src/organizations/store.js';
import type { BenchServers } from './servers.js';

export interface BenchStack {
  app: FastifyInstance;
  url: string;
  taskQueue: string;
  adminToken: string;
  close(): Promise<void>;
}

let bundlePath: string | undefined;

export async function startBenchStack(s: BenchServers, opts: { worker: boolean }): Promise<BenchStack> {
  const log = pino({ level: 'warn' });
  installRuntimeLogger(log);
  const taskQueue = `bench-${randomUUID()}`;
  const config = loadConfig({ DATABASE_URL: s.databaseUrl, TEMPORAL_ADDRESS: s.temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn' });
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let connection: NativeConnection | undefined;
  if (opts.worker) {
    if (!bundlePath) {
      const bundle = await bundleWorkflowCode({
        ...workflowBundleOptions,
        logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } as never,
      });
      bundlePath = join(resolve('bench', 'out'), `workflow-bundle-${process.pid}.js`);
      writeFileSync(bundlePath, bundle.code);
    }
    connection = await NativeConnection.connect({ address: s.temporalAddress });
    worker = await createWorker({ connection, namespace: 'default', taskQueue, sql: s.sql, workflowBundlePath: bundlePath });
    running = worker.run();
  }
  // Request logging off: the figure is the API's, not pino's.
  const app = await buildApp({ sql: s.sql, temporal: s.client, config, log: pino({ level: process.env.BENCH_LOG ?? 'silent' }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const username = `bench-${randomUUID().slice(0, 8)}`;
  await createUser(s.sql, { username, password: 'bench password', roles: [{ role: 'admin', organizationId: null }] });
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: 'bench password' } });
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    taskQueue,
    adminToken: login.json().token,
    async close() {
      await app.close();
      worker?.shutdown();
      await running;
      await connection?.close();
    },
  };
}

/**
 * A busy officer: a secretary of one village with `tasks` open tasks due an hour apart. Returns the
 * Authorization header of a freshly logged-in session.
 */
export async function seedBusyOfficer(s: BenchServers, stack: BenchStack, tasks = 2000): Promise<{ authorization: string }> {
  const tag = randomUUID().slice(0, 6).toUpperCase();
  const org = (code: string, parent: string, type: 'committee' | 'branch') => ({
    code,
    parent_code: parent,
    name: `中共测试${code}委员会`,
    type,
    sector: type === 'branch' ? 'rural' : 'regional',
    term_years: 5,
    term_started_on: '2024-01-01',
    secretary_name: '',
    secretary_phone: '',
    full_members: 10,
    probationary_members: 0,
  });
  await insertOrganizations(s.sql, [org(`IB${tag}`, '', 'committee'), org(`IB${tag}V`, `IB${tag}`, 'branch')]);
  const [village] = await s.sql<{ id: number }[]>`select id from organizations where code = ${`IB${tag}V`}`;
  await s.sql`
    insert into tasks (workflow_id, task_key, process, step, organization_id, assignee_role, state, opened_at, due_at)
    select ${`inbox-${tag}`}, 't' || g, 'term-election', 'election-request', ${village!.id}, 'secretary', 'open', now(), now() + g * interval '1 hour'
    from generate_series(1, ${tasks}) g`;
  // A live table is analyzed by autovacuum within a minute of a bulk insert; these rows, inserted a moment ago,
  // have no statistics yet. Without them the planner guessed one task per organization and read and sorted all
  // 2,000 on every request (1.7 ms, EXPLAIN ANALYZE) instead of stopping after the page's 51 in due order
  // (0.07 ms): the figure measured a state production leaves within a minute. Analyze once, as bench/overdue.ts does;
  // the organizations too (the import analyzes them): without their statistics the plan PostgreSQL caches for the
  // prepared statement hash-joined and sorted all 2,000 tasks again (1.2 ms).
  await s.sql`analyze tasks, organizations`;
  const username = `officer-${tag.toLowerCase()}`;
  await createUser(s.sql, { username, password: 'bench password', roles: [{ role: 'secretary', organizationId: village!.id }] });
  const login = await stack.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: 'bench password' } });
  return { authorization: `Bearer ${login.json().token}` };
}
