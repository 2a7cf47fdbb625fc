import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { AlreadyRunning, startProcessSettled } from '../../src/processes/start.js';
import { termElection } from '../../workflows/term-election/workflow.js';

// The first slice through every layer: API → Temporal workflow (dev server) → activity → PostgreSQL → API.
describe('term election through the API', () => {
  let s: Stack;
  const root = uniqueCode('R');
  const soon = uniqueCode('S'); // term ends in 4 months: the 6-month reminder is already past
  const later = uniqueCode('L'); // term ends in 2 years
  const unit = uniqueCode('U'); // a firm without an organization: no term

  beforeAll(async () => {
    s = await startStack();
    const today = shanghaiDate(Date.now());
    await addOrganizations(s.sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(soon, root, { term_years: 5, term_started_on: addMonths(today, -56) }),
      orgRow(later, root, { term_years: 3, term_started_on: addMonths(today, -12) }),
      orgRow(unit, root, { type: 'unit', sector: 'nonpublic', term_years: null, term_started_on: null }),
    ]);
  });
  afterAll(async () => s?.close());

  it('starts a term election, answering with the election-request task it opened, and completes it', async () => {
    const started = await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/processes/term-election', payload: { organization: soon } });
    expect(started.statusCode).toBe(201);
    // The start's answer waits for the run's first step: the task is in it, and on the rows, with no polling.
    const answer = started.json();
    expect(answer).toMatchObject({ id: `term-election:${soon}`, settled: true, currentStep: 'election-request', status: 'running' });
    expect(answer.openTasks).toEqual([expect.objectContaining({ step: 'election-request', state: 'open', assigneeRole: 'secretary' })]);
    const id: string = answer.id;

    const proc = (await s.app.inject({ headers: s.admin, url: `/api/v1/processes/${encodeURIComponent(id)}` })).json();
    expect(proc.currentStep).toBe('election-request');
    expect(proc.openTasks.map((t: { id: number }) => t.id)).toEqual([answer.openTasks[0].id]);
    expect(proc).toMatchObject({ kind: 'term-election', organization: soon, status: 'running' });
    expect(proc.openTasks).toHaveLength(1);
    expect(proc.openTasks[0]).toMatchObject({ step: 'election-request', state: 'open', assigneeRole: 'secretary' });
    expect(proc.history.map((h: { event: string }) => h.event)).toEqual(['registered', 'election-request-opened']);
    // Due two months before the term ends, at the end of a working day in Shanghai.
    const termEnds = addMonths(addMonths(shanghaiDate(Date.now()), -56), 60);
    const due = new Date(proc.openTasks[0].dueAt);
    expect(shanghaiDate(due) <= addMonths(termEnds, -2)).toBe(true);
    expect(due.getUTCHours()).toBe(10); // 18:00 +08:00

    const list = (await s.app.inject({ headers: s.admin, url: `/api/v1/tasks?org=${root}&state=open` })).json();
    expect(list.items.map((t: { organization: string }) => t.organization)).toEqual([soon]);
    const taskId = list.items[0].id;

    const done = await s.app.inject({
      headers: s.admin,
      method: 'POST',
      url: `/api/v1/tasks/${taskId}/complete`,
      payload: { outcome: { electionDate: '2027-01-10' } },
    });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ id: taskId, state: 'done' });

    const [row] = await s.sql`select state, outcome from tasks where id = ${taskId}`;
    expect(row).toMatchObject({ state: 'done', outcome: { electionDate: '2027-01-10' } });
    const audit = await s.sql`select kind, actor from task_events where task_id = ${taskId} order by id`;
    expect(audit.map((a) => a.kind)).toEqual(['opened', 'completed']);

    // Completing twice is refused by the workflow's validator and changes nothing.
    const again = await s.app.inject({ headers: s.admin, method: 'POST', url: `/api/v1/tasks/${taskId}/complete`, payload: {} });
    expect(again.statusCode).toBe(409);
    expect((await s.sql`select count(*)::int as n from task_events where task_id = ${taskId}`)[0]!.n).toBe(2);

    // The supervisor's reply follows (tests/integration/term-election-steps.test.ts walks the rest).
    const next = await eventually('the reply task', async () => {
      const r = (await s.app.inject({ headers: s.admin, url: `/api/v1/processes/${encodeURIComponent(id)}` })).json();
      return r.currentStep === 'election-reply' ? r : null;
    });
    expect(next.openTasks).toEqual([expect.objectContaining({ step: 'election-reply', assigneeRole: 'supervisor' })]);
  });

  it('keeps a process with a distant term waiting on the register without a task', async () => {
    const r = await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/processes/term-election', payload: { organization: later } });
    expect(r.statusCode).toBe(201);
    // Settled on its wait: the answer says where it waits, and until when.
    expect(r.json()).toMatchObject({ settled: true, currentStep: 'term-register', openTasks: [] });
    const proc = (await s.app.inject({ headers: s.admin, url: `/api/v1/processes/term-election:${later}` })).json();
    expect(proc.currentStep).toBe('term-register');
    expect(r.json().nextDeadline).toBe(proc.nextDeadline);
    expect(proc.openTasks).toEqual([]);
    expect(proc.nextDeadline).toBe(new Date(`${addMonths(addMonths(shanghaiDate(Date.now()), -12), 36)}T00:00:00+08:00`).toISOString());

    const dup = await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/processes/term-election', payload: { organization: later } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.details).toEqual({ id: `term-election:${later}` });
  });

  it('answers a start whose run cannot settle (no worker on its queue) within the wait, unsettled, with the process readable', async () => {
    const [lonelyRoot, lonely] = [uniqueCode('R'), uniqueCode('N')];
    await addOrganizations(s.sql, [
      orgRow(lonelyRoot, '', { type: 'committee', sector: 'regional' }),
      orgRow(lonely, lonelyRoot, { term_years: 5, term_started_on: addMonths(shanghaiDate(Date.now()), -56) }),
    ]);
    const [org] = await s.sql<{ id: number }[]>`select id from organizations where code = ${lonely}`;
    const queue = `nobody-${lonely}`;
    const t0 = Date.now();
    const started = await startProcessSettled(
      s.sql,
      s.client,
      queue,
      { kind: 'term-election', organization: lonely, organizationId: org!.id, workflow: termElection, args: [{ organization: lonely }] },
      1_500,
    );
    const waited = Date.now() - t0;
    expect(started).toEqual({ id: `term-election:${lonely}`, settled: false });
    expect(waited).toBeGreaterThanOrEqual(1_400);
    const proc = (await s.app.inject({ headers: s.admin, url: `/api/v1/processes/term-election:${lonely}` })).json();
    expect(proc).toMatchObject({ status: 'running', currentStep: 'started', openTasks: [] });
    const described = await s.client.workflow.getHandle(started.id).describe();
    expect(described.status.name).toBe('RUNNING');
    // A second start is refused as running, not started twice.
    await expect(
      startProcessSettled(
        s.sql,
        s.client,
        queue,
        { kind: 'term-election', organization: lonely, organizationId: org!.id, workflow: termElection, args: [{ organization: lonely }] },
        1_500,
      ),
    ).rejects.toBeInstanceOf(AlreadyRunning);
    await s.client.workflow.getHandle(started.id).terminate('no worker serves its queue');
  });

  it('answers bad input with 400 naming the field, and unknown things with 404', async () => {
    const bad = await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/processes/term-election', payload: { organization: 42 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([expect.objectContaining({ field: 'body.organization' })]);

    const kind = await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/processes/coffee', payload: { organization: soon } });
    expect(kind.statusCode).toBe(400);
    expect(kind.json().error.details[0].field).toBe('params.kind');

    const noTerm = await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/processes/term-election', payload: { organization: unit } });
    expect(noTerm.statusCode).toBe(400);
    expect((await s.sql`select count(*)::int as n from processes where workflow_id = ${`term-election:${unit}`}`)[0]!.n).toBe(0);

    const missing = await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/processes/term-election', payload: { organization: 'NOPE' } });
    expect(missing.statusCode).toBe(404);
    expect((await s.app.inject({ headers: s.admin, url: '/api/v1/processes/term-election:NOPE' })).statusCode).toBe(404);
    expect((await s.app.inject({ headers: s.admin, url: '/api/v1/tasks?cursor=zzz' })).statusCode).toBe(400);
    expect((await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/tasks/999999999/complete', payload: {} })).statusCode).toBe(404);
  });

  it('reads organizations and their children', async () => {
    const org = (await s.app.inject({ headers: s.admin, url: `/api/v1/organizations/${soon}` })).json();
    expect(org).toMatchObject({ code: soon, parentCode: root, type: 'branch', termYears: 5 });
    const kids = (await s.app.inject({ headers: s.admin, url: `/api/v1/organizations/${root}/children` })).json();
    expect(kids.items.map((o: { code: string }) => o.code).sort()).toEqual([soon, later, unit].sort());
  });

  it('serves health, readiness and the OpenAPI document', async () => {
    expect((await s.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await s.app.inject({ headers: s.admin, url: '/readyz' })).json()).toEqual({ status: 'ready' });
    const doc = (await s.app.inject({ headers: s.admin, url: '/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/processes/{kind}', '/api/v1/tasks', '/api/v1/tasks/{id}/complete']));
    expect((await s.app.inject({ headers: s.admin, url: '/docs' })).statusCode).toBeLessThan(400);
    const docs = await s.app.inject({ url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-security-policy']).toMatch(/script-src 'self'/);
  });

  it('sends security headers and refuses oversized bodies before reading them', async () => {
    const r = await s.app.inject({ url: '/healthz' });
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(r.headers['strict-transport-security']).toMatch(/max-age=/);
    const big = await s.app.inject({
      method: 'POST',
      url: '/api/v1/processes/term-election',
      headers: { ...s.admin, 'content-type': 'application/json' },
      payload: JSON.stringify({ organization: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.statusCode).toBe(413);
  });
});
