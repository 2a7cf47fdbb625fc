import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { workerProcesses } from '../helpers/worker-process.js';
import { Client, Connection } from '@temporalio/client';
import { addOrganizations, committee, countyChain, eventually, orgRow, startStack, testSql, uniqueCode, type Stack, apiOf } from '../helpers/context.js';
import { taskProcess } from '../../workflows/task-process.js';
import { tasksQuery } from '../../workflows/messages.js';
import { deadlineSweepId, wakeDeadlineSweep } from '../../workflows/deadline-sweep.js';
import type { TaskPlan } from '../../src/domain/task-plan.js';
import { addDays, shanghaiDate } from '../../src/domain/dates.js';

// The deadline sweep against the real dev server and PostgreSQL, at real instants a few seconds ahead: many tasks due
// at one instant recorded exactly once each, a person acting and another extending while the sweep's batch holds
// their tasks, a substitute named the minute before, and a worker killed with SIGKILL in the middle of a batch.

/** A plan whose reminder falls at `at` and whose three escalation levels follow `gap` ms later, a second apart. */
const planAt = (at: number, gap = 1_000): TaskPlan => {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    dueAt: iso(at + 500),
    reminders: [{ key: 'reminder-1wd', workingDaysBefore: 1, at: iso(at) }],
    escalations: [
      { level: 1, workingDaysAfter: 3, at: iso(at + gap) },
      { level: 2, workingDaysAfter: 10, at: iso(at + gap + 1_000) },
      { level: 3, workingDaysAfter: 20, at: iso(at + gap + 2_000) },
    ],
  };
};

/** Holds the notifications table: a sweep batch blocks at its notifications, its transaction open and its rows locked. */
async function holdNotifications(sql: ReturnType<typeof testSql>) {
  const locker = await sql.reserve();
  await locker`begin`;
  await locker`lock table notifications in share row exclusive mode`;
  return async () => {
    await locker`rollback`;
    locker.release();
  };
}

const batchBlocked = (sql: ReturnType<typeof testSql>) =>
  eventually(
    'a sweep batch to block at its notifications',
    async () =>
      (await sql`select 1 from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%insert into notifications%' and query ilike '%reminder%'`)
        .length > 0,
    60_000,
  );

