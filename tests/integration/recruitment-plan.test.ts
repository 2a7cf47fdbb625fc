import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { addOrganizations, committee, countyChain, freshDatabase, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { assessmentActivities } from '../../activities/assessment.js';
import { assessmentRulesFor, organizationScore } from '../../src/domain/assessment.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { personalDataKey, sealPersonalData } from '../../src/members/personal-data.js';
import { advanceApplicant, through } from '../../src/demo/recruitment.js';

// 发展党员计划 and the seed's targets through the API: the county's organizer enters the plan by township, a township's
// organizer allocates its share to its villages (never more than it was given), nobody outside the subtree sees or
// changes it; the village targets and the admissions against the plan are read from cases run through the workflow,
// a nudge reaches the secretaries of the villages behind, and the yearly assessment reads the same figures.
describe('the recruitment plan and the seed’s targets', () => {
  let s: Stack;
  const chain = countyChain();
  const county = chain.county;
  // Codes in the order the lists give them (by code).
  const base = uniqueCode('T');
  const [t1, t2] = [`${base}1`, `${base}2`];
  const [v1, v2, v3] = [`${base}1001`, `${base}1002`, `${base}2001`];
  const other = countyChain();
  type Who = { authorization: string; username: string };
  let countyOrganizer: Who;
  let townOrganizer: Who;
  let secretary: Who;
  let stranger: Who;
  const today = shanghaiDate(Date.now());
  const year = Number(today.slice(0, 4));
  const call = (who: { authorization: string }, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: who.authorization }, ...(payload ? { payload } : {}) });
  const plan = (who: Who, org: string, allocations: { organization: string; admissions: number }[]) =>
    call(who, 'PUT', `/organizations/${org}/recruitment-plan/${year}`, { allocations });

  beforeAll(async () => {
    // A database of its own: the assessment run at the end scores (and replaces) the whole year's rows.
    s = await startStack({ databaseUrl: await freshDatabase('recruitment_plan') });
    await addOrganizations(s.sql, [
      ...chain.rows,
      orgRow(t1, county, committee),
      orgRow(t2, county, committee),
      // Its register's count agrees with the members inserted below (the admission meeting's entitled are read from both).
      orgRow(v1, t1, { full_members: 2, probationary_members: 0 }),
      orgRow(v2, t1),
      orgRow(v3, t2),
      ...other.rows,
    ]);
    countyOrganizer = await s.userWith([{ role: 'organizer', org: county }]);
    townOrganizer = await s.userWith([{ role: 'organizer', org: t1 }]);
    secretary = await s.userWith([{ role: 'secretary', org: v1 }]);
    stranger = await s.userWith([{ role: 'organizer', org: other.county }]);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('is entered by the county, allocated by a township within its share, and seen only in scope', async () => {
    // A township cannot allocate before the county gave it a share.
    const early = await plan(townOrganizer, t1, [{ organization: v1, admissions: 1 }]);
    expect(early.statusCode, early.body).toBe(422);
    expect(early.json().error.details).toEqual([{ field: 'params.code', message: `no plan for ${year} was allocated to ${t1} by the level above` }]);

    const entered = await plan(countyOrganizer, county, [
      { organization: t1, admissions: 3 },
      { organization: t2, admissions: 2 },
    ]);
    expect(entered.statusCode, entered.body).toBe(200);
    expect(entered.json()).toMatchObject({ year, given: null, entersPlan: true, allocated: 5, admitted: 0 });
    expect(entered.json().items.map((i: { code: string; admissions: number }) => [i.code, i.admissions])).toEqual([
      [t1, 3],
      [t2, 2],
    ]);

    // More than the township was given: refused, nothing written.
    const over = await plan(townOrganizer, t1, [
      { organization: v1, admissions: 2 },
      { organization: v2, admissions: 2 },
    ]);
    expect(over.statusCode, over.body).toBe(422);
    expect(over.json().error.details).toEqual([
      { field: 'body.allocations', message: `the allocations add up to 4, more than the 3 ${t1} was given for ${year}` },
    ]);
    const ok = await plan(townOrganizer, t1, [
      { organization: v1, admissions: 2 },
      { organization: v2, admissions: 1 },
    ]);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ given: 3, entersPlan: false, allocated: 3 });
    // A later change to one village counts the other's allocation too.
    const again = await plan(townOrganizer, t1, [{ organization: v2, admissions: 2 }]);
    expect(again.statusCode).toBe(422);
    expect(again.json().error.details[0]).toMatchObject({ field: 'body.allocations' });

    // The county may not give a township less than it has allocated further down, nor allocate past a township.
    const less = await plan(countyOrganizer, county, [{ organization: t1, admissions: 2 }]);
    expect(less.statusCode).toBe(422);
    expect(less.json().error.details).toEqual([{ field: 'body.allocations.0.admissions', message: 'less than the 3 it has already allocated further down' }]);
    const past = await plan(countyOrganizer, county, [{ organization: v1, admissions: 1 }]);
    expect(past.statusCode).toBe(422);
    expect(past.json().error.details).toEqual([{ field: 'body.allocations.0.organization', message: `not an organization directly under ${county}` }]);
    // The body's shape: field paths.
    const bad = await plan(countyOrganizer, county, [{ organization: t1, admissions: -1 }]);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].field).toBe('body.allocations.0.admissions');

    // Scope: outside the subtree the plan does not exist; a secretary reads their village's but allocates nothing.
    expect((await call(stranger, 'GET', `/organizations/${county}/recruitment-plan/${year}`)).statusCode).toBe(404);
    expect((await plan(stranger, t1, [{ organization: v1, admissions: 0 }])).statusCode).toBe(404);
    expect((await plan(townOrganizer, county, [{ organization: t2, admissions: 9 }])).statusCode).toBe(404);
    expect((await call(townOrganizer, 'GET', `/organizations/${t2}/recruitment-plan/${year}`)).statusCode).toBe(404);
    expect((await call(stranger, 'GET', `/organizations/${t1}/recruitment-targets`)).statusCode).toBe(404);
    expect((await call(stranger, 'POST', `/organizations/${t1}/recruitment-nudges`, { year, list: 'targets' })).statusCode).toBe(404);
    const mine = await call(secretary, 'GET', `/organizations/${v1}/recruitment-plan/${year}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ given: 2 });
    expect((await plan(secretary, v1, [])).statusCode).toBe(400);
    expect((await call(secretary, 'POST', `/organizations/${v1}/recruitment-nudges`, { year, list: 'targets' })).statusCode).toBe(403);
  });

  it('never leaves a township with less than it allocated, when the county changes its share while it allocates', async () => {
    const t2Organizer = await s.userWith([{ role: 'organizer', org: t2 }]);
    for (let round = 0; round < 10; round++) {
      await s.sql`delete from recruitment_plans where year = ${year} and organization_id = (select id from organizations where code = ${v3})`;
      await s.sql`update recruitment_plans set admissions = 2 where year = ${year} and organization_id = (select id from organizations where code = ${t2})`;
      const [down, up] = await Promise.all([
        plan(t2Organizer, t2, [{ organization: v3, admissions: 2 }]),
        plan(countyOrganizer, county, [{ organization: t2, admissions: 1 }]),
      ]);
      // One of them goes first; the other is refused by what the first wrote.
      expect([down.statusCode, up.statusCode].sort()).toEqual([200, 422]);
      const [t] = await s.sql<{ given: number; allocated: number }[]>`
        select p.admissions as given, coalesce((select sum(c.admissions) from recruitment_plans c where c.year = p.year and c.given_by = p.organization_id), 0)::int as allocated
        from recruitment_plans p join organizations o on o.id = p.organization_id where p.year = ${year} and o.code = ${t2}`;
      expect(t!.allocated).toBeLessThanOrEqual(t!.given);
    }
    // Back as the county left it: t2 has 2 to give and has given none.
    await s.sql`delete from recruitment_plans where year = ${year} and organization_id = (select id from organizations where code = ${v3})`;
    await s.sql`update recruitment_plans set admissions = 2 where year = ${year} and organization_id = (select id from organizations where code = ${t2})`;
  });

  it('reads the village targets and admissions from the cases, nudges the villages behind, and the assessment reads them', async () => {
    const [v1Org] = await s.sql<{ id: number }[]>`select id from organizations where code = ${v1}`;
    // Two full members on the register (who vote at the admission meeting); the last joined long ago.
    for (const [i, joined] of ['2005-07-01', '2008-07-01'].entries())
      await s.sql`insert into members ${s.sql({
        organization_id: v1Org!.id,
        name: `老党员${i}`,
        gender: 'male',
        birth_date: '1970-01-01',
        joined_on: joined,
        full_on: addMonths(joined, 12),
        category: 'full',
        ...sealPersonalData(personalDataKey('a test key of thirty-two characters or more'), withCheckDigit(`4201061970010155${i}`), null),
      })}`;
    const before = (await call(townOrganizer, 'GET', `/organizations/${t1}/recruitment-targets`)).json();
    expect(before.items.map((v: { code: string; quiet: boolean; lastAdmittedOn: string | null }) => [v.code, v.quiet, v.lastAdmittedOn])).toEqual([
      [v1, true, '2008-07-01'],
      [v2, true, null],
    ]);

    // Four cases at v1, run through the workflow on back-dated days: three made activists a month after applying, one
    // admitted (its meeting a month ago, its approval 20 days after the meeting).
    const apply = async (i: number, appliedOn: string) => {
      const r = await call(secretary, 'POST', `/organizations/${v1}/applicants`, {
        name: `申请人${i}`,
        gender: 'female',
        idNumber: withCheckDigit(`11010519990101${String(700 + i)}`),
        appliedOn,
      });
      expect(r.statusCode, r.body).toBe(201);
      return { workflowId: r.json().workflowId as string, organizationId: v1Org!.id, appliedOn };
    };
    const a1 = addMonths(today, -2);
    const a3 = addMonths(today, -17);
    const cases = [
      { ...(await apply(1, a1)), steps: through('activist') },
      { ...(await apply(2, a1)), steps: through('activist') },
      { ...(await apply(4, a1)), steps: through('activist') },
      { ...(await apply(3, a3)), steps: through('admission-approval') },
    ];
    await Promise.all(cases.map((c) => advanceApplicant(s.sql, s.client, c)));
    // The days the path records them on (src/demo/recruitment.ts): activist a+1m, 发展对象 a+13m, meeting a+16m.
    const inYear = (d: string) => d.startsWith(`${year}-`);
    const activists = [addMonths(a1, 1), addMonths(a1, 1), addMonths(a1, 1), addMonths(a3, 1)].filter(inYear).length;
    const candidates = addMonths(a3, 13) >= `${year - 1}-01-01` ? 1 : 0;
    const meeting = addMonths(a3, 16);
    const admitted = inYear(meeting) ? 1 : 0;

    const targets = await call(townOrganizer, 'GET', `/organizations/${t1}/recruitment-targets?year=${year}`);
    expect(targets.statusCode, targets.body).toBe(200);
    expect(targets.json().targets).toEqual({ activistsPerYear: 3, candidatesInWindow: 1, candidateWindowFrom: `${year - 1}-01-01`, quietYears: 3 });
    expect(targets.json().items).toEqual([
      {
        code: v1,
        name: `测试党组织${v1}`,
        activists,
        candidates,
        admitted,
        planned: 2,
        met: activists >= 3 && candidates >= 1,
        lastAdmittedOn: meeting,
        quiet: false,
        secretaries: [secretary.username],
        nudges: 0,
      },
      expect.objectContaining({ code: v2, activists: 0, candidates: 0, admitted: 0, planned: 1, met: false, quiet: true }),
    ]);
    // A page at a time: the summary is over every village, `next` names where the next page starts.
    const summary = { villages: 2, met: activists >= 3 && candidates >= 1 ? 1 : 0, quiet: 1, quietNames: [`测试党组织${v2}`] };
    expect(targets.json()).toMatchObject({ summary, next: null });
    const first = (await call(townOrganizer, 'GET', `/organizations/${t1}/recruitment-targets?year=${year}&limit=1`)).json();
    expect([first.items.map((v: { code: string }) => v.code), first.next, first.summary]).toEqual([[v1], v1, summary]);
    const second = (await call(townOrganizer, 'GET', `/organizations/${t1}/recruitment-targets?year=${year}&limit=1&after=${v1}`)).json();
    expect([second.items.map((v: { code: string }) => v.code), second.next, second.summary]).toEqual([[v2], null, summary]);
    const tooMany = await call(townOrganizer, 'GET', `/organizations/${t1}/recruitment-targets?limit=100000`);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.body).toContain('limit');
    // The plan counts the admission up the tree: the village, its township, the county.
    const countyPlan = (await call(countyOrganizer, 'GET', `/organizations/${county}/recruitment-plan/${year}`)).json();
    expect(countyPlan.admitted).toBe(admitted);
    expect(countyPlan.items.find((i: { code: string }) => i.code === t1)).toMatchObject({ admissions: 3, allocated: 3, admitted });

    // 一键催办: the villages missing a target (v1 meets both, but in a January or February: its activists were made last year).
    const met = activists >= 3 && candidates >= 1;
    const nudged = await call(townOrganizer, 'POST', `/organizations/${t1}/recruitment-nudges`, { year, list: 'targets' });
    expect(nudged.statusCode, nudged.body).toBe(200);
    expect(nudged.json()).toMatchObject({ organizations: met ? 1 : 2, people: met ? 0 : 1, unreached: [v2] });
    const after = (await call(townOrganizer, 'GET', `/organizations/${t1}/recruitment-targets`)).json();
    expect(after.items.map((v: { nudges: number }) => v.nudges)).toEqual([met ? 0 : 1, 1]);
    // Behind the plan: both townships and both villages admitted fewer than their allocation (v1: 2 planned, 1 at most
    // admitted); the villages' secretaries and the townships' organizers are told, and v2 has no one to tell.
    const behind = await call(countyOrganizer, 'POST', `/organizations/${county}/recruitment-nudges`, { year, list: 'plan', message: '请抓紧培养' });
    expect(behind.statusCode, behind.body).toBe(200);
    expect(behind.json()).toMatchObject({ organizations: 4, people: 3, unreached: [v2] });
    const [note] = await s.sql<{ title: string; body: string }[]>`
      select n.title, n.body from notifications n join users u on u.id = n.user_id
      where u.username = ${secretary.username} and n.kind = 'nudge' and n.title like '%发展党员计划未完成%'`;
    expect(note!.body).toContain('请抓紧培养');

    // The yearly assessment reads the same cases: the village's targets, and each plan against what was admitted.
    await assessmentActivities(s.sql).assessYear({ year, today, workflowId: `assessment:${randomUUID()}` });
    const scores = await s.sql<{ code: string; recruitment_targets: boolean | null; recruitment_plan_met: boolean | null }[]>`
      select o.code, s.recruitment_targets, s.recruitment_plan_met from assessment_scores s join organizations o on o.id = s.organization_id
      where s.year = ${year} and o.code = any(${[county, t1, t2, v1, v2, v3]}) order by o.code`;
    expect(Object.fromEntries(scores.map((r) => [r.code, [r.recruitment_targets, r.recruitment_plan_met]]))).toEqual({
      [county]: [null, null],
      [t1]: [null, false],
      [t2]: [null, false],
      [v1]: [met, false],
      [v2]: [false, false],
      [v3]: [false, null],
    });

    // From 2027 a village's targets as the cases give them weigh in its score, in place of the activists its return
    // types. The year after this one, assessed on its last day: no activist made in it yet, so no village meets them.
    const next = year + 1;
    const run = await assessmentActivities(s.sql).assessYear({ year: next, today: `${next}-12-31`, workflowId: `assessment:${randomUUID()}` });
    const rules = assessmentRulesFor(run.assessedOn);
    expect(run.ruleSet).toBe(rules.id);
    const rows = (await call(countyOrganizer, 'GET', `/assessments/${next}/organizations?under=${county}`)).json().items as (Parameters<
      typeof organizationScore
    >[1] & { code: string; score: number })[];
    const byCode = Object.fromEntries(rows.map((r) => [r.code, r]));
    expect([v1, v2, v3].map((v) => byCode[v]!.recruitmentTargets)).toEqual([false, false, false]);
    for (const r of rows) expect(r.score, r.code).toBe(organizationScore(rules, r));
    // The targets missed cost the village their weight, whatever its return typed.
    expect(rules.recruitmentTargets?.weight).toBeGreaterThan(0);
    const v = byCode[v1]!;
    expect(organizationScore(rules, { ...v, recruitmentTargets: true })).toBeGreaterThan(v.score);
    expect(organizationScore(rules, { ...v, activistsTrained: !v.activistsTrained })).toBe(v.score);
  });
});
