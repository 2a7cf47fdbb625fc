import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { addOrganizations, countyChain, committee, eventually, orgRow, uniqueCode, importRoster } from '../../helpers/context.js';
import { a11yViolations, openBrowser, prepareBrowser, signIn, type Session } from '../../helpers/browser.js';
import { shanghaiInstant } from '../../../src/domain/dates.js';
import { withCheckDigit } from '../../../src/domain/members.js';
import { organizationLife, organizationLifeId } from '../../../workflows/organization-life/workflow.js';
import { journeyArtifacts, PASSWORD, phone, startJourney, type Journey } from './journey.js';

// A 党小组会 recorded by its group's leader, who holds no role in the branch: their user is only linked to their member,
// so the group's monthly meeting is their task (workflows/organization-life, rule set branch-life-2027). On the
// time-skipping server the branch's 2027 is planned and January's tasks open on the 1st; on the 12th the leader, on a
// phone, opens the task from "my tasks", picks an absent member from the group (the picker lists the group's members
// by name to them: the branch's register is not theirs to read, and a member outside the group is not offered) and
// files the record. Screenshots in tests/artifacts/journeys/.
const browser = prepareBrowser();

describe.skipIf('skip' in browser)(`journey: a group leader records a 党小组会${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  let j: Journey;
  let leader: Session | undefined;
  const chain = countyChain(uniqueCode('GK'));
  const [township, branch] = [uniqueCode('GT'), uniqueCode('GB')];
  const tag = `${Date.now()}`.slice(-4);
  // Names of nobody else in the suite's database: the picker searches by name.
  const names = ['何志远', '林淑珍', '高建国', '罗晓梅'].map((n) => `${n}${tag}`);
  let groupId = 0;
  let leaderUser = { username: '', authorization: '' };

  beforeAll(async () => {
    j = await startJourney('executablePath' in browser ? browser.executablePath : '', 'group-meeting', { timeSkipping: true });
    const { s } = j;
    await addOrganizations(s.sql, [
      ...chain.rows,
      orgRow(township, chain.county, { ...committee, name: `枫桥镇党委${tag}` }),
      orgRow(branch, township, { name: `竹林村党支部${tag}` }),
    ]);
    const seq = 100 + Math.floor(Math.random() * 800);
    const rows = names.map(
      (n, i) =>
        `${n},${i % 2 ? '女' : '男'},${withCheckDigit(`420107${1965 + i}0606${String(seq + i).padStart(3, '0')}`)},2000-07-01,2001-07-01,正式党员,${branch}`,
    );
    await importRoster(s, rows);
    const byName = new Map(
      (await s.sql<{ id: string; name: string }[]>`select id, name from members where name = any(${names})`).map((m) => [m.name, Number(m.id)]),
    );
    expect(byName.size).toBe(4);
    // The first three are the group, the first its leader; the leader signs in, linked to their member, with no role.
    leaderUser = await s.userWith([]);
    await s.sql`update members set user_id = (select id from users where username = ${leaderUser.username}) where id = ${byName.get(names[0]!)!}`;
    const [o] = await s.sql<{ id: string }[]>`select id from organizations where code = ${branch}`;
    const [g] = await s.sql<{ id: string }[]>`
      insert into party_groups (organization_id, name, leader_id, created_on, created_by)
      values (${o!.id}, '第一党小组', ${byName.get(names[0]!)!}, '2020-01-01', 'test') returning id`;
    groupId = Number(g!.id);
    await s.sql`insert into party_group_members ${s.sql(names.slice(0, 3).map((n) => ({ group_id: groupId, member_id: byName.get(n)!, since: '2020-01-01' })))}`;
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await j.dumpOnFailure(ctx.task.name);
  });
  afterAll(async () => {
    await leader?.close();
    await j?.close();
  });

  it('the leader, with only their member link, records the group meeting with an absent member picked from the group', async () => {
    const { s } = j;
    const env = s.env!;
    // The year the rule set asks 党小组会 in: the one after the time-skipping server's today, or 2027 at the earliest.
    const year = Math.max(2027, new Date(await env.currentTimeMs()).getUTCFullYear() + 1);
    const workflowId = organizationLifeId(branch, year);
    await s.client.workflow.start(organizationLife, { workflowId, taskQueue: s.config.TEMPORAL_TASK_QUEUE, args: [{ organization: branch, year }] });
    await eventually('the year planned', async () => (await s.sql`select 1 from life_obligations where workflow_id = ${workflowId} limit 1`).length > 0);
    await env.sleep(shanghaiInstant(`${year}-01-12`, 10).getTime() - (await env.currentTimeMs()));
    const key = `${year}-01:group-meeting:${groupId}`;
    const taskId = await eventually(
      'the group meeting opened by the sweep',
      async () => (await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${workflowId} and task_key = ${key}`)[0]?.id,
      60_000,
    );

    // The register is not the leader's to read: the branch's list is not found for them, the group's gives names only.
    const list = (q: string) =>
      s.app.inject({ method: 'GET', url: `/api/v1/organizations/${branch}/members?${q}`, headers: { authorization: leaderUser.authorization } });
    expect((await list('limit=20')).statusCode).toBe(404);
    const named = await list(`group=${groupId}&limit=20`);
    expect(named.statusCode, named.body).toBe(200);
    const items = named.json().items as { name: string; idNumber: string; phone: string | null; joinedOn: string }[];
    expect(items.map((m) => m.name).sort()).toEqual(names.slice(0, 3).sort());
    expect(items.every((m) => m.idNumber === '' && m.phone === null && m.joinedOn === '')).toBe(true);
    expect((await list(`group=${groupId}&reveal=idNumber`)).statusCode).toBe(403);

    // On a phone: "my tasks", the group's meeting, one member absent (sick), picked from the group.
    leader = await openBrowser('executablePath' in browser ? browser.executablePath : '', j.baseURL, phone);
    const { page } = leader;
    await signIn(page, leaderUser.username, PASSWORD);
    await page.goto('/tasks');
    await page.getByRole('heading', { name: '我的待办' }).waitFor();
    await page.locator(`[data-task-id="${taskId}"]`).getByRole('link').first().click();
    const form = page.getByTestId('task-form');
    await form.waitFor();
    expect(await form.getByRole('checkbox', { name: '党小组会' }).isChecked()).toBe(true);
    await form.locator('#f-meetingOn').fill(`${year}-01-10`);
    await form.locator('#f-topic').fill('学习党章，交流本月工作');
    await form.getByRole('button', { name: '添加一名党员' }).click();
    // A member outside the group is not offered.
    await form.locator('#f-absent-0-member').fill(names[3]!.slice(0, 3));
    await page.waitForTimeout(1_000);
    expect(await form.locator('[role="option"]').count()).toBe(0);
    await form.locator('#f-absent-0-member').fill(names[2]!.slice(0, 3));
    const absentId = (await s.sql<{ id: string }[]>`select id from members where name = ${names[2]!}`)[0]!.id;
    await form.locator(`[role="option"][data-value="${absentId}"]`).click();
    await form.locator('[name="absent-0-reason"]').selectOption({ label: '病假' });
    await form.locator('#f-minutes').fill('组长领学党章，组员逐一交流本月工作。');
    await page.screenshot({ path: join(journeyArtifacts, 'group-meeting-1-leader-record-phone.png'), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    expect(await a11yViolations(page)).toEqual([]);
    await form.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('task-done').waitFor();
    await page.screenshot({ path: join(journeyArtifacts, 'group-meeting-2-leader-done-phone.png'), fullPage: true });

    const m = await eventually('the group meeting kept', async () => {
      const [row] = await s.sql<{ on_register: number; present: number; recorded_by: string; absent: string[] }[]>`
        select m.on_register, m.present, m.recorded_by, array(select a.member_id::text from meeting_absences a where a.meeting_id = m.id) as absent
        from meetings m where m.workflow_id = ${workflowId} and m.task_key = ${key}`;
      return row;
    });
    expect(m).toEqual({ on_register: 3, present: 2, recorded_by: leaderUser.username, absent: [String(absentId)] });
    expect(leader.errors).toEqual([]);
  });
});
