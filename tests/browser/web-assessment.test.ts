import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { addOrganizations, orgRow, uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, signIn } from '../helpers/browser.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { browser, webUi, webUiTitle, PASSWORD, phone } from './web-ui.js';

describe.skipIf('skip' in browser)(webUiTitle('the yearly assessment: ranking, drill-down, downloads'), () => {
  const ui = webUi();
  const { open } = ui;
  let s: Stack;
  beforeAll(() => {
    ({ s } = ui);
  });

  it('an admin runs the yearly assessment from the ranking page, drills down into a county, filters it by sector and downloads CSV; a county supervisor reads its rank', async () => {
    const today = shanghaiDate(Date.now());
    const year = Number(today.slice(0, 4));
    // A province tree of its own: a county is the third level (province → prefecture → county → township → village).
    const [province, prefecture, ca, cb, ta, tb] = [uniqueCode('RP'), uniqueCode('RF'), uniqueCode('RC'), uniqueCode('RC'), uniqueCode('RT'), uniqueCode('RT')];
    const [va1, va2, vb1, vb2, cma] = [uniqueCode('RV'), uniqueCode('RV'), uniqueCode('RV'), uniqueCode('RV'), uniqueCode('RM')];
    const fine = { term_years: 5, term_started_on: addMonths(today, -12) };
    const committee = { type: 'committee' as const, sector: 'regional' as const, ...fine };
    await addOrganizations(s.sql, [
      orgRow(province, '', { ...committee, name: `考评测试省委${province}` }),
      orgRow(prefecture, province, { ...committee, name: `考评测试市委${prefecture}` }),
      orgRow(ca, prefecture, { ...committee, name: `甲县委${ca}` }),
      orgRow(cb, prefecture, { ...committee, name: `乙县委${cb}` }),
      orgRow(ta, ca, { ...committee, name: `甲镇党委${ta}` }),
      orgRow(tb, cb, { ...committee, name: `乙镇党委${tb}` }),
      orgRow(va1, ta, { ...fine, name: `上河村党支部${va1}` }),
      // Its 5-year term began 6 years ago: the county of 甲 loses points on it.
      orgRow(va2, ta, { term_years: 5, term_started_on: addMonths(today, -72), name: `下河村党支部${va2}` }),
      orgRow(vb1, tb, { ...fine, name: `东山村党支部${vb1}` }),
      orgRow(vb2, tb, { ...fine, name: `西山村党支部${vb2}` }),
      // A community whose secretary also heads the residents' committee: counted for 一肩挑 under the 2026 rules.
      orgRow(cma, ta, { ...fine, sector: 'community', name: `河畔社区党支部${cma}` }),
    ]);
    await s.sql`update organizations set concurrent_head = true where code in ${s.sql([va1, vb1, vb2, cma])}`;
    // 上河村's yearly return: six reserve cadres, more than the seed's 3 to 5, which meets the indicator.
    const filed = await s.app.inject({
      method: 'PUT',
      url: `/api/v1/organizations/${va1}/returns/${year}`,
      headers: s.admin,
      payload: { activistsTrained: 3, reserveCadres: 6, funding: 20_000 },
    });
    expect(filed.statusCode, filed.body).toBe(200);
    const get = async (url: string, headers: Record<string, string> = s.admin) => {
      const r = await s.app.inject({ method: 'GET', url, headers });
      return { status: r.statusCode, body: r.body, json: () => r.json() as Record<string, unknown> };
    };
    // A year nothing in the suite scores (tests/integration/assessment.test.ts scores this year and last year in
    // the same database, in whichever order the files run): the page says there is no run.
    const emptyYear = year - 2;
    expect((await get(`/api/v1/assessments/${emptyYear}/counties`)).status).toBe(404);

    const admin = await s.userWith([{ role: 'admin', org: '' }]);
    const b = await open();
    const { page } = b;
    await signIn(page, admin.username, PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: '考评排名' }).click();
    await page.getByRole('heading', { name: '年度检查考评排名' }).waitFor();
    await page.getByLabel('考评年度').selectOption(String(emptyYear));
    await expect.poll(() => page.getByTestId('ranking-empty').textContent()).toBe(`${emptyYear} 年尚未进行考评，暂无排名。`);
    expect(page.url()).toContain(`year=${emptyYear}`);
    await b.shot('ranking-1-no-run');
    expect(await a11yViolations(page)).toEqual([]);

    // This year, run from the page: the status shows while the workflow scores the province, then the table.
    await page.getByLabel('考评年度').selectOption(String(year));
    const before = await get(`/api/v1/assessments/${year}/counties`);
    await page.getByRole('button', { name: `立即考评 ${year} 年` }).click();
    const status = page.getByTestId('run-status');
    await expect.poll(() => status.textContent(), { timeout: 120_000, interval: 200 }).toContain(`${year} 年考评已完成`);
    const api = await get(`/api/v1/assessments/${year}/counties`);
    expect(api.status, api.body).toBe(200);
    const run = api.json().run as { finishedAt: string; assessedOn: string };
    if (before.status === 200) expect(run.finishedAt).not.toBe((before.json().run as { finishedAt: string }).finishedAt);
    expect(run.assessedOn).toBe(today);
    type County = {
      rank: number;
      code: string;
      name: string;
      score: number;
      meanScore: number | null;
      concurrentHeadOrganizations: number;
      concurrentHeadRate: number | null;
      villages: number;
      units: number;
      liaisonCoverage: number | null;
      pairingCoverage: number | null;
      deliveredRate: number | null;
      deliverables: number;
    };
    const counties = api.json().items as County[];
    const [a, c] = [counties.find((x) => x.code === ca)!, counties.find((x) => x.code === cb)!];
    // The county with the expired term scores lower and ranks below the other.
    expect(a.score).toBeLessThan(c.score);
    expect(a.rank).toBeGreaterThan(c.rank);
    // 一肩挑 in 上河村 and 河畔社区, not in 下河村: 2 of 3 villages and communities.
    expect(a).toMatchObject({ concurrentHeadOrganizations: 3, concurrentHeadRate: 66.7 });
    expect(c.concurrentHeadRate).toBe(100);

    const table = page.getByTestId('county-ranking');
    await table.waitFor();
    expect(await table.locator('caption').textContent()).toBe(`${year} 年各县（市、区）考评得分与全省排名`);
    // The rows in rank order, each with the API's figures as text.
    const shownCodes = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-county')));
    expect(shownCodes).toEqual(counties.map((x) => x.code));
    for (const x of [a, c]) {
      const row = table.locator(`tr[data-county="${x.code}"]`);
      expect(await row.getByTestId('rank').textContent()).toBe(String(x.rank));
      expect(await row.getByRole('rowheader').textContent()).toBe(x.name);
      expect(await row.getByTestId('score').textContent()).toBe(String(x.score));
      expect(await row.getByTestId('head').textContent()).toBe(`${x.concurrentHeadRate}% （${x.concurrentHeadOrganizations} 个村和社区）`);
      expect(await row.getByTestId('liaison').textContent()).toContain(x.liaisonCoverage === null ? '不适用' : `${x.liaisonCoverage}%`);
      // Pairing, scored from 2026: no village of these counties is paired, and nothing is due.
      expect(await row.getByTestId('pairing').textContent()).toBe(`0% （${x.villages} 个村）`);
      expect(await row.getByTestId('delivered').textContent()).toBe('不适用 （0 项到期任务）');
    }
    await b.shot('ranking-2-counties');
    expect(await a11yViolations(page)).toEqual([]);

    // Drill down into 甲县: the village whose term ran out, its indicators in words.
    await table.getByRole('link', { name: `甲县委${ca}` }).click();
    await expect.poll(() => page.url()).toContain(`county=${ca}`);
    const drill = page.getByTestId('drill-down');
    await drill.getByRole('heading', { name: `甲县委${ca} 各党组织得分` }).waitFor();
    const orgs = (await get(`/api/v1/assessments/${year}/organizations?under=${ca}`)).json().items as {
      code: string;
      score: number;
      termOnTime: boolean;
      secretaryTrained: boolean | null;
      noOverdueTasks: boolean;
      sectorRank: number | null;
    }[];
    expect(orgs.map((o) => o.code).sort()).toEqual([ca, ta, va1, va2, cma].sort()); // the county committee itself and its subtree
    const late = orgs.find((o) => o.code === va2)!;
    // 2026 rules: 20 of 30 + 20 + 20 + 10 × 3 (it filed no yearly return: zero on the village's three return
    // indicators; its secretary was never enrolled in rotation training: untrained).
    expect(late).toMatchObject({ termOnTime: false, secretaryTrained: false, noOverdueTasks: true, returnFiled: false, score: 20, sectorRank: null });
    const row = drill.locator(`tr[data-org="${va2}"]`);
    await row.waitFor();
    expect(await row.getByRole('rowheader').textContent()).toBe(`下河村党支部${va2}`);
    expect(await row.getByTestId('org-score').textContent()).toBe('20');
    expect(await row.getByTestId('termOnTime').textContent()).toBe('✗ 否');
    expect(await row.getByTestId('secretaryTrained').textContent()).toBe('✗ 否');
    expect(await row.getByTestId('noOverdueTasks').textContent()).toBe('✓ 是');
    expect(await row.getByTestId('sectorRank').textContent()).toBe('计入所在县');
    expect(await drill.locator(`tr[data-org="${va1}"]`).getByTestId('termOnTime').textContent()).toBe('✓ 是');
    // The yearly return's indicators of the 2026 rules, headed with their thresholds: 上河村's six reserve cadres
    // meet "≥3"; 下河村 filed nothing and misses it; a village has no venue floor; the community's 一肩挑 counts.
    const head = drill.locator('thead');
    for (const label of [
      '已报年报',
      '培养入党积极分子≥3名',
      '后备干部人选≥3名',
      '办公（工作）经费达标',
      '党员（学生党员）活动经费达标',
      '活动场所≥300㎡（中心城区≥200㎡）',
      '35岁以下班子成员≥1名',
      '书记“一肩挑”',
    ]) {
      expect(await head.getByRole('columnheader', { name: label, exact: true }).count(), label).toBe(1);
    }
    const va1Row = drill.locator(`tr[data-org="${va1}"]`);
    expect(await va1Row.getByTestId('returnFiled').textContent()).toBe('✓ 是');
    expect(await va1Row.getByTestId('reserveCadres').textContent()).toBe('✓ 是');
    expect(await va1Row.getByTestId('venue').textContent()).toBe('不适用');
    expect(await row.getByTestId('reserveCadres').textContent()).toBe('✗ 否');
    expect(await row.getByTestId('concurrentHead').textContent()).toBe('✗ 否');
    const community = drill.locator(`tr[data-org="${cma}"]`);
    expect(await community.getByTestId('concurrentHead').textContent()).toBe('✓ 是');
    expect(await community.getByTestId('venue').textContent()).toBe('✗ 否'); // no return filed
    expect(await community.getByTestId('reserveCadres').textContent()).toBe('不适用');
    expect(await drill.locator('tbody tr').count()).toBe(orgs.length);
    // Focus moved to the drill-down's heading.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('drill-title');
    await b.shot('ranking-3-drill-down');
    expect(await a11yViolations(page)).toEqual([]);

    // Downloads carry the token (fetch + blob): the drill-down as CSV, the counties as CSV.
    const [file] = await Promise.all([page.waitForEvent('download'), drill.getByRole('button', { name: '下载 CSV' }).click()]);
    expect(file.suggestedFilename()).toBe(`organizations-${year}.csv`);
    const csv = readFileSync((await file.path())!, 'utf8');
    expect(
      csv.startsWith(
        '\uFEFFcode,name,sector,county,score,sectorRank,termOnTime,secretaryTrained,noOverdueTasks,returnFiled,activistsTrained,reserveCadres,fundingFloor,memberFunding,venue,youngCommitteeMember,concurrentHead,redPeriods,recruitmentTargets,recruitmentPlanMet,meetingsMet,meetingsOnTime\n',
      ),
    ).toBe(true);
    const lines = csv.trim().split('\n');
    expect(lines).toHaveLength(1 + orgs.length);
    // 1 met, 0 missed, empty where it does not apply: no sector rank, late, never trained (no cycle: a village
    // secretary owes rotation training), no overdue task, no return and the village's three return indicators missed,
    // the community's not applying, no 一肩挑, no month rated red (no rating kept here), no recruitment target met (no
    // case), no plan, no year of 三会一课 planned. 上河村 meets all but the training: 80.
    expect(lines).toContain(`${va2},下河村党支部${va2},rural,${ca},20,,0,0,1,0,0,0,0,,,,0,0,0,,,`);
    expect(lines).toContain(`${va1},上河村党支部${va1},rural,${ca},80,,1,0,1,1,1,1,1,,,,1,0,0,,,`);
    await drill.getByText(`已下载 organizations-${year}.csv`).waitFor();
    const [countiesFile] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('group', { name: '下载县（市、区）排名' }).getByRole('button', { name: '下载 CSV' }).click(),
    ]);
    expect(countiesFile.suggestedFilename()).toBe(`counties-${year}.csv`);
    const countyCsv = readFileSync((await countiesFile.path())!, 'utf8');
    expect(countyCsv.startsWith('\uFEFF')).toBe(true); // a BOM, for Excel (trim() would drop it)
    const countyLines = countyCsv.slice(1).trim().split('\n');
    expect(countyLines).toHaveLength(1 + counties.length);
    expect(countyLines[0]).toBe(
      'rank,code,name,score,organizations,meanScore,villages,concurrentHeadOrganizations,concurrentHeadRate,units,liaisonCoverage,paired,pairingCoverage,deliverables,deliveredRate',
    );
    expect(countyLines.find((l) => l.includes(`,${ca},`))).toMatch(new RegExp(`^${a.rank},${ca},甲县委${ca},${a.score},`));
    expect(b.errors).toEqual([]);

    // The sector filter narrows the drill-down to the villages (the county's committees drop out); the URL keeps it.
    await drill.getByLabel('领域').focus();
    await drill.getByLabel('领域').selectOption('rural');
    await expect.poll(() => page.url()).toContain('sector=rural');
    const rural = (await get(`/api/v1/assessments/${year}/organizations?under=${ca}&sector=rural`)).json().items as { code: string }[];
    expect(rural.map((o) => o.code).sort()).toEqual([va1, va2].sort());
    const shownOrgs = () => drill.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-org')).sort());
    await expect.poll(shownOrgs).toEqual([va1, va2].sort());
    // Focus stays on the filter, for keyboard users going through the sectors.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('rank-sector');
    await page.reload();
    await drill.locator(`tr[data-org="${va1}"]`).waitFor();
    expect(await drill.getByLabel('领域').inputValue()).toBe('rural');
    expect(await shownOrgs()).toEqual([va1, va2].sort());
    await b.shot('ranking-4-sector-filter');
    expect(await a11yViolations(page)).toEqual([]);
    await drill.getByLabel('领域').selectOption('');
    await expect.poll(shownOrgs).toEqual(orgs.map((o) => o.code).sort());
    expect(page.url()).not.toContain('sector=');

    // A supervisor of 乙县 sees its own county only, with its province-wide rank.
    const supervisor = await s.userWith([{ role: 'supervisor', org: cb }]);
    const sb = await open(phone);
    await signIn(sb.page, supervisor.username, PASSWORD);
    await sb.page.goto(`/ranking?year=${year}`);
    const own = sb.page.getByTestId('county-ranking');
    await own.waitFor();
    expect(await own.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-county')))).toEqual([cb]);
    expect(await own.locator(`tr[data-county="${cb}"]`).getByTestId('rank').textContent()).toBe(String(c.rank));
    expect(await sb.page.getByRole('button', { name: `立即考评 ${year} 年` }).count()).toBe(0);
    await sb.shot('ranking-5-supervisor-phone');
    expect(await a11yViolations(sb.page)).toEqual([]);
    expect(sb.errors).toEqual([]);
  });
});
