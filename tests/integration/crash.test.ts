import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { workerProcesses } from '../helpers/worker-process.js';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { addOrganizations, eventually, orgRow, quietLog, testSql, uniqueCode } from '../helpers/context.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { startTermElection } from '../../src/processes/term-election.js';
import { startEmbeddedPostgres } from '../../src/runtime/postgres.js';
import { createSql } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { createWorker, installRuntimeLogger } from '../../src/worker.js';
import { freePort } from '../../src/runtime/ports.js';
import { insertOrganizations } from '../../src/organizations/store.js';

const today = () => shanghaiDate(Date.now());

describe('crashes lose nothing', () => {
  const dirs: string[] = [];
  const stops: (() => void)[] = [];
  afterAll(() => {
    for (const stop of stops) stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('kill -9 of the worker in the middle of an activity: the retry writes the task row once', async () => {
    const sql = testSql();
    const client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
    const taskQueue = `crash-${randomUUID()}`;
    const workers = workerProcesses(taskQueue, 'crash');
    stops.push(workers.stop);
    const root = uniqueCode('R');
    const code = uniqueCode('K');
    await addOrganizations(sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(code, root, { term_started_on: addMonths(today(), -56) }),
    ]);
    const [org] = await sql<{ id: number }[]>`select id from organizations where code = ${code}`;
    const workflowId = `term-election:${code}`;

    // Hold the tasks table: the worker's openTask blocks inside its transaction, mid-activity.
    const locker = await sql.reserve();
    await locker`begin`;
    await locker`lock table tasks in share row exclusive mode`;
    const first = workers.start();
    await startTermElection(sql, client, taskQueue, { organization: code, organizationId: org!.id });
    await eventually(
      'openTask to block on the lock',
      async () => (await sql`select 1 from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%insert into tasks%'`).length > 0,
      60_000,
    );
    await workers.kill(first);
    await locker`commit`;
    locker.release();

    // The dead worker's transaction rolls back; a new worker retries the activity after its timeout.
    workers.start();
    await eventually('the retried task row', async () => (await sql`select 1 from tasks where workflow_id = ${workflowId}`).length > 0, 150_000);
    await eventually(
      'the process step',
      async () => {
        const [p] = await sql`select current_step from processes where workflow_id = ${workflowId}`;
        return p?.current_step === 'election-request';
      },
      30_000,
    );
    const rows = await sql`select id from tasks where workflow_id = ${workflowId}`;
    expect(rows).toHaveLength(1);
    const opened = await sql`select count(*)::int as n from task_events where task_id = ${rows[0]!.id} and kind = 'opened'`;
    expect(opened[0]!.n).toBe(1);
    await client.connection.close();
    await sql.end();
  }, 240_000);

  it('PostgreSQL restarted while the worker runs: activities retry and the projection catches up', async () => {
    const dir = mkdtempSync(join(resolve('.test-data'), 'pgrestart-'));
    chmodSync(dir, 0o755);
    dirs.push(dir);
    const port = await freePort();
    let pg = await startEmbeddedPostgres(join(dir, 'pg'), port, () => {});
    const sql = createSql(pg.url, { max: 4 });
    await migrate(sql);
    const root = uniqueCode('R');
    const code = uniqueCode('P');
    await insertOrganizations(sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(code, root, { term_started_on: addMonths(today(), -56) }),
    ]);
    const [org] = await sql<{ id: number }[]>`select id from organizations where code = ${code}`;

    installRuntimeLogger(quietLog);
    const taskQueue = `pgrestart-${randomUUID()}`;
    const client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const w = await createWorker({ connection, namespace: 'default', taskQueue, sql, workflowBundlePath: inject('workflowBundlePath') });
    const running = w.run();
    try {
      await pg.stop();
      // Started while the database is down: the workflow's first activities fail and retry.
      await client.workflow.start('termElection', { workflowId: `term-election:${code}`, taskQueue, args: [{ organization: code }] });
      await new Promise((r) => setTimeout(r, 4000));
      pg = await startEmbeddedPostgres(join(dir, 'pg'), port, () => {});
      await eventually(
        'the projection to catch up',
        async () => (await sql`select current_step from processes where workflow_id = ${`term-election:${code}`}`)[0]?.current_step === 'election-request',
        120_000,
      );
      expect((await sql`select count(*)::int as n from tasks where workflow_id = ${`term-election:${code}`}`)[0]!.n).toBe(1);
      expect(org).toBeDefined();
    } finally {
      w.shutdown();
      await running;
      await connection.close();
      await client.connection.close();
      await sql.end();
      await pg.stop();
    }
  }, 240_000);
});