describe('the deadline sweep', () => {
  let s: Stack;
  // Province → prefecture → county → township → villages: level 3 goes to the county.
  const chain = countyChain();
  const { county } = chain;
  const township = uniqueCode('Z');
  const villages = Array.from({ length: 20 }, () => uniqueCode('V'));
  const ids: Record<string, number> = {};
  const api = apiOf(() => s);

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [...chain.rows, orgRow(township, county, committee), ...villages.map((v) => orgRow(v, township))]);
    for (const r of await s.sql<{ code: string; id: number }[]>`select code, id from organizations where code in ${s.sql([township, ...villages])}`)
      ids[r.code] = r.id;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('records a storm at one instant once per task, before and around the actions people take during its batch', async () => {
    const secretaries = await Promise.all(villages.map((v) => s.userWith([{ role: 'secretary', org: v }])));
    const supervisor = await s.userWith([{ role: 'supervisor', org: township }]);
    const organizer = await s.userWith([{ role: 'organizer', org: county }]);
    const away = secretaries[0]!;
    const stand = await s.userWith([{ role: 'liaison_officer', org: villages[0]! }]);

    const perVillage = 10;
    const n = villages.length * perVillage;
    const at = Date.now() + 30_000;
    const prefix = `sweep-${randomUUID().slice(0, 8)}`;
    const workflowId = (i: number) => `${prefix}:${i}`;
    for (let i = 0; i < n; i++) {
      await s.client.workflow.start(taskProcess, {
        workflowId: workflowId(i),
        taskQueue: s.config.TEMPORAL_TASK_QUEUE,
        args: [
          {
            task: {
              key: 'report',
              step: 'report',
              organizationId: ids[villages[i % villages.length]!]!,
              assigneeRole: 'secretary',
              due: { workingDays: 5 },
              // The first level falls well after the batch the test holds, so the actions below are recorded
              // before the sweep's next pass reaches their tasks.
              plan: planAt(at, 10_000),
            },
          },
        ],
      });
    }
    const rows = await eventually(
      'every task open',
      async () => {
        const r = await s.sql<{ id: number; workflow_id: string }[]>`select id, workflow_id from tasks where workflow_id like ${`${prefix}:%`}`;
        return r.length === n ? r : null;
      },
      60_000,
    );
    const taskId = new Map(rows.map((r) => [r.workflow_id, r.id]));
    // Every task opened before the instant: the storm below falls on open tasks.
    expect(Date.now()).toBeLessThan(at);
    // The openings woke the lane's sweep once, not once each: the first moved the lane's wake-up to the instant and
    // the others compared against it (a deadline day's flood of signals was refused as BusyWorkflow).
    const lane = (await s.sql<{ lane: string }[]>`select deadline_lane as lane from tasks where id = ${rows[0]!.id}`)[0]!.lane;
    expect(lane).toBe(s.config.TEMPORAL_TASK_QUEUE);
    const sweepHistory = await s.client.workflow.getHandle(deadlineSweepId(lane)).fetchHistory();
    const wakeSignals = sweepHistory.events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === wakeDeadlineSweep.name);
    expect(wakeSignals.length).toBeGreaterThan(0);
    expect(wakeSignals.length, `${n} openings signalled the sweep ${wakeSignals.length} times`).toBeLessThanOrEqual(2);

    // The minute before the instant, the first village's secretary names a substitute for today.
    const today = shanghaiDate(Date.now());
    const named = await api(away, 'POST', '/substitutions', { substitute: stand.username, startsOn: today, endsOn: today, reason: '外出开会' });
    expect(named.statusCode).toBe(201);

    // The sweep's first batch blocks at its notifications with its rows (and their tasks) locked. Meanwhile the
    // secretary completes one task of the batch and the supervisor extends another: both wait for the batch.
    const release = await holdNotifications(s.sql);
    let released = false;
    try {
      await batchBlocked(s.sql);
      const done = workflowId(0); // the first village's
      const extended = workflowId(1);
      const completing = api(away, 'POST', `/tasks/${taskId.get(done)}/complete`, { outcome: {} });
      const extending = api(supervisor, 'POST', `/tasks/${taskId.get(extended)}/extend`, { dueOn: addDays(today, 60), reason: '等待上级批复' });
      await new Promise((r) => setTimeout(r, 1_000));
      await release();
      released = true;
      const [c, e] = await Promise.all([completing, extending]);
      expect(c.statusCode, c.body).toBe(200);
      expect(e.statusCode, e.body).toBe(200);

      // Every other task reaches level 3. The completed and the extended task record, before their action, exactly
      // the instants due at the moment their workflow handled it (the reminder, and any level that fell while the
      // batch held them), and nothing of the old plan after it.
      const acted = [taskId.get(done)!, taskId.get(extended)!];
      await eventually(
        'every level recorded',
        async () =>
          (
            await s.sql<{ n: number }[]>`
            select count(*)::int as n from tasks where workflow_id like ${`${prefix}:%`} and id not in ${s.sql(acted)} and escalation_level = 3`
          )[0]!.n ===
          n - 2,
        60_000,
      );
      const before = await s.sql<{ task_id: number; action: string; reminders: number; levels: number; max_level: number }[]>`
        select e.task_id, e.kind as action,
               count(d.*) filter (where d.kind = 'reminder')::int as reminders,
               count(d.*) filter (where d.kind = 'escalation')::int as levels,
               coalesce(max(d.level), 0)::int as max_level
        from task_events e left join task_deadlines d on d.task_id = e.task_id and d.generation = 0 and d.at <= e.at
        where e.task_id in ${s.sql(acted)} and e.kind in ('completed', 'extended') group by e.task_id, e.kind`;
      expect(before.map((b) => b.action).sort()).toEqual(['completed', 'extended']);
      for (const b of before) expect(b.reminders).toBe(1);
      const actedLevels = before.reduce((a, b) => a + b.levels, 0);
      const events = await s.sql<{ kind: string; n: number; tasks: number }[]>`
        select e.kind, count(*)::int as n, count(distinct e.task_id)::int as tasks from task_events e join tasks t on t.id = e.task_id
        where t.workflow_id like ${`${prefix}:%`} group by e.kind`;
      const count = (k: string) => events.find((e) => e.kind === k) ?? { n: 0, tasks: 0 };
      expect(count('reminded')).toMatchObject({ n: n, tasks: n });
      expect(count('escalated').n).toBe(3 * (n - 2) + actedLevels);
      expect(count('completed').n).toBe(1);
      expect(count('extended').n).toBe(1);
      const [esc] = await s.sql<{ n: number; distinct_keys: number }[]>`
        select count(*)::int as n, count(distinct (e.task_id, e.level))::int as distinct_keys from escalations e join tasks t on t.id = e.task_id
        where t.workflow_id like ${`${prefix}:%`}`;
      expect(esc).toEqual({ n: 3 * (n - 2) + actedLevels, distinct_keys: 3 * (n - 2) + actedLevels });

      // The completed task: its reminder (and any level due) came before the completion, and nothing after it.
      const doneLevels = before.find((b) => b.action === 'completed')!.levels;
      const doneEvents = await s.sql<{ kind: string }[]>`select kind from task_events where task_id = ${taskId.get(done)!} order by id`;
      expect(doneEvents.map((e) => e.kind)).toEqual(['opened', 'reminded', ...Array(doneLevels).fill('escalated'), 'completed']);
      // The extended task: the old plan's instants due before the extension recorded once, the rest gone; the new
      // plan's instants are rows of the next generation, ahead.
      const extLevels = before.find((b) => b.action === 'extended')!.levels;
      const ext = await s.sql<{ generation: number; kind: string; recorded: boolean; ahead: boolean }[]>`
        select generation, kind, recorded_at is not null as recorded, at > now() as ahead from task_deadlines where task_id = ${taskId.get(extended)!} order by generation, at`;
      expect(ext.filter((r) => r.generation === 0)).toEqual([
        { generation: 0, kind: 'reminder', recorded: true, ahead: false },
        ...Array.from({ length: extLevels }, () => ({ generation: 0, kind: 'escalation', recorded: true, ahead: false })),
      ]);
      expect(ext.filter((r) => r.generation === 1).every((r) => !r.recorded && r.ahead)).toBe(true);
      expect(ext.filter((r) => r.generation === 1).map((r) => r.kind)).toContain('escalation');

      // No instant past and unrecorded: no gap.
      const [gap] = await s.sql<{ n: number }[]>`
        select count(*)::int as n from task_deadlines d join tasks t on t.id = d.task_id
        where t.workflow_id like ${`${prefix}:%`} and d.recorded_at is null and d.at <= now()`;
      expect(gap!.n).toBe(0);

      // Notifications: one reminder per task to its village's secretary, and to the substitute for the first village's.
      const reminders = await s.sql<{ username: string; n: number }[]>`
        select u.username, count(*)::int as n from notifications x join users u on u.id = x.user_id join tasks t on t.id = x.task_id
        where t.workflow_id like ${`${prefix}:%`} and x.kind = 'reminder' group by u.username`;
      const remindersOf = (u: string) => reminders.find((r) => r.username === u)?.n ?? 0;
      expect(remindersOf(away.username)).toBe(perVillage);
      expect(remindersOf(stand.username)).toBe(perVillage);
      expect(reminders.reduce((a, r) => a + r.n, 0)).toBe(n + perVillage);
      // Level 2 reaches the township's supervisor, level 3 the county's organizer, once per task.
      const [levels] = await s.sql<{ l2: number; l3: number }[]>`
        select count(*) filter (where u.username = ${supervisor.username} and e.level = 2)::int as l2,
               count(*) filter (where u.username = ${organizer.username} and e.level = 3)::int as l3
        from notifications x join users u on u.id = x.user_id join escalations e on e.id = x.escalation_id join tasks t on t.id = x.task_id
        where t.workflow_id like ${`${prefix}:%`}`;
      const reachedActed = (level: number) => before.filter((b) => b.max_level >= level).length;
      expect(levels).toEqual({ l2: n - 2 + reachedActed(2), l3: n - 2 + reachedActed(3) });

      // The task row is the live view; the workflow was never woken (a query sees its last activation: opened).
      const handle = s.client.workflow.getHandle(workflowId(2));
      expect((await handle.query(tasksQuery))[0]).toMatchObject({ state: 'open', escalationLevel: 0 });
      const [row] = await s.sql<{ state: string; escalation_level: number }[]>`select state, escalation_level from tasks where workflow_id = ${workflowId(2)}`;
      expect(row).toEqual({ state: 'escalated', escalation_level: 3 });
      // A supervisor acts on a level the sweep recorded: the workflow derives the same escalation from its plan and
      // its clock, lets the supervisor act on it, and keeps the level it reached.
      const [l2] = await s.sql<{ id: number }[]>`select e.id from escalations e where e.task_id = ${taskId.get(workflowId(2))!} and e.level = 2`;
      const ack = await api(supervisor, 'POST', `/escalations/${l2!.id}/acknowledge`, {});
      expect(ack.statusCode, ack.body).toBe(200);
      expect((await handle.query(tasksQuery))[0]).toMatchObject({ state: 'escalated', escalationLevel: 3 });
      const [after] = await s.sql<
        { state: string; escalation_level: number }[]
      >`select state, escalation_level from tasks where workflow_id = ${workflowId(2)}`;
      expect(after).toEqual({ state: 'escalated', escalation_level: 3 });
      expect((await s.sql<{ state: string }[]>`select state from escalations where id = ${l2!.id}`)[0]!.state).toBe('acknowledged');
    } finally {
      if (!released) await release();
    }
  });
});

