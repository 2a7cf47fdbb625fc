import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, orgRow, uniqueCode } from '../../helpers/context.js';
import { prepareBrowser } from '../../helpers/browser.js';
import { shanghaiDate } from '../../../src/domain/dates.js';
import { startJourney, type Journey, pick } from './journey.js';

// 选派党建联络员, the quarters between training and establishment (domain.md §4.4): a firm with two full members
// waits for its visits. The stack runs on Temporal's time-skipping test server, so each quarter passes at its real
// length (`env.sleep`, three months and a few days) between the steps the officer takes on a phone: the first visit
// finds two full members and the dispatch waits another quarter; the second finds a third (a probationary member
// became full) and the establishment request opens for the officer. The township organizer reads both visit
// reports in the process's history.
const browser = prepareBrowser();
const QUARTER_MS = 93 * 24 * 3600_000; // the longest quarter (92 days) and the 09:00 the visit falls due

describe.skipIf('skip' in browser)(`journey: liaison visits${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  let j: Journey;
  const [county, township, firm] = [uniqueCode('VK'), uniqueCode('VT'), uniqueCode('VF')];
  const firmName = `恒信精密机械有限公司${firm}`;

  beforeAll(async () => {
    j = await startJourney('executablePath' in browser ? browser.executablePath : '', 'liaison-visits', { timeSkipping: true });
    await addOrganizations(j.s.sql, [
      orgRow(county, '', { type: 'committee', sector: 'regional', name: `清河县委${county}` }),
      orgRow(township, county, { type: 'committee', sector: 'regional', name: `柳镇党委${township}` }),
      orgRow(firm, township, {
        type: 'unit',
        sector: 'nonpublic',
        name: firmName,
        term_years: null,
        term_started_on: null,
        secretary_name: '',
        secretary_phone: '',
        full_members: 2,
        probationary_members: 1,
      }),
    ]);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await j.dumpOnFailure(ctx.task.name);
  });
  afterAll(async () => {
    await j?.close();
  });

  it('files a visit report each quarter until the unit has three full members, then the establishment request opens', async () => {
    const env = j.s.env!;
    const organizer = await j.person('organizer', township);
    const officer = await j.person('liaison_officer', township);
    const op = organizer.page;
    const wf = `liaison-dispatch:${firm}`;
    const workflowToday = async () => shanghaiDate(await env.currentTimeMs());

    await op.getByRole('link', { name: '工作看板' }).click();
    const bulk = op.getByTestId('bulk-officers');
    await bulk.getByLabel(firmName).check();
    await pick(bulk, '#officer-username', officer.username, officer.username);
    await bulk.getByRole('button', { name: '为所选单位选派' }).click();
    await expect.poll(() => bulk.getByTestId('officers-result').textContent(), { timeout: 60_000 }).toMatch(/1/);

    let id = await j.openTask(wf, 'acknowledge');
    await j.complete(officer, id, { note: '已到岗' });
    id = await j.openTask(wf, 'training');
    await j.complete(officer, id, { note: '已参加岗前培训' });
    const visiting = async () => (await j.s.sql<{ step: string }[]>`select current_step as step from processes where workflow_id = ${wf}`)[0]?.step;
    await expect.poll(visiting, { timeout: 60_000 }).toMatch(/^visit(ing|-report)$/);

    // The first quarter passes; the visit report falls due and the officer files it: still two full members.
    await env.sleep(QUARTER_MS);
    id = await j.openTask(wf, 'a1:visit-report-1');
    await j.openFromMyTasks(officer, id, '01-officer-first-visit-due');
    const first = (await officer.page.getByTestId('decides-on').textContent()) ?? '';
    expect(first).toContain('1'); // the quarter
    await j.fill(officer, 'liaison-dispatch', 'visit-report', {
      visitedOn: await workflowToday(),
      fullMembers: '2',
      notes: '企业有正式党员 2 名、预备党员 1 名，预备党员明年转正',
    });
    await j.screen(officer, '02-officer-first-visit-filled');
    await j.submit(officer);
    await expect.poll(visiting, { timeout: 60_000 }).toMatch(/^visit(ing|-report)$/);
    expect((await j.s.sql`select 1 from tasks where workflow_id = ${wf} and step = 'establishment-request'`).length).toBe(0);

    // Another quarter: the probationary member has become a full member; the officer reports three.
    await env.sleep(QUARTER_MS);
    id = await j.openTask(wf, 'a1:visit-report-2');
    await j.complete(
      officer,
      id,
      { visitedOn: await workflowToday(), fullMembers: '3', notes: '预备党员已按期转正，现有正式党员 3 名' },
      '03-officer-second-visit',
    );

    // Three full members: the dispatch moves to establishment, and the officer's request waits in "my tasks".
    id = await j.openTask(wf, 'establishment-request');
    await j.openFromMyTasks(officer, id, '04-officer-establishment-request-waits');
    const decides = (await officer.page.getByTestId('decides-on').textContent()) ?? '';
    expect(decides).toContain('3');
    const [dispatch] = await j.s.sql<{ state: string; full_members: number }[]>`
      select d.state, d.full_members from liaison_dispatches d join organizations o on o.id = d.organization_id where o.code = ${firm}`;
    expect(dispatch).toMatchObject({ state: 'establishing', full_members: 3 });

    // The township organizer reads both visits in the process's history, in words.
    await op.goto(`/tasks/${id}`);
    const history = op.getByTestId('history');
    await history.waitFor();
    await expect.poll(async () => (await history.textContent()) ?? '', { timeout: 30_000 }).toContain('走访报告（第2期） · 已办结');
    const lines = (await history.locator('li').allTextContents()).join('\n');
    for (const line of [
      '联络员到岗确认 · 已办结',
      '联络员岗前培训 · 已办结',
      '走访报告（第1期） · 下达任务',
      '走访报告（第1期） · 已办结',
      '走访报告（第2期） · 下达任务',
    ])
      expect(lines).toContain(line);
    expect(lines).toContain(`经办：${officer.username}`);
    await j.screen(organizer, '05-organizer-reads-visits');
  });
});
