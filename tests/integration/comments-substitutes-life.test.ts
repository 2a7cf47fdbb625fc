import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, eventually, orgRow, startStack, uniqueCode, uniqueCodes, type Stack } from '../helpers/context.js';
import { addDays, addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { taskProcess } from '../../workflows/task-process.js';
import { taskComments } from '../../src/comments/store.js';

// Comments, substitutes and an organization's life through the API against the real servers: comments with the task's rights and mentions,
// a substitute acting on an absent secretary's task (recorded on their behalf, notified meanwhile), and an
// organization's life on one page.
describe('comments, substitutes and an organization’s life', () => {
  let s: Stack;
  const [root, township, village, other] = uniqueCodes('R', 'T', 'V', 'O');
  type Who = { username: string; authorization: string };
  let sec: Who, liaison: Who, sup: Who, sup2: Who, outsider: Who, stranger: Who;
  let taskId: number;
  const processId = () => `term-election:${village}`;
  const api = (who: Who | { authorization: string }, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    s.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: who.authorization },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const today = shanghaiDate(Date.now());

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(township, root, { type: 'committee', sector: 'regional' }),
      orgRow(village, township, { term_years: 5, term_started_on: addMonths(today, -56) }),
      orgRow(other, township),
    ]);
    sec = await s.userWith([{ role: 'secretary', org: village }]);
    liaison = await s.userWith([{ role: 'liaison_officer', org: village }]);
    sup = await s.userWith([{ role: 'supervisor', org: township }]);
    // An organizer above the township: no holder of the supervisor's tasks unless standing in.
    sup2 = await s.userWith([{ role: 'organizer', org: root }]);
    outsider = await s.userWith([{ role: 'secretary', org: other }]);
    stranger = await s.userWith([{ role: 'secretary', org: other }]);
    const started = await api(s.admin, 'POST', '/processes/term-election', { organization: village });
    expect(started.statusCode, started.body).toBe(201);
    const list = await eventually('the election request', async () => {
      const r = (await api(s.admin, 'GET', `/tasks?org=${village}&state=open`)).json();
      return r.items.length ? r.items : null;
    });
    taskId = list[0].id;
  });
  afterAll(async () => s?.close());

  it('comments with the task’s rights: the doer and the supervisor write, a mention notifies, outsiders see nothing', async () => {
    // Whom the secretary may mention: those who see the task, the township's supervisor above included.
    const people = (await api(sec, 'GET', `/users?task=${taskId}`)).json().items.map((u: { username: string }) => u.username);
    expect(people).toEqual(expect.arrayContaining([sec.username, liaison.username, sup.username]));
    expect(people).not.toContain(outsider.username);
    expect((await api(outsider, 'GET', `/users?task=${taskId}`)).statusCode).toBe(404);
    const c = await api(sec, 'POST', `/tasks/${taskId}/comments`, { text: '@督导 请确认选举日期', mentions: [sup.username] });
    expect(c.statusCode, c.body).toBe(201);
    expect(c.json()).toMatchObject({ taskId, author: sec.username, onBehalfOf: null, mentions: [sup.username] });
    const [note] = await s.sql<{ kind: string; task_id: number; title: string; body: string }[]>`
      select n.kind, n.task_id, n.title, n.body from notifications n join users u on u.id = n.user_id where u.username = ${sup.username} and n.kind = 'mention'`;
    expect(note).toMatchObject({ kind: 'mention', task_id: taskId, body: '@督导 请确认选举日期' });
    expect(note!.title).toContain(sec.username);
    // The mentioned supervisor finds it among their notifications through the API too.
    const notes = (await api(sup, 'GET', '/notifications')).json();
    expect(JSON.stringify(notes)).toContain('评论中提到了你');
    // The comment is in the task's audit.
    const audit = await s.sql`select kind, actor, after from task_events where task_id = ${taskId} and kind = 'commented'`;
    expect(audit).toEqual([expect.objectContaining({ kind: 'commented', actor: sec.username, after: { commentId: c.json().id, mentions: [sup.username] } })]);

    expect((await api(sup, 'POST', `/tasks/${taskId}/comments`, { text: '日期可以' })).statusCode).toBe(201);
    // A liaison officer of the village sees the task but does not do the secretary's step: may read, not write.
    expect((await api(liaison, 'GET', `/tasks/${taskId}/comments`)).json().items).toHaveLength(2);
    const refused = await api(liaison, 'POST', `/tasks/${taskId}/comments`, { text: '我也说一句' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/secretary/);
    // Outside the subtree the task does not exist.
    expect((await api(outsider, 'GET', `/tasks/${taskId}/comments`)).statusCode).toBe(404);
    expect((await api(outsider, 'POST', `/tasks/${taskId}/comments`, { text: '探针' })).statusCode).toBe(404);

    // Bad input names the field; nothing is stored.
    const count = async () => (await s.sql`select count(*)::int as n from comments where workflow_id = ${processId()}`)[0]!.n as number;
    const before = await count();
    const empty = await api(sec, 'POST', `/tasks/${taskId}/comments`, { text: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.details).toEqual([expect.objectContaining({ field: 'body.text' })]);
    const blind = await api(sec, 'POST', `/tasks/${taskId}/comments`, { text: '看一下', mentions: [sup.username, outsider.username, 'nobody-here'] });
    expect(blind.statusCode).toBe(422);
    expect(blind.json().error.details).toEqual([
      { field: 'body.mentions.1', message: `${outsider.username} cannot see this task` },
      { field: 'body.mentions.2', message: 'no user nobody-here' },
    ]);
    expect(await count()).toBe(before);

    // A comment on the whole process: in the process's history and in the task's.
    const pc = await api(sup, 'POST', `/processes/${processId()}/comments`, { text: '本村换届请提前准备' });
    expect(pc.statusCode, pc.body).toBe(201);
    expect(pc.json().taskId).toBeNull();
    expect((await api(sup, 'GET', `/processes/${processId()}`)).json().comments.map((x: { text: string }) => x.text)).toEqual(['本村换届请提前准备']);
    const detail = (await api(sec, 'GET', `/tasks/${taskId}`)).json();
    expect(detail.comments.map((x: { text: string }) => x.text)).toEqual(['@督导 请确认选举日期', '日期可以', '本村换届请提前准备']);
    expect(detail.mayComment).toBe(true);
    expect((await api(liaison, 'GET', `/tasks/${taskId}`)).json().mayComment).toBe(false);
    expect((await api(outsider, 'POST', `/processes/${processId()}/comments`, { text: '探针' })).statusCode).toBe(404);
  });

  it('shows the newest 500 comments of a long thread, oldest first', async () => {
    const workflowId = `thread:${uniqueCode('TH')}`;
    await s.sql`
      insert into comments (workflow_id, author, body, created_at)
      select ${workflowId}, 'someone', 'comment ' || n, now() - make_interval(mins => 600 - n) from generate_series(1, 520) n`;
    const items = await taskComments(s.sql, workflowId, null);
    expect(items).toHaveLength(500);
    expect(items[0]!.text).toBe('comment 21');
    expect(items.at(-1)!.text).toBe('comment 520');
  });

  it('names a substitute only inside the rules, and refuses the rest with the field', async () => {
    const range = { startsOn: today, endsOn: addDays(today, 5) };
    // A secretary of another village is no colleague of this one.
    const stray = await api(sec, 'POST', '/substitutions', { substitute: stranger.username, ...range });
    expect(stray.statusCode).toBe(422);
    expect(stray.json().error.details).toEqual([expect.objectContaining({ field: 'body.substitute' })]);
    // Only the absent user or an organizer over them names one; outside the subtree the user does not exist.
    expect((await api(liaison, 'POST', '/substitutions', { user: sec.username, substitute: liaison.username, ...range })).statusCode).toBe(403);
    expect((await api(outsider, 'POST', '/substitutions', { user: sec.username, substitute: outsider.username, ...range })).statusCode).toBe(404);
    const backwards = await api(sec, 'POST', '/substitutions', { substitute: liaison.username, startsOn: addDays(today, 5), endsOn: today });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.details).toEqual([expect.objectContaining({ field: 'body.endsOn' })]);
    expect((await s.sql`select count(*)::int as n from substitutions s join users u on u.id = s.user_id where u.username = ${sec.username}`)[0]!.n).toBe(0);

    const named = await api(sec, 'POST', '/substitutions', { substitute: liaison.username, reason: '外出学习', ...range });
    expect(named.statusCode, named.body).toBe(201);
    expect(named.json()).toMatchObject({ user: sec.username, substitute: liaison.username, namedBy: sec.username, active: true });
    const twice = await api(sec, 'POST', '/substitutions', { substitute: liaison.username, startsOn: addDays(today, 2), endsOn: addDays(today, 9) });
    expect(twice.statusCode).toBe(409);
    // The supervisor is away too: an organizer above stands in (named by the admin).
    const sup2Named = await api(s.admin, 'POST', '/substitutions', { user: sup.username, substitute: sup2.username, ...range });
    expect(sup2Named.statusCode, sup2Named.body).toBe(201);
    expect((await api(liaison, 'GET', '/substitutions')).json().items.map((x: { user: string }) => x.user)).toEqual([sec.username]);
  });

  it('lets the substitute act on the absent secretary’s task, recorded on their behalf, and routes new tasks to substitutes', async () => {
    // The task is in the substitute's inbox, with the secretary's actions; they may comment for the secretary too.
    const mine = (await api(liaison, 'GET', '/tasks?mine=true')).json();
    expect(mine.items.map((t: { id: number }) => t.id)).toContain(taskId);
    expect(mine.items.find((t: { id: number }) => t.id === taskId).actions).toContain('complete');
    const c = await api(liaison, 'POST', `/tasks/${taskId}/comments`, { text: '我代书记处理' });
    expect(c.statusCode, c.body).toBe(201);
    expect(c.json()).toMatchObject({ author: liaison.username, onBehalfOf: sec.username });

    const claimed = await api(liaison, 'POST', `/tasks/${taskId}/claim`);
    expect(claimed.statusCode, claimed.body).toBe(200);
    // The claim is held for the absent secretary (so it does not end with the substitution) and not offered again.
    expect((await s.sql<{ claimed_by: string }[]>`select claimed_by from tasks where id = ${taskId}`)[0]!.claimed_by).toBe(sec.username);
    const held = (await api(liaison, 'GET', `/tasks/${taskId}`)).json();
    expect(held.actions).not.toContain('claim');
    expect(held.actions).toContain('complete');
    const done = await api(liaison, 'POST', `/tasks/${taskId}/complete`, { outcome: { electionDate: '2027-01-10' } });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ state: 'done' });
    const audit = await s.sql<{ kind: string; actor: string; on_behalf_of: string | null }[]>`
      select kind, actor, on_behalf_of from task_events where task_id = ${taskId} and kind in ('claimed', 'completed') order by id`;
    expect(audit).toEqual([
      { kind: 'claimed', actor: liaison.username, on_behalf_of: sec.username },
      { kind: 'completed', actor: liaison.username, on_behalf_of: sec.username },
    ]);
    const log = (await api(sup2, 'GET', `/tasks/${taskId}`)).json().actionLog;
    // The substitute's comment is among the comments, not a second time in the action log.
    expect(log.map((l: { kind: string }) => l.kind)).not.toContain('commented');
    expect(log).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'completed', actor: liaison.username, onBehalfOf: sec.username })]));

    // The supervisor's reply opens while the supervisor is away: the substitute is told, as the supervisor is.
    const reply = await eventually('the reply task', async () => {
      const [r] = await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${processId()} and step = 'election-reply'`;
      return r ?? null;
    });
    const told = await eventually('the opened notice', async () => {
      const r = await s.sql<{ username: string }[]>`
        select u.username from notifications n join users u on u.id = n.user_id where n.task_id = ${reply.id} and n.kind = 'task-opened' order by u.username`;
      return r.length >= 2 ? r.map((x) => x.username) : null;
    });
    expect(told.sort()).toEqual([sup.username, sup2.username].sort());
    // Ending the substitution ends the lent rights: the liaison officer no longer finds the secretary's work.
    const [sub] = await s.sql<{ id: number }[]>`select s.id from substitutions s join users u on u.id = s.user_id where u.username = ${sec.username}`;
    expect((await api(liaison, 'POST', `/substitutions/${sub!.id}/revoke`)).statusCode).toBe(403);
    const revoked = await api(sec, 'POST', `/substitutions/${sub!.id}/revoke`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ active: false, revokedBy: sec.username });
    expect((await api(liaison, 'POST', `/tasks/${taskId}/comments`, { text: '还能说吗' })).statusCode).toBe(403);
  });

  it('sends an escalation to the absent supervisor’s substitute as well', async () => {
    // A task already overdue whose level-2 escalation (to the township's supervisors) fires at once.
    const now = Date.now();
    const workflowId = `task:away-escalation:${village}`;
    await s.client.workflow.start(taskProcess, {
      workflowId,
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      args: [
        {
          task: {
            key: 'away-escalation',
            step: 'away-escalation',
            organizationId: (await s.sql<{ id: number }[]>`select id from organizations where code = ${village}`)[0]!.id,
            assigneeRole: 'secretary',
            due: { workingDays: 5 },
            plan: {
              dueAt: new Date(now - 3_600_000).toISOString(),
              reminders: [],
              escalations: [
                { level: 1, workingDaysAfter: 3, at: new Date(now + 200).toISOString() },
                { level: 2, workingDaysAfter: 10, at: new Date(now + 400).toISOString() },
                { level: 3, workingDaysAfter: 20, at: new Date(now + 400 * 86_400_000).toISOString() },
              ],
            },
          },
        },
      ],
    });
    const told = await eventually('the level-2 escalation notice', async () => {
      const r = await s.sql<{ username: string }[]>`
        select u.username from notifications n join users u on u.id = n.user_id join escalations e on e.id = n.escalation_id
        join tasks t on t.id = e.task_id where t.workflow_id = ${workflowId} and e.level = 2 order by u.username`;
      return r.length ? r.map((x) => x.username) : null;
    });
    // The supervisor, and the organizer above standing in for him (not a supervisor of the township himself).
    expect(told.sort()).toEqual([sup.username, sup2.username].sort());
  });

  it('assembles the organization’s life: the step timeline with who and on whose behalf, the term, 404 outside', async () => {
    const r = await api(sup, 'GET', `/organizations/${village}/life`);
    expect(r.statusCode, r.body).toBe(200);
    const life = r.json();
    // Its settlement names whose words its steps read: none here, a branch at the tree's third level is no village (§2).
    expect(life.organization).toMatchObject({ code: village, type: 'branch', settlement: null });
    expect(life.term).toMatchObject({ startedOn: addMonths(today, -56), years: 5, late: false });
    const p = life.processes.find((x: { id: string }) => x.id === processId());
    expect(p).toMatchObject({ kind: 'term-election', status: 'running' });
    const steps = p.steps.map((x: { step: string; state: string }) => `${x.step}:${x.state}`);
    expect(steps.slice(0, 3)).toEqual(['election-request:done', 'election-reply:current', 'candidates:next']);
    expect(p.steps[0]).toMatchObject({ by: liaison.username, onBehalfOf: sec.username, taskId });
    expect(p.steps[1].dueAt).toEqual(expect.any(String));
    expect(p.steps.filter((x: { state: string }) => x.state === 'next').length).toBeGreaterThan(2);
    expect(life.training).toEqual([]);
    // An assessment row as the yearly run writes it (src/processes/assessment.ts) is read back by year.
    await s.sql`
      insert into assessment_scores (year, organization_id, sector, term_on_time, secretary_trained, no_overdue_tasks, score)
      select 2025, id, 'rural', true, null, false, 82.5 from organizations where code = ${village}`;
    const again = (await api(sup, 'GET', `/organizations/${village}/life`)).json();
    expect(again.assessments).toEqual([{ year: 2025, score: 82.5, termOnTime: true, secretaryTrained: null, noOverdueTasks: false, sectorRank: null }]);
    expect((await api(outsider, 'GET', `/organizations/${village}/life`)).statusCode).toBe(404);
    expect((await api(sup, 'GET', '/organizations/NOPE-NOPE/life')).statusCode).toBe(404);
  });
});
