import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addOrganizations, orgRow, uniqueCode } from '../../helpers/context.js';
import { prepareBrowser } from '../../helpers/browser.js';
import { addMonths, shanghaiDate } from '../../../src/domain/dates.js';
import { startJourney, type Journey, pick } from './journey.js';

// 换届选举 (domain.md §4.1) from the term register to the approved result and the new term on the register, every
// step in Chromium by a user who holds only that step's role: the county organizer starts it from the register on
// the dashboard, the village secretary (on a phone) files the request, the township (supervisor) returns it, the
// secretary files it again, the township approves; the candidates' margin is refused once on the form; the first
// ballot leaves a seat to a second round (two candidates tied below half); the secretary is elected and the result
// reported; the township approves; the organization page shows the new term.
const browser = prepareBrowser();

/** Fills row `i` of the members left out of the entitled count, adding it first: how many or who, reason, approval. */
async function leaveOut(page: Page, i: number, row: { who: string; reason: string; approval: string }) {
  const group = page.getByTestId('task-form').locator('#f-exclusions');
  if ((await group.locator('.exclusion-row').count()) <= i) await group.getByRole('button', { name: '添加一项' }).click();
  await group.locator(`[name="exclusions-${i}-who"]`).fill(row.who);
  await group.locator(`[name="exclusions-${i}-reason"]`).selectOption(row.reason);
  await group.locator(`[name="exclusions-${i}-approval"]`).fill(row.approval);
}

