import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, orgRow, uniqueCode } from '../../helpers/context.js';
import { prepareBrowser } from '../../helpers/browser.js';
import { shanghaiDate } from '../../../src/domain/dates.js';
import { startJourney, type Journey, pick } from './journey.js';

// 选派党建联络员 (domain.md §4.4), in Chromium, each step by its own role: the county organization department assigns
// one liaison officer to two firms of a township without a Party organization from the dashboard; the officer (on a
// phone) acknowledges and reports the pre-dispatch training for both. The firm with two full members has its first
// quarterly visit report open, due by the calendar quarter's end (liaison-dispatch.timeskip.test.ts passes the
// quarters on the time-skipping server and walks the visits to the establishment request). The firm that already
// has three full members goes on to establishment: the officer's request, the township's approval, the founding
// meeting with its day; the new branch then shows in the organization tree with a term of its own starting on that
// day and its own term register (the term-election process the dispatch starts for it).
const browser = prepareBrowser();

describe.skipIf('skip' in browser)(`journey: liaison dispatch${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  let j: Journey;
  const chain = countyChain();
  const county = chain.county;
  const [township, small, ready] = [uniqueCode('LT'), uniqueCode('LS'), uniqueCode('LR')];
  const smallName = `宏达科技有限公司${small}`;
  const readyName = `新兴物流有限公司${ready}`;
  const today = shanghaiDate(Date.now());
  const unit = (code: string, name: string, fullMembers: number) =>
    orgRow(code, township, {
      type: 'unit',
      sector: 'nonpublic',
      name,
      term_years: null,
      term_started_on: null,
      secretary_name: '',
      secretary_phone: '',
      full_members: fullMembers,
      probationary_members: 0,
    });

  beforeAll(async () => {
    j = await startJourney('executablePath' in browser ? browser.executablePath : '', 'liaison');
    await addOrganizations(j.s.sql, [
      ...chain.rows.slice(0, 2),
      orgRow(county, chain.rows[1]!.code, { type: 'committee', sector: 'regional', name: `清河县委${county}` }),
      orgRow(township, county, { type: 'committee', sector: 'regional', name: `柳镇党委${township}` }),
      unit(small, smallName, 2),
      unit(ready, readyName, 3),
    ]);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await j.dumpOnFailure(ctx.task.name);
  });
  afterAll(async () => {
    await j?.close();
  });

  it('assigns, acknowledges, trains, schedules visits and establishes a branch that appears in the tree', async () => {
    const countyOrganizer = await j.person('organizer', county);
    const organizer = await j.person('organizer', township);
    const officer = await j.person('liaison_officer', township);
    const op = organizer.page;

    // Assignment: the county organization department picks both units on the dashboard and names the officer.
    await countyOrganizer.page.getByRole('link', { name: '工作看板' }).click();
    const bulk = countyOrganizer.page.getByTestId('bulk-officers');
    await bulk.getByLabel(smallName).check();
    await bulk.getByLabel(readyName).check();
    await pick(bulk, '#officer-username', officer.username, officer.username);
    await j.screen(countyOrganizer, '01-organizer-assigns');
    await bulk.getByRole('button', { name: '为所选单位选派' }).click();
    const result = bulk.getByTestId('officers-result');
    await expect.poll(() => result.textContent(), { timeout: 60_000 }).toMatch(/2/);
    await j.screen(countyOrganizer, '02-organizer-assigned');
    for (const u of [small, ready]) {
      const [row] = await j.s.sql<{ actor: string }[]>`
        select e.actor from task_events e join tasks t on t.id = e.task_id where t.workflow_id = ${`liaison-dispatch:${u}`} and t.step = 'assign-officer' and e.kind = 'completed'`;
      expect(row?.actor).toBe(countyOrganizer.username);
    }

    // The officer acknowledges and reports the training, for each unit, on a phone.
    for (const [i, u] of [small, ready].entries()) {
      const wf = `liaison-dispatch:${u}`;
      let id = await j.openTask(wf, 'acknowledge');
      await j.complete(officer, id, { note: '已到岗，已与企业负责人见面' }, i === 0 ? '03-officer-acknowledges' : undefined);
      id = await j.openTask(wf, 'training');
      await j.complete(officer, id, { note: '已参加县委组织部岗前培训' }, i === 0 ? '04-officer-training' : undefined);
    }

    // The firm with two full members: its first visit report is open, due by the end of a calendar quarter.
    await expect
      .poll(
        async () => (await j.s.sql<{ step: string }[]>`select current_step as step from processes where workflow_id = ${`liaison-dispatch:${small}`}`)[0]?.step,
        { timeout: 60_000 },
      )
      .toBe('visit-report');
    const [visit] = await j.s.sql<
      { d: string }[]
    >`select plan_input->'due'->>'on' as d from tasks where workflow_id = ${`liaison-dispatch:${small}`} and step = 'visit-report'`;
    expect(visit?.d).toMatch(/-(03-31|06-30|09-30|12-31)$/);

    // The firm with three full members: the officer files the establishment request.
    const wf = `liaison-dispatch:${ready}`;
    let id = await j.openTask(wf, 'establishment-request');
    await j.complete(officer, id, { note: '企业现有正式党员 3 名，申请成立党支部' }, '05-officer-establishment-request');

    // The township organizer approves it, reading the request and the member count.
    id = await j.openTask(wf, 'establishment-approval');
    await j.openFromMyTasks(organizer, id, '06-organizer-approval');
    const decides = (await op.getByTestId('decides-on').textContent()) ?? '';
    expect(decides).toContain('申请成立党支部');
    expect(decides).toContain('3');
    await j.fill(organizer, 'liaison-dispatch', 'establishment-approval', { decision: 'agree' });
    await j.screen(organizer, '06-organizer-approves');
    await j.submit(organizer);

    // The founding meeting, recorded by the officer.
    id = await j.openTask(wf, 'founding-meeting');
    await j.complete(officer, id, { meetingDate: today, secretary: '陈静', fullMembers: '3' }, '07-officer-founding-meeting');

    // The new branch in the tree, with its term, and its own term register running.
    await expect
      .poll(async () => (await j.s.sql<{ type: string }[]>`select type from organizations where code = ${ready}`)[0]?.type, { timeout: 60_000 })
      .toBe('branch');
    await expect
      .poll(async () => (await j.s.sql<{ status: string }[]>`select status from processes where workflow_id = ${`term-election:${ready}`}`)[0]?.status, {
        timeout: 60_000,
      })
      .toBe('running');
    await op.getByRole('link', { name: '组织架构' }).click();
    await op.getByRole('link', { name: readyName }).click();
    const details = op.getByTestId('org-details');
    await details.getByText('陈静').waitFor();
    const text = (await details.textContent()) ?? '';
    expect(text).toContain(`${readyName}党支部`); // the firm's Party branch, named as such
    expect(text).toContain('任期');
    const words = (d: string) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
    expect(text).toContain(words(today));
    await j.screen(organizer, '08-organizer-new-branch-in-tree');
    // The other firm is still a unit in the tree.
    expect((await j.s.sql<{ type: string }[]>`select type from organizations where code = ${small}`)[0]?.type).toBe('unit');
  });
});
