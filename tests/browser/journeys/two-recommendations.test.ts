import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, orgRow, uniqueCode } from '../../helpers/context.js';
import { prepareBrowser } from '../../helpers/browser.js';
import { addDays, shanghaiDate } from '../../../src/domain/dates.js';
import { pick, startJourney, type Journey, type Person } from './journey.js';

// 两推一选 (domain.md §4.2), in Chromium, each step by its own role: the township organizer publishes the plan, the
// village secretary (on a phone) records both recommendation rounds, the township fixes the preliminary candidates,
// the secretary records the election and the new secretary (一肩挑), the township supervisor approves; the village's
// page then names its new secretary. Second village: the township finds no suitable candidate and the county
// organizer dispatches a first secretary (第一书记). The township organizer starts each selection: the first from the
// dashboard (发起流程: 两推一选, the village picked by name), the second from the village's organization page.
const browser = prepareBrowser();

describe.skipIf('skip' in browser)(`journey: two recommendations, one election${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  let j: Journey;
  // Province → prefecture → county → township → villages: the first secretary is the county's (the tree's third level).
  const chain = countyChain();
  const county = chain.county;
  const [township, va, vb] = [uniqueCode('TT'), uniqueCode('TA'), uniqueCode('TB')];
  const names = { [va]: `东湾村党支部${va}`, [vb]: `西岭村党支部${vb}` };
  const today = shanghaiDate(Date.now());
  let organizer: Person;

  beforeAll(async () => {
    j = await startJourney('executablePath' in browser ? browser.executablePath : '', 'two-rec');
    await addOrganizations(j.s.sql, [
      ...chain.rows,
      orgRow(township, county, { type: 'committee', sector: 'regional', name: `柳镇党委${township}` }),
      orgRow(va, township, { name: names[va], full_members: 30, probationary_members: 2 }),
      orgRow(vb, township, { name: names[vb], full_members: 30, probationary_members: 2 }),
    ]);
    organizer = await j.person('organizer', township);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await j.dumpOnFailure(ctx.task.name);
  });
  afterAll(async () => {
    await j?.close();
  });

  /** The township organizer starts 两推一选 from the dashboard, picking the village by name. */
  const startFromDashboard = async (village: string) => {
    const op = organizer.page;
    await op.getByRole('link', { name: '工作看板' }).click();
    const start = op.getByTestId('start-process');
    await start.getByLabel('流程', { exact: true }).selectOption({ label: '两推一选' });
    await pick(start, '#start-org', names[village]!.slice(0, 3), village);
    await j.screen(organizer, '00-organizer-starts-selection');
    await start.getByRole('button', { name: '发起', exact: true }).click();
    const wf = `two-recommendations-one-election:${village}`;
    await start.getByText(`已发起：${wf}`).waitFor();
    return wf;
  };

  /** The township organizer starts 两推一选 on the village's organization page, found by name; then it shows as running. */
  const startFromOrgPage = async (village: string) => {
    const op = organizer.page;
    await op.getByRole('link', { name: '组织架构' }).click();
    await op.getByLabel('搜索党组织').fill(names[village]!.slice(0, 3));
    await op.getByRole('button', { name: '搜索', exact: true }).click();
    await op
      .getByRole('search')
      .getByRole('link', { name: new RegExp(names[village]!) })
      .click();
    const processes = op.getByTestId('org-processes');
    await processes.getByRole('button', { name: '发起两推一选' }).click();
    const wf = `two-recommendations-one-election:${village}`;
    await op.locator(`[data-process="${wf}"]`).waitFor();
    await j.screen(organizer, '09-organizer-started-from-org-page');
    await op.goBack();
    await processes.getByText(/两推一选进行中/).waitFor();
    expect(await processes.getByRole('button', { name: '发起两推一选' }).count()).toBe(0);
    return wf;
  };

  /** Plan and both recommendation rounds, as the township organizer and the village secretary. */
  const planAndRecommend = async (wf: string, secretary: Person, shots: boolean) => {
    let id = await j.openTask(wf, 'selection-plan');
    await j.complete(
      organizer,
      id,
      { post: 'secretary', seats: '2', villagerBasis: 'villagers', eligibility: '年龄 45 岁以下，大专以上学历', publishedOn: today },
      shots ? '01-organizer-plan' : undefined,
    );
    id = await j.openTask(wf, 'members-recommendation');
    await j.complete(
      secretary,
      id,
      { entitled: '30', present: '28', votes: '张三 20\n李四 18\n王五 15' },
      shots ? '02-secretary-members-recommendation' : undefined,
    );
    id = await j.openTask(wf, 'villagers-recommendation');
    await j.complete(
      secretary,
      id,
      { entitled: '40', present: '30', votes: '张三 22\n李四 20\n王五 15' },
      shots ? '03-secretary-villagers-recommendation' : undefined,
    );
  };

  it('from the township’s plan to the approved secretary (一肩挑)', async () => {
    const wf = await startFromDashboard(va);
    const secretary = await j.person('secretary', va);
    const supervisor = await j.person('supervisor', township);
    await planAndRecommend(wf, secretary, true);

    // The township fixes the preliminary candidates, reading the weighted ranking of both rounds.
    let id = await j.openTask(wf, 'preliminary-candidates');
    await j.openFromMyTasks(organizer, id);
    const ranking = (await organizer.page.getByTestId('decides-on').textContent()) ?? '';
    for (const n of ['张三', '李四', '王五']) expect(ranking).toContain(n);
    await j.fill(organizer, 'two-recommendations-one-election', 'preliminary-candidates', { decision: 'candidates', candidates: '张三\n李四\n王五' });
    await j.screen(organizer, '04-organizer-preliminary-candidates');
    await j.submit(organizer);

    // The members' meeting elects two, and the committee elects the secretary, who also heads the villagers' committee.
    id = await j.openTask(wf, 'selection-election');
    await j.complete(
      secretary,
      id,
      { entitled: '30', present: '27', ballotsIssued: '27', ballotsReturned: '27', votes: '张三 20\n李四 18\n王五 5' },
      '05-secretary-election',
    );
    id = await j.openTask(wf, 'selection-secretary');
    await j.complete(secretary, id, { secretary: '张三', concurrentHead: 'yes' }, '06-secretary-elects-secretary');

    // The township supervisor approves, reading the committee, the secretary and 一肩挑.
    id = await j.openTask(wf, 'township-approval');
    await j.openFromMyTasks(supervisor, id);
    const decides = (await supervisor.page.getByTestId('decides-on').textContent()) ?? '';
    expect(decides).toContain('张三');
    expect(decides).toContain('李四');
    await j.fill(supervisor, 'two-recommendations-one-election', 'township-approval', { decision: 'approve', comments: '同意，报县委组织部备案' });
    await j.screen(supervisor, '07-supervisor-approval');
    await j.submit(supervisor);
    await expect
      .poll(async () => (await j.s.sql<{ status: string }[]>`select status from processes where workflow_id = ${wf}`)[0]?.status, { timeout: 60_000 })
      .toBe('completed');

    // The village's page names the new secretary.
    const op = organizer.page;
    await op.getByRole('link', { name: '组织架构' }).click();
    await op.getByRole('link', { name: names[va]! }).click();
    await op.getByTestId('org-details').getByText('张三').waitFor();
    await j.screen(organizer, '08-organizer-village-secretary');
  });

  it('no suitable candidate: the county dispatches a first secretary', async () => {
    const wf = await startFromOrgPage(vb);
    const secretary = await j.person('secretary', vb);
    await planAndRecommend(wf, secretary, false);
    const id = await j.openTask(wf, 'preliminary-candidates');
    await j.openFromMyTasks(organizer, id);
    await j.fill(organizer, 'two-recommendations-one-election', 'preliminary-candidates', {
      decision: 'no-suitable-candidate',
      reason: '推荐人选均不符合任职条件',
    });
    await j.screen(organizer, '10-organizer-no-suitable-candidate');
    await j.submit(organizer);

    const countyOrganizer = await j.person('organizer', county);
    const dispatch = await j.openTask(wf, 'first-secretary-dispatch');
    await j.openFromMyTasks(countyOrganizer, dispatch);
    expect(await countyOrganizer.page.getByTestId('decides-on').textContent()).toContain('推荐人选均不符合任职条件');
    await j.fill(countyOrganizer, 'two-recommendations-one-election', 'first-secretary-dispatch', {
      firstSecretary: '刘强',
      fromUnit: '县农业农村局',
      startsOn: addDays(today, 7),
    });
    await j.screen(countyOrganizer, '10-county-organizer-first-secretary');
    await j.submit(countyOrganizer);
    await expect
      .poll(async () => (await j.s.sql<{ status: string; step: string }[]>`select status, current_step as step from processes where workflow_id = ${wf}`)[0], {
        timeout: 60_000,
      })
      .toEqual({
        status: 'completed',
        step: 'first-secretary-dispatched',
      });
    await countyOrganizer.page
      .getByTestId('history')
      .getByText(/第一书记/)
      .first()
      .waitFor();
    await j.screen(countyOrganizer, '11-county-organizer-dispatched');
  });
});
