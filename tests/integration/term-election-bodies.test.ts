import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, countyChain, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { shanghaiDate } from '../../src/domain/dates.js';
import { termDateSweep } from '../../workflows/term-date-missing/workflow.js';
import { termPlan } from '../../workflows/term-plan.js';
import { assessmentActivities } from '../../activities/assessment.js';

const HEADER = 'code,parent_code,name,type,sector,term_years,term_started_on,secretary_name,secretary_phone,full_members,probationary_members';

// Who elects how (domain.md §4.1): members' meetings and delegates' conferences elect here; 街道党工委, 机关工委 and
// county committees do not, and are neither offered an election nor chased for a term. The yearly plan lists what
// is due in the year and why; a term length the rule set does not allow is refused at import.
describe('term elections by who elects how', () => {
  let s: Stack;
  const { county, rows: chain } = countyChain();
  const year = Number(shanghaiDate(Date.now()).slice(0, 4));
  const [town, street, organs, village, villageMissing, streetMissing, countyMissing] = [
    uniqueCode('T'),
    uniqueCode('J'),
    uniqueCode('G'),
    uniqueCode('V'),
    uniqueCode('V'),
    uniqueCode('J'),
    uniqueCode('K'),
  ];
  // The plan of `year` under its own township: overdue from an earlier year, a postponement ending in the year, one
  // postponed past it, one ending in it, and an appointed body's term ending in it (not planned).
  const planTown = uniqueCode('T');
  const [overdue, postponedIn, postponedOut, ending, appointedEnding] = [uniqueCode('V'), uniqueCode('V'), uniqueCode('V'), uniqueCode('V'), uniqueCode('J')];

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      ...chain,
      orgRow(town, county, { ...committee, name: `中共测试县${town}镇委员会`, term_started_on: '2022-01-01' }),
      orgRow(street, county, { ...committee, name: `中共测试县${street}街道工作委员会`, term_started_on: '2022-01-01' }),
      orgRow(organs, county, { type: 'committee', sector: 'government', name: '中共测试县直属机关工作委员会', term_started_on: '2022-01-01' }),
      orgRow(village, town, { term_years: 5, term_started_on: '2022-01-01' }),
      orgRow(villageMissing, town, { term_years: null, term_started_on: null }),
      orgRow(streetMissing, county, { ...committee, name: `中共测试县${streetMissing}街道党工委`, term_years: null, term_started_on: null }),
      orgRow(countyMissing, county, { ...committee, name: `中共测试市${countyMissing}县委员会`, term_years: null, term_started_on: null }),
      orgRow(planTown, county, { ...committee, name: `中共测试县${planTown}乡委员会` }),
      orgRow(overdue, planTown, { term_years: 5, term_started_on: `${year - 7}-03-01` }),
      orgRow(postponedIn, planTown, { term_years: 5, term_started_on: `${year - 6}-10-01` }),
      orgRow(postponedOut, planTown, { term_years: 5, term_started_on: `${year - 5}-11-01` }),
      orgRow(ending, planTown, { term_years: 5, term_started_on: `${year - 5}-06-01` }),
      orgRow(appointedEnding, planTown, {
        type: 'committee',
        sector: 'regional',
        name: `中共${appointedEnding}开发区党工委`,
        term_years: 5,
        term_started_on: `${year - 5}-06-01`,
      }),
    ]);
    await s.sql`update organizations set term_postponed_until = ${`${year}-04-01`} where code = ${postponedIn}`;
    await s.sql`update organizations set term_postponed_until = ${`${year + 1}-02-01`} where code = ${postponedOut}`;
  });
  afterAll(async () => s?.close());

  const start = (organization: string) => s.app.inject({ method: 'POST', url: '/api/v1/processes/term-election', headers: s.admin, payload: { organization } });

  it('refuses (422) a term election of a 街道党工委, a 机关工委 or a county committee, and starts a township’s and a village’s', async () => {
    const bodies = await s.sql<{ code: string; election_body: string }[]>`
      select code, election_body from organizations where code = any(${[county, town, street, organs, village]})`;
    expect(Object.fromEntries(bodies.map((b) => [b.code, b.election_body]))).toEqual({
      [county]: 'congress',
      [town]: 'delegates_conference',
      [street]: 'appointed',
      [organs]: 'appointed',
      [village]: 'members_meeting',
    });
    for (const code of [street, organs, county]) {
      const r = await start(code);
      expect(r.statusCode, r.body).toBe(422);
      expect(r.json().error).toMatchObject({ code: 'rule_violation', details: { rule: 'election-body' } });
    }
    expect((await start(street)).json().error.message).toMatch(/appointed/);
    expect((await start(county)).json().error.message).toMatch(/congress/);
    for (const code of [town, village]) expect((await start(code)).statusCode).toBe(201);
  });

  it('chases a missing term only where the committee is elected here: not a 街道党工委, not a county committee', async () => {
    const r = await s.client.workflow.execute(termDateSweep, {
      workflowId: `sweep-${randomUUID()}`,
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      args: [{ under: county }],
    });
    expect(r).toMatchObject({ started: 1 });
    const chased = await eventually('the chase to be recorded', async () => {
      const rows = await s.sql<{ code: string }[]>`
        select o.code from processes p join organizations o on o.id = p.organization_id where p.kind = 'term-date-missing' and o.path <@ (select path from organizations where code = ${county})`;
      return rows.length ? rows : null;
    });
    expect(chased.map((c) => c.code)).toEqual([villageMissing]);
    const byHand = await s.app.inject({
      method: 'POST',
      url: '/api/v1/processes/term-date-missing',
      headers: s.admin,
      payload: { organization: streetMissing },
    });
    expect(byHand.statusCode, byHand.body).toBe(422);
  });

  it('年度换届计划: terms ending in the year, postponements ending in it and terms overdue from earlier years, each saying why', async () => {
    const plan = await s.app.inject({ url: `/api/v1/term-election/plan?year=${year}`, headers: s.admin });
    expect(plan.statusCode, plan.body).toBe(200);
    const items = (plan.json().items as { code: string; inPlanBecause: string }[]).filter((i) =>
      [overdue, postponedIn, postponedOut, ending, appointedEnding].includes(i.code),
    );
    expect(Object.fromEntries(items.map((i) => [i.code, i.inPlanBecause]))).toEqual({
      [overdue]: 'overdue',
      [postponedIn]: 'postponement-ends',
      [ending]: 'ends',
    });

    const supervisor = await s.userWith([{ role: 'supervisor', org: planTown }]);
    const sent = await s.client.workflow.execute(termPlan, {
      workflowId: `term-plan-${randomUUID()}`,
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      args: [{ year, under: planTown }],
    });
    expect(sent).toMatchObject({ committees: 1, notifications: 1 });
    const [told] = await s.sql<{ title: string; body: string }[]>`
      select n.title, n.body from notifications n join users u on u.id = n.user_id where n.kind = 'term-plan' and u.username = ${supervisor.username}`;
    expect(told!.title).toContain('3 个党组织');
    const line = (code: string) => told!.body.split('\n').find((l) => l.includes(code));
    expect(line(overdue)).toContain('逾期未换届');
    expect(line(postponedIn)).toContain(`延期至 ${year}-04-01`);
    expect(line(ending)).toContain(`${year}-06-01 届满`);
    expect(line(postponedOut)).toBeUndefined();
    expect(line(appointedEnding)).toBeUndefined();
  });

  it('按期换届 does not apply to an appointed 工委 or a county committee in the yearly assessment; it does to a village', async () => {
    const today = shanghaiDate(Date.now());
    await assessmentActivities(s.sql).assessYear({ year, today, workflowId: `assessment-bodies-${randomUUID()}` });
    const rows = await s.sql<{ code: string; term_on_time: boolean | null }[]>`
      select o.code, a.term_on_time from assessment_scores a join organizations o on o.id = a.organization_id
      where a.year = ${year} and o.code = any(${[street, organs, county, village, overdue]})`;
    expect(Object.fromEntries(rows.map((r) => [r.code, r.term_on_time]))).toEqual({
      [street]: null,
      [organs]: null,
      [county]: null,
      [village]: true,
      [overdue]: false,
    });
  });

  it('refuses at import a term length the rule set in force on its first day does not allow (a village’s 3 years after 2018-07-12)', async () => {
    const [a, b, c] = [uniqueCode('I'), uniqueCode('I'), uniqueCode('I')];
    const csv = (rows: string[]) => `${HEADER}\n${rows.join('\n')}\n`;
    const refused = await s.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/import',
      headers: { ...s.admin, 'content-type': 'text/csv' },
      payload: csv([
        `${a},${town},测试村${a},branch,rural,3,2021-03-01,王芳,13900000000,30,2`,
        `${b},${town},测试企业${b},branch,nonpublic,5,2022-03-01,李四,13900000000,10,0`,
      ]),
    });
    expect(refused.statusCode, refused.body).toBe(422);
    const details = refused.json().error.details as { row: number; column: string; message: string }[];
    expect(details).toEqual([
      expect.objectContaining({ row: 2, column: 'term_years', message: expect.stringMatching(/5 years under national-2018/) }),
      expect.objectContaining({ row: 3, column: 'term_years', message: expect.stringMatching(/3 years under national-2018/) }),
    ]);
    // Elected before the opinion: the seed era's 3 years stand until the next term.
    const ok = await s.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/import',
      headers: { ...s.admin, 'content-type': 'text/csv' },
      payload: csv([`${c},${town},测试村${c},branch,rural,3,2018-05-01,王芳,13900000000,30,2`]),
    });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('the county enters who elects how, the delegates and the term’s number (audited); a delegates’ conference needs its delegates', async () => {
    const put = (code: string, payload: Record<string, unknown>) =>
      s.app.inject({ method: 'PUT', url: `/api/v1/organizations/${code}/election`, headers: s.admin, payload });
    expect((await put(village, { electionBody: 'delegates_conference' })).statusCode).toBe(422);
    const r = await put(village, { electionBody: 'delegates_conference', delegates: 150, termOrdinal: 9, reason: '经县委组织部批准召开党员代表大会' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ code: village, electionBody: 'delegates_conference', declared: 'delegates_conference', delegates: 150, termOrdinal: 9 });
    const cleared = await put(village, { electionBody: null });
    expect(cleared.json()).toMatchObject({ electionBody: 'members_meeting', declared: null, delegates: 150 });
    // The organization as the web UI reads it: its start buttons follow who elects how.
    expect((await s.app.inject({ url: `/api/v1/organizations/${village}`, headers: s.admin })).json()).toMatchObject({
      electionBody: 'members_meeting',
      delegates: 150,
      termOrdinal: 9,
    });
    expect((await s.app.inject({ url: `/api/v1/organizations/${street}`, headers: s.admin })).json()).toMatchObject({ electionBody: 'appointed' });
    const [audit] = await s.sql`select source, after from organization_changes where code = ${village} order by id limit 1`;
    expect(audit).toMatchObject({ source: 'election-register', after: { election_body_declared: 'delegates_conference', delegates: 150, term_ordinal: 9 } });
  });
});
