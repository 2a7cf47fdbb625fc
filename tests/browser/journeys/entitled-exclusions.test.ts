import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, eventually, orgRow, uniqueCode, importRoster } from '../../helpers/context.js';
import { prepareBrowser } from '../../helpers/browser.js';
import { addMonths, shanghaiDate } from '../../../src/domain/dates.js';
import { withCheckDigit } from '../../../src/domain/members.js';
import { startJourney, type Journey, pick } from './journey.js';

// A members' meeting whose entitled count comes from the member register with two approved exclusions (domain.md
// §4.1 step 6), in Chromium by the role users: the branch secretary, on a phone, picks two full members from the
// branch's register with their reasons; the township organizer approves the list; the secretary records the ballot —
// refused beside the entitled count while it is the register's whole, taken as the register less the two.
const browser = prepareBrowser();
let seq = 100 + Math.floor(Math.random() * 800);
const idNumber = () => withCheckDigit(`420106${1950 + (seq % 25)}0303${String(seq++).padStart(3, '0')}`);

describe.skipIf('skip' in browser)(`journey: entitled count from the register${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  let j: Journey;
  const [county, township, branch] = [uniqueCode('EK'), uniqueCode('ET'), uniqueCode('EB')];
  const wf = `term-election:${branch}`;
  const today = shanghaiDate(Date.now());
  // Names of nobody else in the suite's database: the picker searches the branch's register by name.
  const tag = String(Date.now()).slice(-4);
  const names = ['张三丰', '李秀英', '王建国', '刘海燕', '陈志强', '赵红梅', '孙立平', '周国华'].map((n) => `${n}${tag}`);

  beforeAll(async () => {
    j = await startJourney('executablePath' in browser ? browser.executablePath : '', 'entitled-exclusions');
    await addOrganizations(j.s.sql, [
      orgRow(county, '', { ...committee, name: `清河县委${county}` }),
      orgRow(township, county, { ...committee, name: `柳镇党委${township}` }),
      orgRow(branch, township, { name: `石湾村党支部${branch}`, term_years: 5, term_started_on: addMonths(today, -57) }),
    ]);
    // Eight full members and a probationary one on the branch's register, imported as a member-system export.
    const rows = [
      ...names.map((n) => `${n},男,${idNumber()},2000-07-01,2001-07-01,正式党员,${branch}`),
      `吴小梅${tag},女,${idNumber()},2026-01-01,,预备党员,${branch}`,
    ];
    await importRoster(j.s, rows);
    // The steps before the meeting (walked in Chromium by tests/browser/journeys/term-election.test.ts) through the API.
    const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
      j.s.app.inject({ method, url: `/api/v1${url}`, headers: j.s.admin, ...(payload ? { payload } : {}) });
    expect((await api('POST', '/processes/term-election', { organization: branch })).statusCode).toBe(201);
    for (const [step, outcome] of [
      ['election-request', { seats: 1 }],
      ['election-reply', { decision: 'approve' }],
      ['candidates', { seats: 1, candidates: ['王建国', '刘海燕'] }],
      ['candidates-review', { decision: 'agree' }],
    ] as const) {
      const done = await api('POST', `/tasks/${await j.openTask(wf, step)}/complete`, { outcome });
      expect(done.statusCode, done.body).toBe(200);
    }
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await j.dumpOnFailure(ctx.task.name);
  });
  afterAll(async () => {
    await j?.close();
  });

  it('the secretary names two members from the register, the township approves, and the ballot counts the register less them', async () => {
    const memberId = async (name: string) => String((await j.s.sql<{ id: number }[]>`select id from members where name = ${name}`)[0]!.id);
    const [zhang, li] = [await memberId(names[0]!), await memberId(names[1]!)];

    // The secretary, on a phone, picks two full members from the branch's register, each with the reason.
    const secretary = await j.person('secretary', branch);
    let id = await j.openTask(wf, 'exclusions-proposal');
    await j.openFromMyTasks(secretary, id, '01-secretary-proposal');
    const form = secretary.page.getByTestId('task-form');
    await form.getByRole('button', { name: '添加一名党员' }).click();
    await pick(form, '#f-excluded-0-member', '张三丰', zhang);
    await form.locator('[name="excluded-0-reason"]').selectOption('abroad');
    await form.getByRole('button', { name: '添加一名党员' }).click();
    // By pinyin initials, as the register page finds members: the list offers the branch's full members.
    await form.locator('#f-excluded-1-member').fill('lxy');
    const option = form.locator(`[role="option"][data-value="${li}"]`);
    await option.waitFor();
    await j.screen(secretary, '01-secretary-pick-member');
    await option.click();
    await form.locator('[name="excluded-1-reason"]').selectOption('incapacitated');
    expect(await form.locator('#f-excluded-0-member').inputValue()).toBe(names[0]);
    await j.screen(secretary, '01-secretary-proposal');
    await j.submit(secretary);

    // The township organizer sees the two by name with their reasons, and approves.
    const organizer = await j.person('organizer', township);
    id = await j.openTask(wf, 'exclusions-approval');
    await j.openFromMyTasks(organizer, id, '02-township-approval');
    const decides = (await organizer.page.getByTestId('decides-on').textContent()) ?? '';
    expect(decides).toContain(names[0]);
    expect(decides).toContain('出国出境');
    expect(decides).toContain(names[1]);
    expect(decides).toContain('因病等原因无法表达本人意志');
    await j.fill(organizer, 'term-election', 'exclusions-approval', { decision: 'approve', comments: '同意，柳镇党委〔2026〕9号' });
    await j.screen(organizer, '02-township-approval');
    await j.submit(organizer);

    // The ballot: 8 full members on the register, 2 left out with approval. 7 (one left out, not two) is refused
    // beside the entitled count, with the figures; 6 is taken.
    id = await j.openTask(wf, 'members-meeting');
    await j.openFromMyTasks(secretary, id, '03-secretary-ballot');
    expect(await secretary.page.getByTestId('decides-on').textContent()).toContain(names[1]);
    const ballot = { meetingDate: today, entitled: '7', present: '6', ballotsIssued: '6', ballotsReturned: '6', votes: '王建国 5\n刘海燕 1' };
    await j.fill(secretary, 'term-election', 'members-meeting', ballot);
    await secretary.page.getByTestId('task-form').getByRole('button', { name: '提交' }).click();
    const err = secretary.page.locator('#f-entitled-error');
    await err.waitFor();
    expect(await err.textContent()).toContain('在册正式党员 8 名减去经批准不计入的 2 名，即 6 名');
    await j.screen(secretary, '03-secretary-ballot-refused');
    expect((await j.s.sql`select state from tasks where id = ${id}`)[0]!.state).toBe('open');
    await j.fill(secretary, 'term-election', 'members-meeting', { ...ballot, entitled: '6' });
    await j.screen(secretary, '03-secretary-ballot');
    await j.submit(secretary);

    const counted = await eventually('the ballot counted', async () => {
      const [ev] = await j.s.sql<{ detail: { elected: string[]; exclusions: { name: string }[] } }[]>`
        select detail from process_events where workflow_id = ${wf} and event_key = 'members-meeting-counted'`;
      return ev?.detail;
    });
    expect(counted.elected).toEqual(['王建国']);
    expect(counted.exclusions.map((x) => x.name)).toEqual([names[0], names[1]]);
    await j.s.client.workflow.getHandle(wf).terminate('journey done');
  });
});
