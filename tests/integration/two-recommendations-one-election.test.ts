import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { shanghaiDate } from '../../src/domain/dates.js';

// 两推一选 (domain.md §4.2) through the API against the dev server and PostgreSQL: started with a validated body,
// each step a task completed through /tasks/{id}/complete, counts the rules forbid answered with 422 and nothing
// changed, the approved secretary on the register; the state readable at GET /processes/{id}.
describe('two recommendations, one election through the API', () => {
  let s: Stack;
  const { county, rows: chain } = countyChain();
  const township = uniqueCode('T');
  const village = uniqueCode('V');
  const organ = uniqueCode('G');
  const street = uniqueCode('S');
  const community = uniqueCode('M');

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      ...chain,
      orgRow(township, county, { type: 'committee', sector: 'regional' }),
      orgRow(village, township, { full_members: 30, probationary_members: 2, secretary_name: '老书记' }),
      orgRow(organ, county, { type: 'branch', sector: 'government', term_years: 3 }),
      // A street committee its county's spreadsheet calls 社区, and a community under it.
      orgRow(street, county, { type: 'committee', sector: 'community' }),
      orgRow(community, street, { sector: 'community', full_members: 20, probationary_members: 0 }),
    ]);
  });
  afterAll(async () => s?.close());

  const id = `two-recommendations-one-election:${village}`;
  const post = (url: string, payload: Record<string, unknown>, auth = s.admin) =>
    s.app.inject({ headers: auth, method: 'POST', url: `/api/v1${url}`, payload });
  const processState = async () => (await s.app.inject({ headers: s.admin, url: `/api/v1/processes/${encodeURIComponent(id)}` })).json();
  /** The open task of `step` once the process has moved to it. */
  const openTask = (step: string) =>
    eventually(step, async () => {
      const p = await processState();
      return p.currentStep === step ? (p.openTasks as { id: number; step: string; assigneeRole: string }[]).find((t) => t.step === step) : null;
    });
  const complete = (taskId: number, outcome: Record<string, unknown>, auth = s.admin) => post(`/tasks/${taskId}/complete`, { outcome }, auth);

  it('refuses bad start bodies with 400 naming the field', async () => {
    const missing = await post('/processes/two-recommendations-one-election', {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details).toEqual([expect.objectContaining({ field: 'body.organization' })]);
    const wrongSet = await post('/processes/two-recommendations-one-election', { organization: village, ruleSet: 'national-2018' });
    expect(wrongSet.statusCode).toBe(400);
    expect(wrongSet.json().error.details).toEqual([expect.objectContaining({ field: 'body.ruleSet' })]);
    const notVillage = await post('/processes/two-recommendations-one-election', { organization: organ });
    expect(notVillage.statusCode).toBe(400);
    expect(notVillage.json().error.details).toEqual([expect.objectContaining({ field: 'body.organization' })]);
    expect((await post('/processes/two-recommendations-one-election', { organization: 'NOPE-0' })).statusCode).toBe(404);
  });

  it("selects a community's secretary, not its street committee's; the task says whose words to read (街道党工委, 居委会)", async () => {
    // The street committee is no community, whatever its sector word: refused.
    const streetStart = await post('/processes/two-recommendations-one-election', { organization: street });
    expect(streetStart.statusCode).toBe(400);
    const started = await post('/processes/two-recommendations-one-election', { organization: community });
    expect(started.statusCode, started.body).toBe(201);
    const wf = `two-recommendations-one-election:${community}`;
    const taskId = await eventually(
      'the plan task',
      async () => (await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${wf} and step = 'selection-plan'`)[0]?.id,
    );
    const detail = (await s.app.inject({ headers: s.admin, url: `/api/v1/tasks/${taskId}` })).json();
    expect(detail.process).toMatchObject({ organization: community, settlement: 'community' });
    // The lists say it too, so that 我的待办 and 逾期督办 name a community's steps in its words (街道党工委审批).
    const listed = (await s.app.inject({ headers: s.admin, url: `/api/v1/tasks?org=${street}` })).json().items as { id: number; settlement?: string | null }[];
    expect(listed.find((x) => x.id === taskId)).toMatchObject({ settlement: 'community' });
    // The residents' round is titled as a community holds it (居民会议, not 村民会议): its secretary is told so.
    const secretary = await s.userWith([{ role: 'secretary', org: community }]);
    const today = shanghaiDate(Date.now());
    expect(
      (await complete(taskId, { post: 'secretary', seats: 1, villagerBasis: 'villagers', eligibility: '本社区党员', publishedOn: today })).statusCode,
    ).toBe(200);
    const membersTask = await eventually(
      'the members task',
      async () => (await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${wf} and step = 'members-recommendation' and state = 'open'`)[0]?.id,
    );
    expect((await complete(membersTask, { entitled: 20, present: 18, votes: { 王伟: 12, 李娜: 6 } })).statusCode).toBe(200);
    const told = await eventually(
      'the residents round told',
      async () =>
        (
          await s.sql<{ title: string }[]>`
        select n.title from notifications n join tasks t on t.id = n.task_id join users u on u.id = n.user_id
        where t.workflow_id = ${wf} and t.step = 'villagers-recommendation' and n.kind = 'task-opened' and u.username = ${secretary.username}`
        )[0]?.title,
    );
    expect(told).toBe('新任务：群众推荐（居民会议）');
    expect((await post(`/processes/${encodeURIComponent(wf)}/cancel`, { reason: '测试结束' })).statusCode).toBe(200);
  });

  it('runs plan → two recommendations → candidates → election → secretary → approval', async () => {
    const started = await post('/processes/two-recommendations-one-election', { organization: village });
    expect(started.statusCode, started.body).toBe(201);
    // Answered with the plan's task, which the township's organizer fills in first.
    expect(started.json()).toMatchObject({ id, settled: true, currentStep: 'selection-plan' });
    expect(started.json().openTasks).toEqual([expect.objectContaining({ step: 'selection-plan', assigneeRole: 'organizer' })]);
    expect((await post('/processes/two-recommendations-one-election', { organization: village })).statusCode).toBe(409);

    const planTask = await openTask('selection-plan');
    expect(planTask.assigneeRole).toBe('organizer');
    const [t] = await s.sql<{ code: string }[]>`select o.code from tasks t join organizations o on o.id = t.organization_id where t.id = ${planTask.id}`;
    expect(t!.code).toBe(township);
    // An outcome that does not match the step's schema: 422 naming the fields.
    const bad = await complete(planTask.id, { post: 'mayor', seats: 1 });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.code).toBe('invalid_outcome');
    expect(bad.json().error.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['outcome.post', 'outcome.villagerBasis', 'outcome.eligibility', 'outcome.publishedOn']),
    );
    const today = shanghaiDate(Date.now());
    expect(
      (await complete(planTask.id, { post: 'secretary', seats: 1, villagerBasis: 'representatives', eligibility: '本村党员', publishedOn: today })).statusCode,
    ).toBe(200);

    // A members' meeting below the turnout: 422 with the rule; the process stays where it was.
    const members = await openTask('members-recommendation');
    const low = await complete(members.id, { entitled: 32, present: 20, votes: { 王伟: 12 } });
    expect(low.statusCode).toBe(422);
    expect(low.json().error).toMatchObject({ code: 'rule_violation', details: { rule: 'turnout' } });
    const still = await processState();
    expect(still.currentStep).toBe('members-recommendation');
    expect(still.openTasks.map((x: { id: number }) => x.id)).toEqual([members.id]);
    expect((await complete(members.id, { entitled: 32, present: 28, votes: { 王伟: 14, 李娜: 10, 赵强: 4 } })).statusCode).toBe(200);
    expect(
      (await complete((await openTask('villagers-recommendation')).id, { entitled: 45, present: 36, votes: { 王伟: 20, 李娜: 12, 赵强: 4 } })).statusCode,
    ).toBe(200);

    const prelim = await openTask('preliminary-candidates');
    // Too few candidates for a differential election is refused; the qualifying share is advice the township reads.
    const alone = await complete(prelim.id, { decision: 'candidates', candidates: ['王伟'] });
    expect(alone.statusCode).toBe(422);
    expect(alone.json().error.details).toMatchObject({ rule: 'candidate-margin' });
    expect((await complete(prelim.id, { decision: 'candidates', candidates: ['王伟', '李娜'] })).statusCode).toBe(200);

    const election = await openTask('selection-election');
    const noQuorum = await complete(election.id, { entitled: 30, present: 24, ballotsIssued: 24, ballotsReturned: 24, votes: { 王伟: 20, 李娜: 4 } });
    expect(noQuorum.json().error.details).toEqual({ rule: 'quorum' });
    expect((await complete(election.id, { entitled: 30, present: 27, ballotsIssued: 27, ballotsReturned: 27, votes: { 王伟: 20, 李娜: 7 } })).statusCode).toBe(
      200,
    );
    expect((await complete((await openTask('selection-secretary')).id, { secretary: '王伟', concurrentHead: 'yes' })).statusCode).toBe(200);

    // The township committee approves: a secretary of the village cannot.
    const approval = await openTask('township-approval');
    const villageSecretary = await s.userWith([{ role: 'secretary', org: village }]);
    expect([403, 404]).toContain((await complete(approval.id, { decision: 'approve' }, villageSecretary)).statusCode);
    const supervisor = await s.userWith([{ role: 'supervisor', org: township }]);
    expect((await complete(approval.id, { decision: 'approve', comments: '同意，报县委组织部备案' }, supervisor)).statusCode).toBe(200);

    const done = await eventually('approved', async () => {
      const p = await processState();
      return p.status === 'completed' ? p : null;
    });
    expect(done).toMatchObject({ kind: 'two-recommendations-one-election', organization: village, currentStep: 'approved', nextDeadline: null, openTasks: [] });
    expect(done.history.map((h: { event: string }) => h.event)).toEqual(
      expect.arrayContaining([
        'registered',
        'plan-published',
        'members-recommended',
        'villagers-recommended',
        'candidates-fixed',
        'selection-election-counted',
        'secretary-elected',
        'approved',
      ]),
    );
    const org = (await s.app.inject({ headers: s.admin, url: `/api/v1/organizations/${village}` })).json();
    expect(org.secretaryName).toBe('王伟');
    const [row] = await s.sql`select concurrent_head from organizations where code = ${village}`;
    expect(row!.concurrent_head).toBe(true);

    // At a later term the village selects again under the same id: the second selection's tasks and events are its own.
    // The projection says 'approved' a moment before the run closes in Temporal; until it has, a start is a 409.
    await s.client.workflow.getHandle(id).result();
    expect((await post('/processes/two-recommendations-one-election', { organization: village })).statusCode).toBe(201);
    const again = await openTask('selection-plan');
    expect(again.id).not.toBe(planTask.id);
    const [k] = await s.sql<{ task_key: string }[]>`select task_key from tasks where id = ${again.id}`;
    expect(k!.task_key).toBe('s2:selection-plan');
    const selections = await s.sql`select selection, state from secretary_selections where workflow_id = ${id} order by selection`;
    expect(selections.map((x) => [x.selection, x.state])).toEqual([
      [1, 'approved'],
      [2, 'planning'],
    ]);
    expect((await processState()).status).toBe('running');
  });
});
