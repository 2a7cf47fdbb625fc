import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { addOrganizations, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { assessmentRulesFor, countyScore } from '../../src/domain/assessment.js';
import { ASSESSMENT_SCHEDULE_ID, ensureAssessmentSchedule } from '../../src/processes/assessment.js';
import { recordHistory } from '../helpers/histories.js';

// Yearly inspection and ranking (domain.md §4.6) against the dev server (Schedules need it; the time-skipping
// server has none) and PostgreSQL: indicators per organization, counties rated and ranked, drill-down, export.
describe('yearly assessment', () => {
  let s: Stack;
  const today = shanghaiDate(Date.now());
  const year = Number(today.slice(0, 4));
  const c = (p: string) => uniqueCode(p);
  const [province, prefecture, c1, c2, t1, t2] = [c('AP'), c('AF'), c('AC'), c('AC'), c('AT'), c('AT')];
  const [v1, v2, v3, v4, np, u1, u2] = [c('AV'), c('AV'), c('AV'), c('AV'), c('AN'), c('AU'), c('AU')];
  const fine = { term_years: 5, term_started_on: addMonths(today, -12) };
  const idOf = async (code: string) => (await s.sql<{ id: number }[]>`select id from organizations where code = ${code}`)[0]!.id;

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
      // v1: its term ran out last year; no training cycle on record (the indicator does not apply).
      orgRow(v1, t1, { term_years: 5, term_started_on: addMonths(today, -72) }),
      // v2: on time, trained, its secretary also heads the village committee.
      orgRow(v2, t1, fine),
      // v3: on time, but its cycle ended untrained and a task is overdue.
      orgRow(v3, t1, fine),
      orgRow(v4, t2, fine),
      orgRow(np, t1, { ...fine, sector: 'nonpublic', name: `某科技公司党支部${np}` }),
      orgRow(u1, t1, { type: 'unit', sector: 'nonpublic', term_years: null, term_started_on: null }),
      orgRow(u2, t1, { type: 'unit', sector: 'nonpublic', term_years: null, term_started_on: null }),
    ]);
    await s.sql`update organizations set concurrent_head = true where code in ${s.sql([v2, v4])}`;
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
  });
  afterAll(async () => {
    await s?.client.schedule.getHandle(ASSESSMENT_SCHEDULE_ID).delete().catch(() => {});
    await s?.close();
  });

  const get = (url: string, headers = s.admin) => s.app.inject({ method: 'GET', url, headers });
  const finishedBy = (workflowPrefix: string) =>
    eventually(`the assessment of ${year} by ${workflowPrefix}`, async () => {
      const [r] = await s.sql<{ workflow_id: string }[]>`select workflow_id from assessment_runs where year = ${year}`;
      return r?.workflow_id.startsWith(workflowPrefix) ? r : undefined;
    }, 60_000);

  it('scores every organization on its indicators and ranks the counties, when an admin runs the year', async () => {
    const started = await s.app.inject({ method: 'POST', url: `/api/v1/assessments/${year}/run`, headers: s.admin });
    expect(started.statusCode, started.body).toBe(202);
    await finishedBy(`yearly-assessment:${year}`);
    const id = started.json().id as string;
    expect(await s.client.workflow.getHandle(id).result()).toMatchObject({ year, assessedOn: today, ruleSet: 'provincial-plan-2021' });
    await recordHistory('yearly-assessment', id, await s.client.workflow.getHandle(id).fetchHistory());

    const orgs = await get(`/api/v1/assessments/${year}/organizations?under=${t1}&limit=1000`);
    expect(orgs.statusCode, orgs.body).toBe(200);
    const by = Object.fromEntries((orgs.json().items as { code: string }[]).map((o) => [o.code, o])) as Record<string, Record<string, unknown>>;
    // Weights 40 / 30 / 30; an indicator that does not apply drops out: v1 scores 30 / 70.
    expect(by[v1]).toMatchObject({ termOnTime: false, secretaryTrained: null, noOverdueTasks: true, score: 42.9, county: c1 });
    expect(by[v2]).toMatchObject({ termOnTime: true, secretaryTrained: true, noOverdueTasks: true, score: 100 });
    expect(by[v3]).toMatchObject({ termOnTime: true, secretaryTrained: false, noOverdueTasks: false, score: 40 });
    expect(by[t1]).toMatchObject({ score: 100, sectorRank: null });
    expect(by[np]).toMatchObject({ sector: 'nonpublic', score: 100 });
    expect(by[np]!.sectorRank).toBeGreaterThanOrEqual(1);
    expect(by[u1]).toBeUndefined(); // a unit has no Party organization to score

    const counties = await get(`/api/v1/assessments/${year}/counties`);
    expect(counties.statusCode, counties.body).toBe(200);
    const items = counties.json().items as { code: string; rank: number; score: number; [k: string]: unknown }[];
    const one = items.find((x) => x.code === c1)!;
    const two = items.find((x) => x.code === c2)!;
    // c1: mean of t1, v1, v2, v3 (the non-public branch ranks in its sector), 1 of 3 villages 一肩挑, 1 of 2 units covered.
    const rules = assessmentRulesFor(today);
    const mean = (100 + 42.9 + 100 + 40) / 4; // of the scores as stored, to one decimal
    expect(one).toMatchObject({ organizations: 4, villages: 3, concurrentHeadRate: 33.3, units: 2, liaisonCoverage: 50, meanScore: +mean.toFixed(1) });
    expect(one.score).toBe(countyScore(rules, { meanScore: mean, concurrentHeadRate: 1 / 3, liaisonCoverage: 0.5 }));
    expect(two).toMatchObject({ organizations: 2, villages: 1, concurrentHeadRate: 100, units: 0, liaisonCoverage: null, meanScore: 100, score: 100 });
    expect(one.score).toBeLessThan(two.score);
    expect(one.rank).toBeGreaterThan(two.rank);
    // Ranks follow the scores across the province.
    for (let i = 1; i < items.length; i++) expect(items[i]!.score).toBeLessThanOrEqual(items[i - 1]!.score);
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

  it('exports the drill-down as CSV (with a BOM for Excel) and XLSX', async () => {
    const csv = await get(`/api/v1/assessments/${year}/organizations?under=${t1}&format=csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.startsWith('\uFEFFcode,name,sector,county,score')).toBe(true);
    expect(csv.body).toContain(`${v1},测试党组织${v1},rural,${c1},42.9`);

    const xlsx = await get(`/api/v1/assessments/${year}/counties?format=xlsx`);
    expect(xlsx.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as never);
    const sheet = book.worksheets[0]!;
    expect(sheet.getRow(1).values).toContain('rank');
    const codes: string[] = [];
    sheet.eachRow((row, n) => n > 1 && codes.push(String(row.getCell(2).value)));
    expect(codes).toContain(c1);
    expect(codes).toContain(c2);
  });

  it('has a yearly Schedule on the dev server (31 December, 20:00 Shanghai) whose run scores the year', async () => {
    await ensureAssessmentSchedule(s.client, s.config.TEMPORAL_TASK_QUEUE);
    await ensureAssessmentSchedule(s.client, s.config.TEMPORAL_TASK_QUEUE); // idempotent: the worker calls it on every start
    const handle = s.client.schedule.getHandle(ASSESSMENT_SCHEDULE_ID);
    const d = await handle.describe();
    expect(d.spec.timezone).toBe('Asia/Shanghai');
    const next = d.info.nextActionTimes[0]!;
    // 20:00 in Shanghai is 12:00 UTC, on 31 December.
    expect(next.toISOString()).toMatch(/-12-31T12:00:00\.000Z$/);
    await handle.trigger();
    await finishedBy('yearly-assessment-scheduled');
  });
});
