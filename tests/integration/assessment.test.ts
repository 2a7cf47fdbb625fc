import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { addOrganizations, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { assessmentRulesFor, countyScore, organizationScore } from '../../src/domain/assessment.js';
import { ASSESSMENT_SCHEDULE_ID, ensureAssessmentSchedule } from '../../src/processes/assessment.js';
import { recordHistory } from '../helpers/histories.js';
import { ratingActivities } from '../../activities/ratings.js';

// Yearly inspection and ranking (domain.md §4.6) against the dev server (Schedules need it; the time-skipping
// server has none) and PostgreSQL: indicators per organization (the yearly return's too), counties rated and
// ranked, drill-down, export, and the yearly return's API.
describe('yearly assessment', () => {
  let s: Stack;
  const today = shanghaiDate(Date.now());
  const year = Number(today.slice(0, 4));
  const c = (p: string) => uniqueCode(p);
  const [province, prefecture, c1, c2, t1, t2] = [c('AP'), c('AF'), c('AC'), c('AC'), c('AT'), c('AT')];
  const [v1, v2, v3, v4, np, u1, u2] = [c('AV'), c('AV'), c('AV'), c('AV'), c('AN'), c('AU'), c('AU')];
  const [cm1, cm2, ub1, ub2] = [c('AM'), c('AM'), c('AB'), c('AB')];
  // A village whose Party organization is a 总支 with two branches: one village, not three.
  const [vg, vgb1, vgb2] = [c('AG'), c('AG'), c('AG')];
  const fine = { term_years: 5, term_started_on: addMonths(today, -12) };
  const idOf = async (code: string) => (await s.sql<{ id: number }[]>`select id from organizations where code = ${code}`)[0]!.id;
  const put = (code: string, body: Record<string, unknown>, headers = s.admin, y = year) =>
    s.app.inject({ method: 'PUT', url: `/api/v1/organizations/${code}/returns/${y}`, headers, payload: body });
  const goodVillage = { activistsTrained: 3, reserveCadres: 3, funding: 20_000 };

  beforeAll(async () => {
    s = await startStack();
    const committee = { type: 'committee' as const, sector: 'regional' as const, ...fine };
    await addOrganizations(s.sql, [
      orgRow(province, '', committee),
      orgRow(prefecture, province, committee),
      orgRow(c1, prefecture, { ...committee, name: `甲县委${c1}` }),
      orgRow(c2, prefecture, { ...committee, name: `乙县委${c2}` }),
      orgRow(t1, c1, committee),
      orgRow(t2, c2, committee),
      // v1: its term ran out last year; its secretary was never enrolled in rotation training (untrained); no return.
      orgRow(v1, t1, { term_years: 5, term_started_on: addMonths(today, -72) }),
      // v2: on time, trained, its secretary also heads the village committee; a full return; paired.
      orgRow(v2, t1, fine),
      // v3: on time, but its cycle ended untrained and a task is overdue; its return trains too few activists.
      orgRow(v3, t1, fine),
      orgRow(v4, t2, fine),
      orgRow(vg, t2, { ...fine, type: 'general_branch', name: `某村党总支${vg}` }),
      orgRow(vgb1, vg, { ...fine, name: `某村第一党支部${vgb1}` }),
      orgRow(vgb2, vg, { ...fine, name: `某村第二党支部${vgb2}` }),
      // Communities of 32 members (30 full, 2 probationary): cm1 meets every floor at its edge, cm2 misses each by a
      // little; cm1's secretary also heads the residents' committee (一肩挑), cm2's does not.
      orgRow(cm1, t1, { ...fine, sector: 'community' }),
      orgRow(cm2, t1, { ...fine, sector: 'community' }),
      // University student branches, ranked in their sector.
      orgRow(ub1, t1, { ...fine, sector: 'university', term_years: 3 }),
      orgRow(ub2, t1, { ...fine, sector: 'university', term_years: 3 }),
      orgRow(np, t1, { ...fine, sector: 'nonpublic', name: `某科技公司党支部${np}` }),
      orgRow(u1, t1, { type: 'unit', sector: 'nonpublic', term_years: null, term_started_on: null }),
      orgRow(u2, t1, { type: 'unit', sector: 'nonpublic', term_years: null, term_started_on: null }),
    ]);
    await s.sql`update organizations set concurrent_head = true where code in ${s.sql([v2, v4, cm1, vg])}`;
    // Trained secretaries (v2, v4, the communities, the university branches, the 总支's): their scores turn on the rest.
    for (const code of [v4, cm1, cm2, ub1, ub2, vg]) {
      await s.sql`
        insert into training_cycles (workflow_id, cycle, organization_id, starts_on, ends_on, state, trained_on, updated_at)
        values (${`rt:${code}`}, 1, ${await idOf(code)}, ${addMonths(today, -24)}, ${addMonths(today, 12)}, 'completed', ${addMonths(today, -6)}, now())`;
    }
    await s.sql`
      insert into training_cycles (workflow_id, cycle, organization_id, starts_on, ends_on, state, trained_on, updated_at) values
        (${`rt:${v2}`}, 1, ${await idOf(v2)}, ${addMonths(today, -24)}, ${addMonths(today, 12)}, 'completed', ${addMonths(today, -6)}, now()),
        (${`rt:${v3}`}, 1, ${await idOf(v3)}, ${addMonths(today, -36)}, ${addMonths(today, -1)}, 'open', null, now())`;
    await s.sql`
      insert into tasks (workflow_id, task_key, process, step, organization_id, assignee_role, state, opened_at, due_at)
      values (${`te:${v3}`}, 'election-request', 'term-election', 'election-request', ${await idOf(v3)}, 'secretary', 'open', now() - interval '40 days', now() - interval '10 days')`;
    await s.sql`
      insert into liaison_dispatches (workflow_id, organization_id, officer, state, full_members, acknowledged_at, updated_at)
      values (${`ld:${u1}`}, ${await idOf(u1)}, 'officer-1', 'acknowledged', 1, now(), now())`;
    // v2 is paired (active since six months): of its deliverables, three are due or delivered (two delivered, one
    // missed); one is not due yet and one cancelled, and neither counts. v3's pairing was cancelled: not paired.
    await s.sql`
      insert into pairings (workflow_id, cycle, organization_id, partner_id, starts_on, ends_on, state, rule_set, updated_at) values
        (${`pr:${v2}`}, 1, ${await idOf(v2)}, ${await idOf(np)}, ${addMonths(today, -6)}, ${addMonths(today, 30)}, 'active', 'test', now()),
        (${`pr:${v3}`}, 1, ${await idOf(v3)}, ${await idOf(np)}, ${addMonths(today, -6)}, ${addMonths(today, 30)}, 'cancelled', 'test', now())`;
    await s.sql`
      insert into pairing_deliverables (workflow_id, cycle, deliverable, due_on, state, delivered_on, updated_at) values
        (${`pr:${v2}`}, 1, 'leadership', ${addMonths(today, -3)}, 'delivered', ${addMonths(today, -4)}, now()),
        (${`pr:${v2}`}, 1, 'plan', ${addMonths(today, -1)}, 'missed', null, now()),
        (${`pr:${v2}`}, 1, 'project', ${addMonths(today, 6)}, 'delivered', ${addMonths(today, -1)}, now()),
        (${`pr:${v2}`}, 1, 'venue', ${addMonths(today, 12)}, 'open', null, now()),
        (${`pr:${v2}`}, 1, 'rules', ${addMonths(today, -2)}, 'cancelled', null, now()),
        (${`pr:${v3}`}, 1, 'plan', ${addMonths(today, -2)}, 'delivered', ${addMonths(today, -2)}, now())`;
    // This year's returns, filed through the API.
    const filed = [
      await put(v2, goodVillage),
      await put(v3, { activistsTrained: 2, reserveCadres: 6, funding: 20_000 }),
      await put(v4, goodVillage),
      await put(vg, goodVillage),
      await put(cm1, { households: 2_999, funding: 50_000, memberFunding: 1_600, venueSqm: 200, centralDistrict: true, committeeMembersUnder35: 1 }),
      await put(cm2, { households: 2_001, funding: 49_999, memberFunding: 1_599, venueSqm: 299.5, centralDistrict: false, committeeMembersUnder35: 0 }),
      await put(ub1, { studentMembers: 10, memberFunding: 1_000 }),
      await put(ub2, { studentMembers: 10, memberFunding: 999 }),
    ];
    for (const r of filed) expect(r.statusCode, r.body).toBe(200);
    // The ratings (三色管理) as the Schedule's recompute leaves them this month: the assessment reads their history.
    await ratingActivities(s.sql).recomputeRatings({ at: new Date().toISOString(), under: province });
  });
  afterAll(async () => {
    await s?.client.schedule
      .getHandle(ASSESSMENT_SCHEDULE_ID)
      .delete()
      .catch(() => {});
    await s?.close();
  });

  const get = (url: string, headers = s.admin) => s.app.inject({ method: 'GET', url, headers });
  const finishedBy = (workflowPrefix: string, y = year) =>
    eventually(
      `the assessment of ${y} by ${workflowPrefix}`,
      async () => {
        const [r] = await s.sql<{ workflow_id: string }[]>`select workflow_id from assessment_runs where year = ${y}`;
        return r?.workflow_id.startsWith(workflowPrefix) ? r : undefined;
      },
      60_000,
    );
  const organizationsUnder = async (y: number, under: string) => {
    const orgs = await get(`/api/v1/assessments/${y}/organizations?under=${under}&limit=1000`);
    expect(orgs.statusCode, orgs.body).toBe(200);
    return Object.fromEntries((orgs.json().items as { code: string }[]).map((o) => [o.code, o])) as Record<string, Record<string, unknown>>;
  };

  it('scores every organization on its indicators and ranks the counties, when an admin runs the year', async () => {
    const started = await s.app.inject({ method: 'POST', url: `/api/v1/assessments/${year}/run`, headers: s.admin });
    expect(started.statusCode, started.body).toBe(202);
    await finishedBy(`yearly-assessment:${year}`);
    const id = started.json().id as string;
    expect(await s.client.workflow.getHandle(id).result()).toMatchObject({ year, assessedOn: today, ruleSet: 'provincial-plan-2026' });
    await recordHistory('yearly-assessment', id, await s.client.workflow.getHandle(id).fetchHistory());

    const by = await organizationsUnder(year, t1);
    const rules = assessmentRulesFor(today);
    const none = {
      returnFiled: null,
      activistsTrained: null,
      reserveCadres: null,
      fundingFloor: null,
      memberFunding: null,
      venue: null,
      youngCommitteeMember: null,
      concurrentHead: null,
    };
    // Weights 30 / 20 / 20 and 10 for each indicator of the return; an indicator that does not apply drops out.
    // v1 filed no return: zero for its three village indicators; never enrolled in rotation training, it is untrained:
    // 20 of 30 + 20 + 20 + 10 + 10 + 10.
    // 一肩挑 is shown for villages and communities, and weighs nothing in their own scores (v1 misses it and scores
    // the same as it would with it; the county's rate carries it).
    expect(by[v1]).toMatchObject({
      termOnTime: false,
      secretaryTrained: false,
      noOverdueTasks: true,
      returnFiled: false,
      activistsTrained: false,
      reserveCadres: false,
      fundingFloor: false,
      memberFunding: null,
      venue: null,
      concurrentHead: false,
      score: 20,
      county: c1,
    });
    expect(by[v2]).toMatchObject({
      termOnTime: true,
      secretaryTrained: true,
      noOverdueTasks: true,
      returnFiled: true,
      activistsTrained: true,
      reserveCadres: true,
      fundingFloor: true,
      concurrentHead: true,
      score: 100,
    });
    // v3: 2 activists (fewer than 3) miss; 6 reserve cadres (more than the seed's 3 to 5) meet the floor of 3, and
    // its 20,000 yuan the funding floor: 30 + 10 + 10.
    expect(by[v3]).toMatchObject({
      termOnTime: true,
      secretaryTrained: false,
      noOverdueTasks: false,
      activistsTrained: false,
      reserveCadres: true,
      fundingFloor: true,
      concurrentHead: false,
      score: 50,
    });
    // cm1 at every floor's edge: 2,999 households need 50,000 yuan (3,000 would need 60,000), 32 members 1,600 yuan, a central district 200 m².
    expect(by[cm1]).toMatchObject({
      activistsTrained: null,
      reserveCadres: null,
      fundingFloor: true,
      memberFunding: true,
      venue: true,
      youngCommitteeMember: true,
      concurrentHead: true,
      score: 100,
    });
    // cm2 just under each (trained, on time, nothing overdue: 30 + 20 + 20 of 110): 2,001 households need 50,000 yuan (2,000 would need 40,000); 299.5 m² outside a central district; nobody under 35.
    expect(by[cm2]).toMatchObject({ fundingFloor: false, memberFunding: false, venue: false, youngCommitteeMember: false, concurrentHead: false, score: 63.6 });
    // 100 yuan per student member.
    expect(by[ub1]).toMatchObject({ sector: 'university', memberFunding: true, fundingFloor: null, concurrentHead: null, score: 100 });
    expect(by[ub2]).toMatchObject({ memberFunding: false, score: 87.5 });
    expect(by[ub1]!.sectorRank).toBeLessThan(by[ub2]!.sectorRank as number);
    expect(by[t1]).toMatchObject({ score: 100, sectorRank: null, ...none });
    expect(by[np]).toMatchObject({ sector: 'nonpublic', score: 100, ...none });
    expect(by[np]!.sectorRank).toBeGreaterThanOrEqual(1);
    expect(by[u1]).toBeUndefined(); // a unit has no Party organization to score
    // The ratings' history beside the indicators: v1 (term over) ended this month red, v2 did not; not weighed.
    expect(by[v1]).toMatchObject({ redPeriods: 1 });
    expect(by[v2]).toMatchObject({ redPeriods: 0 });
    // The SQL and the rules in src/domain/assessment.ts agree, organization by organization.
    for (const code of [v1, v2, v3, cm1, cm2, ub1, ub2, t1, np]) {
      const o = by[code] as Parameters<typeof organizationScore>[1] & { score: number };
      expect(o.score, code).toBe(organizationScore(rules, o));
    }

    const counties = await get(`/api/v1/assessments/${year}/counties`);
    expect(counties.statusCode, counties.body).toBe(200);
    const items = counties.json().items as { code: string; rank: number; score: number; [k: string]: unknown }[];
    const one = items.find((x) => x.code === c1)!;
    const two = items.find((x) => x.code === c2)!;
    // c1: mean of t1, v1, v2, v3, cm1, cm2 (the university and non-public branches rank in their sectors); 一肩挑 in
    // 2 of its 3 villages and 2 communities (v2, cm1); 1 of 2 units covered; 1 of 3 villages paired (pairing is
    // the villages' alone) with 2 of its 3 deliverables due delivered.
    const mean = (100 + 20 + 100 + 50 + 100 + 63.6) / 6; // of the scores as stored, to one decimal
    expect(one).toMatchObject({
      organizations: 6,
      villages: 3,
      concurrentHeadOrganizations: 5,
      concurrentHeadRate: 40,
      units: 2,
      liaisonCoverage: 50,
      meanScore: 72.3,
      paired: 1,
      pairingCoverage: 33.3,
      deliverables: 3,
      deliveredRate: 66.7,
    });
    // 72.27 × 0.6 + 10 × 0.4 / 0.8 + 10 × 0.5 + 10 × 1/3 + 10 × 2/3
    expect(one.score).toBe(63.4);
    expect(one.score).toBe(
      countyScore(rules, { meanScore: mean, concurrentHeadRate: 2 / 5, liaisonCoverage: 0.5, pairingCoverage: 1 / 3, deliveredRate: 2 / 3 }),
    );
    // c2: its two villages (v4, and vg: a 总支 whose two branches are part of it, not villages of their own) are
    // perfect and not paired: 60 + 10 + 10 (no units) + 0 + 10 (nothing due).
    expect(two).toMatchObject({
      organizations: 5,
      villages: 2,
      concurrentHeadOrganizations: 2,
      concurrentHeadRate: 100,
      units: 0,
      liaisonCoverage: null,
      meanScore: 100,
      paired: 0,
      pairingCoverage: 0,
      deliverables: 0,
      deliveredRate: null,
      score: 90,
    });
    const inT2 = await organizationsUnder(year, t2);
    // The branches under the 总支: no yearly return, no 一肩挑 of their own, no rotation training owed.
    for (const b of [vgb1, vgb2])
      expect(inT2[b], b).toMatchObject({ returnFiled: null, fundingFloor: null, concurrentHead: null, secretaryTrained: null, score: 100 });
    expect(inT2[vg]).toMatchObject({ returnFiled: true, concurrentHead: true, secretaryTrained: true, score: 100 });
    // The pairing coverage counts villages the same way.
    const coverage = await get(`/api/v1/pairing/coverage?org=${c2}`);
    expect(coverage.statusCode, coverage.body).toBe(200);
    expect(coverage.json().items).toEqual([expect.objectContaining({ county: c2, villages: 2, paired: 0 })]);
    expect(two.score).toBe(countyScore(rules, { meanScore: 100, concurrentHeadRate: 1, liaisonCoverage: null, pairingCoverage: 0, deliveredRate: null }));
    expect(one.score).toBeLessThan(two.score);
    expect(one.rank).toBeGreaterThan(two.rank);
    // Ranks follow the scores across the province; ties share a rank.
    for (let i = 1; i < items.length; i++) {
      expect(items[i]!.score).toBeLessThanOrEqual(items[i - 1]!.score);
      expect(items[i]!.rank).toBe(items[i]!.score === items[i - 1]!.score ? items[i - 1]!.rank : i + 1);
    }
  });

  it("scores a past year under the 2021 rules, as it was scored then: the return's indicators not assessed", async () => {
    const past = year - 1;
    const started = await s.app.inject({ method: 'POST', url: `/api/v1/assessments/${past}/run`, headers: s.admin });
    expect(started.statusCode, started.body).toBe(202);
    await finishedBy(`yearly-assessment:${past}`, past);
    expect(await s.client.workflow.getHandle(started.json().id).result()).toMatchObject({ year: past, ruleSet: 'provincial-plan-2021' });
    const by = await organizationsUnder(past, t1);
    // Weights 40 / 30 / 30: v1's term had run out by 31 December; v3's cycle was still running and nothing overdue.
    expect(by[v1]).toMatchObject({
      termOnTime: false,
      secretaryTrained: false,
      noOverdueTasks: true,
      score: 30,
      returnFiled: null,
      activistsTrained: null,
      fundingFloor: null,
    });
    expect(by[v3]).toMatchObject({ secretaryTrained: true, noOverdueTasks: true, score: 100, activistsTrained: null });
    expect(by[cm2]).toMatchObject({ score: 100, venue: null, memberFunding: null });
    // 2021 counted 一肩挑 among villages only: a community's secretary is not counted, for the county nor on its row.
    expect(by[v2]).toMatchObject({ concurrentHead: true });
    expect(by[cm1]).toMatchObject({ concurrentHead: null });
    const counties = await get(`/api/v1/assessments/${past}/counties`);
    const items = counties.json().items as { code: string; score: number }[];
    expect(items.find((x) => x.code === c1)).toMatchObject({ villages: 3, concurrentHeadOrganizations: 3, concurrentHeadRate: 33.3 });
    const two = items.find((x) => x.code === c2)!;
    // 2021: 70 + 15 + 15, pairing earns nothing.
    expect(two).toMatchObject({ score: 100, meanScore: 100 });
  });

  it('shows an organizer the counties of its subtree only, with their province-wide rank; refuses it a run', async () => {
    const organizer = await s.userWith([{ role: 'organizer', org: c1 }]);
    const r = await get(`/api/v1/assessments/${year}/counties`, organizer);
    expect(r.statusCode).toBe(200);
    expect((r.json().items as { code: string }[]).map((x) => x.code)).toEqual([c1]);
    expect((await get(`/api/v1/assessments/${year}/organizations?under=${t2}`, organizer)).statusCode).toBe(404);
    expect((await s.app.inject({ method: 'POST', url: `/api/v1/assessments/${year}/run`, headers: organizer })).statusCode).toBe(403);
    expect((await get(`/api/v1/assessments/1999/counties`)).statusCode).toBe(400);
    const none = await get(`/api/v1/assessments/2001/counties`);
    expect(none.statusCode).toBe(404);
  });

  it('exports the drill-down as CSV (with a BOM for Excel) and XLSX, with the new indicators and rates', async () => {
    const csv = await get(`/api/v1/assessments/${year}/organizations?under=${t1}&format=csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.startsWith('\uFEFFcode,name,sector,county,score')).toBe(true);
    expect(
      csv.body
        .split('\n')[0]!
        .trim()
        .endsWith(
          'noOverdueTasks,returnFiled,activistsTrained,reserveCadres,fundingFloor,memberFunding,venue,youngCommitteeMember,concurrentHead,redPeriods,recruitmentTargets,recruitmentPlanMet,meetingsMet,meetingsOnTime',
        ),
    ).toBe(true);
    // An indicator missed is 0, one that does not apply is empty: v1 is late (0), was never trained (0), no
    // overdue task (1), filed no return (0, and 0 on the village's three), no community floors (empty), no 一肩挑 (0),
    // red this month (1 red period: the ratings' history), no recruitment target met (0: no case), no plan (empty); the
    // community has no village's recruitment targets (empty); no year of 三会一课 planned (empty).
    const lines = csv.body.trim().split('\n');
    expect(lines).toContain(`${v1},测试党组织${v1},rural,${c1},20,,0,0,1,0,0,0,0,,,,0,1,0,,,`);
    expect(lines).toContain(`${cm2},测试党组织${cm2},community,${c1},63.6,,1,1,1,1,,,0,0,0,0,0,0,,,,`);

    const xlsx = await get(`/api/v1/assessments/${year}/counties?format=xlsx`);
    expect(xlsx.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as never);
    const sheet = book.worksheets[0]!;
    const header = sheet.getRow(1).values as unknown[];
    for (const column of ['rank', 'concurrentHeadOrganizations', 'concurrentHeadRate', 'paired', 'pairingCoverage', 'deliverables', 'deliveredRate'])
      expect(header).toContain(column);
    const rows: Record<string, unknown>[] = [];
    // exceljs rows are 1-based: values[0] is always empty.
    sheet.eachRow((row, n) => n > 1 && rows.push(Object.fromEntries(header.flatMap((h, i) => (i > 0 ? [[h, row.getCell(i).value]] : [])))));
    expect(rows.map((r) => r.code)).toEqual(expect.arrayContaining([c1, c2]));
    expect(rows.find((r) => r.code === c1)).toMatchObject({
      score: 63.4,
      concurrentHeadOrganizations: 5,
      concurrentHeadRate: 40,
      pairingCoverage: 33.3,
      deliveredRate: 66.7,
    });
    // The drill-down's workbook carries the yearly return's indicators and 一肩挑, as booleans (empty: not applicable).
    const orgsXlsx = await get(`/api/v1/assessments/${year}/organizations?under=${t1}&format=xlsx`);
    const orgBook = new ExcelJS.Workbook();
    await orgBook.xlsx.load(orgsXlsx.rawPayload as never);
    const orgSheet = orgBook.worksheets[0]!;
    const orgHeader = orgSheet.getRow(1).values as unknown[];
    for (const column of [
      'returnFiled',
      'activistsTrained',
      'reserveCadres',
      'fundingFloor',
      'memberFunding',
      'venue',
      'youngCommitteeMember',
      'concurrentHead',
    ])
      expect(orgHeader).toContain(column);
    const cellOf = (code: string, column: string) => {
      let value: unknown;
      orgSheet.eachRow((row) => {
        if (row.getCell(1).value === code) value = row.getCell(orgHeader.indexOf(column)).value;
      });
      return value;
    };
    expect(cellOf(v3, 'reserveCadres')).toBe(true);
    expect(cellOf(v3, 'activistsTrained')).toBe(false);
    expect(cellOf(v3, 'venue')).toBeNull();
    expect(cellOf(cm1, 'concurrentHead')).toBe(true);
  });

  it('files a return as the secretary of the organization, and reads it back with who filed it and when', async () => {
    const secretary = await s.userWith([{ role: 'secretary', org: v1 }]);
    const r = await put(v1, goodVillage, secretary);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ organization: v1, year, ...goodVillage, households: null, venueSqm: null, updatedBy: secretary.username });
    expect(Date.now() - Date.parse(r.json().updatedAt)).toBeLessThan(60_000);
    // A committee above corrects it; the row says who did last.
    const organizer = await s.userWith([{ role: 'organizer', org: c1 }]);
    expect((await put(v1, { ...goodVillage, reserveCadres: 4 }, organizer)).statusCode).toBe(200);
    const read = await get(`/api/v1/organizations/${v1}/returns/${year}`, secretary);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toMatchObject({ reserveCadres: 4, updatedBy: organizer.username });
    expect((await get(`/api/v1/organizations/${v1}/returns/${year - 1}`)).statusCode).toBe(404); // none filed
  });

  it('refuses a bad return with 400 naming each field', async () => {
    const fields = (r: { json(): { error: { details: { field: string }[] } } }) =>
      r
        .json()
        .error.details.map((d) => d.field)
        .sort();
    const typed = await put(v1, { activistsTrained: -1, reserveCadres: 'three', funding: 20_000 });
    expect(typed.statusCode).toBe(400);
    expect(fields(typed)).toEqual(['body.activistsTrained', 'body.reserveCadres']);
    // The figures of its kind are required, the others refused.
    const kind = await put(v1, { funding: 20_000, venueSqm: 300 });
    expect(kind.statusCode).toBe(400);
    expect(fields(kind)).toEqual(['body.activistsTrained', 'body.reserveCadres', 'body.venueSqm']);
    const community = await put(cm1, { funding: 50_000, households: 3_000, memberFunding: 1_600, venueSqm: 300, committeeMembersUnder35: 1 });
    expect(fields(community)).toEqual(['body.centralDistrict']);
    expect(fields(await put(t1, goodVillage))).toEqual(['params.code']); // a township committee files none
    expect(fields(await put(vgb1, goodVillage))).toEqual(['params.code']); // nor a branch under a village's 总支: the 总支 files
    expect(fields(await put(v1, goodVillage, s.admin, year + 1))).toEqual(['params.year']);
    // Nothing of it was stored.
    expect((await get(`/api/v1/organizations/${v1}/returns/${year}`)).json()).toMatchObject({ reserveCadres: 4 });
  });

  it('refuses a return outside the caller’s subtree (404) and to a role that does not file returns (403)', async () => {
    const otherSecretary = await s.userWith([{ role: 'secretary', org: v2 }]);
    expect((await put(v1, goodVillage, otherSecretary)).statusCode).toBe(404);
    expect((await get(`/api/v1/organizations/${v1}/returns/${year}`, otherSecretary)).statusCode).toBe(404);
    const otherCounty = await s.userWith([{ role: 'organizer', org: c2 }]);
    expect((await put(v1, goodVillage, otherCounty)).statusCode).toBe(404);
    const liaison = await s.userWith([{ role: 'liaison_officer', org: t1 }]);
    const refused = await put(v1, goodVillage, liaison);
    expect(refused.statusCode).toBe(403);
    expect((await get(`/api/v1/organizations/${v1}/returns/${year}`, liaison)).statusCode).toBe(200); // may read
  });

  it("files a county's returns from one CSV, all or nothing, with errors by row and column", async () => {
    const organizer = await s.userWith([{ role: 'organizer', org: c1 }]);
    const upload = (csv: string, headers = organizer) =>
      s.app.inject({ method: 'POST', url: `/api/v1/returns/${year}/import`, headers: { ...headers, 'content-type': 'text/csv' }, payload: csv });
    const header =
      'code,activists_trained,reserve_cadres,funding,households,member_funding,student_members,venue_sqm,central_district,committee_members_under_35';
    const ok = await upload(`${header}\n${v1},5,5,"21,000",,,,,,\n${cm2},,,50000,2000,1600,,300,否,2\n`);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ filed: 2 });
    expect((await get(`/api/v1/organizations/${cm2}/returns/${year}`)).json()).toMatchObject({
      funding: 50_000,
      venueSqm: 300,
      centralDistrict: false,
      committeeMembersUnder35: 2,
      updatedBy: organizer.username,
    });

    const bad = await upload(`${header}\n${v1},x,5,20000,,,,,,\n${cm1},,,50000,,1600,,300,是,1\n${v1},3,3,20000,,,,,,\n`);
    expect(bad.statusCode, bad.body).toBe(422);
    expect(bad.json().error.details).toEqual([
      expect.objectContaining({ row: 2, column: 'activists_trained' }),
      expect.objectContaining({ row: 3, column: 'households' }),
      expect.objectContaining({ row: 4, column: 'code' }),
    ]);
    // A code of county B is not found for county A's organizer, and nothing of the file is filed.
    const outside = await upload(`${header}\n${v1},3,3,20000,,,,,,\n${v4},3,3,20000,,,,,,\n`);
    expect(outside.statusCode).toBe(404);
    expect(outside.json().error.details).toEqual([expect.objectContaining({ row: 3, column: 'code' })]);
    expect((await get(`/api/v1/organizations/${v1}/returns/${year}`)).json()).toMatchObject({ activistsTrained: 5, funding: 21_000 });
    expect((await upload('name,funding\nx,1\n')).statusCode).toBe(400);
  });

  it('has a yearly Schedule on the dev server (31 December, 20:00 Shanghai) whose run scores the year', async () => {
    // The Schedule is one per namespace: a worker process another test file started (crash.test.ts runs
    // `npm run worker` on a queue of its own, and every worker start ensures the Schedule) may have made it for a
    // queue nobody polls any more, and ensure leaves an existing one alone; its triggered run then waited forever
    // when that file ran first (seen here after vitest's cache reordered the files).
    await s.client.schedule
      .getHandle(ASSESSMENT_SCHEDULE_ID)
      .delete()
      .catch(() => {});
    await ensureAssessmentSchedule(s.client, s.config.TEMPORAL_TASK_QUEUE);
    await ensureAssessmentSchedule(s.client, s.config.TEMPORAL_TASK_QUEUE); // idempotent: the worker calls it on every start
    const handle = s.client.schedule.getHandle(ASSESSMENT_SCHEDULE_ID);
    const d = await handle.describe();
    expect(d.spec.timezone).toBe('Asia/Shanghai');
    const next = d.info.nextActionTimes[0]!;
    // 20:00 in Shanghai is 12:00 UTC, on 31 December.
    expect(next.toISOString()).toMatch(/-12-31T12:00:00\.000Z$/);
    await handle.trigger();
    // The run the Schedule started, awaited itself: this year's row in assessment_runs may already hold a later run
    // of another test file (the browser test runs this year from the ranking page in the same database).
    const started = await eventually(
      'the run the Schedule started',
      async () => (await handle.describe()).info.recentActions.at(-1)?.action.workflow.workflowId,
      60_000,
    );
    expect(started).toMatch(/^yearly-assessment-scheduled/);
    expect(await s.client.workflow.getHandle(started).result()).toMatchObject({ year });
  });
});
