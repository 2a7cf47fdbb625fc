import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { addDays, shanghaiDate } from '../../src/domain/dates.js';

// Liaison dispatch (domain.md §4.4) through the API against the dev server, for a unit that already has
// 3 full members: after the officer's training the establishment path follows at once.
describe('liaison dispatch through the API', () => {
  let s: Stack;
  const { county, rows: chain } = countyChain();
  const firm = uniqueCode('F');
  const small = uniqueCode('F');
  const branch = uniqueCode('B');
  // A unit under a township, in a county of its own (the first county's coverage counts its units only).
  const other = countyChain();
  const township = uniqueCode('T');
  const inTownship = uniqueCode('F');

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      ...chain,
      orgRow(firm, county, { type: 'unit', sector: 'nonpublic', term_years: null, term_started_on: null, full_members: 3, probationary_members: 0 }),
      orgRow(small, county, { type: 'unit', sector: 'nonpublic', term_years: null, term_started_on: null, full_members: 1, probationary_members: 0 }),
      orgRow(branch, county, {}),
      ...other.rows,
      orgRow(township, other.county, { type: 'committee', sector: 'regional' }),
      orgRow(inTownship, township, { type: 'unit', sector: 'nonpublic', term_years: null, term_started_on: null, full_members: 0, probationary_members: 0 }),
    ]);
  });
  afterAll(async () => s?.close());

  const wf = (org: string) => `liaison-dispatch:${org}`;
  const post = (url: string, payload: Record<string, unknown>, auth = s.admin) =>
    s.app.inject({ headers: auth, method: 'POST', url: `/api/v1${url}`, payload });
  const openTask = (org: string, step: string) =>
    eventually(`${step} of ${org}`, async () => {
      const [t] = await s.sql<{ id: number; assignee_person: string | null }[]>`
        select t.id, t.assignee_person from tasks t join processes p on p.workflow_id = t.workflow_id
        where t.workflow_id = ${wf(org)} and t.step = ${step} and t.state in ('open', 'claimed', 'escalated') and p.current_step = ${step}`;
      return t;
    });
  const complete = (id: number, outcome: Record<string, unknown>, auth = s.admin) => post(`/tasks/${id}/complete`, { outcome }, auth);

  it('assigns, acknowledges, trains, and establishes the organization with its own term register', async () => {
    expect((await post('/processes/liaison-dispatch', { organization: branch })).statusCode).toBe(400); // not a unit
    expect((await post('/processes/liaison-dispatch', { organization: firm })).statusCode).toBe(201);
    expect((await post('/processes/liaison-dispatch', { organization: small })).statusCode).toBe(201);
    const officer = await s.userWith([{ role: 'liaison_officer', org: firm }]);

    const assign = await openTask(firm, 'assign-officer');
    expect((await complete(assign.id, { officer: 'x y' })).statusCode).toBe(422); // not a username
    expect((await complete(assign.id, { officer: officer.username })).statusCode).toBe(200);
    const ack = await openTask(firm, 'acknowledge');
    expect(ack.assignee_person).toBe(officer.username);
    expect((await complete(ack.id, {}, officer)).statusCode).toBe(200);
    expect((await complete((await openTask(firm, 'training')).id, {}, officer)).statusCode).toBe(200);

    // 3 full members already: the establishment path; the officer cannot approve, the organizer returns once.
    expect((await complete((await openTask(firm, 'establishment-request')).id, { summary: '申请成立党支部' }, officer)).statusCode).toBe(200);
    let approval = await openTask(firm, 'establishment-approval');
    expect([403, 404]).toContain((await complete(approval.id, { decision: 'agree' }, officer)).statusCode);
    expect((await complete(approval.id, { decision: 'return', comments: '请补充党员名单' })).statusCode).toBe(200);
    expect((await complete((await openTask(firm, 'establishment-request')).id, { summary: '补充后' }, officer)).statusCode).toBe(200);
    approval = await openTask(firm, 'establishment-approval');
    expect((await complete(approval.id, { decision: 'agree' })).statusCode).toBe(200);

    // The founding meeting needs at least 3 full members: refused, nothing changes.
    const founding = await openTask(firm, 'founding-meeting');
    const today = shanghaiDate(Date.now());
    const before = await s.sql`select type, secretary_name from organizations where code = ${firm}`;
    const bad = await complete(founding.id, { meetingDate: today, secretary: '陈明', fullMembers: 2 }, officer);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details).toMatchObject({ rule: 'establish-threshold' });
    // Its day dates the new organization's first term (domain.md §4.4, as a members' meeting dates a term, §4.1): the
    // form asks for it, and refuses a day not yet come or before the establishment was approved (today, here).
    const undated = await complete(founding.id, { secretary: '陈明', fullMembers: 4 }, officer);
    expect(undated.statusCode).toBe(422);
    expect(undated.json().error.code).toBe('invalid_outcome');
    for (const day of [addDays(today, 1), addDays(today, -1)]) {
      const wrong = await complete(founding.id, { meetingDate: day, secretary: '陈明', fullMembers: 4 }, officer);
      expect(wrong.statusCode, day).toBe(422);
      expect(wrong.json().error.details, day).toMatchObject({ rule: 'meeting-date' });
    }
    expect(await s.sql`select type, secretary_name from organizations where code = ${firm}`).toEqual(before);
    expect((await complete(founding.id, { meetingDate: today, secretary: '陈明', fullMembers: 4 }, officer)).statusCode).toBe(200);

    const done = await eventually('established', async () => {
      const p = (await s.app.inject({ headers: s.admin, url: `/api/v1/processes/${encodeURIComponent(wf(firm))}` })).json();
      return p.status === 'completed' ? p : null;
    });
    expect(done.currentStep).toBe('established');
    const [org] = await s.sql<
      { type: string; secretary_name: string; term_years: number; term_started_on: Date }[]
    >`select type, secretary_name, term_years, term_started_on from organizations where code = ${firm}`;
    expect(org).toMatchObject({ type: 'branch', secretary_name: '陈明', term_years: 3 });
    expect(shanghaiDate(org!.term_started_on)).toBe(today);
    // The branch is named as the firm's Party branch, and the founding is in the register's audit.
    expect((await s.sql<{ name: string }[]>`select name from organizations where code = ${firm}`)[0]!.name).toBe(`测试党组织${firm}党支部`);
    const [audit] = await s.sql<{ changed_by: string; before: { type: string; name: string }; after: { type: string; name: string } }[]>`
      select changed_by, before, after from organization_changes c join organizations o on o.id = c.organization_id where o.code = ${firm} and c.source = 'founding-meeting'`;
    expect(audit).toMatchObject({
      changed_by: 'liaison-dispatch',
      before: { type: 'unit', name: `测试党组织${firm}` },
      after: { type: 'branch', name: `测试党组织${firm}党支部` },
    });
    // A roster file from before the founding (the firm a unit, under its own name) does not undo it: refused by column.
    const old = [
      'code,parent_code,name,type,sector,term_years,term_started_on,secretary_name,secretary_phone,full_members,probationary_members',
      [firm, county, `测试党组织${firm}`, 'unit', 'nonpublic', '', '', '', '', '3', '0'].join(','),
      '',
    ].join('\n');
    const imp = await s.app.inject({ method: 'POST', url: '/api/v1/organizations/import', payload: old, headers: { ...s.admin, 'content-type': 'text/csv' } });
    expect(imp.statusCode, imp.body).toBe(200);
    expect(imp.json().refused.map((e: { row: number; column: string }) => `${e.row}:${e.column}`)).toEqual(
      expect.arrayContaining(['2:type', '2:name', '2:secretary_name']),
    );
    expect(await s.sql`select type, name, secretary_name from organizations where code = ${firm}`).toEqual([
      { type: 'branch', name: `测试党组织${firm}党支部`, secretary_name: '陈明' },
    ]);
    // Its term register runs: the term-election workflow of the new organization.
    await eventually('the new term register', async () => {
      const p = (await s.app.inject({ headers: s.admin, url: `/api/v1/processes/${encodeURIComponent(`term-election:${firm}`)}` })).json();
      return p.currentStep === 'term-register' ? p : null;
    });

    const cov = (await s.app.inject({ headers: s.admin, url: `/api/v1/liaison/coverage?org=${county}` })).json();
    expect(cov.items).toEqual([
      expect.objectContaining({ county, units: 2, dispatched: 1, dispatchCoverage: 50, eligible: 1, established: 1, establishCoverage: 100 }),
    ]);
  });

  it('an officer leaving closes the open tasks and asks for a new assignment', async () => {
    expect((await post('/liaison/officer-left', { organization: small, reason: '尚未派员' })).statusCode).toBe(409); // no officer yet
    const assign = await openTask(small, 'assign-officer');
    const first = await s.userWith([{ role: 'liaison_officer', org: small }]);
    expect((await complete(assign.id, { officer: first.username })).statusCode).toBe(200);
    const ack = await openTask(small, 'acknowledge');
    const left = await post('/liaison/officer-left', { organization: small, reason: '联络员调离' });
    expect(left.statusCode, left.body).toBe(200);
    const [old] = await s.sql`select state, reason from tasks where id = ${ack.id}`;
    expect(old).toMatchObject({ state: 'cancelled', reason: '联络员调离' });
    const again = await openTask(small, 'assign-officer');
    expect(again.id).not.toBe(assign.id);
    const [d] = await s.sql`select state, officer from liaison_dispatches where workflow_id = ${wf(small)}`;
    expect(d).toMatchObject({ state: 'unassigned', officer: null });
  });

  it('the county organization department assigns the officer, for a unit under a township too', async () => {
    // domain.md §4.4: "county organization department assigns an officer" — not the township the unit sits under.
    expect((await post('/processes/liaison-dispatch', { organization: inTownship })).statusCode).toBe(201);
    const assign = await openTask(inTownship, 'assign-officer');
    const [where] = await s.sql<{ code: string; assignee_role: string }[]>`
      select o.code, t.assignee_role from tasks t join organizations o on o.id = t.organization_id where t.id = ${assign.id}`;
    expect(where).toEqual({ code: other.county, assignee_role: 'organizer' });
    const officer = await s.userWith([{ role: 'liaison_officer', org: inTownship }]);
    const townshipOrganizer = await s.userWith([{ role: 'organizer', org: township }]);
    expect([403, 404]).toContain((await complete(assign.id, { officer: officer.username }, townshipOrganizer)).statusCode);
    const countyOrganizer = await s.userWith([{ role: 'organizer', org: other.county }]);
    expect((await complete(assign.id, { officer: officer.username }, countyOrganizer)).statusCode).toBe(200);
    expect((await openTask(inTownship, 'acknowledge')).assignee_person).toBe(officer.username);
  });
});
