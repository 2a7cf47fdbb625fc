import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, eventually, orgRow, startStack, uniqueCode, committee, type Stack } from '../helpers/context.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { termDateSweep } from '../../workflows/term-date-missing/workflow.js';
import { termPlan } from '../../workflows/term-plan.js';
import { ensureTermSchedules, TERM_DATE_SWEEP_SCHEDULE_ID, TERM_PLAN_SCHEDULE_ID } from '../../src/processes/term-schedule.js';

const HEADER = 'code,parent_code,name,type,sector,term_years,term_started_on,secretary_name,secretary_phone,full_members,probationary_members';

// The term register's statutory schedule against the real API, PostgreSQL and Temporal dev server:
// a missing term is chased until it is entered (by the task, an import or any other write the sweep sees); the
// 年度换届计划 reaches the supervisors; the 未按期换届 report lists the terms past their end.
describe('term register schedule: missing terms, yearly plan, overdue report', () => {
  let s: Stack;
  const { county, rows: chain } = countyChain();
  const town = uniqueCode('T');
  const otherTown = uniqueCode('T');
  const today = shanghaiDate(Date.now());
  const year = Number(today.slice(0, 4));
  const [filled, imported, written, unit] = [uniqueCode('M'), uniqueCode('M'), uniqueCode('M'), uniqueCode('U')];
  // Terms: over two years ago; over but postponed into the future; postponed until a day already past; ending later
  // this year (or, in the last days of December, next year's first days: then the plan year moves with it).
  const [late, postponed, postponedLate, ending, nextYear] = [uniqueCode('V'), uniqueCode('V'), uniqueCode('V'), uniqueCode('V'), uniqueCode('V')];
  const lateEnd = addMonths(today, -24);
  const endingOn = addMonths(today, 0) < `${year}-12-20` ? `${year}-12-20` : `${year}-12-31`;
  const missing = { term_years: null, term_started_on: null };

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      ...chain,
      orgRow(town, county, committee),
      orgRow(otherTown, county, committee),
      orgRow(filled, town, missing),
      orgRow(imported, town, missing),
      orgRow(written, otherTown, missing),
      orgRow(unit, town, { type: 'unit', sector: 'nonpublic', ...missing, full_members: 1, probationary_members: 0 }),
      orgRow(late, town, { term_years: 3, term_started_on: addMonths(lateEnd, -36) }),
      orgRow(postponed, town, { term_years: 3, term_started_on: addMonths(today, -40) }),
      orgRow(postponedLate, town, { term_years: 3, term_started_on: addMonths(today, -40) }),
      orgRow(ending, town, { term_years: 5, term_started_on: `${Number(endingOn.slice(0, 4)) - 5}${endingOn.slice(4)}` }),
      orgRow(nextYear, town, { term_years: 5, term_started_on: `${year - 4}-06-30` }),
    ]);
    // Postponements as the term election writes them (its approval is another test's subject).
    await s.sql`update organizations set term_postponed_until = ${addMonths(today, 2)} where code = ${postponed}`;
    await s.sql`update organizations set term_postponed_until = ${addMonths(today, -1)} where code = ${postponedLate}`;
  });
  afterAll(async () => s?.close());

  const sweep = () =>
    s.client.workflow.execute(termDateSweep, { workflowId: `sweep-${randomUUID()}`, taskQueue: s.config.TEMPORAL_TASK_QUEUE, args: [{ under: county }] });
  const chaseTask = (code: string, states = ['open', 'claimed', 'escalated']) =>
    eventually(`the fill-in task of ${code}`, async () => {
      const [t] = await s.sql<{ id: number; organization_id: number; assignee_role: string; state: string; process: string }[]>`
        select id, organization_id, assignee_role, state, process from tasks
        where workflow_id = ${`term-date-missing:${code}`} and step = 'fill-in' and state = any(${states})`;
      return t;
    });
  const processOf = (code: string) =>
    s.sql<{ status: string; current_step: string }[]>`select status, current_step from processes where workflow_id = ${`term-date-missing:${code}`}`.then(
      (r) => r[0],
    );
  const register = (code: string) =>
    s.sql<{ term_started_on: string | null; term_years: number | null; secretary_name: string | null }[]>`
      select to_char(term_started_on, 'YYYY-MM-DD') as term_started_on, term_years, secretary_name from organizations where code = ${code}`.then((r) => r[0]!);
  const get = (url: string, auth: { authorization: string }) => s.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: auth });

  it('chases every organization lacking a term (not a unit) with a task for the organizer of its supervising committee, once', async () => {
    // Two sweeps at once (a manual trigger beside the Schedule's): each chase starts once, neither sweep fails.
    const [a, b] = await Promise.all([sweep(), sweep()]);
    expect(a.started + b.started).toBe(3);
    for (const code of [filled, imported, written]) await chaseTask(code);
    const [townRow] = await s.sql<{ id: number }[]>`select id from organizations where code = ${town}`;
    const t = await chaseTask(filled);
    expect(t).toMatchObject({ organization_id: townRow!.id, assignee_role: 'organizer', process: 'term-date-missing' });
    expect(await s.sql`select 1 from processes where workflow_id = ${`term-date-missing:${unit}`}`).toHaveLength(0);
    // The next morning's sweep starts nothing twice.
    expect(await sweep()).toMatchObject({ started: 0 });
    // A process that can be started by hand too, but only where a term is missing.
    const byHand = await s.app.inject({ method: 'POST', url: '/api/v1/processes/term-date-missing', headers: s.admin, payload: { organization: late } });
    expect(byHand.statusCode).toBe(400);
    expect(byHand.json().error.details).toEqual([{ field: 'body.organization', message: 'organization already has a term on the register' }]);
  });

  it('the organizer fills the term in through the task: the register gets it, audited, and the chase ends', async () => {
    const organizer = await s.userWith([{ role: 'organizer', org: town }]);
    const t = await chaseTask(filled);
    const complete = (outcome: Record<string, unknown>) =>
      s.app.inject({ method: 'POST', url: `/api/v1/tasks/${t.id}/complete`, headers: organizer, payload: { outcome } });
    const future = await complete({ termStartedOn: addMonths(today, 1), termYears: 5 });
    expect(future.statusCode, future.body).toBe(422);
    expect(future.json().error.details).toMatchObject({ rule: 'term-start' });
    const noYears = await complete({ termStartedOn: '2024-03-15' });
    expect(noYears.statusCode, noYears.body).toBe(422);
    expect(JSON.stringify(noYears.json().error)).toContain('outcome.termYears');
    expect(await register(filled)).toMatchObject({ term_started_on: null, term_years: null });

    const done = await complete({ termStartedOn: '2024-03-15', termYears: 5, secretary: '李华' });
    expect(done.statusCode, done.body).toBe(200);
    await eventually('the chase to end', async () => (await processOf(filled))?.status === 'completed');
    expect(await register(filled)).toEqual({ term_started_on: '2024-03-15', term_years: 5, secretary_name: '李华' });
    const [audit] = await s.sql`select changed_by, source, before, after from organization_changes where code = ${filled} order by id desc limit 1`;
    expect(audit).toMatchObject({
      changed_by: organizer.username,
      source: `term-date-missing:${filled} fill-in`,
      before: { term_started_on: null, term_years: null },
      after: { term_started_on: '2024-03-15', term_years: 5, secretary_name: '李华' },
    });
    expect((await get(`/processes/${encodeURIComponent(`term-date-missing:${filled}`)}`, organizer)).json()).toMatchObject({
      kind: 'term-date-missing',
      status: 'completed',
    });
  });

  it('a term that arrives by import closes the task at once; one written another way is noticed by the next sweep', async () => {
    const row = `${imported},${town},测试党组织${imported},branch,rural,5,2025-01-10,王芳,13900000000,30,2`;
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/import',
      payload: `${HEADER}\n${row}\n`,
      headers: { ...s.admin, 'content-type': 'text/csv' },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ updated: 1, refused: [] });
    await eventually('the imported term to close the chase', async () => (await processOf(imported))?.status === 'completed');
    expect(await chaseTask(imported, ['cancelled'])).toMatchObject({ state: 'cancelled' });
    expect(await register(imported)).toMatchObject({ term_started_on: '2025-01-10', term_years: 5 });

    // The operator's CLI (no Temporal client) or a repair by hand: the chase hears of it from the sweep.
    await s.sql`update organizations set term_started_on = '2023-05-01', term_years = 5 where code = ${written}`;
    await new Promise((res) => setTimeout(res, 500));
    expect((await processOf(written))?.status).toBe('running');
    expect(await sweep()).toMatchObject({ started: 0, nudged: 1 });
    await eventually('the sweep to close the chase', async () => (await processOf(written))?.status === 'completed');
    expect(await chaseTask(written, ['cancelled'])).toMatchObject({ state: 'cancelled' });
    expect(await register(written)).toMatchObject({ term_started_on: '2023-05-01', term_years: 5 });
  });

  it('年度换届计划: the list by year for the caller’s subtree (JSON, CSV, XLSX), and a notification to each supervising committee’s supervisors', async () => {
    const supervisor = await s.userWith([{ role: 'supervisor', org: town }]);
    const elsewhere = await s.userWith([{ role: 'supervisor', org: otherTown }]);
    const planYear = Number(endingOn.slice(0, 4));
    const plan = await get(`/term-election/plan?year=${planYear}`, supervisor);
    expect(plan.statusCode, plan.body).toBe(200);
    const codes = plan.json().items.map((i: { code: string }) => i.code);
    expect(codes).toContain(ending);
    expect(codes).not.toContain(nextYear);
    expect(plan.json().items.find((i: { code: string }) => i.code === ending)).toMatchObject({
      supervisorCode: town,
      termEndsOn: endingOn,
      termYears: 5,
      electionStep: null,
    });
    expect((await get(`/term-election/plan?year=${planYear}`, elsewhere)).json().items).toEqual([]);
    expect((await get('/term-election/plan?year=99', supervisor)).statusCode).toBe(400);

    const csv = await get(`/term-election/plan?year=${planYear}&format=csv`, supervisor);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toBe(
      'code,name,type,sector,supervisorCode,supervisorName,termYears,termStartedOn,termEndsOn,secretaryName,postponedUntil,electionStep,inPlanBecause',
    );
    expect(lines.some((l) => l.startsWith(`${ending},`))).toBe(true);
    const xlsx = await get(`/term-election/plan?year=${planYear}&format=xlsx`, supervisor);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as never);
    const sheet = book.worksheets[0]!;
    expect(sheet.getRow(1).getCell(1).value).toBe('code');
    const xlsxCodes: unknown[] = [];
    sheet.eachRow((r, n) => n > 1 && xlsxCodes.push(r.getCell(1).value));
    expect(xlsxCodes).toEqual(codes);

    // The 1 January run: one notification per supervisor of the committee, listing its terms; a re-run adds none.
    const run = () =>
      s.client.workflow.execute(termPlan, {
        workflowId: `term-plan-${randomUUID()}`,
        taskQueue: s.config.TEMPORAL_TASK_QUEUE,
        args: [{ year: planYear, under: county }],
      });
    expect(await run()).toMatchObject({ year: planYear, notifications: 1 });
    expect(await run()).toMatchObject({ notifications: 0 });
    const told = await s.sql<{ username: string; kind: string; title: string; body: string }[]>`
      select u.username, n.kind, n.title, n.body from notifications n join users u on u.id = n.user_id
      where n.kind = 'term-plan' and u.username = any(${[supervisor.username, elsewhere.username]})`;
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ username: supervisor.username, kind: 'term-plan' });
    expect(told[0]!.title).toContain(`${planYear}年度换届计划`);
    expect(told[0]!.body).toContain(ending);
    expect(told[0]!.body).not.toContain(nextYear);
    // In the supervisor's own notifications, which the notifier gathers into the e-mail digest.
    const inbox = await get('/notifications', supervisor);
    expect(JSON.stringify(inbox.json())).toContain('年度换届计划');
  });

  it('未按期换届: terms past their end without a renewal or a running postponement, with days overdue and the election’s step', async () => {
    const supervisor = await s.userWith([{ role: 'supervisor', org: town }]);
    const started = await s.app.inject({ method: 'POST', url: '/api/v1/processes/term-election', headers: s.admin, payload: { organization: late } });
    expect(started.statusCode, started.body).toBe(201);
    await eventually(
      'the election to run',
      async () => (await s.sql`select 1 from processes where workflow_id = ${`term-election:${late}`} and current_step <> 'started'`).length > 0,
    );
    const r = await get('/term-election/overdue-report', supervisor);
    expect(r.statusCode, r.body).toBe(200);
    const items = r.json().items as { code: string; daysOverdue: number; termEndsOn: string; electionStep: string | null; supervisorCode: string }[];
    expect(r.json().asOf).toBe(today);
    const codes = items.map((i) => i.code);
    expect(codes).toEqual(expect.arrayContaining([late, postponedLate]));
    for (const c of [postponed, ending, nextYear, filled, unit]) expect(codes).not.toContain(c);
    const l = items.find((i) => i.code === late)!;
    expect(l).toMatchObject({ termEndsOn: lateEnd, supervisorCode: town });
    expect(l.daysOverdue).toBe(Math.round((Date.parse(today) - Date.parse(lateEnd)) / 86_400_000));
    expect(l.electionStep).toBeTruthy();
    expect(items.find((i) => i.code === postponedLate)).toMatchObject({ postponedUntil: addMonths(today, -1), electionStep: null });

    const csv = await get('/term-election/overdue-report?format=csv', supervisor);
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="overdue-terms-${today}.csv"`);
    expect(csv.body).toContain(`${late},`);
    const xlsx = await get('/term-election/overdue-report?format=xlsx', supervisor);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as never);
    const found: unknown[] = [];
    book.worksheets[0]!.eachRow((row) => found.push(row.getCell(1).value));
    expect(found).toContain(late);
    // Outside the subtree: nothing of it.
    const elsewhere = await s.userWith([{ role: 'supervisor', org: otherTown }]);
    expect((await get('/term-election/overdue-report', elsewhere)).json().items.map((i: { code: string }) => i.code)).not.toContain(late);
  });

  it('the worker creates both Schedules, idempotently: the sweep every day at 06:00 and the plan on 1 January at 08:00, Shanghai time', async () => {
    await ensureTermSchedules(s.client, s.config.TEMPORAL_TASK_QUEUE);
    await ensureTermSchedules(s.client, s.config.TEMPORAL_TASK_QUEUE);
    try {
      const sweepS = await s.client.schedule.getHandle(TERM_DATE_SWEEP_SCHEDULE_ID).describe();
      expect(sweepS.spec.timezone).toBe('Asia/Shanghai');
      // Not its task queue: on the suite's shared dev server, another test's worker (crash, restart) may have created
      // the Schedules first, on its own queue — which is what idempotent creation means.
      expect(sweepS.action).toMatchObject({ type: 'startWorkflow', workflowType: 'termDateSweep' });
      const planS = await s.client.schedule.getHandle(TERM_PLAN_SCHEDULE_ID).describe();
      expect(planS.action).toMatchObject({ type: 'startWorkflow', workflowType: 'termPlan' });
      // The next firings, as the server computes them from the calendar specs.
      const next = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString();
      expect(sweepS.info.nextActionTimes.every((d) => next(d).slice(11, 16) === '06:00')).toBe(true);
      expect(next(planS.info.nextActionTimes[0]!).slice(4, 16)).toBe('-01-01T08:00');
    } finally {
      // The suite's dev server is shared: a whole-tree sweep of its rows is not this test's to leave behind.
      await s.client.schedule.getHandle(TERM_DATE_SWEEP_SCHEDULE_ID).delete();
      await s.client.schedule.getHandle(TERM_PLAN_SCHEDULE_ID).delete();
    }
  });
});
