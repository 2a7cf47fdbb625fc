import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { addDays, addMonths, shanghaiDate } from '../../src/domain/dates.js';

// Rotation training (domain.md §4.3) through the API against the dev server.
describe('rotation training through the API', () => {
  let s: Stack;
  const { county, rows: chain } = countyChain();
  const town = uniqueCode('T');
  const [v1, v2, v3] = [uniqueCode('V'), uniqueCode('V'), uniqueCode('V')];
  const community = uniqueCode('M');
  const today = shanghaiDate(Date.now());

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      ...chain,
      orgRow(town, county, { type: 'committee', sector: 'regional' }),
      ...[v1, v2, v3].map((v) => orgRow(v, town, { sector: 'rural' })),
      orgRow(community, town, { sector: 'community' }),
    ]);
  });
  afterAll(async () => s?.close());

  const wf = (org: string) => `rotation-training:${org}`;
  const post = (url: string, payload: Record<string, unknown>, auth = s.admin) =>
    s.app.inject({ headers: auth, method: 'POST', url: `/api/v1${url}`, payload });
  const step = (org: string, want: string) =>
    eventually(`${org} at ${want}`, async () => {
      const p = (await s.app.inject({ headers: s.admin, url: `/api/v1/processes/${encodeURIComponent(wf(org))}` })).json();
      return p.currentStep === want ? p : null;
    });
  const cycles = (org: string) =>
    s.sql<{ cycle: number; state: string; starts_on: Date; ends_on: Date; secretary_name: string }[]>`
      select cycle, state, starts_on, ends_on, secretary_name from training_cycles where workflow_id = ${wf(org)} order by cycle`;
  const coverage = async () => (await s.app.inject({ headers: s.admin, url: `/api/v1/training/coverage?org=${county}` })).json().items;

  it('opens a cycle per secretary by sector, enrols in bulk within capacity, records attendance, continues into the next cycle', async () => {
    for (const org of [v1, v2, v3, community]) expect((await post('/processes/rotation-training', { organization: org })).statusCode).toBe(201);
    const p = await step(v1, 'training');
    expect(p.openTasks).toEqual([expect.objectContaining({ step: 'training', assigneeRole: 'secretary' })]);
    for (const org of [v2, v3, community]) await step(org, 'training');
    // Villages: 3 years; communities: 1 year (rule set training-hubei-2010).
    expect(shanghaiDate((await cycles(v1))[0]!.ends_on)).toBe(addMonths(today, 36));
    expect(shanghaiDate((await cycles(community))[0]!.ends_on)).toBe(addMonths(today, 12));

    const session = uniqueCode('S');
    // It begins today: attendance is recorded on or after its first day.
    expect(
      (
        await post('/training-sessions', {
          code: session,
          organization: county,
          title: '村党组织书记轮训班',
          startsOn: today,
          endsOn: addDays(today, 4),
          capacity: 2,
        })
      ).statusCode,
    ).toBe(201);

    // A secretary may not enrol anyone: the county's session lies outside a village secretary's subtree, so to them
    // it does not exist (404, nothing enrolled). The session holds two.
    const sec = await s.userWith([{ role: 'secretary', org: v1 }]);
    const mine = await post(`/training-sessions/${session}/enrolments`, { organizations: [v1] }, sec);
    expect(mine.statusCode, mine.body).toBe(404);
    const bulk = (await post(`/training-sessions/${session}/enrolments`, { organizations: [v1, v2, v3] })).json();
    expect(bulk.done).toEqual([v1, v2]);
    expect(bulk.refused).toEqual([expect.objectContaining({ organization: v3, status: 422 })]);
    expect(
      (await s.sql`select count(*)::int as n from training_enrolments e join training_sessions t on t.id = e.session_id where t.code = ${session}`)[0]!.n,
    ).toBe(2);

    // Attendance only for the enrolled: v3 is refused by the task's validator and nothing changes.
    const before = await s.sql`select state from tasks where workflow_id = ${wf(v3)}`;
    const att = (await post(`/training-sessions/${session}/attendance`, { organizations: [v1, v3] })).json();
    expect(att.done).toEqual([v1]);
    expect(att.refused).toEqual([expect.objectContaining({ organization: v3, status: 422, message: expect.stringMatching(/not enrolled/) })]);
    expect(await s.sql`select state from tasks where workflow_id = ${wf(v3)}`).toEqual(before);

    // v1's cycle is complete; the next starts when this one ends.
    const next = await step(v1, 'cycle-waiting');
    expect(next.history.map((h: { event: string }) => h.event)).toEqual(expect.arrayContaining(['c1:cycle-completed', 'c2:cycle-registered']));
    const c = await cycles(v1);
    expect(c.map((x) => x.state)).toEqual(['completed', 'open']);
    expect(shanghaiDate(c[1]!.starts_on)).toBe(addMonths(today, 36));
    expect(await coverage()).toEqual([{ county, name: expect.any(String), secretaries: 4, trained: 1, coverage: 25 }]);
  });

  it('a new secretary closes the cycle and opens a new one at once', async () => {
    const r = await post('/training/secretary-changes', { organization: v2, secretary: '李强', reason: '原书记调任' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ closedCycle: 1 });
    const p = await eventually('cycle 2 training', async () => {
      const x = (await s.app.inject({ headers: s.admin, url: `/api/v1/processes/${encodeURIComponent(wf(v2))}` })).json();
      return x.currentStep === 'training' && x.history.some((h: { event: string }) => h.event === 'c2:cycle-opened') ? x : null;
    });
    expect(p.openTasks).toHaveLength(1);
    const c = await cycles(v2);
    expect(c.map((x) => [x.cycle, x.state, x.secretary_name])).toEqual([
      [1, 'closed', '张伟'],
      [2, 'open', '李强'],
    ]);
    expect(shanghaiDate(c[1]!.starts_on)).toBe(today);
    const old = await s.sql`select state from tasks where workflow_id = ${wf(v2)} and task_key = 'c1:training'`;
    expect(old[0]!.state).toBe('cancelled');
    // The register names the new secretary too, audited with who and why.
    expect((await s.sql`select secretary_name from organizations where code = ${v2}`)[0]!.secretary_name).toBe('李强');
    const audit = await s.sql<{ changed_by: string; source: string; before: unknown; after: unknown }[]>`
      select changed_by, source, before, after from organization_changes where code = ${v2} and source like 'secretary-change%'`;
    expect(audit).toEqual([
      { changed_by: expect.any(String), source: 'secretary-change: 原书记调任', before: { secretary_name: '张伟' }, after: { secretary_name: '李强' } },
    ]);
    // The same secretary again is refused.
    expect((await post('/training/secretary-changes', { organization: v2, secretary: '李强' })).statusCode).toBe(409);
  });

  it("records attendance only by the session's organizer, on or after its first day; a trainee cannot certify their own", async () => {
    const [later, begun] = [uniqueCode('S'), uniqueCode('S')];
    expect(
      (await post('/training-sessions', { code: later, organization: county, title: '社区书记轮训班', startsOn: addDays(today, 7), endsOn: addDays(today, 9) }))
        .statusCode,
    ).toBe(201);
    expect(
      (await post('/training-sessions', { code: begun, organization: county, title: '社区书记轮训班', startsOn: today, endsOn: addDays(today, 2) })).statusCode,
    ).toBe(201);
    for (const code of [later, begun])
      expect((await post(`/training-sessions/${code}/enrolments`, { organizations: [community] })).json()).toMatchObject({ done: [community] });
    const [task] = await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${wf(community)} and step = 'training' and state = 'open'`;
    await eventually(
      'both enrolments in the task',
      async () =>
        ((await s.sql<{ context: { enrolled: string[] } }[]>`select context from tasks where id = ${task!.id}`)[0]?.context.enrolled.length ?? 0) === 2,
    );
    const complete = (session: string, auth: { authorization: string }) => post(`/tasks/${task!.id}/complete`, { outcome: { session, attended: true } }, auth);

    // The trainee: not theirs to record (403), and the task does not offer it to them.
    const secretary = await s.userWith([{ role: 'secretary', org: community }]);
    expect((await complete(begun, secretary)).statusCode).toBe(403);
    const seen = (await s.app.inject({ headers: secretary, url: `/api/v1/tasks/${task!.id}` })).json();
    expect(seen.actions).toContain('claim');
    expect(seen.actions).not.toContain('complete');
    // A supervisor of the county holding the session does not record either, in bulk.
    const supervisor = await s.userWith([{ role: 'supervisor', org: county }]);
    expect((await post(`/training-sessions/${begun}/attendance`, { organizations: [community] }, supervisor)).statusCode).toBe(403);
    // A township organizer may record attendance at its organizations, but not at a session the county holds.
    const township = await s.userWith([{ role: 'organizer', org: town }]);
    const notTheirs = await complete(begun, township);
    expect(notTheirs.statusCode, notTheirs.body).toBe(403);

    // Before the session begins: refused, naming the field, on the task and in bulk.
    const early = await complete(later, s.admin);
    expect(early.statusCode, early.body).toBe(422);
    expect(early.json().error).toMatchObject({
      code: 'rule_violation',
      message: expect.stringMatching(/^outcome\.session: /),
      details: { rule: 'session-not-started', startsOn: addDays(today, 7) },
    });
    const earlyBulk = await post(`/training-sessions/${later}/attendance`, { organizations: [community] });
    expect(earlyBulk.statusCode, earlyBulk.body).toBe(422);
    expect(earlyBulk.json().error).toMatchObject({
      message: expect.stringMatching(/^params\.code: /),
      details: { field: 'params.code', rule: 'session-not-started' },
    });
    expect((await s.sql`select state from tasks where id = ${task!.id}`)[0]!.state).toBe('open');

    // The county's organizer records it for the session that has begun.
    const organizer = await s.userWith([{ role: 'organizer', org: county }]);
    const done = await complete(begun, organizer);
    expect(done.statusCode, done.body).toBe(200);
    expect((await s.sql`select state from tasks where id = ${task!.id}`)[0]!.state).toBe('done');
  });
});
