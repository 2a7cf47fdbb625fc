import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, orgRow, testSql, uniqueCode, uniqueCodes } from '../helpers/context.js';
import { timeSkipping } from '../helpers/time-skipping.js';
import { taskProcess } from '../../workflows/task-process.js';
import { completeTaskUpdate, escalationActionUpdate, extendTaskUpdate, machineActor, tasksQuery } from '../../workflows/messages.js';
import { createUser } from '../../src/auth/users.js';

// Spring Festival 2027 is not in the chinese-days package (it has no 2027 data): the admin table supplies it.
// Weekdays 5 and 8–12 February off; Sundays 31 January and 14 February adjusted workdays (调休).
const SPRING_FESTIVAL_2027: [string, boolean][] = [
  ['2027-01-31', true],
  ['2027-02-05', false],
  ['2027-02-08', false],
  ['2027-02-09', false],
  ['2027-02-10', false],
  ['2027-02-11', false],
  ['2027-02-12', false],
  ['2027-02-14', true],
];

const at = (iso: string) => new Date(iso).getTime();

describe('human task at real durations across Spring Festival 2027 (time-skipping server)', () => {
  const sql = testSql();
  let ts: Awaited<ReturnType<typeof timeSkipping>>;
  beforeAll(async () => {
    await sql`insert into calendar_days ${sql(SPRING_FESTIVAL_2027.map(([day, is_workday]) => ({ day, is_workday, note: '春节 2027 (test data)' })))}
      on conflict (day) do update set is_workday = excluded.is_workday`;
    ts = await timeSkipping(sql);
  });
  afterAll(async () => {
    await ts?.env.teardown();
    // The suite's files share one database: leave 2027 without holiday data, as the package leaves it.
    await sql`delete from calendar_days where note = '春节 2027 (test data)'`;
    await sql.end();
  });

  it('reminds 7 and 1 working days before, escalates at +3/+10/+20 working days to secretary, supervisor, county; extension moves the timers', async () => {
    const [province, city, county, township, village] = uniqueCodes('P', 'C', 'X', 'Z', 'V');
    await addOrganizations(sql, [
      orgRow(province, '', { type: 'committee', sector: 'regional' }),
      orgRow(city, province, { type: 'committee', sector: 'regional' }),
      orgRow(county, city, { type: 'committee', sector: 'regional' }),
      orgRow(township, county, { type: 'committee', sector: 'regional' }),
      orgRow(village, township),
    ]);
    const ids = Object.fromEntries(
      (await sql<{ code: string; id: number }[]>`select code, id from organizations where code in ${sql([county, township, village])}`).map((r) => [
        r.code,
        r.id,
      ]),
    ) as Record<string, number>;
    const secretary = uniqueCode('sec');
    const supervisor = uniqueCode('sup');
    const organizer = uniqueCode('org');
    await createUser(sql, { username: secretary, password: 'correct horse battery', roles: [{ role: 'secretary', organizationId: ids[village]! }] });
    await createUser(sql, { username: supervisor, password: 'correct horse battery', roles: [{ role: 'supervisor', organizationId: ids[township]! }] });
    await createUser(sql, { username: organizer, password: 'correct horse battery', roles: [{ role: 'organizer', organizationId: ids[county]! }] });

    const walked = `task:walk:${village}`;
    const moved = `task:moved:${village}`;
    const spec = (key: string) => ({
      task: { key, step: 'monthly-report', organizationId: ids[village]!, assigneeRole: 'secretary' as const, due: { on: '2027-02-04' } },
    });
    const eventsOf = (wf: string) => sql<{ event_key: string; kind: string; at: Date; actor: string | null; reason: string | null }[]>`
      select e.event_key, e.kind, e.at, e.actor, e.reason from task_events e join tasks t on t.id = e.task_id where t.workflow_id = ${wf} order by e.at, e.id`;
    const sleepUntil = async (iso: string, afterMs = 60_000) => {
      const now = await ts.env.currentTimeMs();
      await ts.env.sleep(at(iso) + afterMs - now);
    };

    await ts.worker.runUntil(async () => {
      const a = await ts.env.client.workflow.start(taskProcess, { workflowId: walked, taskQueue: ts.taskQueue, args: [spec('report')] });
      const b = await ts.env.client.workflow.start(taskProcess, { workflowId: moved, taskQueue: ts.taskQueue, args: [spec('report')] });
      await ts.env.sleep('1 hour');

      // The plan, computed by the activity on the calendar with the admin rows: due Thursday 4 February 18:00.
      const [task] = await sql<{ id: number; due_at: Date; state: string }[]>`select id, due_at, state from tasks where workflow_id = ${walked}`;
      expect(task!.due_at.toISOString()).toBe('2027-02-04T10:00:00.000Z');
      const reminders = await sql`select key as reminder_key, at from task_deadlines where task_id = ${task!.id} and kind = 'reminder' order by at`;
      // 7 working days back counts Sunday 31 January (adjusted workday): Wednesday 27 January 09:00.
      expect(reminders.map((r) => [r.reminder_key, r.at.toISOString()])).toEqual([
        ['reminder-7wd', '2027-01-27T01:00:00.000Z'],
        ['reminder-1wd', '2027-02-03T01:00:00.000Z'],
      ]);

      // B: extended before its first reminder, with a reason; its timers move to the new plan.
      const extended = await b.executeUpdate(extendTaskUpdate, {
        args: [{ taskKey: 'report', actor: machineActor('organizer-1'), dueOn: '2027-03-18', reason: '春节前后人员返乡' }],
      });
      expect(extended.dueAt).toBe('2027-03-18T10:00:00.000Z');
      // An extension without a reason is refused by the validator: nothing enters history.
      await expect(
        b.executeUpdate(extendTaskUpdate, { args: [{ taskKey: 'report', actor: machineActor('organizer-1'), dueOn: '2027-04-01' } as never] }),
      ).rejects.toThrow();
      // A caller without a role at the organization is refused too.
      await expect(
        b.executeUpdate(completeTaskUpdate, {
          args: [{ taskKey: 'report', actor: { username: 'stranger', grants: [{ role: 'secretary', path: '999999' }] } }],
        }),
      ).rejects.toThrow();

      await sleepUntil('2027-01-27T01:00:00.000Z', -60_000);
      expect((await eventsOf(walked)).filter((e) => e.kind === 'reminded')).toEqual([]);
      await sleepUntil('2027-01-27T01:00:00.000Z');
      expect((await eventsOf(walked)).filter((e) => e.kind === 'reminded').map((e) => [e.event_key, e.at.toISOString().slice(0, 16)])).toEqual([
        ['reminder-7wd-g0', '2027-01-27T01:00'],
      ]);
      await sleepUntil('2027-02-03T01:00:00.000Z');
      expect((await eventsOf(walked)).filter((e) => e.kind === 'reminded').map((e) => e.event_key)).toEqual(['reminder-7wd-g0', 'reminder-1wd-g0']);

      // +3 working days after Thursday 4 February: the holiday (5, 8–12 Feb) and the weekends are skipped,
      // Sunday 14 February counts: Tuesday 16 February 18:00. Level 1: the village's secretary.
      await sleepUntil('2027-02-16T10:00:00.000Z', -60_000);
      expect(await sql`select 1 from escalations e join tasks t on t.id = e.task_id where t.workflow_id = ${walked}`).toHaveLength(0);
      await sleepUntil('2027-02-16T10:00:00.000Z');
      // +10: Thursday 25 February; +20: Thursday 11 March.
      await sleepUntil('2027-02-25T10:00:00.000Z');
      await sleepUntil('2027-03-11T10:00:00.000Z');
      const escalations = await sql<{ id: number; level: number; organization_id: number; role: string; state: string; opened_at: Date }[]>`
        select e.id, e.level, e.organization_id, e.role, e.state, e.opened_at from escalations e join tasks t on t.id = e.task_id
        where t.workflow_id = ${walked} order by e.level`;
      expect(escalations.map((e) => [e.level, e.organization_id, e.role, e.state, e.opened_at.toISOString().slice(0, 16)])).toEqual([
        [1, ids[village], 'secretary', 'open', '2027-02-16T10:00'],
        [2, ids[township], 'supervisor', 'open', '2027-02-25T10:00'],
        [3, ids[county], 'organizer', 'open', '2027-03-11T10:00'],
      ]);
      const [row] = await sql`select state, escalation_level from tasks where workflow_id = ${walked}`;
      expect(row).toEqual({ state: 'escalated', escalation_level: 3 });
      // Who was told: the secretary (reminders, level 1), the township supervisor (level 2), the county organizer (level 3).
      const told = await sql<{ username: string; kind: string }[]>`
        select u.username, n.kind from notifications n join users u on u.id = n.user_id join tasks t on t.id = n.task_id
        where t.workflow_id = ${walked} order by n.id`;
      expect(told.map((n) => `${n.username}:${n.kind}`)).toEqual([
        `${secretary}:task-opened`,
        `${secretary}:reminder`,
        `${secretary}:reminder`,
        `${secretary}:escalation`,
        `${supervisor}:escalation`,
        `${organizer}:escalation`,
      ]);

      // The county organizer acknowledges the level 3 escalation; the secretary of another village may not.
      const countyPath = (await sql<{ path: string }[]>`select path::text as path from organizations where id = ${ids[county]!}`)[0]!.path;
      await expect(
        a.executeUpdate(escalationActionUpdate, {
          args: [{ taskKey: 'report', level: 3, action: 'acknowledge', actor: { username: 'x', grants: [{ role: 'secretary', path: `${countyPath}.1` }] } }],
        }),
      ).rejects.toThrow();
      await a.executeUpdate(escalationActionUpdate, {
        args: [{ taskKey: 'report', level: 3, action: 'acknowledge', actor: { username: organizer, grants: [{ role: 'organizer', path: countyPath }] } }],
      });
      const done = await a.executeUpdate(completeTaskUpdate, { args: [{ taskKey: 'report', actor: machineActor(secretary), outcome: { filed: true } }] });
      expect(done.state).toBe('done');

      // B never reminded on the old plan; its new plan reminds 7 working days before 18 March (9 March).
      const bEvents = await eventsOf(moved);
      // Read before awaiting A's result: that await lets the server skip time on, as far as B's own reminders and
      // escalations on a loaded machine. (B's 1-working-day reminder may already have come.)
      const bReminders = bEvents.filter((e) => e.kind === 'reminded').map((e) => [e.event_key, e.at.toISOString().slice(0, 10)]);
      expect(bReminders[0]).toEqual(['reminder-7wd-g1', '2027-03-09']);
      expect(bReminders.slice(1)).toEqual(bReminders.length > 1 ? [['reminder-1wd-g1', '2027-03-17']] : []);
      expect(bEvents.find((e) => e.kind === 'extended')).toMatchObject({ actor: 'organizer-1', reason: '春节前后人员返乡' });
      expect((await b.query(tasksQuery))[0]).toMatchObject({ state: 'open', dueAt: '2027-03-18T10:00:00.000Z' });
      expect(await sql`select 1 from escalations e join tasks t on t.id = e.task_id where t.workflow_id = ${moved}`).toHaveLength(0);

      expect((await a.result()).state).toBe('done');
      const kinds = (await eventsOf(walked)).map((e) => e.kind);
      expect(kinds).toEqual(['opened', 'reminded', 'reminded', 'escalated', 'escalated', 'escalated', 'escalation-acknowledge', 'completed']);
      const closed = await sql`select e.level, e.state from escalations e join tasks t on t.id = e.task_id where t.workflow_id = ${walked} order by e.level`;
      expect(closed.map((e) => e.state)).toEqual(['closed', 'closed', 'closed']);
    });
  });
});
