// Backup under load, restored into a fresh stack (docs/operations.md, "Backup and restore"). Term elections run on
// the cluster: some wait with their request task open, a reminder of a few of them brought to fall just after the
// backup, while clients keep starting elections and completing their request tasks. `npm run orglife -- backup`
// copies the cluster's PostgreSQL in the middle of that; `npm run orglife -- restore` puts it into a new data
// directory, and a second stack (its own PostgreSQL, Temporal server, API and worker, on other ports) starts on it.
// There every process is where the backup's instant left it: what was acknowledged before the backup began is
// there, what was sent after it ended is not, the rows agree with each workflow's own state, the reminder due after
// the backup fires once, nothing is doubled, and a person can act on a task that was open.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { clusterFixture, requestOutcome, type ClusterFixture } from './helpers.js';
import { eventually } from '../helpers/context.js';
import { createSql, type Sql } from '../../src/db/client.js';
import { postgresDataDir, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/runtime/postgres.js';
import { startCluster, type Cluster } from '../../src/runtime/cluster.js';
import { freePort } from '../../src/runtime/ports.js';
import { MANIFEST, type BackupManifest } from '../../src/runtime/backup.js';
import { tasksQuery } from '../../workflows/messages.js';
import { deadlineSweepId, wakeDeadlineSweep } from '../../workflows/deadline-sweep.js';

/** Elections left waiting at their request task; the first NUDGED of them get a reminder due just after the backup. */
const KEPT = 10;
const NUDGED = 4;
/** Villages the load may start elections at (it stops long before running out). */
const LOAD = 300;
const LANES = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const root = resolve(import.meta.dirname, '..', '..');

/** `npm run orglife -- <args>` as an operator runs it; answers what it printed, fails on a non-zero exit. */
function orglifeCli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((res, rej) => {
    const c = spawn('npm', ['run', '--silent', 'orglife', '--', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (b: Buffer) => (out += b));
    c.stderr.on('data', (b: Buffer) => (out += b));
    c.on('error', rej);
    c.on('exit', (code) => (code === 0 ? res(out) : rej(new Error(`npm run orglife -- ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

interface Run {
  startSent: number;
  startAcked?: number;
  completeSent?: number;
  completeAcked?: number;
}

describe('a backup taken under load, restored into a fresh stack', () => {
  let f: ClusterFixture;
  let pg: EmbeddedPostgresHandle | undefined;
  let restored: Cluster | undefined;
  let rsql: Sql | undefined;
  let rclient: Client | undefined;
  let restoredDir: string | undefined;

  beforeAll(async () => {
    f = await clusterFixture(KEPT + LOAD);
  });
  afterAll(async () => {
    await rclient?.connection.close();
    await rsql?.end();
    await restored?.stop();
    await pg?.stop();
    await f?.close();
    // The run's directory goes at teardown; a data directory PostgreSQL's user keeps under /var/lib/orglife
    // (root with a private clone: src/runtime/postgres.ts) does not.
    const pgdata = restoredDir && postgresDataDir(join(restoredDir, 'cluster', 'postgres'));
    if (pgdata && !pgdata.startsWith(inject('testDataDir')) && !process.env.ORGLIFE_KEEP_TEST_DATA) rmSync(dirname(pgdata), { recursive: true, force: true });
  });

  it('finds every process where it was: open tasks open, the reminder due after it fired once, nothing doubled', async () => {
    const h = { authorization: f.authorization, 'content-type': 'application/json' };
    const idOf = (code: string) => `term-election:${code}`;
    const kept = f.villages.slice(0, KEPT).map(idOf);
    const loadVillages = f.villages.slice(KEPT);
    const runs = new Map<string, Run>();
    const taskOf = (sql: Sql, id: string) =>
      eventually(
        `the request task of ${id}`,
        async () => (await sql<{ id: number }[]>`select id from tasks where workflow_id = ${id} and step = 'election-request'`)[0]?.id,
        60_000,
      );
    const start = async (code: string) => {
      const r = await fetch(`${f.state.url}/api/v1/processes/term-election`, { method: 'POST', headers: h, body: JSON.stringify({ organization: code }) });
      if (r.status !== 201) throw new Error(`starting ${code}: ${r.status} ${await r.text()}`);
    };

    // The waiting elections and their request tasks.
    for (const code of f.villages.slice(0, KEPT)) await start(code);
    const keptTasks = await Promise.all(kept.map((id) => taskOf(f.sql, id)));

    // A reminder falls days after a task opens: bring the next one of a few tasks to an instant just after the
    // backup, and wake the lane's sweep so that its Temporal timer is set for it before the backup is taken.
    const nudgeAt = new Date(Date.now() + 60_000);
    const nudged = await f.sql<{ task_id: number; key: string; generation: number }[]>`
      update task_deadlines d set at = ${nudgeAt}
      from (select distinct on (task_id) task_id, key, generation from task_deadlines
            where task_id in ${f.sql(keptTasks.slice(0, NUDGED))} and kind = 'reminder' and recorded_at is null
            order by task_id, at) e
      where (d.task_id, d.key, d.generation) = (e.task_id, e.key, e.generation)
      returning d.task_id, d.key, d.generation`;
    expect(nudged.length).toBe(NUDGED);
    await f.client.workflow.getHandle(deadlineSweepId(f.state.taskQueue)).signal(wakeDeadlineSweep);
    await eventually(
      'the sweep to sleep until the nudged reminders',
      async () => (await f.sql<{ ok: boolean }[]>`select wake_at <= ${nudgeAt} as ok from deadline_lanes where lane = ${f.state.taskQueue}`)[0]?.ok,
      30_000,
    );

    // The load: each lane starts an election, waits for its request task and completes it, without pause.
    let stop = false;
    let next = 0;
    const lane = async () => {
      while (!stop && next < loadVillages.length) {
        const code = loadVillages[next++]!;
        const id = idOf(code);
        const run: Run = { startSent: Date.now() };
        runs.set(id, run);
        await start(code);
        run.startAcked = Date.now();
        const taskId = await taskOf(f.sql, id);
        run.completeSent = Date.now();
        const r = await fetch(`${f.state.url}/api/v1/tasks/${taskId}/complete`, {
          method: 'POST',
          headers: { ...h, 'idempotency-key': `backup-${code}` },
          body: JSON.stringify(requestOutcome()),
        });
        if (r.status !== 200) throw new Error(`completing ${id}: ${r.status} ${await r.text()}`);
        run.completeAcked = Date.now();
      }
    };
    const lanes = Array.from({ length: LANES }, lane);
    await sleep(4_000);

    // The backup, by the command an operator runs, while the lanes go on.
    // The backup and the new data directory side by side in the run's directory (a backup's own directory is
    // private to its owner: PostgreSQL's user could not reach a data directory inside it).
    const backupDir = join(inject('testDataDir'), `backup-${f.county}`);
    restoredDir = join(inject('testDataDir'), `restored-${f.county}`);
    const backupOut = await orglifeCli(['backup', backupDir], { DATABASE_URL: f.state.databaseUrl });
    const manifest = JSON.parse(readFileSync(join(backupDir, MANIFEST), 'utf8')) as BackupManifest;
    const [began, ended] = [Date.parse(manifest.startedAt), Date.parse(manifest.stoppedAt)];
    await sleep(3_000);
    stop = true;
    await Promise.all(lanes);
    console.log(`[backup] ${backupOut.trim()}`);
    const before = [...runs.values()].filter((r) => r.completeAcked! < began).length;
    const after = [...runs.values()].filter((r) => r.startSent > ended).length;
    const during = runs.size - before - after;
    console.log(`[backup] load: ${runs.size} elections started and completed; ${before} before the backup began, ${during} across it, ${after} after it ended`);
    // The premise: actions before, across and after the backup, and the nudged reminder still ahead of it.
    expect(before).toBeGreaterThan(0);
    expect(after).toBeGreaterThan(0);
    expect(ended).toBeLessThan(nudgeAt.getTime());

    // Restore into a new data directory, then a stack of its own on it.
    const t0 = Date.now();
    const restoreOut = await orglifeCli(['restore', backupDir, '--data-dir', restoredDir], {});
    console.log(`[backup] ${restoreOut.trim()}`);
    pg = await startEmbeddedPostgres(join(restoredDir, 'cluster', 'postgres'), await freePort(), () => {}, { extraFlags: ['-c', 'max_connections=300'] });
    const restoredUrl = pg.url.replace(/\/orglife$/, `/${manifest.database}`);
    rsql = createSql(restoredUrl, { max: 4 });
    const r = rsql;
    const ourTasks = (ids: string[]) => r<{ workflow_id: string; task_id: number; task_key: string; step: string; state: string }[]>`
      select workflow_id, id as task_id, task_key, step, state from tasks where workflow_id in ${r(ids)}`;

    // As restored, before anything runs on it: the nudged reminders not yet recorded (their instant is after the backup's).
    const nudgedRows = async () =>
      r<{ recorded: boolean; reminded: number; state: string }[]>`
        select d.recorded_at is not null as recorded, t.state,
          (select count(*)::int from task_events e where e.task_id = d.task_id and e.kind = 'reminded') as reminded
        from task_deadlines d join tasks t on t.id = d.task_id
        join unnest(${nudged.map((n) => n.task_id)}::bigint[], ${nudged.map((n) => n.key)}::text[], ${nudged.map((n) => n.generation)}::int[])
          as n(task_id, key, generation) using (task_id, key, generation)`;
    expect((await nudgedRows()).map((n) => [n.recorded, n.reminded, n.state])).toEqual(Array(NUDGED).fill([false, 0, 'open']));

    restored = await startCluster({
      dir: join(restoredDir, 'cluster'),
      databaseUrl: restoredUrl,
      namespace: f.state.namespace,
      taskQueue: f.state.taskQueue,
      apis: 1,
      workers: 1,
      env: { LOG_LEVEL: 'warn', ORGLIFE_DEMO: 'false' },
      log: () => {},
    });
    console.log(`[backup] restored and started a fresh stack in ${((Date.now() - t0) / 1000).toFixed(1)} s (Temporal ${restored.temporalAddress})`);
    rclient = new Client({ connection: await Connection.connect({ address: restored.temporalAddress }), namespace: f.state.namespace });
    const c = rclient;

    // Which elections the restored Temporal runs, asked of each (not of visibility, which catches up on its own).
    const candidates = [...kept, ...runs.keys()];
    const inTemporal = new Map<string, string>();
    for (const id of candidates) {
      const d = await c.workflow
        .getHandle(id)
        .describe()
        .catch((err: unknown) => (err instanceof WorkflowNotFoundError ? null : Promise.reject(err)));
      if (d) inTemporal.set(id, d.status.name);
    }

    // The rows agree with each workflow's own state once the restored worker has caught up (a workflow task the
    // backup caught half done runs again), and the nudged reminders have fired.
    const openOf = (rows: { task_key: string; state: string }[]) =>
      rows
        .filter((t) => !['done', 'cancelled'].includes(t.state))
        .map((t) => `${t.task_key}:${t.state}`)
        .sort();
    const disagreeing = async () => {
      const rows = await ourTasks([...inTemporal.keys()]);
      const out: string[] = [];
      for (const id of inTemporal.keys()) {
        const views = await c.workflow.getHandle(id).query(tasksQuery);
        const fromWorkflow = views
          .filter((v) => !['done', 'cancelled'].includes(v.state))
          .map((v) => `${v.taskKey}:${v.state}`)
          .sort();
        const fromRows = openOf(rows.filter((t) => t.workflow_id === id));
        if (JSON.stringify(fromWorkflow) !== JSON.stringify(fromRows)) out.push(`${id}: workflow ${fromWorkflow.join(',')} rows ${fromRows.join(',')}`);
      }
      return out;
    };
    let last: string[] = [];
    await eventually(
      'the restored rows to agree with the restored workflows, and the nudged reminders to fire',
      async () => {
        last = await disagreeing();
        return last.length === 0 && (await nudgedRows()).every((n) => n.recorded);
      },
      90_000,
    ).catch(async (err: Error) => {
      // Where the restored Temporal has the first few: their pending workflow task and last events.
      const where = await Promise.all(
        last.slice(0, 3).map(async (line) => {
          const id = line.split(': ')[0]!;
          const d = await c.workflow.getHandle(id).describe();
          const history = await c.workflow.getHandle(id).fetchHistory();
          return `${line} | pending workflow task ${JSON.stringify(d.raw.pendingWorkflowTask)} | ${history.events?.map((e) => `${e.eventId} ${e.eventType}`).join(', ')}`;
        }),
      );
      throw new Error(`${err.message}: ${last.length} disagree: ${where.join('\n')}`);
    });

    // Every election is in Temporal exactly when it has its process row; all running.
    const processRows = new Set(
      (await r<{ workflow_id: string }[]>`select workflow_id from processes where workflow_id in ${r(candidates)}`).map((p) => p.workflow_id),
    );
    expect([...inTemporal.keys()].sort()).toEqual([...processRows].sort());
    expect(new Set(inTemporal.values())).toEqual(new Set(['RUNNING']));
    // Started before the backup began: there. Sent after it ended: not there.
    for (const id of kept) expect(inTemporal.has(id), id).toBe(true);
    for (const [id, run] of runs) {
      if (run.startAcked! < began) expect(inTemporal.has(id), id).toBe(true);
      if (run.startSent > ended) expect(inTemporal.has(id), id).toBe(false);
    }

    // Request tasks: completed before the backup began → done; completion sent after it ended → open; the
    // waiting elections' tasks open.
    const tasks = await ourTasks([...inTemporal.keys()]);
    const request = new Map(tasks.filter((t) => t.step === 'election-request').map((t) => [t.workflow_id, t]));
    for (const id of kept) expect(request.get(id)?.state, id).toBe('open');
    let openedAfter = 0;
    for (const [id, run] of runs) {
      if (!inTemporal.has(id)) continue;
      if (run.completeAcked! < began) expect(request.get(id)?.state, id).toBe('done');
      if (run.completeSent! > ended) {
        expect(request.get(id)?.state, id).toBe('open');
        openedAfter++;
      }
    }

    // Nothing doubled: one process row each, one 'opened' event per task, one 'completed' per done task and
    // none for another; the nudged reminders recorded once each, and no reminder or escalation ahead of now recorded.
    const counts = await r<{ workflow_id: string; processes: number; tasks: number; opened: number; completed: number; done: number }[]>`
      select w.id as workflow_id,
        (select count(*)::int from processes p where p.workflow_id = w.id) as processes,
        (select count(*)::int from tasks t where t.workflow_id = w.id) as tasks,
        (select count(*)::int from task_events e join tasks t on t.id = e.task_id where t.workflow_id = w.id and e.kind = 'opened') as opened,
        (select count(*)::int from task_events e join tasks t on t.id = e.task_id where t.workflow_id = w.id and e.kind = 'completed') as completed,
        (select count(*)::int from tasks t where t.workflow_id = w.id and t.state = 'done') as done
      from unnest(${[...inTemporal.keys()]}::text[]) as w(id)`;
    for (const n of counts) {
      expect(n.processes, n.workflow_id).toBe(1);
      expect(n.opened, n.workflow_id).toBe(n.tasks);
      expect(n.completed, n.workflow_id).toBe(n.done);
    }
    expect((await nudgedRows()).map((n) => [n.recorded, n.reminded, n.state])).toEqual(Array(NUDGED).fill([true, 1, 'open']));
    const [early] = await r<{ n: number }[]>`
      select count(*)::int as n from task_deadlines d join tasks t on t.id = d.task_id
      where t.workflow_id in ${r(candidates)} and d.at > now() and d.recorded_at is not null`;
    expect(early!.n).toBe(0);

    // The restored stack serves: the same credentials (the signing key is in the restored database) complete a
    // task that was open at the backup's instant, and the election moves on there.
    const target = kept.at(-1)!;
    const done = await fetch(`${restored.url}/api/v1/tasks/${request.get(target)!.task_id}/complete`, {
      method: 'POST',
      headers: { ...h, 'idempotency-key': `restored-${target}` },
      body: JSON.stringify(requestOutcome()),
    });
    expect(done.status, await done.clone().text()).toBe(200);
    const [after1] = await r<{ state: string; completed: number }[]>`
      select t.state, (select count(*)::int from task_events e where e.task_id = t.id and e.kind = 'completed') as completed
      from tasks t where t.id = ${request.get(target)!.task_id}`;
    expect(after1).toEqual({ state: 'done', completed: 1 });
    console.log(
      `[backup] restored: ${inTemporal.size} of ${candidates.length} elections running (${KEPT} waiting, ${openedAfter} whose completion came after the backup, open), ${NUDGED} reminders due after the backup fired once; total ${((Date.now() - t0) / 1000).toFixed(1)} s from the restore`,
    );
  }, 300_000);
});
