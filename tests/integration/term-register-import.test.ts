import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';

const HEADER = 'code,parent_code,name,type,sector,term_years,term_started_on,secretary_name,secretary_phone,full_members,probationary_members';

// One owner per field: a re-import of the county's spreadsheet does not undo what a process wrote
// to the register. Against the real stack: API → import → PostgreSQL, and the Update to the running workflow.
describe('re-importing organizations whose fields a process owns', () => {
  let s: Stack;
  const root = uniqueCode('R');
  const elected = uniqueCode('E'); // a term election walked to approval
  const waiting = uniqueCode('W'); // a term election waiting on the register
  const selected = uniqueCode('S'); // a secretary approved by 两推一选
  const founded = uniqueCode('F'); // a unit established as a branch by liaison dispatch
  const today = shanghaiDate(Date.now());
  const oldStart = addMonths(today, -56); // ends in 4 months: the request opens at once

  const post = (rows: string[]) =>
    s.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/import',
      payload: `${[HEADER, ...rows].join('\n')}\n`,
      headers: { ...s.admin, 'content-type': 'text/csv' },
    });
  const row = (code: string, o: { name?: string; type?: string; sector?: string; years?: string; start?: string; secretary?: string; full?: string } = {}) =>
    [
      code,
      root,
      o.name ?? `测试党组织${code}`,
      o.type ?? 'branch',
      o.sector ?? 'rural',
      o.years ?? '5',
      o.start ?? oldStart,
      o.secretary ?? '张伟',
      '13800000000',
      o.full ?? '30',
      '2',
    ].join(',');
  const register = async (code: string) => {
    const [o] = await s.sql<{ type: string; term_started_on: Date | null; term_years: number | null; secretary_name: string | null; name: string }[]>`
      select type, term_started_on, term_years, secretary_name, name from organizations where code = ${code}`;
    return {
      type: o!.type,
      startedOn: o!.term_started_on ? shanghaiDate(o!.term_started_on) : null,
      years: o!.term_years,
      secretary: o!.secretary_name,
      name: o!.name,
    };
  };
  const id = (code: string) => `term-election:${code}`;
  const openTask = (code: string, step: string) =>
    eventually(`open ${step} task of ${code}`, async () => {
      const [t] = await s.sql<{ id: number }[]>`
        select t.id from tasks t join processes p on p.workflow_id = t.workflow_id
        where t.workflow_id = ${id(code)} and t.step = ${step} and t.state in ('open', 'claimed', 'escalated') and p.current_step = ${step}`;
      return t;
    });
  const complete = async (code: string, step: string, outcome: unknown) => {
    const t = await openTask(code, step);
    const r = await s.app.inject({ headers: s.admin, method: 'POST', url: `/api/v1/tasks/${t.id}/complete`, payload: { outcome } });
    expect(r.statusCode, r.body).toBe(200);
  };

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(elected, root, { term_years: 5, term_started_on: oldStart, full_members: 30 }),
      orgRow(waiting, root, { term_years: 5, term_started_on: addMonths(today, -24), full_members: 30 }),
      orgRow(selected, root, { term_years: 5, term_started_on: addMonths(today, -24), secretary_name: '王芳', full_members: 30 }),
      orgRow(founded, root, {
        type: 'branch',
        sector: 'nonpublic',
        term_years: 3,
        term_started_on: addMonths(today, -1),
        secretary_name: '赵强',
        full_members: 4,
      }),
    ]);
  });
  afterAll(async () => s?.close());

  it('an approved election is not undone by re-importing the old term: its columns are refused by row, the rest is written', async () => {
    expect(
      (await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/processes/term-election', payload: { organization: elected } })).statusCode,
    ).toBe(201);
    await complete(elected, 'election-request', { electionDate: addMonths(today, 1), seats: 3 });
    await complete(elected, 'election-reply', { decision: 'approve' });
    await complete(elected, 'candidates', { seats: 3, candidates: ['甲', '乙', '丙', '丁'] });
    await complete(elected, 'candidates-review', { decision: 'agree' });
    await complete(elected, 'members-meeting', {
      meetingDate: shanghaiDate(Date.now()),
      entitled: 30,
      present: 26,
      ballotsIssued: 26,
      ballotsReturned: 26,
      votes: { 甲: 20, 乙: 19, 丙: 18, 丁: 3 },
    });
    await complete(elected, 'secretary-election', { secretary: '甲' });
    await complete(elected, 'result-report', { summary: '选举产生新一届支部委员会' });
    await complete(elected, 'result-approval', { decision: 'agree' });
    await eventually('the next term', async () => {
      const [e] = await s.sql`select 1 from process_events where workflow_id = ${id(elected)} and event_key = 't2:registered'`;
      return e;
    });
    const renewed = { type: 'branch', startedOn: today, years: 5, secretary: '甲', name: `测试党组织${elected}` };
    expect(await register(elected)).toEqual(renewed);

    // The county's spreadsheet still holds the old term and the old secretary, and a corrected member count.
    const r = await post([row(elected, { full: '31' })]);
    expect(r.statusCode, r.body).toBe(200);
    expect(await register(elected)).toEqual(renewed);
    const body = r.json();
    expect(body.routed).toEqual([]);
    expect(body.refused).toEqual([
      { row: 2, column: 'secretary_name', message: expect.stringMatching(/not newer than the one the running term election recorded \(started/) },
      { row: 2, column: 'term_started_on', message: expect.stringMatching(/not newer/) },
    ]);
    expect(body.updated).toBe(1); // the member count
    expect(await register(elected)).toEqual(renewed);
    const [members] = await s.sql`select full_members from organizations where code = ${elected}`;
    expect(members!.full_members).toBe(31);
    // The dashboard's register does not list it as over.
    const [over] = await s.sql`select count(*)::int as n from organizations where code = ${elected} and term_ends_on < ${today}::date`;
    expect(over!.n).toBe(0);
  });

  it('a newer term for an election waiting on the register goes to the workflow as a correction, which re-plans its deadline', async () => {
    expect(
      (await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/processes/term-election', payload: { organization: waiting } })).statusCode,
    ).toBe(201);
    await eventually('the register step', async () => {
      const [p] = await s.sql`select 1 from processes where workflow_id = ${id(waiting)} and current_step = 'term-register'`;
      return p;
    });
    const corrected = addMonths(today, -23);
    const r = await post([row(waiting, { start: corrected })]);
    expect(r.statusCode, r.body).toBe(200);
    const [corrections] = await s.sql`select count(*)::int as n from process_events where workflow_id = ${id(waiting)} and event_key like 'term-corrected-%'`;
    expect(corrections!.n, 'the running election learns of the corrected term').toBe(1);
    expect(r.json()).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 1,
      refused: [],
      routed: [{ row: 2, code: waiting, workflowId: id(waiting), columns: ['term_started_on'], status: 'applied' }],
    });
    expect((await register(waiting)).startedOn).toBe(corrected);
    const [ev] = await s.sql<{ detail: { startedOn: string; termEndsOn: string; by: string } }[]>`
      select detail from process_events where workflow_id = ${id(waiting)} and event_key = 'term-corrected-1'`;
    expect(ev!.detail).toMatchObject({ startedOn: corrected, termEndsOn: addMonths(corrected, 60), by: expect.any(String) });
    const [p] = await s.sql<{ next_deadline: Date }[]>`select next_deadline from processes where workflow_id = ${id(waiting)}`;
    expect(shanghaiDate(p!.next_deadline)).toBe(addMonths(corrected, 60));

    // The same file again changes nothing; the original (older) date is refused.
    expect((await post([row(waiting, { start: corrected })])).json()).toMatchObject({ unchanged: 1, routed: [], refused: [] });
    const back = (await post([row(waiting, { start: addMonths(today, -24) })])).json();
    expect(back.refused).toEqual([{ row: 2, column: 'term_started_on', message: expect.stringMatching(/not newer/) }]);
    expect((await register(waiting)).startedOn).toBe(corrected);
  });

  it('a newer term for an election already under way is refused by the workflow and reported on its row', async () => {
    const filed = uniqueCode('D');
    await addOrganizations(s.sql, [orgRow(filed, root, { term_years: 5, term_started_on: oldStart, full_members: 30 })]);
    expect(
      (await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/processes/term-election', payload: { organization: filed } })).statusCode,
    ).toBe(201);
    await complete(filed, 'election-request', { electionDate: addMonths(today, 1), seats: 3 });
    const r = await post([row(filed, { start: addMonths(oldStart, 1) })]);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({
      unchanged: 1,
      refused: [],
      routed: [{ row: 2, code: filed, columns: ['term_started_on'], status: 'failed', message: expect.stringMatching(/under way/) }],
    });
    expect((await register(filed)).startedOn).toBe(oldStart);
  });

  it('keeps the secretary approved by 两推一选 and the organization a liaison dispatch established, unless the row is newer', async () => {
    const [sel] = await s.sql<{ id: number }[]>`select id from organizations where code = ${selected}`;
    await s.sql`insert into secretary_selections (workflow_id, selection, organization_id, rule_set, state, secretary, updated_at)
                values (${`two-recommendations-one-election:${selected}`}, 1, ${sel!.id}, 'test', 'approved', '王芳', ${new Date(Date.now() - 30 * 86_400_000)})`;
    const [fd] = await s.sql<{ id: number }[]>`select id from organizations where code = ${founded}`;
    await s.sql`insert into liaison_dispatches (workflow_id, organization_id, officer, state, full_members, established_at, updated_at)
                values (${`liaison-dispatch:${founded}`}, ${fd!.id}, 'liaison', 'established', 4, ${new Date(Date.now() - 30 * 86_400_000)}, now())`;

    // The old spreadsheet: the village's former secretary, the firm still a unit without a term. Both refused by
    // column; the new names are written.
    const r = await post([
      row(selected, { start: addMonths(today, -24), secretary: '张伟', name: '新名称甲' }),
      [founded, root, '新名称乙', 'unit', 'nonpublic', '', '', '', '', '4', '0'].join(','),
    ]);
    expect(r.statusCode, r.body).toBe(200);
    expect(await register(selected)).toMatchObject({ secretary: '王芳', name: '新名称甲' });
    expect(await register(founded)).toMatchObject({ type: 'branch', secretary: '赵强', years: 3, name: '新名称乙' });
    const body = r.json();
    expect(body.refused.map((e: { row: number; column: string }) => `${e.row}:${e.column}`)).toEqual([
      '2:secretary_name',
      '3:secretary_name',
      '3:term_started_on',
      '3:term_years',
      '3:type',
    ]);
    expect(body.refused[0].message).toMatch(/两推一选/);
    expect(body.refused[4].message).toMatch(/established/);
    expect(await register(selected)).toMatchObject({ secretary: '王芳', name: '新名称甲' });
    expect(await register(founded)).toMatchObject({ type: 'branch', secretary: '赵强', years: 3, name: '新名称乙' });

    // A row whose term started after the approval is newer than what the process recorded: written.
    const later = shanghaiDate(Date.now() - 5 * 86_400_000);
    const ok = await post([row(selected, { start: later, secretary: '李强', name: '新名称甲' })]);
    expect(ok.json()).toMatchObject({ updated: 1, refused: [] });
    expect(await register(selected)).toMatchObject({ secretary: '李强', startedOn: later });
  });
});