describe('a worker killed in the middle of a sweep batch', () => {
  const stops: (() => void)[] = [];
  afterAll(() => {
    for (const stop of stops) stop();
  });

  it('leaves no gap and no double: the batch rolled back, the retry recorded it once', async () => {
    const sql = testSql();
    const client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
    const taskQueue = `sweep-kill-${randomUUID()}`;
    const workers = workerProcesses(taskQueue, 'sweep-kill');
    stops.push(workers.stop);
    const [root, village] = [uniqueCode('R'), uniqueCode('V')];
    await addOrganizations(sql, [orgRow(root, '', committee), orgRow(village, root)]);
    const [org] = await sql<{ id: number }[]>`select id from organizations where code = ${village}`;
    const first = workers.start();
    const n = 300;
    const at = Date.now() + 45_000;
    const prefix = `sweep-kill-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < n; i++) {
      await client.workflow.start(taskProcess, {
        workflowId: `${prefix}:${i}`,
        taskQueue,
        args: [{ task: { key: 'report', step: 'report', organizationId: org!.id, assigneeRole: 'secretary', due: { workingDays: 5 }, plan: planAt(at) } }],
      });
    }
    await eventually(
      'every task open',
      async () => (await sql<{ n: number }[]>`select count(*)::int as n from tasks where workflow_id like ${`${prefix}:%`}`)[0]!.n === n,
      90_000,
    );
    const secretary = (
      await sql<{ id: number }[]>`
      insert into users (username, password_hash) values (${`${prefix}-sec`}, 'x') returning id`
    )[0]!;
    await sql`insert into user_roles (user_id, role, organization_id) values (${secretary.id}, 'secretary', ${org!.id})`;

    const release = await holdNotifications(sql);
    try {
      await batchBlocked(sql);
      await workers.kill(first);
    } finally {
      await release();
    }
    workers.start();
    await eventually(
      'every instant recorded after the restart',
      async () =>
        (
          await sql<{ n: number }[]>`
          select count(*)::int as n from task_deadlines d join tasks t on t.id = d.task_id where t.workflow_id like ${`${prefix}:%`} and d.recorded_at is null`
        )[0]!.n === 0,
      120_000,
    );
    const [counts] = await sql<{ reminded: number; escalated: number; escalations: number; reminders: number; levels: number }[]>`
      select (select count(*)::int from task_events e join tasks t on t.id = e.task_id where t.workflow_id like ${`${prefix}:%`} and e.kind = 'reminded') as reminded,
             (select count(*)::int from task_events e join tasks t on t.id = e.task_id where t.workflow_id like ${`${prefix}:%`} and e.kind = 'escalated') as escalated,
             (select count(*)::int from escalations e join tasks t on t.id = e.task_id where t.workflow_id like ${`${prefix}:%`}) as escalations,
             (select count(*)::int from notifications x join tasks t on t.id = x.task_id where t.workflow_id like ${`${prefix}:%`} and x.kind = 'reminder' and x.user_id = ${secretary.id}) as reminders,
             (select count(*)::int from notifications x join tasks t on t.id = x.task_id where t.workflow_id like ${`${prefix}:%`} and x.kind = 'escalation' and x.user_id = ${secretary.id}) as levels`;
    // The secretary holds every task (reminders) and is the first level's target.
    expect(counts).toEqual({ reminded: n, escalated: 3 * n, escalations: 3 * n, reminders: n, levels: n });
    workers.stop();
    await client.connection.close();
    await sql.end();
  });
});
