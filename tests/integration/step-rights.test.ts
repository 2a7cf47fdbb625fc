import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, eventually, orgRow, startStack, uniqueCode, uniqueCodes, type Stack, apiOf } from '../helpers/context.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { roles, type Role } from '../../src/auth/principal.js';
import { stepActionRoles, stepCatalog, stepCompletionRoles, type StepDef } from '../../src/domain/steps.js';

// Rights follow the step (steps.ts): for every step of the catalog, against the real API, a user who holds only
// the step's role at the task's organization may complete it (`complete` among its actions), and every role the
// step does not name is refused with 403 before any Update is sent — and sees no `complete`. The term election's
// reply to the request is completed for real, through its workflow, by a user who is only the township's
// supervisor; a liaison officer at the village can no longer complete the village's election request.
describe('step rights through the API', () => {
  let s: Stack;
  const [county, township, village, elsewhere] = uniqueCodes('K', 'Z', 'V', 'E');
  let ids: Record<string, number>;
  /** One user per role at each organization: only that role, only there. */
  const users = new Map<string, { username: string; authorization: string }>();
  const user = (role: Role, org: string) => users.get(`${role}@${org}`)!;
  const api = apiOf(() => s);

  /** Where a step's task is opened: the organization of the role that does it. */
  const orgOf = (def: Pick<StepDef, 'role'>) => (def.role === 'organizer' ? county : def.role === 'supervisor' ? township : village);

  beforeAll(async () => {
    s = await startStack();
    const today = shanghaiDate(Date.now());
    await addOrganizations(s.sql, [
      orgRow(county, '', committee),
      orgRow(township, county, committee),
      // The term ends in 4 months: the election request opens at once.
      orgRow(village, township, { term_years: 5, term_started_on: addMonths(today, -56) }),
      orgRow(elsewhere, county, committee),
    ]);
    ids = Object.fromEntries(
      (await s.sql<{ code: string; id: number }[]>`select code, id from organizations where code in ${s.sql([county, township, village, elsewhere])}`).map(
        (r) => [r.code, r.id],
      ),
    );
    for (const org of [county, township, village, elsewhere]) for (const role of roles) users.set(`${role}@${org}`, await s.userWith([{ role, org }]));
  });
  afterAll(async () => s?.close());

  it('answers every step of the catalog with its role, words and the rights of its role', async () => {
    const run = uniqueCode('rights');
    for (const def of stepCatalog) {
      const org = orgOf(def);
      // A task row of the step, as its workflow would project it (no workflow: the 403 comes before any Update).
      const [task] = await s.sql<{ id: number }[]>`
        insert into tasks (workflow_id, task_key, process, step, organization_id, assignee_role, state, opened_at, due_at, updated_at, context)
        values (${`${run}:${def.id}`}, ${def.step}, ${def.process}, ${def.step}, ${ids[org]!}, ${def.role}, 'open', now(), now() + interval '10 days', now(), ${s.sql.json({ ruleSet: 'x' })})
        returning id`;
      // Completing is the step's recorders' where it names them (attendance: the session's organizer), else its role's.
      const allowed = stepCompletionRoles(def);
      const doer = def.recordedBy?.find((r) => r !== 'admin') ?? def.role;
      for (const role of roles) {
        const who = user(role, org);
        const got = await api(who, 'GET', `/tasks/${task!.id}`);
        expect(got.statusCode, `${def.id} GET as ${role}`).toBe(200);
        const detail = got.json();
        expect(detail.step, def.id).toEqual({ id: def.id, role: def.role, words: def.words });
        expect(detail.task).toMatchObject({ id: task!.id, process: def.process, step: def.step, organization: org });
        if (allowed.includes(role)) {
          expect(detail.actions, `${def.id}: ${role} may complete`).toContain('complete');
          expect(detail.actions, `${def.id}: ${role} may claim`).toContain('claim');
        } else {
          expect(detail.actions, `${def.id}: ${role} may not complete`).not.toContain('complete');
          const refused = await api(who, 'POST', `/tasks/${task!.id}/complete`, { outcome: {} });
          expect(refused.statusCode, `${def.id} completed by ${role}: ${refused.body}`).toBe(403);
        }
        // Steering (reassign, extend, cancel) belongs to those above, whatever the step.
        expect(detail.actions.includes('reassign'), `${def.id}: ${role} reassigns`).toBe(stepActionRoles(def, 'reassign').includes(role));
      }
      // The step's role held one level up still covers it; outside the subtree the task does not exist.
      if (org !== county) expect((await api(user(doer, county), 'GET', `/tasks/${task!.id}`)).json().actions).toContain('complete');
      expect((await api(user('admin', elsewhere), 'GET', `/tasks/${task!.id}`)).statusCode).toBe(404);
      expect((await api(user(doer, elsewhere), 'POST', `/tasks/${task!.id}/complete`, { outcome: {} })).statusCode).toBe(404);
    }
  });

  it('lets the township supervisor reply to the village’s election request, which a liaison officer may not file', async () => {
    const started = await api(s.admin, 'POST', '/processes/term-election', { organization: village });
    expect(started.statusCode, started.body).toBe(201);
    const workflowId = started.json().id as string;
    const openTask = (step: string) =>
      eventually(`the ${step} task`, async () => {
        const [row] = await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${workflowId} and step = ${step} and state = 'open'`;
        return row?.id;
      });

    const requestId = await openTask('election-request');
    const officer = user('liaison_officer', village);
    expect((await api(officer, 'GET', `/tasks/${requestId}`)).json().actions).toEqual([]);
    const refused = await api(officer, 'POST', `/tasks/${requestId}/complete`, { outcome: { electionDate: '2027-01-10' } });
    expect(refused.statusCode, refused.body).toBe(403);
    const filed = await api(user('secretary', village), 'POST', `/tasks/${requestId}/complete`, {
      outcome: { electionDate: '2027-01-10', seats: 5, nominationMethod: 'members' },
    });
    expect(filed.statusCode, filed.body).toBe(200);

    const replyId = await openTask('election-reply');
    const supervisor = user('supervisor', township);
    const reply = (await api(supervisor, 'GET', `/tasks/${replyId}`)).json();
    expect(reply.step).toMatchObject({ id: 'term-election:election-reply', role: 'supervisor', words: { 'zh-CN': '换届请示批复' } });
    expect(reply.actions).toEqual(expect.arrayContaining(['complete', 'claim', 'reassign', 'extend', 'cancel']));
    expect(reply.actions).not.toContain('unclaim');
    // The request being replied to: the context the workflow wrote when it opened the reply (steps.ts ReplyContext).
    expect(reply.context).toMatchObject({ ruleSet: expect.any(String), request: { electionDate: '2027-01-10', seats: 5, nominationMethod: 'members' } });
    expect(reply.process).toMatchObject({ id: workflowId, kind: 'term-election', status: 'running', organization: village });
    // The list answers the same actions.
    const listed = (await api(supervisor, 'GET', `/tasks?org=${township}&state=open`)).json().items.find((t: { id: number }) => t.id === replyId);
    expect(listed.actions).toEqual(reply.actions);
    expect(reply.history.map((h: { event: string }) => h.event)).toEqual(
      expect.arrayContaining(['registered', 'election-request-opened', 'election-request-filed', 'election-reply-opened']),
    );
    // The reply is the township's: the village's secretary does not see it, the township's may not give it.
    const secretary = user('secretary', village);
    expect((await api(secretary, 'GET', `/tasks/${replyId}`)).statusCode).toBe(404);
    expect((await api(user('secretary', township), 'POST', `/tasks/${replyId}/complete`, { outcome: { decision: 'approve' } })).statusCode).toBe(403);

    const approved = await api(supervisor, 'POST', `/tasks/${replyId}/complete`, { outcome: { decision: 'approve' } });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ id: replyId, state: 'done' });
    const after = (await api(supervisor, 'GET', `/tasks/${replyId}`)).json();
    expect(after.task.state).toBe('done');
    expect(after.actions).toEqual([]);
    // The workflow moves on to the candidates.
    await openTask('candidates');
  });
});
