import { randomUUID } from 'node:crypto';
import { expect, inject } from 'vitest';
import pino from 'pino';
import { type Worker, NativeConnection } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { API_POOL, createSql, type Sql } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { loadConfig, type Config } from '../../src/config.js';
import { buildApp } from '../../src/api/app.js';
import { createWorker, installRuntimeLogger } from '../../src/worker.js';
import { insertOrganizations } from '../../src/organizations/store.js';
import type { OrganizationRow } from '../../src/demo/province.js';
import { createUser } from '../../src/auth/users.js';
import type { Role } from '../../src/auth/principal.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTimeSkippingServer } from './time-skipping.js';
import type { ChannelOptions } from '../../src/channels/options.js';

export const quietLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function testSql(url = inject('databaseUrl')): Sql {
  return createSql(url, { max: 4 });
}

/** A fresh, migrated database on the suite's server, for a test that must not meet other tests' rows. */
export async function freshDatabase(name: string): Promise<string> {
  const admin = createSql(inject('databaseUrl'), { max: 1 });
  const db = `${name}_${process.pid}_${Date.now()}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await admin.unsafe(`create database ${db}`);
  await admin.end();
  const url = inject('databaseUrl').replace(/\/orglife$/, `/${db}`);
  const sql = createSql(url, { max: 1 });
  await migrate(sql);
  await sql.end();
  return url;
}

/** A unique prefix for the organization codes of one test, so tests share a database without colliding. */
export function uniqueCode(prefix = 'T'): string {
  return `${prefix}${randomUUID().slice(0, 8)}`;
}

/** A unique code for each prefix, in order: `const [county, village] = uniqueCodes('K', 'V')`. */
export function uniqueCodes<const P extends readonly string[]>(...prefixes: P): { -readonly [K in keyof P]: string } {
  return prefixes.map((p) => uniqueCode(p)) as { -readonly [K in keyof P]: string };
}

export function orgRow(code: string, parent: string, over: Partial<OrganizationRow> = {}): OrganizationRow {
  return {
    code,
    parent_code: parent,
    name: `测试党组织${code}`,
    type: 'branch',
    sector: 'rural',
    term_years: 5,
    term_started_on: '2022-01-01',
    secretary_name: '张伟',
    secretary_phone: '13800000000',
    full_members: 30,
    probationary_members: 2,
    ...over,
  };
}

/** A committee of the regional hierarchy (province, prefecture, county, township). */
export const committee = { type: 'committee', sector: 'regional' } as const;

/**
 * Province → prefecture → county, as the real tree has them (a county is the tree's third level, so that its
 * townships' villages and communities are counted as such: domain.md §2). `county`/`over`: the county's own code and fields.
 */
export function countyChain(
  county = uniqueCode('K'),
  over: Partial<OrganizationRow> = {},
): { province: string; city: string; county: string; rows: OrganizationRow[] } {
  const [province, city] = [uniqueCode('P'), uniqueCode('C')];
  return {
    province,
    city,
    county,
    rows: [orgRow(province, '', committee), orgRow(city, province, committee), orgRow(county, city, { ...committee, ...over })],
  };
}

export async function addOrganizations(sql: Sql, rows: OrganizationRow[]): Promise<void> {
  await insertOrganizations(sql, rows);
}

/** The columns of the short member-system export the tests import: one line a member. */
export const ROSTER_HEADER = '姓名,性别,身份证号,入党日期,转正日期,人员类别,党组织编码';

/**
 * Requests to `/api/v1<url>` through a stack's app as `who`, `payload` their JSON body when given. `stack` is read at
 * each call: a file's stack starts in its beforeAll.
 */
export function apiOf(stack: () => Pick<Stack, 'app'>) {
  return (who: { authorization: string }, method: HTTPMethods, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    stack().app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { ...headers, authorization: who.authorization },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
}

/** Members put on the register as the admin imports them (POST /api/v1/members/import), lines of `ROSTER_HEADER`'s columns. */
export async function importRoster(s: Pick<Stack, 'app' | 'admin'>, lines: string[]): Promise<void> {
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v1/members/import',
    headers: { ...s.admin, 'content-type': 'text/csv' },
    payload: [ROSTER_HEADER, ...lines].join('\n'),
  });
  expect(res.statusCode, res.body).toBe(200);
}

export interface Stack {
  /** Authorization header of an admin of the whole tree. */
  admin: { authorization: string };
  /** A user with these roles (organization codes), and its Authorization header. */
  userWith(roles: { role: Role; org: string }[]): Promise<{ username: string; authorization: string }>;
  sql: Sql;
  app: FastifyInstance;
  client: Client;
  worker: Worker;
  config: Config;
  /** With `timeSkipping`: the Java test server the stack runs on; `env.sleep()` moves its clock. */
  env?: TestWorkflowEnvironment;
  close(): Promise<void>;
}

/**
 * API + worker in this process against the suite's real PostgreSQL and Temporal dev server — or, with
 * `timeSkipping`, against a Java time-skipping test server of its own, so that a test can pass a months-long timer
 * at its real length (`env.sleep`) between the steps a person takes in the browser.
 */
export async function startStack(opts: { databaseUrl?: string; timeSkipping?: boolean; channels?: ChannelOptions } = {}): Promise<Stack> {
  installRuntimeLogger(quietLog);
  const taskQueue = `test-${randomUUID()}`;
  const config = loadConfig({
    DATABASE_URL: opts.databaseUrl ?? inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'silent',
  });
  const sql = testSql(config.DATABASE_URL);
  const env = opts.timeSkipping ? await startTimeSkippingServer() : undefined;
  const client = env ? env.client : new Client({ connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS! }) });
  const connection = env ? env.nativeConnection : await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS! });
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue,
    sql,
    workflowBundlePath: inject('workflowBundlePath'),
    channels: opts.channels,
  });
  const running = worker.run();
  // The API on a pool of its own with the API's statement limit, as `npm start` runs it.
  const apiSql = createSql(config.DATABASE_URL!, { max: 4, ...API_POOL });
  const app = await buildApp({ sql: apiSql, temporal: client, config, log: quietLog });
  await app.ready();
  const login = async (username: string, password: string) => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
    if (r.statusCode !== 200) throw new Error(`login ${username}: ${r.statusCode} ${r.body}`);
    return { authorization: `Bearer ${r.json().token}` };
  };
  const userWith = async (roles: { role: Role; org: string }[]) => {
    const username = `u-${randomUUID().slice(0, 12)}`;
    const grants = [];
    for (const r of roles) {
      const [o] = await sql<{ id: number }[]>`select id from organizations where code = ${r.org}`;
      grants.push({ role: r.role, organizationId: o?.id ?? null });
    }
    await createUser(sql, { username, password: 'correct horse battery', roles: grants });
    return { username, ...(await login(username, 'correct horse battery')) };
  };
  const admin = await userWith([{ role: 'admin', org: '' }]);
  return {
    admin: { authorization: admin.authorization },
    userWith,
    sql,
    app,
    client,
    worker,
    config,
    env,
    async close() {
      await app.close();
      worker.shutdown();
      await running;
      if (env) await env.teardown();
      else {
        await connection.close();
        await client.connection.close();
      }
      await apiSql.end();
      await sql.end();
    },
  };
}

/** Polls until `fn` returns a truthy value; fails the test with `what` after `ms`. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A bare task (the generic task process, step = key) at an organization, assigned to its secretaries unless
 * told; `plan` fixes its due date and escalations (an overdue task: a due date in the past). Answers its row id.
 */
export async function startBareTask(s: Stack, key: string, organizationId: number, plan?: import('../../src/domain/task-plan.js').TaskPlan): Promise<number> {
  const { taskProcess } = await import('../../workflows/task-process.js');
  const workflowId = `task:${key}:${organizationId}`;
  await s.client.workflow.start(taskProcess, {
    workflowId,
    taskQueue: s.config.TEMPORAL_TASK_QUEUE,
    args: [{ task: { key, step: key, organizationId, assigneeRole: 'secretary', due: { workingDays: 5 }, ...(plan ? { plan } : {}) } }],
  });
  return eventually(`task ${key}`, async () => (await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${workflowId}`)[0]?.id);
}