describe.skipIf('skip' in browser)(`journey: term election${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  let j: Journey;
  const [county, township, village] = [uniqueCode('JK'), uniqueCode('JT'), uniqueCode('JV')];
  const villageName = `青石村党支部${village}`;
  const wf = `term-election:${village}`;
  const today = shanghaiDate(Date.now());

  beforeAll(async () => {
    j = await startJourney('executablePath' in browser ? browser.executablePath : '', 'term-election');
    // A village whose 5-year term ends in 4 months: on the register as ending within 6 months.
    await addOrganizations(j.s.sql, [
      orgRow(county, '', { type: 'committee', sector: 'regional', name: `清河县委${county}` }),
      orgRow(township, county, { type: 'committee', sector: 'regional', name: `柳镇党委${township}` }),
      orgRow(village, township, { name: villageName, term_years: 5, term_started_on: addMonths(today, -56), full_members: 30 }),
    ]);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await j.dumpOnFailure(ctx.task.name);
  });
  afterAll(async () => {
    await j?.close();
  });

  it('runs from the register to the new term, each step by its own role', async () => {
    // The county organizer finds the village on the term register and starts its election.
    const organizer = await j.person('organizer', county);
    const op = organizer.page;
    await op.getByRole('link', { name: '工作看板' }).click();
    await op.getByRole('heading', { name: '工作看板' }).waitFor();
    await op.getByTestId('terms').getByText(villageName).waitFor();
    await j.screen(organizer, '01-organizer-register');
    await pick(op, '#start-org', '青石村', village);
    await op.getByRole('button', { name: '发起', exact: true }).click();
    await op.getByText(`已发起：${wf}`).waitFor();
    await expect.poll(() => op.locator(`[data-process="${wf}"]`).textContent(), { timeout: 60_000 }).toContain('换届请示');
    await j.screen(organizer, '02-organizer-started');

    // The village secretary files the request on a phone.
    const secretary = await j.person('secretary', village);
    const supervisor = await j.person('supervisor', township);
    const electionDate = addMonths(today, 2);
    let id = await j.openTask(wf, 'election-request');
    await j.complete(secretary, id, { electionDate, seats: '5', nominationMethod: 'combined', note: '村“两委”同步换届' }, '03-secretary-request');

    // The township returns it with comments: the request is on the page it replies to.
    id = await j.openTask(wf, 'election-reply');
    await j.openFromMyTasks(supervisor, id, '04-supervisor-reply');
    const decides = supervisor.page.getByTestId('decides-on');
    await decides.getByText('所批复的请示').waitFor();
    expect(await decides.textContent()).toContain('村“两委”同步换届');
    await j.fill(supervisor, 'term-election', 'election-reply', { decision: 'return', comments: '请将委员职数调整为 3 名后重新报送' });
    await j.screen(supervisor, '04-supervisor-return');
    await j.submit(supervisor);

    // The secretary files it again (a second request task), and the township approves it.
    id = await j.openTask(wf, 'election-request-2');
    await j.complete(secretary, id, { electionDate, seats: '3', nominationMethod: 'combined', note: '已按批复调整为 3 名委员' }, '05-secretary-request-again');
    id = await j.openTask(wf, 'election-reply-2');
    await j.openFromMyTasks(supervisor, id);
    expect(await supervisor.page.getByTestId('decides-on').textContent()).toContain('已按批复调整为 3 名委员');
    await j.fill(supervisor, 'term-election', 'election-reply', { decision: 'approve', comments: '同意按期换届' });
    await j.submit(supervisor);

    // Candidates: three for three seats break the ≥20% margin; the form says so beside the field and sends nothing.
    id = await j.openTask(wf, 'candidates');
    await j.openFromMyTasks(secretary, id);
    await j.fill(secretary, 'term-election', 'candidates', { seats: '3', candidates: '王建国\n李秀英\n张志强' });
    await secretary.page.getByTestId('task-form').getByRole('button', { name: '提交' }).click();
    const err = secretary.page.locator('#f-candidates-error');
    await err.waitFor();
    expect(await err.textContent()).toBe('候选人数须比应选人数多 20% 以上：应选 3 名，至少应有 4 名候选人（现有 3 名）');
    await j.screen(secretary, '06-secretary-candidates-margin-refused');
    expect((await j.s.sql`select state from tasks where id = ${id}`)[0]!.state).toBe('open');
    await j.fill(secretary, 'term-election', 'candidates', { seats: '3', candidates: '王建国\n李秀英\n张志强\n刘海燕' });
    await j.submit(secretary);

    // The township reviews the slate: seats and candidates on the page, and agrees.
    id = await j.openTask(wf, 'candidates-review');
    await j.openFromMyTasks(supervisor, id);
    expect(await supervisor.page.getByTestId('decides-on').textContent()).toContain('刘海燕');
    await j.fill(supervisor, 'term-election', 'candidates-review', { decision: 'agree' });
    await j.screen(supervisor, '07-supervisor-candidates-review');
    await j.submit(supervisor);

    // The members' meeting. Two of the 30 full members are abroad: typing 28 entitled without saying who is left out
    // and on whose approval is refused beside the field; with the row filled (2, 出国出境, the township's approval) the
    // ballot is taken. Two are elected, the last seat tied below half, so a second round between the tied two.
    id = await j.openTask(wf, 'members-meeting');
    await j.openFromMyTasks(secretary, id, '08-secretary-ballot-round-1');
    const round1 = {
      meetingDate: today,
      entitled: '28',
      present: '26',
      ballotsIssued: '26',
      ballotsReturned: '26',
      votes: '王建国 22\n李秀英 20\n张志强 12\n刘海燕 12',
    };
    await j.fill(secretary, 'term-election', 'members-meeting', round1);
    await secretary.page.getByTestId('task-form').getByRole('button', { name: '提交' }).click();
    const entitledErr = secretary.page.locator('#f-entitled-error');
    await entitledErr.waitFor();
    expect(await entitledErr.textContent()).toContain('在册正式党员 30 名');
    await j.screen(secretary, '08-secretary-entitled-refused');
    expect((await j.s.sql`select state from tasks where id = ${id}`)[0]!.state).toBe('open');
    await leaveOut(secretary.page, 0, { who: '2', reason: 'abroad', approval: '柳镇党委〔2026〕5号' });
    await j.screen(secretary, '08-secretary-ballot-round-1');
    await j.submit(secretary);
    id = await j.openTask(wf, 'members-meeting-r2');
    await j.openFromMyTasks(secretary, id);
    const round2 = (await secretary.page.getByTestId('decides-on').textContent()) ?? '';
    expect(round2).toContain('张志强');
    expect(round2).toContain('刘海燕');
    expect(round2).toContain('王建国'); // elected in the first round
    await j.fill(secretary, 'term-election', 'members-meeting', {
      meetingDate: today,
      entitled: '28',
      present: '26',
      ballotsIssued: '26',
      ballotsReturned: '26',
      votes: '张志强 18\n刘海燕 8',
    });
    await leaveOut(secretary.page, 0, { who: '2', reason: 'abroad', approval: '柳镇党委〔2026〕5号' });
    await j.screen(secretary, '09-secretary-ballot-round-2');
    await j.submit(secretary);

    // The new committee elects its secretary and reports the result.
    id = await j.openTask(wf, 'secretary-election');
    await j.complete(secretary, id, { secretary: '王建国' }, '10-secretary-elects-secretary');
    id = await j.openTask(wf, 'result-report');
    await j.complete(secretary, id, { note: '新一届支部委员会已选出，王建国当选书记' });

    // The township approves the result, reading the committee and the secretary.
    id = await j.openTask(wf, 'result-approval');
    await j.openFromMyTasks(supervisor, id);
    const result = (await supervisor.page.getByTestId('decides-on').textContent()) ?? '';
    for (const name of ['王建国', '李秀英', '张志强']) expect(result).toContain(name);
    await j.fill(supervisor, 'term-election', 'result-approval', { decision: 'agree' });
    await j.screen(supervisor, '11-supervisor-result-approval');
    await j.submit(supervisor);
    await supervisor.page
      .getByTestId('history')
      .getByText(/审批选举结果|选举结果审批/)
      .first()
      .waitFor();
    await j.screen(supervisor, '12-supervisor-approved-history');

    // The register: the organization page shows the new term starting on the meeting's day, five years long.
    const newEnd = addMonths(today, 60);
    await expect
      .poll(async () => (await j.s.sql<{ d: string }[]>`select term_started_on::text as d from organizations where code = ${village}`)[0]?.d, {
        timeout: 60_000,
      })
      .toBe(today);
    await op.getByRole('link', { name: '组织架构' }).click();
    await op.getByRole('button', { name: `展开 柳镇党委${township}` }).click();
    await op.getByRole('link', { name: villageName }).click();
    const details = op.getByTestId('org-details');
    await details.getByText('王建国').waitFor();
    const text = (await details.textContent()) ?? '';
    const words = (d: string) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
    expect(text).toContain(`${words(today)} – ${words(newEnd)}`);
    await j.screen(organizer, '13-organizer-new-term');
  });
});
