import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, orgRow, uniqueCode } from '../../helpers/context.js';
import { prepareBrowser } from '../../helpers/browser.js';
import { addDays, addMonths, shanghaiDate } from '../../../src/domain/dates.js';
import { pairingRulesFor } from '../../../src/domain/rules.js';
import { pairingDeliverables } from '../../../src/domain/pairing/rules.js';
import { startJourney, type Journey, pick } from './journey.js';

// 城乡互联、结对共建 (domain.md §4.5), in Chromium, as far as the web UI and real durations allow: the partner unit's
// secretary (on a phone) finds the five deliverables in "my tasks"; delivering one before its milestones are recorded
// is refused on the form, naming them; once every milestone is recorded with its evidence file, the secretary delivers all five;
// the county organizer reads the pairing coverage and the five delivered on the dashboard. The first yearly review
// opens on the pairing's first anniversary (a real 12-month timer, not shortened): the journey checks it is
// scheduled and stops there; the cycle's end (three years) likewise.
// The secretary uploads the evidence files and records the milestones on each deliverable's task page.
// The county organizer starts it on the dashboard.
const browser = prepareBrowser();

describe.skipIf('skip' in browser)(`journey: pairing${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  let j: Journey;
  const chain = countyChain();
  const { county } = chain;
  const [township, village, partner] = [uniqueCode('PT'), uniqueCode('PV'), uniqueCode('PP')];
  const [oldVillage, oldPartner] = [uniqueCode('PV'), uniqueCode('PP')];
  const wf = `pairing:${village}`;
  const today = shanghaiDate(Date.now());
  const rules = pairingRulesFor(today);

  beforeAll(async () => {
    j = await startJourney('executablePath' in browser ? browser.executablePath : '', 'pairing');
    await addOrganizations(j.s.sql, [
      ...chain.rows,
      orgRow(township, county, { type: 'committee', sector: 'regional', name: `柳镇党委${township}` }),
      orgRow(village, township, { name: `青石村党支部${village}` }),
      orgRow(partner, county, { sector: 'government', name: `县农业农村局机关党支部${partner}` }),
    ]);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await j.dumpOnFailure(ctx.task.name);
  });
  afterAll(async () => {
    await j?.close();
  });

  it('five deliverables with milestones and evidence, delivered by the partner’s secretary; the first review scheduled', async () => {
    const organizer = await j.person('organizer', county);
    // The county organizer starts the pairing on the dashboard: the village, then its urban partner, picked by name.
    const op = organizer.page;
    await op.getByRole('link', { name: '工作看板' }).click();
    await op.locator('#start-kind').selectOption('pairing');
    await pick(op, '#start-org', '青石村', village);
    await pick(op, '#start-partner', '农业农村局', partner);
    await j.screen(organizer, '00-organizer-starts-pairing');
    await op.getByRole('button', { name: '发起', exact: true }).click();
    await op.getByText(`已发起：${wf}`).waitFor();
    const tasks: Record<string, number> = {};
    for (const d of pairingDeliverables) tasks[d] = await j.openTask(wf, `c1:deliverable-${d}`);

    // The partner's secretary sees the five deliverables in "my tasks" on a phone.
    const secretary = await j.person('secretary', partner);
    await secretary.page.goto('/tasks');
    for (const d of pairingDeliverables) await secretary.page.locator(`[data-task-id="${tasks[d]}"]`).waitFor();
    await j.openFromMyTasks(secretary, tasks.plan!, '01-partner-secretary');

    // Delivering the plan before its milestones are recorded is refused, on the form.
    await j.fill(secretary, 'pairing', 'pairing-deliverable', { summary: '村情调查报告与三年发展规划' });
    await secretary.page.getByTestId('task-form').getByRole('button', { name: '提交' }).click();
    await secretary.page.getByText('尚有节点未记录，不能办结').first().waitFor();
    await j.screen(secretary, '02-partner-secretary-milestones-missing');
    expect((await j.s.sql`select state from tasks where id = ${tasks.plan!}`)[0]!.state).toBe('open');

    // The refusal names the milestones still missing, in words.
    const msWords: Record<string, string> = { survey: '村情调查', draft: '规划起草', adopted: '规划通过' };
    await secretary.page.getByText(`尚有节点未记录，不能办结：${rules.deliverables.plan.milestones.map((m) => msWords[m]).join('、')}`).waitFor();

    // Milestones and their evidence files, on each deliverable's task page, by the partner's secretary (on a phone):
    // the rule's number of files per deliverable (a file may back each of its milestones), then each milestone in order.
    const summaries: Record<string, string> = {
      leadership: '村“两委”班子配齐配强',
      plan: '村情调查报告与三年发展规划',
      project: '特色种植项目建成投产',
      venue: '党群服务中心改造完成',
      rules: '村务管理制度汇编',
    };
    const page = secretary.page;
    const work = page.getByTestId('pairing-work');
    // A file over the rule set's limit is refused with the limit named, before it is sent.
    await page
      .locator('#pw-file')
      .setInputFiles({ name: 'too-large.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(rules.evidenceMaxBytes + 1, 0x20) });
    await work.getByRole('button', { name: '上传', exact: true }).click();
    await work.getByText(`文件太大：每个文件不超过 ${Math.round((rules.evidenceMaxBytes / 1024 / 1024) * 10) / 10} MB`).waitFor();
    const order = [...pairingDeliverables].sort((a, b) => (a === 'plan' ? -1 : b === 'plan' ? 1 : 0));
    for (const [i, d] of order.entries()) {
      if (d !== 'plan') await page.goto(`/tasks/${tasks[d]}`);
      await work.waitFor();
      for (let k = 0; k < rules.evidencePerMilestone; k++) {
        const bytes = Buffer.from(`%PDF-1.4 ${d} ${k} 佐证材料`);
        await page.getByLabel('选择文件（照片、PDF 等）').setInputFiles({ name: `${d}-${k + 1}.pdf`, mimeType: 'application/pdf', buffer: bytes });
        await work.getByRole('button', { name: '上传', exact: true }).click();
        // The confirmation shows the checksum the server computed: the file's own SHA-256.
        await work.getByTestId('upload-status').getByText(createHash('sha256').update(bytes).digest('hex')).waitFor();
        await work.getByRole('checkbox', { name: new RegExp(`${d}-${k + 1}\\.pdf`) }).waitFor();
      }
      if (i === 0) await j.screen(secretary, '03-partner-secretary-evidence-uploaded');
      for (const m of rules.deliverables[d].milestones) {
        const form = work.getByTestId('milestone-form');
        for (let k = 0; k < rules.evidencePerMilestone; k++) await form.getByRole('checkbox', { name: new RegExp(`${d}-${k + 1}\\.pdf`) }).check();
        await form.getByLabel('说明').fill('已完成，材料见附件');
        await form.getByRole('button', { name: '记录节点' }).click();
        await work.locator(`[data-milestone="${m}"][data-state="recorded"]`).waitFor();
      }
      await work.getByText('全部节点均已记录，可以办结。').waitFor();
      if (i === 0) {
        // The refusal named what was missing; with every milestone recorded it is gone. Nothing overflows the phone.
        expect(await page.getByText('尚有节点未记录').count()).toBe(0);
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
        await j.screen(secretary, '04-partner-secretary-milestones-recorded');
      }
      // Delivered on the same page (the plan's form still holds its summary).
      if (d !== 'plan') await j.fill(secretary, 'pairing', 'pairing-deliverable', { summary: summaries[d]! });
      await j.submit(secretary);
    }
    const [recorded] = await j.s.sql<
      { n: number; by: string }[]
    >`select count(*)::int as n, min(recorded_by) as by from pairing_milestones where workflow_id = ${wf}`;
    expect(recorded).toEqual({ n: pairingDeliverables.reduce((n, d) => n + rules.deliverables[d].milestones.length, 0), by: secretary.username });
    const actors = await j.s.sql<
      { actor: string }[]
    >`select distinct e.actor from task_events e join tasks t on t.id = e.task_id where t.workflow_id = ${wf} and e.kind = 'completed'`;
    expect(actors.map((a) => a.actor)).toEqual([secretary.username]);
    await secretary.page
      .getByTestId('history')
      .getByText(/节点|佐证|证明/)
      .first()
      .waitFor();
    await j.screen(secretary, '05-partner-secretary-history');
    const [delivered] = await j.s.sql<
      { n: number }[]
    >`select count(*)::int as n from tasks where workflow_id = ${wf} and step = 'pairing-deliverable' and state = 'done'`;
    expect(delivered?.n).toBe(5);

    // The county organizer reads the pairing coverage: the village paired, five of five delivered (the dashboard
    // opened again: it was left open since the pairing was started).
    await organizer.page.reload();
    const coverage = organizer.page.getByRole('region', { name: '城乡结对共建覆盖（按县）' });
    await expect.poll(() => coverage.textContent(), { timeout: 30_000 }).toContain('1/1 个村');
    expect(await coverage.textContent()).toContain('100% （5/5 项）');
    await j.screen(organizer, '06-organizer-pairing-coverage');

    // The first yearly review opens on the anniversary (a real timer): scheduled, not yet open.
    const [proc] = await j.s.sql<
      { step: string; d: string }[]
    >`select current_step as step, (next_deadline at time zone 'Asia/Shanghai')::date::text as d from processes where workflow_id = ${wf}`;
    expect(proc).toEqual({ step: 'delivering', d: addMonths(today, 12) });
  });

  it('a pairing begun three years ago: the township reviews each year in the page, the last review ends it, the undelivered are missed', async () => {
    // Registered after the fact, begun a cycle and a week ago: its three anniversaries have all come (real dates).
    const startsOn = addDays(addMonths(today, -36), -7);
    const oldWf = `pairing:${oldVillage}`;
    // Added here, not before the first journey: its coverage counts the county's villages.
    await addOrganizations(j.s.sql, [
      orgRow(oldVillage, township, { name: `白沙村党支部${oldVillage}` }),
      orgRow(oldPartner, county, { sector: 'government', name: `县住建局机关党支部${oldPartner}` }),
    ]);
    const organizer = await j.person('organizer', county);
    const op = organizer.page;
    await op.getByRole('link', { name: '工作看板' }).click();
    await op.locator('#start-kind').selectOption('pairing');
    await pick(op, '#start-org', '白沙村', oldVillage);
    await pick(op, '#start-partner', '住建局', oldPartner);
    // A day to come is refused beside the date.
    await op.locator('#start-starts-on').fill(addDays(today, 1));
    await op.getByRole('button', { name: '发起', exact: true }).click();
    await op.locator('#start-starts-on-error').waitFor();
    expect(await op.locator('#start-starts-on-error').textContent()).toContain('结对开始日期不能晚于今天');
    await op.locator('#start-starts-on').fill(startsOn);
    await j.screen(organizer, '07-organizer-starts-earlier-pairing');
    await op.getByRole('button', { name: '发起', exact: true }).click();
    await op.getByText(`已发起：${oldWf}`).waitFor();

    // The township's supervisor reviews each year; only the last review decides, and it ends the pairing.
    const supervisor = await j.person('supervisor', township);
    for (const year of [1, 2, 3]) {
      const review = await j.openTask(oldWf, `c1:review-y${year}`);
      const last = year === 3;
      if (year === 1) {
        // The review names the urban partner by name, though it is outside the township's subtree.
        await j.openFromMyTasks(supervisor, review);
        expect(await supervisor.page.getByTestId('decides-on').textContent()).toContain(`县住建局机关党支部${oldPartner}（${oldPartner}）`);
      }
      await j.complete(
        supervisor,
        review,
        { rating: last ? 'adequate' : 'good', comments: `第${year}年结对工作考评`, ...(last ? { decision: 'end' } : {}) },
        `${String(7 + year).padStart(2, '0')}-supervisor-review-y${year}`,
      );
    }
    await expect
      .poll(async () => (await j.s.sql<{ status: string }[]>`select status from processes where workflow_id = ${oldWf}`)[0]?.status, { timeout: 60_000 })
      .toBe('completed');
    const deliverables = await j.s.sql<{ state: string }[]>`select state from pairing_deliverables where workflow_id = ${oldWf} order by deliverable`;
    expect(deliverables.map((d) => d.state)).toEqual(pairingDeliverables.map(() => 'missed'));
    // The village's page shows the pairing ended, and its history in words.
    await supervisor.page.goto(`/orgs/${encodeURIComponent(oldVillage)}`);
    await j.screen(supervisor, '11-supervisor-village-after-end');
  });
});
