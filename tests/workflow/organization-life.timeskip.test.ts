import { beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, orgRow, uniqueCode } from '../helpers/context.js';
import { processDriver, refused, timeSkippingPerTest } from '../helpers/time-skipping.js';
import { organizationLife, organizationLifeId } from '../../workflows/organization-life/workflow.js';
import { machineActor } from '../../workflows/messages.js';
import { shanghaiDate, shanghaiInstant } from '../../src/domain/dates.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { personalDataKey, sealPersonalData } from '../../src/members/personal-data.js';
import { recountMembers } from '../../src/members/store.js';
import { periodCompleteness } from '../../src/organization-life/store.js';
import { closeSpreadMs, LIFE_CLOSE_SPREAD_HOURS } from '../../src/domain/organization-life/rules.js';
import { recordHistory } from '../helpers/histories.js';

// A branch's year of 三会一课 at real durations on the time-skipping server: the year is planned from the rule set
// (支委会 and 主题党日 monthly, 支部党员大会 and 党课 quarterly); each period's meetings open as tasks on its first day.
// A 主题党日 held with the quarter's 支部党员大会 and 党课 meets all three with one record, whose attendance is the
// register of that day less the members named absent. February's 支委会 is missed: its task escalates to the
// township and then the county, and the meeting recorded in March counts as late. The year closes with its figures.
describe("a branch's year of organization life (time-skipping server)", () => {
  const t = timeSkippingPerTest();
  const { county, rows: chain } = countyChain();
  const township = uniqueCode('T');
  const branch = uniqueCode('B');
  const key = personalDataKey('a test key of thirty-two characters or more');
  let branchId = 0;
  let memberIds: number[] = [];

  beforeAll(async () => {
    await addOrganizations(t.sql, [...chain, orgRow(township, county, { type: 'committee', sector: 'regional' }), orgRow(branch, township)]);
    const [o] = await t.sql<{ id: number }[]>`select id from organizations where code = ${branch}`;
    branchId = o!.id;
    for (let i = 0; i < 5; i++) {
      await t.sql`
        insert into members ${t.sql({
          organization_id: branchId,
          name: `党员${i}`,
          gender: 'male',
          birth_date: '1970-01-01',
          joined_on: '2010-07-01',
          full_on: '2011-07-01',
          category: 'full',
          ...sealPersonalData(key, withCheckDigit(`4201021970010170${i}`), null),
        })}`;
    }
    memberIds = (await t.sql<{ id: string }[]>`select id from members where organization_id = ${branchId} order by id`).map((m) => Number(m.id));
    await recountMembers(t.sql, [branchId]);
  });

  /** The time-skipping clock: the year to come on it, a day of it, and a sleep until 10:00 of a day. */
  const clock = async () => {
    const now = async () => t.ts.env.currentTimeMs();
    const year = new Date(await now()).getUTCFullYear() + 1;
    const day = (m: number, d: number, y = year) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    const sleepUntil = async (d: string) => {
      const ms = shanghaiInstant(d, 10).getTime() - (await now());
      if (ms > 0) await t.ts.env.sleep(ms);
    };
    return { now, year, day, sleepUntil };
  };
  /** A meeting record's outcome. */
  const record = (meetingOn: string, kinds: string[], extra: Record<string, unknown> = {}) => ({
    meetingOn,
    kinds,
    topic: '学习贯彻党的二十届四中全会精神',
    minutes: '书记传达会议精神，党员逐一发言。',
    ...extra,
  });
  /** A branch's year started, and its secretary's driver once the year is planned. */
  const startYear = async (workflowId: string, organization: string, year: number) => {
    const handle = await t.ts.env.client.workflow.start(organizationLife, { workflowId, taskQueue: t.worker.taskQueue, args: [{ organization, year }] });
    const sec = processDriver(handle, machineActor('sec'));
    await sec.stepIs('planned');
    return { handle, sec };
  };

  it('opens each period, meets three obligations with one record, escalates a missed month and closes the year', async () => {
    const { sql } = t;
    const { now, year, day, sleepUntil } = await clock();
    const workflowId = organizationLifeId(branch, year);
    const tasks = () =>
      sql<{ task_key: string; state: string; escalation_level: number; title_parts: Record<string, string> }[]>`
        select task_key, state, escalation_level, title_parts from tasks where workflow_id = ${workflowId} order by id`;

    await t.worker.worker.runUntil(async () => {
      const { handle, sec } = await startYear(workflowId, branch, year);
      const [planned] = await sql<{ n: number }[]>`select count(*)::int as n from life_obligations where workflow_id = ${workflowId}`;
      expect(planned!.n).toBe(12 + 12 + 4 + 4);
      // Nothing opens before the year begins.
      expect(await tasks()).toEqual([]);

      await sleepUntil(day(1, 12));
      const jan = `${year}-01`;
      const q1 = `${year}-Q1`;
      // The year's tasks were planned with it, each opening on its period's first day: the deadline sweep opens them.
      expect((await sec.openTask('meeting-record', `${jan}:theme-day`)).opensAt).toBe(shanghaiInstant(day(1, 1), 0).toISOString());
      await sec.waitFor("January's tasks opened by the sweep", async () => (await tasks()).length === 4);
      expect((await tasks()).map((x) => x.task_key).sort()).toEqual(
        [`${jan}:branch-committee`, `${jan}:theme-day`, `${q1}:members-meeting`, `${q1}:party-lecture`].sort(),
      );
      expect((await tasks()).find((x) => x.task_key === `${q1}:members-meeting`)!.title_parts).toEqual({
        variant: 'members-meeting',
        part: `${year}年第1季度`,
      });

      // Refused before anything is kept: a member absent who is not on the register; a record of another kind; a
      // meeting before its period; one in the future.
      const theme = (o: Record<string, unknown>) => sec.complete('meeting-record', o, `${jan}:theme-day`);
      expect(await refused(theme(record(day(1, 10), ['theme-day'], { absent: [{ memberId: 999999999, reason: 'leave' }] })))).toMatchObject({
        rule: 'absent-not-on-register',
      });
      expect(await refused(theme(record(day(1, 10), ['branch-committee'])))).toMatchObject({ rule: 'meeting-kind' });
      expect(await refused(theme(record(`${year - 1}-12-30`, ['theme-day'])))).toMatchObject({ rule: 'held-on' });
      expect(await refused(theme(record(day(1, 20), ['theme-day'])))).toMatchObject({ rule: 'held-on' });

      // One 主题党日 with the quarter's members' meeting and lecture: three obligations met, one member away on leave.
      await theme(record(day(1, 10), ['theme-day', 'members-meeting', 'party-lecture'], { absent: [{ memberId: memberIds[0], reason: 'leave' }] }));
      await sec.complete('meeting-record', record(day(1, 11), ['branch-committee']), `${jan}:branch-committee`);
      await sec.waitFor('the quarter met by the theme day', async () =>
        (await tasks()).filter((x) => x.task_key.startsWith(q1)).every((x) => x.state === 'done'),
      );
      const [m] = await sql<{ on_register: number; present: number; kinds: string[] }[]>`
        select on_register, present, kinds from meetings where workflow_id = ${workflowId} and task_key = ${`${jan}:theme-day`}`;
      expect(m).toEqual({ on_register: 5, present: 4, kinds: ['theme-day', 'members-meeting', 'party-lecture'] });
      const [absence] = await sql<{ member_id: string; reason: string }[]>`
        select a.member_id, a.reason from meeting_absences a join meetings m on m.id = a.meeting_id where m.workflow_id = ${workflowId}`;
      expect({ member: Number(absence!.member_id), reason: absence!.reason }).toEqual({ member: memberIds[0], reason: 'leave' });

      // February: the theme day is held, the committee meeting is not. Its task escalates to the township, then the
      // county; the meeting held late in February and recorded in March counts, as late.
      const feb = `${year}-02`;
      await sleepUntil(day(2, 20));
      await sec.complete('meeting-record', record(day(2, 18), ['theme-day']), `${feb}:theme-day`);
      await sleepUntil(day(3, 31));
      const missed = (await tasks()).find((x) => x.task_key === `${feb}:branch-committee`)!;
      expect(missed.state).toBe('escalated');
      expect(missed.escalation_level).toBeGreaterThanOrEqual(2);
      const feb1 = await periodCompleteness(sql, { path: await pathOf(township), period: feb, today: shanghaiDate(await now()) });
      expect(feb1.rows).toEqual([expect.objectContaining({ code: branch, held: 1, late: 0, missing: 1 })]);
      expect(feb1.missing).toEqual([expect.objectContaining({ code: branch, kind: 'branch-committee', escalationLevel: missed.escalation_level })]);
      await sec.complete('meeting-record', record(day(2, 27), ['branch-committee']), `${feb}:branch-committee`);
      await sec.waitFor(
        'the late record kept',
        async () => (await sql`select 1 from life_obligations where period = ${feb} and kind = 'branch-committee' and late`).length === 1,
      );
      const feb2 = await periodCompleteness(sql, { path: await pathOf(township), period: feb, today: shanghaiDate(await now()) });
      expect(feb2.rows).toEqual([expect.objectContaining({ held: 1, late: 1, missing: 0 })]);

      // The rest of the year on time: each month's meetings recorded in their month, the quarter's with a theme day.
      for (let month = 3; month <= 12; month++) {
        const period = `${year}-${String(month).padStart(2, '0')}`;
        await sleepUntil(day(month, 15));
        const quarterStarts = month % 3 === 1;
        await sec.complete(
          'meeting-record',
          record(day(month, 14), quarterStarts ? ['theme-day', 'members-meeting', 'party-lecture'] : ['theme-day']),
          `${period}:theme-day`,
        );
        await sec.complete('meeting-record', record(day(month, 14), ['branch-committee']), `${period}:branch-committee`);
      }
      await handle.result();
      await recordHistory('organization-life', workflowId, await handle.fetchHistory());
    });
    const [proc] = await sql<{ status: string; current_step: string }[]>`select status, current_step from processes where workflow_id = ${workflowId}`;
    expect(proc).toEqual({ status: 'completed', current_step: 'closed' });
    const [closed] = await sql<
      { detail: Record<string, number> }[]
    >`select detail from process_events where workflow_id = ${workflowId} and event_key = 'closed'`;
    expect(closed!.detail).toEqual({ held: 31, late: 1, missing: 0, waived: 0 });
  });

  it('closes a year with meetings never recorded on its close day: their tasks closed, the obligations still missing', async () => {
    const { sql } = t;
    const { year, day, sleepUntil, now } = await clock();
    // A branch whose year closes an hour or more into its close day (closeSpreadMs): records are refused meanwhile.
    let idle = uniqueCode('B');
    while (closeSpreadMs(organizationLifeId(idle, year)) < 3_600_000) idle = uniqueCode('B');
    await addOrganizations(sql, [orgRow(idle, township)]);
    const workflowId = organizationLifeId(idle, year);
    const closesAt = shanghaiInstant(day(2, 1, year + 1), 0).getTime() + closeSpreadMs(workflowId);
    const jan = `${year}-01`;
    const feb = `${year}-02`;
    const dec = `${year}-12`;
    const taskOf = async (k: string) => {
      const [row] = await sql<{ state: string; escalation_level: number; reason: string | null }[]>`
        select state, escalation_level, reason from tasks where workflow_id = ${workflowId} and task_key = ${k}`;
      return row;
    };

    await t.worker.worker.runUntil(async () => {
      const { handle, sec } = await startYear(workflowId, idle, year);
      // January's theme day meets the quarter's members' meeting and lecture; nothing else is held all year but
      // December's committee meeting, recorded late in January of the year after.
      await sleepUntil(day(1, 12));
      await sec.waitFor("January's tasks opened by the sweep", async () => (await taskOf(`${jan}:theme-day`)) !== undefined);
      await sec.complete('meeting-record', record(day(1, 10), ['theme-day', 'members-meeting', 'party-lecture']), `${jan}:theme-day`);
      await sleepUntil(day(1, 20, year + 1));
      expect(await taskOf(`${feb}:branch-committee`)).toMatchObject({ state: 'escalated', escalation_level: 3 });
      await sec.complete('meeting-record', record(day(12, 30), ['branch-committee']), `${dec}:branch-committee`);
      await sec.waitFor(
        'the late record kept',
        async () => (await sql`select 1 from life_obligations where workflow_id = ${workflowId} and late`).length === 1,
      );
      // The year is still open on the last day of January. From 00:00 on its rule set's day no record counts; its
      // tasks are closed at the branch's own minute of the day's first hours.
      await sleepUntil(day(1, 31, year + 1));
      expect((await sec.state()).step).toBe('planned');
      await t.ts.env.sleep(shanghaiInstant(day(2, 1, year + 1), 0).getTime() + 60_000 - (await now()));
      expect((await sec.state()).step).toBe('planned');
      expect(await refused(sec.complete('meeting-record', record(day(2, 20), ['branch-committee']), `${feb}:branch-committee`))).toMatchObject({
        rule: 'year-closed',
      });
      await handle.result();
      await recordHistory('organization-life', workflowId, await handle.fetchHistory(), 'organization-life.year-closed');
    });

    // The missed month's task is closed by the process, not waived; its obligation still counts as missing.
    expect(await taskOf(`${feb}:branch-committee`)).toEqual({ state: 'cancelled', escalation_level: 3, reason: '年度组织生活已结束，未记录的会议计为缺失' });
    const [ob] = await sql<{ meeting_id: string | null; waived_reason: string | null }[]>`
      select meeting_id, waived_reason from life_obligations where workflow_id = ${workflowId} and period = ${feb} and kind = 'branch-committee'`;
    expect(ob).toEqual({ meeting_id: null, waived_reason: null });
    const febTable = await periodCompleteness(sql, { path: await pathOf(township), period: feb, today: day(2, 1, year + 1) });
    expect(febTable.rows).toEqual(expect.arrayContaining([expect.objectContaining({ code: idle, held: 0, missing: 2, waived: 0 })]));
    expect(febTable.missing).toEqual(expect.arrayContaining([expect.objectContaining({ code: idle, kind: 'branch-committee', escalationLevel: 3 })]));
    const open = await sql`select 1 from tasks where workflow_id = ${workflowId} and state in ('open', 'claimed', 'escalated')`;
    expect(open).toHaveLength(0);
    // The history: each meeting never recorded, and the year closed with its figures.
    const [proc] = await sql<{ status: string; current_step: string }[]>`select status, current_step from processes where workflow_id = ${workflowId}`;
    expect(proc).toEqual({ status: 'completed', current_step: 'closed' });
    const events = await sql<{ event_key: string; detail: Record<string, unknown>; at: Date }[]>`
      select event_key, detail, at from process_events where workflow_id = ${workflowId} order by at`;
    const lapsed = events.filter((e) => e.event_key.endsWith('-lapsed'));
    expect(lapsed).toHaveLength(32 - 4);
    expect(lapsed.map((e) => e.event_key)).toContain(`${feb}-branch-committee-lapsed`);
    const closed = events.find((e) => e.event_key === 'closed')!;
    expect(closed.detail).toEqual({ held: 3, late: 1, missing: 28, waived: 0, lapsed: 28 });
    // On the close day, at the branch's own minute of its first hours.
    expect(closed.at.getTime()).toBeGreaterThanOrEqual(closesAt);
    expect(closed.at.getTime() - closesAt).toBeLessThan(60_000);
    expect(closesAt - shanghaiInstant(day(2, 1, year + 1), 0).getTime()).toBeLessThan(LIFE_CLOSE_SPREAD_HOURS * 3_600_000);
  });

  it("owes each party group a monthly 党小组会 from 2027, recorded by its leader with the group's attendance", async () => {
    const { sql, ts } = t;
    const now = async () => ts.env.currentTimeMs();
    const year = new Date(await now()).getUTCFullYear() + 1;
    // The rule set asking for 党小组会 is in force from 2027: a year before it owes none.
    if (year < 2027) return;
    const day = (d: number) => `${year}-01-${String(d).padStart(2, '0')}`;
    const grouped = uniqueCode('B');
    await addOrganizations(sql, [orgRow(grouped, township)]);
    const [o] = await sql<{ id: number }[]>`select id from organizations where code = ${grouped}`;
    const stamp = String(Date.now()).slice(-3);
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [m] = await sql<{ id: string }[]>`
        insert into members ${sql({
          organization_id: o!.id,
          name: `组员${i}`,
          gender: 'female',
          birth_date: '1975-01-01',
          joined_on: '2010-07-01',
          full_on: '2011-07-01',
          category: 'full',
          ...sealPersonalData(key, withCheckDigit(`4201051975010${i + 1}${stamp}`), null),
        })} returning id`;
      ids.push(Number(m!.id));
    }
    // The leader signs in: their user is linked to their member. Three of the four are in the group.
    const leaderUser = `leader-${grouped}`.toLowerCase();
    const [u] = await sql<{ id: string }[]>`insert into users (username, password_hash) values (${leaderUser}, 'x') returning id`;
    await sql`update members set user_id = ${u!.id} where id = ${ids[0]!}`;
    const [g] = await sql<{ id: string }[]>`
      insert into party_groups (organization_id, name, leader_id, created_on, created_by) values (${o!.id}, '第一党小组', ${ids[0]!}, '2020-01-01', 'test')
      returning id`;
    const groupId = Number(g!.id);
    await sql`insert into party_group_members ${sql(ids.slice(0, 3).map((member_id) => ({ group_id: groupId, member_id, since: '2020-01-01' })))}`;
    await recountMembers(sql, [o!.id]);

    const workflowId = organizationLifeId(grouped, year);
    const key_ = `${year}-01:group-meeting:${groupId}`;
    await t.worker.worker.runUntil(async () => {
      const handle = await ts.env.client.workflow.start(organizationLife, {
        workflowId,
        taskQueue: t.worker.taskQueue,
        args: [{ organization: grouped, year }],
      });
      const leader = processDriver(handle, { username: leaderUser, grants: [] });
      await leader.stepIs('planned');
      const [planned] = await sql<{ n: number; groups: number }[]>`
        select count(*)::int as n, count(*) filter (where kind = 'group-meeting' and group_id = ${groupId})::int as groups
        from life_obligations where workflow_id = ${workflowId}`;
      expect(planned).toEqual({ n: 12 + 12 + 4 + 4 + 12, groups: 12 });

      const ms = shanghaiInstant(day(12), 10).getTime() - (await now());
      if (ms > 0) await ts.env.sleep(ms);
      const task = await leader.waitFor('the group meeting opened by the sweep', async () => {
        const [row] = await sql<{ assignee_person: string | null; title_parts: Record<string, string> }[]>`
          select assignee_person, title_parts from tasks where workflow_id = ${workflowId} and task_key = ${key_}`;
        return row;
      });
      expect(task).toEqual({ assignee_person: leaderUser, title_parts: { variant: 'group-meeting', about: '第一党小组', part: `${year}年1月` } });

      const record = (extra: Record<string, unknown>) => ({
        meetingOn: day(10),
        kinds: ['group-meeting'],
        topic: '学习党章',
        minutes: '组长领学，组员交流。',
        ...extra,
      });
      // The member outside the group is not its absentee; a group's meeting is recorded alone.
      expect(await refused(leader.complete('meeting-record', record({ absent: [{ memberId: ids[3], reason: 'leave' }] }), key_))).toMatchObject({
        rule: 'absent-not-in-group',
      });
      expect(await refused(leader.complete('meeting-record', record({ kinds: ['group-meeting', 'theme-day'] }), key_))).toMatchObject({
        rule: 'meeting-kind',
      });
      await leader.complete('meeting-record', record({ absent: [{ memberId: ids[2], reason: 'sick' }] }), key_);
      const m = await leader.waitFor('the group meeting kept', async () => {
        const [row] = await sql<{ on_register: number; present: number; group_id: string; recorded_by: string }[]>`
          select on_register, present, group_id, recorded_by from meetings where workflow_id = ${workflowId} and task_key = ${key_}`;
        return row;
      });
      expect({ ...m, group_id: Number(m.group_id) }).toEqual({ on_register: 3, present: 2, group_id: groupId, recorded_by: leaderUser });
      // January's completeness counts the group's meeting beside the branch's own two.
      const jan = await periodCompleteness(sql, { path: await pathOf(grouped), period: `${year}-01`, today: day(12) });
      expect(jan.rows).toEqual([expect.objectContaining({ code: grouped, held: 1, open: 2, missing: 0 })]);
      await handle.terminate('the rest of the year is the first test');
    });
  });

  async function pathOf(code: string): Promise<string> {
    const [o] = await t.sql<{ path: string }[]>`select path::text as path from organizations where code = ${code}`;
    return o!.path;
  }
});
