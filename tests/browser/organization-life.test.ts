import { beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, countyChain, eventually, orgRow, uniqueCode, type Stack, importRoster } from '../helpers/context.js';
import { join } from 'node:path';
import { a11yViolations, artifacts, prepareBrowser, signIn, browserStack } from '../helpers/browser.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { organizationLifeId } from '../../workflows/organization-life/workflow.js';

// Organization life 三会一课 in Chromium, each person holding only the role of what they do: the township's organizer
// starts the year (through the API) for its branch of six members; the branch secretary, on a phone, records this
// month's 支委会 from the inbox with one member picked from the register as absent (请假), then this month's 主题党日
// held together with the quarter's 支部党员大会 — one record, and the 支部党员大会 task is done with it — and reads the
// year's records on the branch's page; the county's supervisor opens the completeness page, drills into the township,
// reads the branch's figures for this month and for a month two back (started with the year, so past due and missing)
// with the missing records, and nudges the secretary with one click; the township's organizer spot-checks that month's
// records (抽查) from the same page and records the verdict from its own work. Screenshots in tests/artifacts/.
const browser = prepareBrowser();
const PASSWORD = 'correct horse battery';
const phone = { width: 390, height: 844 };

describe.skipIf('skip' in browser)(`organization life (三会一课) in Chromium${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  const executablePath = 'executablePath' in browser ? browser.executablePath : '';
  let s: Stack;
  const { sessions } = browserStack(executablePath, (started) => (s = started));
  const tag = `${Date.now()}`.slice(-4);
  const chain = countyChain(uniqueCode('LK'));
  const [township, branch] = [uniqueCode('LT'), uniqueCode('LB')];
  const [townshipName, branchName] = [`桃源镇党委${tag}`, `杏花村党支部${tag}`];
  // Names of nobody else in the suite's database: the picker searches the branch's register by name.
  const names = ['周明远', '吴秀兰', '郑国强', '冯丽娟', '陈建华', '褚桂芳'].map((n) => `${n}${tag}`);
  const today = shanghaiDate(Date.now());
  const month = today.slice(0, 7);
  const quarter = `${today.slice(0, 4)}-Q${Math.ceil(Number(today.slice(5, 7)) / 3)}`;
  // Two months back: its records fell due at the latest in the first working days of last month.
  const past = addMonths(today, -2).slice(0, 7);
  const years = [...new Set([Number(past.slice(0, 4)), Number(month.slice(0, 4))])];
  let secretary: { username: string };
  let supervisor: { username: string };
  let organizer: { username: string; authorization: string };

  const taskOf = (period: string, kind: string) =>
    eventually(`the task ${period}:${kind}`, async () => {
      const [t] = await s.sql<{ id: number }[]>`
        select id from tasks where workflow_id = ${organizationLifeId(branch, Number(period.slice(0, 4)))} and task_key = ${`${period}:${kind}`}`;
      return t?.id;
    });
  const stateOf = async (id: number) => (await s.sql<{ state: string }[]>`select state from tasks where id = ${id}`)[0]!.state;

  beforeAll(async () => {
    await addOrganizations(s.sql, [
      ...chain.rows,
      orgRow(township, chain.county, { ...committee, name: townshipName }),
      orgRow(branch, township, { name: branchName }),
    ]);
    // Six members on the branch's register, imported as a member-system export: five full, the third probationary
    // (a meeting's attendance counts them all, so the record may name them absent).
    const seq = 100 + Math.floor(Math.random() * 800);
    const rows = names.map((n, i) => {
      const id = withCheckDigit(`420106${1960 + i}0505${String(seq + i).padStart(3, '0')}`);
      return `${n},${i % 2 ? '女' : '男'},${id},${i === 2 ? `${addMonths(today, -3)},,预备党员` : '2000-07-01,2001-07-01,正式党员'},${branch}`;
    });
    await importRoster(s, rows);
    secretary = await s.userWith([{ role: 'secretary', org: branch }]);
    supervisor = await s.userWith([{ role: 'supervisor', org: chain.county }]);
    // The township's organizer starts the year: every period begun so far opens at once (the month two back, past
    // due, with it).
    organizer = await s.userWith([{ role: 'organizer', org: township }]);
    for (const year of years) {
      const r = await s.app.inject({
        method: 'POST',
        url: '/api/v1/organization-life/years',
        headers: { authorization: organizer.authorization },
        payload: { under: township, year },
      });
      expect(r.statusCode, r.body).toBe(202);
      expect(r.json()).toEqual({ started: 1, running: 0 });
    }
  });

  it('the secretary records two meetings on a phone, and the supervisor reads the completeness and nudges the missing', async () => {
    const committeeTask = await taskOf(month, 'branch-committee');
    const themeTask = await taskOf(month, 'theme-day');
    const membersTask = await taskOf(quarter, 'members-meeting');
    await taskOf(past, 'branch-committee');

    // The secretary, on a phone: this month's 支委会 from the inbox, one member absent on leave.
    const sec = await sessions.open(phone);
    const { page } = sec;
    await signIn(page, secretary.username, PASSWORD);
    const openTask = async (id: number) => {
      await page.goto('/tasks');
      await page.getByRole('heading', { name: '我的待办' }).waitFor();
      await page.locator(`[data-task-id="${id}"]`).getByRole('link').first().click();
      await page.getByTestId('task-form').waitFor();
    };
    await openTask(committeeTask);
    const form = page.getByTestId('task-form');
    await form.locator('#f-meetingOn').fill(today);
    // The kind the task is for comes ticked; the others are the secretary's to add.
    expect(await form.getByRole('checkbox', { name: '支部委员会' }).isChecked()).toBe(true);
    expect(await form.getByRole('checkbox', { name: '主题党日' }).isChecked()).toBe(false);
    await form.locator('#f-topic').fill('研究本月党员发展和主题党日安排');
    await form.getByRole('button', { name: '添加一名党员' }).click();
    // The picker offers the branch's register as one types part of a name, the probationary member too.
    await form.locator('#f-absent-0-member').fill(names[2]!.slice(0, 3));
    const [absentId] = (await s.sql<{ id: string }[]>`select id from members where name = ${names[2]!}`).map((m) => m.id);
    await form.locator(`[role="option"][data-value="${absentId}"]`).click();
    await form.locator('[name="absent-0-reason"]').selectOption({ label: '请假' });
    await form.locator('#f-minutes').fill('书记通报本月工作，支委逐一发言，议定下月主题党日内容。');
    await sec.shot('organization-life-1-committee-record-phone');
    // Nothing on the phone's form is wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    expect(await a11yViolations(page)).toEqual([]);
    await form.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('task-done').waitFor();
    await expect.poll(() => stateOf(committeeTask), { timeout: 30_000 }).toBe('done');

    // This month's 主题党日 held with the quarter's 支部党员大会: both ticked, one record, nobody absent.
    await openTask(themeTask);
    await form.locator('#f-meetingOn').fill(today);
    await form.getByRole('checkbox', { name: '支部党员大会' }).check();
    expect(await form.getByRole('checkbox', { name: '主题党日' }).isChecked()).toBe(true);
    await form.locator('#f-topic').fill('学习贯彻党的二十届四中全会精神');
    await form.locator('#f-minutes').fill('全体党员集中学习，六名党员交流发言。');
    await sec.shot('organization-life-2-theme-day-with-members-meeting-phone');
    await form.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('task-done').waitFor();
    await expect.poll(() => stateOf(themeTask), { timeout: 30_000 }).toBe('done');
    // The quarter's 支部党员大会 is met by the same record: its task closes without being opened.
    await expect.poll(() => stateOf(membersTask), { timeout: 30_000 }).toBe('done');

    // The branch's page: the year's two records, newest first, with attendance against the register.
    await page.goto(`/orgs/${branch}`);
    const meetings = page.getByTestId('org-meetings');
    await expect.poll(async () => meetings.locator('tbody tr').count(), { timeout: 30_000 }).toBe(2);
    const text = (await meetings.textContent()) ?? '';
    expect(text).toContain('支部委员会');
    expect(text).toContain('支部党员大会、主题党日');
    expect(text).toContain('5 / 6');
    expect(text).toContain('6 / 6');
    // On a phone each meeting is a block of its own (the table's columns would not fit), and its words can be read.
    await meetings.screenshot({ path: join(artifacts, 'organization-life-3-branch-meetings-phone.png') });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    expect(await a11yViolations(page)).toEqual([]);
    // A branch's secretary steers nothing: no completeness page in the navigation.
    expect(await page.getByRole('navigation').getByRole('link', { name: '三会一课' }).count()).toBe(0);
    expect(sec.errors).toEqual([]);

    // The county's supervisor: the completeness page from the navigation, drilled into the township.
    const sup = await sessions.open();
    await signIn(sup.page, supervisor.username, PASSWORD);
    await sup.page.getByRole('navigation').getByRole('link', { name: '三会一课' }).click();
    await sup.page.getByRole('heading', { name: '三会一课完成情况' }).waitFor();
    // The last month ended is asked first.
    expect(await sup.page.locator('#olife-period').inputValue()).toBe(addMonths(today, -1).slice(0, 7));
    await sup.page.locator('#olife-period').selectOption(month);
    await sup.page.getByTestId('olife-table').locator(`tr[data-code="${township}"]`).getByRole('link', { name: townshipName }).click();
    const row = sup.page.getByTestId('olife-table').locator(`tr[data-code="${branch}"]`);
    await row.waitFor();
    // The organization read is named in its field by its name, its code what the field sends.
    await sup.page.locator(`#olife-org[data-value="${township}"]`).waitFor();
    expect(await sup.page.locator('#olife-org').inputValue()).toBe(townshipName);
    // This month: the 支委会 and the 主题党日 held, on time.
    expect((await row.locator('td').allTextContents()).slice(0, 5)).toEqual(['1', '2', '0', '0', '0']);
    expect(await sup.page.getByTestId('olife-totals').textContent()).toContain('按时召开 2 项');
    await sup.shot('organization-life-4-completeness-this-month');

    // Two months back: both monthly meetings missing, listed with the branch and their due day; one click nudges.
    await sup.page.locator('#olife-year').selectOption(past.slice(0, 4));
    await sup.page.locator('#olife-period').selectOption(past);
    await expect.poll(async () => (await row.locator('td').allTextContents()).slice(0, 5), { timeout: 30_000 }).toEqual(['1', '0', '0', '2', '0']);
    expect(new URL(sup.page.url()).searchParams.get('org')).toBe(township);
    const missing = sup.page.getByTestId('olife-missing');
    expect(await missing.locator(`tr[data-code="${branch}"]`).count()).toBe(2);
    expect(await missing.locator('tr[data-kind="branch-committee"]').textContent()).toContain(branchName);
    expect(await missing.locator('tr[data-kind="theme-day"]').textContent()).toContain('主题党日');
    expect(await a11yViolations(sup.page)).toEqual([]);
    await sup.page.getByRole('button', { name: '一键催办缺报支部（2 项）' }).click();
    await sup.page.getByText('已催办 2 项任务，通知 1 人。').waitFor();
    await sup.shot('organization-life-5-missing-nudged');
    const [note] = await s.sql<{ n: number }[]>`
      select count(*)::int as n from notifications n join users u on u.id = n.user_id where u.username = ${secretary.username} and n.kind = 'nudge'`;
    expect(note!.n).toBe(1);
    expect(sup.errors).toEqual([]);
  });
  it("the township's organizer spot-checks the branch's records of a month from the completeness page, and records the verdict", async () => {
    const org = await sessions.open();
    const { page } = org;
    await signIn(page, organizer.username, PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: '三会一课' }).click();
    await page.getByRole('heading', { name: '三会一课完成情况' }).waitFor();
    await page.locator('#olife-year').selectOption(past.slice(0, 4));
    await page.locator('#olife-period').selectOption(past);
    const row = page.getByTestId('olife-table').locator(`tr[data-code="${branch}"]`);
    await row.getByRole('button', { name: `抽查${branchName}的会议记录` }).click();
    await row.getByText('已列入本级待办').waitFor();
    const [spot] = await s.sql<{ id: number; organization_id: number }[]>`
      select id, organization_id from tasks where workflow_id = ${organizationLifeId(branch, Number(past.slice(0, 4)))} and step = 'spot-check'`;
    const [town] = await s.sql<{ id: number }[]>`select id from organizations where code = ${township}`;
    expect(Number(spot!.organization_id)).toBe(Number(town!.id));

    // In the organizer's own work: a verdict of problems found says what they were, beside the field.
    await page.goto('/tasks');
    await page.getByRole('heading', { name: '我的待办' }).waitFor();
    const item = page.locator(`[data-task-id="${spot!.id}"]`);
    expect(await item.textContent()).toContain(`抽查会议记录：${branchName}`);
    await item.getByRole('link').first().click();
    const form = page.getByTestId('task-form');
    await form.locator('#f-checkedOn').fill(today);
    await form.locator('#f-verdict').selectOption({ label: '存在问题，需整改' });
    await form.getByRole('button', { name: '提交' }).click();
    await form.getByText('结论为存在问题时，须写明发现的问题').waitFor();
    await form.locator('#f-problemsFound').fill('两项会议均无记录，支部书记称已召开但未留存会议记录');
    // Decided on its own: no earlier meeting's record beside it.
    expect(await page.getByTestId('earlier').count()).toBe(0);
    await org.shot('organization-life-6-spot-check');
    expect(await a11yViolations(page)).toEqual([]);
    await form.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('task-done').waitFor();
    await expect.poll(() => stateOf(spot!.id), { timeout: 30_000 }).toBe('done');
    expect(org.errors).toEqual([]);
  });
});
