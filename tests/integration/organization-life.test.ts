import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { addOrganizations, committee, eventually, freshDatabase, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { assessmentActivities } from '../../activities/assessment.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { personalDataKey, sealPersonalData } from '../../src/members/personal-data.js';
import { addDays, shanghaiDate } from '../../src/domain/dates.js';
import { organizationLifeId, organizationLifeSweep } from '../../workflows/organization-life/workflow.js';
import { ensureOrganizationLifeSchedule, ORGANIZATION_LIFE_SCHEDULE_ID } from '../../src/processes/organization-life-schedule.js';

// 三会一课 through the API: the township's organizer starts the year for its branches (a second start starts none);
// the branch secretary records a meeting through its task, with a member absent from the register; the records are
// read back with what they met; the township's organizer reads the period's completeness and nudges the branches
// whose records are missing; a branch's secretary may not read the ranking, another county's organizer not even
// see it.
describe('organization life through the API', () => {
  let s: Stack;
  const township = uniqueCode('T');
  const [branch, quiet, other] = [uniqueCode('B'), uniqueCode('Q'), uniqueCode('O')];
  const [later, laterA, laterB] = [uniqueCode('L'), uniqueCode('A'), uniqueCode('C')];
  const key = personalDataKey('a test key of thirty-two characters or more');
  let secretary: { authorization: string; username: string };
  let organizer: { authorization: string; username: string };
  let stranger: { authorization: string; username: string };
  let absentee = 0;
  const year = Number(shanghaiDate(Date.now()).slice(0, 4));
  const call = (who: { authorization: string }, method: 'GET' | 'POST', url: string, payload?: object) =>
    s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: who.authorization }, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    // A database of its own: the assessment run at the end scores (and replaces) the whole year's rows.
    s = await startStack({ databaseUrl: await freshDatabase('olife') });
    await addOrganizations(s.sql, [
      orgRow(township, '', committee),
      orgRow(branch, township),
      orgRow(quiet, township),
      orgRow(other, '', committee),
      orgRow(later, '', committee),
      orgRow(laterA, later),
      orgRow(laterB, later),
    ]);
    const [b] = await s.sql<{ id: number }[]>`select id from organizations where code = ${branch}`;
    for (let i = 0; i < 3; i++) {
      const [m] = await s.sql<{ id: string }[]>`
        insert into members ${s.sql({
          organization_id: b!.id,
          name: `党员${i}`,
          gender: 'female',
          birth_date: '1980-01-01',
          joined_on: '2015-07-01',
          full_on: '2016-07-01',
          category: 'full',
          ...sealPersonalData(key, withCheckDigit(`42010219800101${String(Date.now() % 100).padStart(2, '0')}${i}`), null),
        })} returning id`;
      absentee = Number(m!.id);
    }
    secretary = await s.userWith([{ role: 'secretary', org: branch }]);
    organizer = await s.userWith([{ role: 'organizer', org: township }]);
    stranger = await s.userWith([{ role: 'organizer', org: other }]);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('starts the year, records a meeting through its task, and reads completeness by the organizations under one', async () => {
    expect((await call(secretary, 'POST', '/organization-life/years', { under: branch, year })).statusCode).toBe(403);
    expect((await call(stranger, 'POST', '/organization-life/years', { under: township, year })).statusCode).toBe(404);
    const bad = await call(organizer, 'POST', '/organization-life/years', { under: township, year: 1990 });
    expect(bad.statusCode).toBe(400);
    const started = await call(organizer, 'POST', '/organization-life/years', { under: township, year });
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json()).toEqual({ started: 2, running: 0 });

    // The year's periods that have begun are open at once: this month's 支委会 among them.
    const month = shanghaiDate(Date.now()).slice(0, 7);
    const workflowId = organizationLifeId(branch, year);
    const task = await eventually("this month's committee meeting opened", async () => {
      const [t] = await s.sql<{ id: string }[]>`select id from tasks where workflow_id = ${workflowId} and task_key = ${`${month}:branch-committee`}`;
      return t;
    });
    // Once planned, a second start finds nothing to start.
    await eventually(
      'both years planned',
      async () =>
        (
          await s.sql`select distinct organization_id from life_obligations where year = ${year} and workflow_id like ${'organization-life:%'} and organization_id in (select id from organizations where code in (${branch}, ${quiet}))`
        ).length === 2,
    );
    expect((await call(organizer, 'POST', '/organization-life/years', { under: township, year })).json()).toEqual({ started: 0, running: 0 });

    const today = shanghaiDate(Date.now());
    const outcome = {
      meetingOn: today,
      kinds: ['branch-committee'],
      topic: '研究年底党员冬训安排',
      minutes: '支委会研究确定冬训时间和内容。',
      absent: [{ memberId: absentee, reason: 'duty' }],
    };
    // A member of another register is refused next to its field, before anything is kept.
    const stray = await call(secretary, 'POST', `/tasks/${task.id}/complete`, {
      outcome: { ...outcome, absent: [{ memberId: absentee + 1000, reason: 'duty' }] },
    });
    expect(stray.statusCode, stray.body).toBe(422);
    const future = await call(secretary, 'POST', `/tasks/${task.id}/complete`, { outcome: { ...outcome, meetingOn: addDays(today, 1) } });
    expect(future.statusCode).toBe(422);
    const done = await call(secretary, 'POST', `/tasks/${task.id}/complete`, { outcome });
    expect(done.statusCode, done.body).toBe(200);

    const meetings = await eventually('the record kept', async () => {
      const res = await call(secretary, 'GET', `/organizations/${branch}/meetings?year=${year}`);
      if (res.statusCode !== 200) throw new Error(res.body);
      const r = res.json() as { meetings: Record<string, unknown>[] };
      return r.meetings.length ? r.meetings : undefined;
    });
    expect(meetings).toEqual([
      expect.objectContaining({
        meetingOn: today,
        kinds: ['branch-committee'],
        onRegister: 3,
        present: 2,
        met: [{ period: month, kind: 'branch-committee', late: false }],
      }),
    ]);
    expect((await call(stranger, 'GET', `/organizations/${branch}/meetings`)).statusCode).toBe(404);

    // Completeness: the secretary may not rank the branches; another county does not see them.
    expect((await call(secretary, 'GET', `/organizations/${branch}/meeting-completeness?period=${month}`)).statusCode).toBe(403);
    expect((await call(stranger, 'GET', `/organizations/${township}/meeting-completeness?period=${month}`)).statusCode).toBe(404);
    expect((await call(organizer, 'GET', `/organizations/${township}/meeting-completeness?period=2026-13`)).statusCode).toBe(400);
    const c = (await call(organizer, 'GET', `/organizations/${township}/meeting-completeness?period=${month}`)).json();
    expect(c.totals).toMatchObject({ branches: 2, held: 1, late: 0 });
    expect(c.rows.find((r: { code: string }) => r.code === branch)).toMatchObject({ branches: 1, held: 1, open: 1 });
    expect(c.rows.find((r: { code: string }) => r.code === quiet)).toMatchObject({ branches: 1, held: 0, open: 2 });

    // January's records are past due everywhere: both branches are on the missing list, and a nudge reaches the
    // branch's secretary for each of its overdue tasks.
    const jan = (await call(organizer, 'GET', `/organizations/${township}/meeting-completeness?period=${year}-01`)).json();
    expect(jan.totals).toMatchObject({ branches: 2, held: 0, missing: 4 });
    expect(new Set(jan.missing.map((m: { code: string }) => m.code))).toEqual(new Set([branch, quiet]));
    const nudged = await call(organizer, 'POST', '/nudges', { filter: { org: township, process: 'organization-life', step: 'meeting-record', overdue: true } });
    expect(nudged.statusCode, nudged.body).toBe(200);
    expect(nudged.json().people).toBeGreaterThanOrEqual(1);

    // The township's organizer spot-checks the branch's January: a task of the township's own; the branch's
    // secretary may not ask for one, another county not even see the branch, a branch with no year gets 409.
    expect((await call(secretary, 'POST', `/organizations/${branch}/meeting-spot-checks`, { period: `${year}-01` })).statusCode).toBe(403);
    expect((await call(stranger, 'POST', `/organizations/${branch}/meeting-spot-checks`, { period: `${year}-01` })).statusCode).toBe(404);
    expect((await call(organizer, 'POST', `/organizations/${branch}/meeting-spot-checks`, { period: `${year}-13` })).statusCode).toBe(400);
    expect((await call(organizer, 'POST', `/organizations/${branch}/meeting-spot-checks`, { period: `${year - 1}-12` })).statusCode).toBe(409);
    const asked = await call(organizer, 'POST', `/organizations/${branch}/meeting-spot-checks`, { period: `${year}-01` });
    expect(asked.statusCode, asked.body).toBe(202);
    const spotKey = asked.json().taskKey as string;
    const [spot] = await s.sql<{ id: string; code: string; assignee_role: string }[]>`
      select t.id, o.code, t.assignee_role from tasks t join organizations o on o.id = t.organization_id where t.workflow_id = ${workflowId} and t.task_key = ${spotKey}`;
    expect(spot).toMatchObject({ code: township, assignee_role: 'organizer' });
    const wanting = await call(organizer, 'POST', `/tasks/${spot!.id}/complete`, { outcome: { checkedOn: today, verdict: 'deficient' } });
    expect(wanting.statusCode).toBe(422);
    const checked = await call(organizer, 'POST', `/tasks/${spot!.id}/complete`, {
      outcome: { checkedOn: today, verdict: 'deficient', problemsFound: '一月份支委会和主题党日均无记录' },
    });
    expect(checked.statusCode, checked.body).toBe(200);
    await eventually(
      'the spot-check in the history',
      async () => (await s.sql`select 1 from process_events where workflow_id = ${workflowId} and event_key = ${spotKey}`).length === 1,
    );

    // January's 主题党日 recorded now: met, but late. The yearly assessment reads the share of the meetings due by the
    // day that a record met, and on time, from the process's rows.
    const [janTask] = await s.sql<{ id: string }[]>`select id from tasks where workflow_id = ${workflowId} and task_key = ${`${year}-01:theme-day`}`;
    const jan10 = `${year}-01-10`;
    const late = await call(secretary, 'POST', `/tasks/${janTask!.id}/complete`, {
      outcome: { ...outcome, meetingOn: jan10, kinds: ['theme-day'], absent: [] },
    });
    expect(late.statusCode, late.body).toBe(200);
    await eventually('the late record kept', async () => (await s.sql`select 1 from life_obligations where workflow_id = ${workflowId} and late`).length === 1);
    await assessmentActivities(s.sql).assessYear({ year, today, workflowId: `assessment:${randomUUID()}` });
    const scores = await s.sql<{ code: string; met: number | null; on_time: number | null }[]>`
      select o.code, s.meetings_met::float8 as met, s.meetings_on_time::float8 as on_time
      from assessment_scores s join organizations o on o.id = s.organization_id where s.year = ${year} and o.code in (${branch}, ${quiet}, ${township})`;
    const by = new Map(scores.map((x) => [x.code, x]));
    expect(by.get(branch)!.met).toBeGreaterThan(0);
    expect(by.get(branch)!.on_time).toBe(0);
    expect(by.get(quiet)).toMatchObject({ met: 0, on_time: 0 });
    // A committee owes no meetings of its own.
    expect(by.get(township)).toMatchObject({ met: null, on_time: null });
  });
  it("starts the year's processes on the Schedule's sweep, a page at a time, for the branches that have none", async () => {
    const result = await s.client.workflow.execute(organizationLifeSweep, {
      workflowId: `organization-life-sweep-${later}`,
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      args: [{ year, under: later, page: 1 }],
    });
    // A page of one branch: each full page continues as new, and the run that finds none left answers.
    expect(result).toEqual({ started: 0 });
    for (const code of [laterA, laterB]) {
      await eventually(
        `${code}'s year planned`,
        async () => (await s.sql`select 1 from life_obligations where workflow_id = ${organizationLifeId(code, year)}`).length > 0,
      );
    }
    // A second sweep finds nothing to start.
    const again = await s.client.workflow.execute(organizationLifeSweep, {
      workflowId: `organization-life-sweep-${later}-again`,
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      args: [{ year, under: later }],
    });
    expect(again).toEqual({ started: 0 });
  });
  it("plans next year's meetings to open on their days, tells the secretary of those open, and drops them when the year is cancelled", async () => {
    // This year's periods begun are open, each with its opening notice to the branch's secretary.
    const month = shanghaiDate(Date.now()).slice(0, 7);
    const [notice] = await s.sql<{ kind: string }[]>`
      select n.kind from notifications n join tasks t on t.id = n.task_id join users u on u.id = n.user_id
      where t.workflow_id = ${organizationLifeId(branch, year)} and t.task_key = ${`${month}:theme-day`} and u.username = ${secretary.username}`;
    expect(notice).toEqual({ kind: 'task-opened' });

    // Next year's: the whole year planned, nothing open before 1 January, no task for anyone to see yet.
    const next = year + 1;
    const workflowId = organizationLifeId(quiet, next);
    expect((await call(organizer, 'POST', '/organization-life/years', { under: quiet, year: next })).statusCode).toBe(202);
    const openings = await eventually('the year planned as openings', async () => {
      const rows = await s.sql<
        { task_key: string; opens_at: Date }[]
      >`select task_key, opens_at from task_openings where workflow_id = ${workflowId} order by opens_at, task_key`;
      return rows.length === 32 ? rows : undefined;
    });
    expect(openings[0]).toEqual({ task_key: `${next}-01:branch-committee`, opens_at: new Date(`${next - 1}-12-31T16:00:00.000Z`) });
    expect(openings.at(-1)!.opens_at).toEqual(new Date(`${next}-11-30T16:00:00.000Z`));
    expect(await s.sql`select 1 from tasks where workflow_id = ${workflowId}`).toHaveLength(0);

    // The year cancelled: its meetings never open.
    const cancelled = await call(organizer, 'POST', `/processes/${encodeURIComponent(workflowId)}/cancel`, { reason: '支部撤销' });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(await s.sql`select 1 from task_openings where workflow_id = ${workflowId}`).toHaveLength(0);
    expect(await s.sql`select 1 from tasks where workflow_id = ${workflowId}`).toHaveLength(0);
  });
  it('the worker creates the Schedule: 1 December for the year to come and 1 January for the branches still without one, Shanghai time', async () => {
    await ensureOrganizationLifeSchedule(s.client, s.config.TEMPORAL_TASK_QUEUE);
    try {
      const d = await s.client.schedule.getHandle(ORGANIZATION_LIFE_SCHEDULE_ID).describe();
      expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'organizationLifeSweep' });
      const shanghai = (t: Date) => new Date(t.getTime() + 8 * 3_600_000).toISOString().slice(5, 16);
      expect(new Set(d.info.nextActionTimes.slice(0, 2).map(shanghai))).toEqual(new Set(['12-01T00:10', '01-01T00:10']));
    } finally {
      // The suite's dev server is shared: a whole-tree sweep is not this test's to leave behind.
      await s.client.schedule.getHandle(ORGANIZATION_LIFE_SCHEDULE_ID).delete();
    }
  });
});
