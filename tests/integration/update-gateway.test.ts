import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { addDays, shanghaiDate } from '../../src/domain/dates.js';
import { asHttpError, UPDATE_DEADLINE_MS } from '../../src/api/gateway.js';
import type { HttpError } from '../../src/api/errors.js';
import { taskProcess } from '../../workflows/task-process.js';

// The routes that send a workflow an Update besides the task actions (pairing evidence and milestones, training
// enrolment and a new secretary, cancelling a process) go through the same gateway as the task actions: a refusal
// is 422 naming the rule or 409, a workflow that is gone 409, and an Idempotency-Key makes a retry replay the
// first answer and act once, even when the first answer was never stored (the Update id derived from the key).
describe('Update routes other than task actions, through the gateway', () => {
  let s: Stack;
  const { county, rows: chain } = countyChain();
  const organs = uniqueCode('G');
  const partner = uniqueCode('GB');
  const township = uniqueCode('T');
  const village = uniqueCode('V');
  const trainee = uniqueCode('V');
  const today = shanghaiDate(Date.now());

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      ...chain,
      orgRow(organs, county, { type: 'committee', sector: 'government' }),
      orgRow(partner, organs, { type: 'branch', sector: 'government', term_years: 3 }),
      orgRow(township, county, { type: 'committee', sector: 'regional' }),
      orgRow(village, township, {}),
      orgRow(trainee, township, {}),
    ]);
  });
  afterAll(async () => s?.close());

  const post = (url: string, payload: unknown, key?: string) =>
    s.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: { ...s.admin, ...(key ? { 'idempotency-key': key } : {}) }, payload: payload as object });
  const replayed = (r: { headers: Record<string, unknown> }) => r.headers['idempotent-replayed'] === 'true';
  const processStep = async (id: string) => (await s.app.inject({ headers: s.admin, url: `/api/v1/processes/${encodeURIComponent(id)}` })).json();

  it('pairing: a milestone out of order is 422 with its rule; the same key twice records once and answers the same, also after a lost answer', async () => {
    const id = `pairing:${village}`;
    expect((await post('/processes/pairing', { organization: village, partner })).statusCode).toBe(201);
    await eventually('five deliverables', async () => {
      const p = await processStep(id);
      return p.openTasks?.length === 5 && p.currentStep === 'delivering' ? p : null;
    });

    // The evidence upload: the same key twice stores one file and answers with its id twice.
    const upload = (key: string) =>
      s.app.inject({
        method: 'POST',
        url: `/api/v1/pairing/evidence?${new URLSearchParams({ organization: village, deliverable: 'plan', filename: '村情调查.pdf' })}`,
        headers: { ...s.admin, 'content-type': 'application/pdf', 'idempotency-key': key },
        payload: Buffer.from('%PDF-1.4 村情调查报告'),
      });
    const file = await upload(`ev-${village}`);
    expect(file.statusCode, file.body).toBe(201);
    const again = await upload(`ev-${village}`);
    expect(again.statusCode).toBe(201);
    expect(replayed(again)).toBe(true);
    expect(again.json()).toEqual(file.json());
    expect((await s.sql`select count(*)::int as n from evidence_files where workflow_id = ${id}`)[0]!.n).toBe(1);
    const evidence = [file.json().id as string];

    // A refusal of the workflow's validator: 422 naming the rule, and replayed as such under its key.
    const milestone = (m: string, key?: string) =>
      post('/pairing/milestones', { organization: village, deliverable: 'plan', milestone: m, achievedOn: today, evidence }, key);
    const outOfOrder = await milestone('adopted', `ms-adopted-${village}`);
    expect(outOfOrder.statusCode).toBe(422);
    expect(outOfOrder.json().error).toMatchObject({ code: 'rule_violation', details: { rule: 'milestone-order' } });
    const outAgain = await milestone('adopted', `ms-adopted-${village}`);
    expect([outAgain.statusCode, replayed(outAgain), outAgain.json()]).toEqual([422, true, outOfOrder.json()]);

    // Accepted: the same key again answers the same and records nothing more.
    const key = `ms-survey-${village}`;
    const first = await milestone('survey', key);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ cycle: 1, milestones: 1 });
    const retry = await milestone('survey', key);
    expect([retry.statusCode, replayed(retry), retry.json()]).toEqual([200, true, first.json()]);
    const recorded = async () => (await s.sql<{ n: number }[]>`select count(*)::int as n from pairing_milestones where workflow_id = ${id}`)[0]!.n;
    expect(await recorded()).toBe(1);

    // The answer lost (the API died before storing it): the retry runs again, and the Update id derived from the
    // key makes the workflow answer with its first application instead of recording a second milestone.
    await s.sql`delete from idempotency_keys where key = ${key}`;
    const afterLoss = await milestone('survey', key);
    expect([afterLoss.statusCode, replayed(afterLoss), afterLoss.json()]).toEqual([200, false, first.json()]);
    expect(await recorded()).toBe(1);
    // Without the key the same milestone is a second request, which the workflow refuses.
    expect([409, 422]).toContain((await milestone('survey')).statusCode);

    // Cancelling: the same key twice cancels once and answers 200 twice; without it, the second is 409.
    const cancel = await post(`/processes/${encodeURIComponent(id)}/cancel`, { reason: '帮扶单位撤并' }, `cancel-${village}`);
    expect(cancel.statusCode, cancel.body).toBe(200);
    await eventually('the pairing cancelled', async () => (await s.sql`select status from processes where workflow_id = ${id}`)[0]?.status === 'cancelled');
    const cancelAgain = await post(`/processes/${encodeURIComponent(id)}/cancel`, { reason: '帮扶单位撤并' }, `cancel-${village}`);
    expect([cancelAgain.statusCode, replayed(cancelAgain), cancelAgain.json()]).toEqual([200, true, cancel.json()]);
    const second = await post(`/processes/${encodeURIComponent(id)}/cancel`, { reason: '帮扶单位撤并' });
    expect([second.statusCode, second.json().error.message]).toEqual([409, 'the process is cancelled']);
    // A 409 is the state of the moment, not stored under its key: the retry asks the process again (kill9: a
    // workflow replaying after its worker died refuses until its task is open again, then accepts).
    const late = await post(`/processes/${encodeURIComponent(id)}/cancel`, { reason: '再撤一次' }, `cancel-late-${village}`);
    const lateAgain = await post(`/processes/${encodeURIComponent(id)}/cancel`, { reason: '再撤一次' }, `cancel-late-${village}`);
    expect([late.statusCode, lateAgain.statusCode, replayed(lateAgain)]).toEqual([409, 409, false]);
    expect(await s.sql`select 1 from idempotency_keys where key = ${`cancel-late-${village}`}`).toHaveLength(0);
  });

  it('training: enrolling with the same key twice enrols once; a second enrolment is refused 409; a new secretary of an ended process is 409', async () => {
    const id = `rotation-training:${trainee}`;
    expect((await post('/processes/rotation-training', { organization: trainee })).statusCode).toBe(201);
    await eventually('the training task', async () => (await processStep(id)).currentStep === 'training');
    const session = uniqueCode('S');
    expect(
      (
        await post('/training-sessions', {
          code: session,
          organization: county,
          title: '村党组织书记轮训班',
          startsOn: addDays(today, 7),
          endsOn: addDays(today, 11),
        })
      ).statusCode,
    ).toBe(201);

    const enrol = (key?: string) => post(`/training-sessions/${session}/enrolments`, { organizations: [trainee] }, key);
    const first = await enrol(`enrol-${trainee}`);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ done: [trainee], refused: [] });
    const retry = await enrol(`enrol-${trainee}`);
    expect([retry.statusCode, replayed(retry), retry.json()]).toEqual([200, true, first.json()]);
    const enrolments = async () =>
      (
        await s.sql<
          { n: number }[]
        >`select count(*)::int as n from training_enrolments e join training_sessions t on t.id = e.session_id where t.code = ${session}`
      )[0]!.n;
    expect(await enrolments()).toBe(1);
    // A new request (another key, or none): the workflow's validator refuses, 409 in the bulk answer.
    expect((await enrol(`enrol-again-${trainee}`)).json()).toEqual({
      done: [],
      refused: [{ organization: trainee, status: 409, message: `already enrolled in ${session}` }],
    });
    expect(await enrolments()).toBe(1);

    // The same key with another request is refused, whatever it would have done.
    const reused = await post('/training/secretary-changes', { organization: trainee, secretary: '李强' }, `enrol-${trainee}`);
    expect([reused.statusCode, reused.json().error.code]).toEqual([422, 'idempotency_key_reused']);

    // The workflow gone (terminated outside the API): 409 in the route's words, not a server error.
    await s.client.workflow.getHandle(id).terminate('test: the process ended outside the API');
    const ended = await post('/training/secretary-changes', { organization: trainee, secretary: '李强' });
    expect([ended.statusCode, ended.json().error]).toEqual([409, { code: 'conflict', message: 'no rotation-training process is running' }]);
  });

  it('answers 503 when no worker takes the Update within the deadline, and nothing is applied', async () => {
    // A process whose task queue no worker polls (all workers stopped, a deploy under way): the Update waits.
    const workflowId = `gateway-idle-${uniqueCode('q')}`;
    const [org] = await s.sql<{ id: number }[]>`select id from organizations where code = ${village}`;
    await s.client.workflow.start(taskProcess, {
      taskQueue: `nobody-polls-${uniqueCode('q')}`,
      workflowId,
      args: [{ task: { key: 'k', step: 'report', organizationId: org!.id, assigneeRole: 'secretary', due: { workingDays: 5 } } }],
    });
    const [task] = await s.sql<{ id: number }[]>`
      insert into tasks (workflow_id, task_key, process, step, organization_id, assignee_role, state, opened_at, due_at, updated_at)
      values (${workflowId}, 'k', 'task', 'report', ${org!.id}, 'secretary', 'open', now(), now() + interval '5 days', now()) returning id`;
    const started = Date.now();
    const r = await post(`/tasks/${task!.id}/claim`, {});
    expect([r.statusCode, r.json().error.code], r.body).toEqual([503, 'process_unavailable']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(UPDATE_DEADLINE_MS - 1000);
    expect((await s.sql`select state, claimed_by from tasks where id = ${task!.id}`)[0]).toEqual({ state: 'open', claimed_by: null });
    await s.client.workflow.getHandle(workflowId).terminate('test: done');
  }, 60_000);

  it('an Update the server no longer knows, on a running process, is an unknown outcome (503), not the process ended (409)', async () => {
    // Temporal keeps an Update it has not yet seen accepted in memory only: a worker killed while holding it drops
    // it, and the poll for its outcome answers "not found" (the client's WorkflowNotFoundError). Stored as a 409
    // under the Idempotency-Key, every retry would be told the process ended while it waits for the action.
    const workflowId = `gateway-lost-${uniqueCode('q')}`;
    const [org] = await s.sql<{ id: number }[]>`select id from organizations where code = ${village}`;
    const handle = await s.client.workflow.start(taskProcess, {
      taskQueue: `nobody-polls-${uniqueCode('q')}`,
      workflowId,
      args: [{ task: { key: 'k', step: 'report', organizationId: org!.id, assigneeRole: 'secretary', due: { workingDays: 5 } } }],
    });
    const lost = await handle
      .getUpdateHandle('an-update-the-server-never-kept')
      .result()
      .catch((e: unknown) => e);
    expect((lost as Error).name).toBe('WorkflowNotFoundError');
    const whileRunning = (await asHttpError(s.client, workflowId, lost, 'ended')) as HttpError;
    expect([whileRunning.statusCode, whileRunning.code]).toEqual([503, 'process_unavailable']);
    await handle.terminate('test: done');
    const afterEnd = (await asHttpError(s.client, workflowId, lost, 'the process has ended')) as HttpError;
    expect([afterEnd.statusCode, afterEnd.code, afterEnd.message]).toEqual([409, 'conflict', 'the process has ended']);
  });

  it('documents the Idempotency-Key header on every route that sends an Update', async () => {
    const doc = (await s.app.inject({ headers: s.admin, url: '/docs/json' })).json();
    const updateRoutes = [
      '/api/v1/tasks/{id}/complete',
      '/api/v1/escalations/{id}/acknowledge',
      '/api/v1/processes/{id}/cancel',
      '/api/v1/liaison/officer-left',
      '/api/v1/pairing/evidence',
      '/api/v1/pairing/milestones',
      '/api/v1/training-sessions/{code}/enrolments',
      '/api/v1/training-sessions/{code}/attendance',
      '/api/v1/training/secretary-changes',
    ];
    for (const path of updateRoutes) {
      const params = (doc.paths[path].post.parameters ?? []) as { in: string; name: string }[];
      expect(
        params.some((p) => p.in === 'header' && p.name === 'idempotency-key'),
        path,
      ).toBe(true);
    }
  });
});
