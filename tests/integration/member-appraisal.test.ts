import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { addOrganizations, committee, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { addDays, shanghaiDate } from '../../src/domain/dates.js';
import { personalDataKey, sealPersonalData } from '../../src/members/personal-data.js';
import { memberAppraisalId } from '../../workflows/member-appraisal/workflow.js';

// The year's 民主评议党员 plan through the API: a county's organizer issues it and one process starts for each branch
// under the county (not for the township committee between them); issued again it starts none. A branch's secretary
// may not issue it (403), another county's organizer does not see the county (404), a report day in the past or
// years off is refused next to its field (422). A member's grades are read by whoever reads the member.
describe("the year's member appraisal plan through the API", () => {
  let s: Stack;
  const [county, township, branchA, branchB, other] = [uniqueCode('K'), uniqueCode('T'), uniqueCode('A'), uniqueCode('B'), uniqueCode('O')];
  let organizer: { authorization: string };
  let secretary: { authorization: string };
  let stranger: { authorization: string };
  let memberId = 0;
  const today = shanghaiDate(Date.now());
  const year = Number(today.slice(0, 4));
  const call = (who: { authorization: string }, method: 'GET' | 'POST', url: string, payload?: object) =>
    s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: who.authorization }, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      orgRow(county, '', committee),
      orgRow(township, county, committee),
      orgRow(branchA, township),
      orgRow(branchB, township),
      orgRow(other, '', committee),
    ]);
    const [b] = await s.sql<{ id: number }[]>`select id from organizations where code = ${branchA}`;
    const [m] = await s.sql<{ id: string }[]>`
      insert into members ${s.sql({
        organization_id: b!.id,
        name: '评议党员',
        gender: 'male',
        birth_date: '1985-03-03',
        joined_on: '2010-07-01',
        full_on: '2011-07-01',
        category: 'full',
        ...sealPersonalData(
          personalDataKey('a test key of thirty-two characters or more'),
          withCheckDigit(`42010219850303${String(randomInt(0, 1000)).padStart(3, '0')}`),
          null,
        ),
      })} returning id`;
    memberId = Number(m!.id);
    organizer = await s.userWith([{ role: 'organizer', org: county }]);
    secretary = await s.userWith([{ role: 'secretary', org: branchA }]);
    stranger = await s.userWith([{ role: 'organizer', org: other }]);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('starts one process per branch of the county, once; refuses by scope, role and field', async () => {
    const plan = { year, reportBy: addDays(today, 45) };
    expect((await call(secretary, 'POST', `/organizations/${branchA}/member-appraisals`, plan)).statusCode).toBe(403);
    expect((await call(stranger, 'POST', `/organizations/${county}/member-appraisals`, plan)).statusCode).toBe(404);
    expect((await call(organizer, 'POST', `/organizations/${county}/member-appraisals`, { year: 1990, reportBy: plan.reportBy })).statusCode).toBe(400);
    for (const reportBy of [addDays(today, -1), `${year + 2}-01-15`, `${year}-02-30`]) {
      const bad = await call(organizer, 'POST', `/organizations/${county}/member-appraisals`, { year, reportBy });
      expect(bad.statusCode, reportBy).toBe(422);
      expect(bad.json().error.details).toEqual([expect.objectContaining({ field: 'body.reportBy' })]);
    }
    // Nothing started by a refusal.
    expect(await s.sql`select 1 from processes where workflow_id in (${memberAppraisalId(branchA, year)}, ${memberAppraisalId(branchB, year)})`).toEqual([]);

    const started = await call(organizer, 'POST', `/organizations/${county}/member-appraisals`, plan);
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json()).toEqual({ started: 2, running: 0 });
    await eventually(
      "both branches' years planned, each with its talks open",
      async () =>
        (await s.sql`select 1 from tasks where step = 'talks' and workflow_id in (${memberAppraisalId(branchA, year)}, ${memberAppraisalId(branchB, year)})`)
          .length === 2,
    );
    const years = await s.sql<{ code: string; report_by: string }[]>`
      select o.code, to_char(y.report_by, 'YYYY-MM-DD') as report_by from member_appraisal_years y join organizations o on o.id = y.organization_id
      where o.code in (${branchA}, ${branchB}, ${township}) order by o.code`;
    expect(years.map((y) => y.code).sort()).toEqual([branchA, branchB].sort());
    expect(new Set(years.map((y) => y.report_by))).toEqual(new Set([plan.reportBy]));
    // Issued again: every branch has its year.
    expect((await call(organizer, 'POST', `/organizations/${county}/member-appraisals`, plan)).json()).toEqual({ started: 0, running: 0 });
  });

  it("reads a member's grades for those who read the member", async () => {
    expect((await call(secretary, 'GET', `/members/${memberId}/appraisals`)).json()).toEqual({ items: [] });
    const [b] = await s.sql<{ id: number }[]>`select id from organizations where code = ${branchA}`;
    // The row as the approved result writes it (tests/workflow/member-appraisal.timeskip.test.ts writes it so).
    await s.sql`
      insert into member_appraisals (member_id, year, organization_id, rating, votes, workflow_id, improvement_due)
      values (${memberId}, ${year - 1}, ${b!.id}, 'unqualified', ${s.sql.json({ unqualified: 9, basic: 2 })}, ${`member-appraisal:${branchA}:${year - 1}`}, ${addDays(today, 90)})`;
    const read = await call(secretary, 'GET', `/members/${memberId}/appraisals`);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().items).toEqual([
      {
        year: year - 1,
        rating: 'unqualified',
        votes: { unqualified: 9, basic: 2 },
        organization: { code: branchA, name: expect.any(String) },
        improvement: { dueOn: addDays(today, 90), decision: null, decidedOn: null },
      },
    ]);
    expect((await call(stranger, 'GET', `/members/${memberId}/appraisals`)).statusCode).toBe(404);
  });
});
