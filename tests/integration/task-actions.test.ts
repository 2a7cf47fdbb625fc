import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, eventually, orgRow, startStack, uniqueCodes, type Stack, apiOf } from '../helpers/context.js';
import { taskProcess } from '../../workflows/task-process.js';
import type { TaskPlan } from '../../src/domain/task-plan.js';

// Every task action through the API against the real dev server and PostgreSQL: scope (404), role (403),
// the workflow's validator (409), the audit row, Idempotency-Key replays; escalation actions; the overdue
// dashboard, notifications and the calendar feed.
describe('task and escalation actions through the API', () => {
  let s: Stack;
  const [root, county, township, village, other] = uniqueCodes('R', 'X', 'Z', 'V', 'O');
  let ids: Record<string, number>;
  let sec: { username: string; authorization: string };
  let sec2: { username: string; authorization: string };
  let sup: { username: string; authorization: string };
  let outsider: { username: string; authorization: string };

  const api = apiOf(() => s);
  const audit = async (taskId: number) =>
    s.sql<{ kind: string; actor: string | null; reason: string | null; before: Record<string, unknown> | null; after: Record<string, unknown> | null }[]>`
      select kind, actor, reason, before, after from task_events where task_id = ${taskId} order by id`;
  const startTask = async (key: string, org: string, plan?: TaskPlan) => {
    const workflowId = `task:${key}:${org}`;
    await s.client.workflow.start(taskProcess, {
      workflowId,
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      args: [{ task: { key, step: key, organizationId: ids[org]!, assigneeRole: 'secretary', due: { workingDays: 5 }, ...(plan ? { plan } : {}) } }],
    });
    const [row] = await eventually(`task ${key}`, async () => {
      const r = await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${workflowId}`;
      return r.length ? r : null;
    });
    return row!.id;
  };

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(county, root, { type: 'committee', sector: 'regional' }),
      orgRow(township, county, { type: 'committee', sector: 'regional' }),
      orgRow(village, township),
      orgRow(other, township),
    ]);
    ids = Object.fromEntries(
      (await s.sql<{ code: string; id: number }[]>`select code, id from organizations where code in ${s.sql([root, county, township, village, other])}`).map(
        (r) => [r.code, r.id],
      ),
    );
    sec = await s.userWith([{ role: 'secretary', org: village }]);
    sec2 = await s.userWith([{ role: 'secretary', org: village }]);
    sup = await s.userWith([{ role: 'supervisor', org: township }]);
    outsider = await s.userWith([{ role: 'organizer', org: other }]);
  });
  afterAll(async () => s?.close());

  it('claims, refuses a second holder, delegates, reassigns (role-checked), extends with a reason, cancels; every action audited', async () => {
    const id = await startTask('report', village);

    // Outside the caller's subtree the task does not exist; a secretary may not reassign.
    expect((await api(outsider, 'POST', `/tasks/${id}/claim`, {})).statusCode).toBe(404);
    const forbidden = await api(sec, 'POST', `/tasks/${id}/reassign`, { assigneePerson: sec2.username, reason: '工作调整' });
    expect(forbidden.statusCode).toBe(403);

    const claimed = await api(sec, 'POST', `/tasks/${id}/claim`);
    expect(claimed.statusCode, claimed.body).toBe(200);
    expect(claimed.json()).toMatchObject({ id, state: 'claimed', claimedBy: sec.username });
    // Claimed by someone else: the workflow's validator refuses, nothing enters history.
    const stolen = await api(sec2, 'POST', `/tasks/${id}/complete`, { outcome: {} });
    expect(stolen.statusCode).toBe(409);
    expect(stolen.json().error.message).toMatch(/claimed by/);

    const delegated = await api(sec, 'POST', `/tasks/${id}/delegate`, { to: sec2.username, reason: '外出培训' });
    expect(delegated.json()).toMatchObject({ state: 'claimed', claimedBy: sec2.username, assigneePerson: sec2.username });

    const reassigned = await api(sup, 'POST', `/tasks/${id}/reassign`, { assigneePerson: sec.username, reason: '工作调整' });
    expect(reassigned.statusCode).toBe(200);
    expect(reassigned.json()).toMatchObject({ state: 'open', claimedBy: null, assigneePerson: sec.username });

    // Extending without a reason is refused by the schema; nothing changed.
    const before = await audit(id);
    const [{ due_at: dueBefore }] = (await s.sql<{ due_at: Date }[]>`select due_at from tasks where id = ${id}`) as unknown as [{ due_at: Date }];
    const noReason = await api(sup, 'POST', `/tasks/${id}/extend`, { dueOn: '2027-06-30' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details[0].field).toBe('body.reason');
    expect(await audit(id)).toEqual(before);

    // With a reason and an Idempotency-Key: a retry gets the same answer and acts once.
    const key = { 'idempotency-key': `k-${id}` };
    const ext = await api(sup, 'POST', `/tasks/${id}/extend`, { dueOn: '2027-06-30', reason: '等待上级批复' }, key);
    expect(ext.statusCode).toBe(200);
    expect(ext.json().dueAt).toBe('2027-06-30T10:00:00.000Z');
    const retry = await api(sup, 'POST', `/tasks/${id}/extend`, { dueOn: '2027-06-30', reason: '等待上级批复' }, key);
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(ext.json());
    const reused = await api(sup, 'POST', `/tasks/${id}/extend`, { dueOn: '2027-07-30', reason: '另一个请求' }, key);
    expect(reused.statusCode).toBe(422);

    const cancelled = await api(sup, 'POST', `/tasks/${id}/cancel`, { reason: '任务合并' });
    expect(cancelled.json()).toMatchObject({ state: 'cancelled' });
    // Completing a cancelled task is refused and changes nothing.
    const afterCancel = await audit(id);
    const late = await api(sec, 'POST', `/tasks/${id}/complete`, { outcome: {} });
    expect(late.statusCode).toBe(409);
    expect(await audit(id)).toEqual(afterCancel);

    const trail = await audit(id);
    expect(trail.map((e) => [e.kind, e.actor])).toEqual([
      ['opened', null],
      ['claimed', sec.username],
      ['delegated', sec.username],
      ['reassigned', sup.username],
      ['extended', sup.username],
      ['cancelled', sup.username],
    ]);
    const extended = trail.find((e) => e.kind === 'extended')!;
    expect(extended.reason).toBe('等待上级批复');
    expect(extended.before!.dueAt).toBe(dueBefore.toISOString());
    expect(extended.after!.dueAt).toBe('2027-06-30T10:00:00.000Z');
    const [row] = await s.sql`select state, due_at, closed_at is not null as closed, reason from tasks where id = ${id}`;
    expect(row).toMatchObject({ state: 'cancelled', closed: true, reason: '任务合并' });
    expect(row!.due_at.toISOString()).toBe('2027-06-30T10:00:00.000Z');
  });

  it('escalates an overdue task; the supervisor acknowledges and closes it; the overdue dashboard groups it', async () => {
    const now = Date.now();
    const plan: TaskPlan = {
      dueAt: new Date(now - 3_600_000).toISOString(),
      reminders: [],
      escalations: [
        { level: 1, workingDaysAfter: 3, at: new Date(now + 500).toISOString() },
        { level: 2, workingDaysAfter: 10, at: new Date(now + 1_500).toISOString() },
        { level: 3, workingDaysAfter: 20, at: new Date(now + 400 * 86_400_000).toISOString() },
      ],
    };
    const id = await startTask('overdue', village, plan);
    const escs = await eventually('two escalations', async () => {
      const r = await s.sql<{ id: number; level: number; state: string }[]>`select id, level, state from escalations where task_id = ${id} order by level`;
      return r.length === 2 ? r : null;
    });
    const [l1, l2] = escs as unknown as [{ id: number }, { id: number }];

    const list = (await api(sup, 'GET', '/escalations?state=open')).json();
    expect(list.items.map((e: { id: number }) => e.id)).toContain(l2.id);
    expect((await api(outsider, 'POST', `/escalations/${l2.id}/acknowledge`, {})).statusCode).toBe(404);
    expect((await api(sec, 'POST', `/escalations/${l1.id}/acknowledge`, {})).statusCode).toBe(403);

    const ack = await api(sup, 'POST', `/escalations/${l2.id}/acknowledge`, {});
    expect(ack.statusCode).toBe(200);
    expect((await api(sup, 'POST', `/escalations/${l2.id}/close`, {})).statusCode).toBe(400);
    const close = await api(sup, 'POST', `/escalations/${l2.id}/close`, { reason: '已电话督促' });
    expect(close.statusCode).toBe(200);
    const again = await api(sup, 'POST', `/escalations/${l2.id}/close`, { reason: '再次关闭' });
    expect(again.statusCode).toBe(409);
    const [e2] = await s.sql`select state, actions from escalations where id = ${l2.id}`;
    expect(e2!.state).toBe('closed');
    expect(e2!.actions.map((a: { action: string; actor: string }) => [a.action, a.actor])).toEqual([
      ['acknowledge', sup.username],
      ['close', sup.username],
    ]);
    expect((await audit(id)).map((e) => e.kind)).toEqual(['opened', 'escalated', 'escalated', 'escalation-acknowledge', 'escalation-close']);

    const overdue = (await api(sup, 'GET', `/overdue?org=${township}`)).json();
    expect(overdue.total).toBe(1);
    expect(overdue.organizations).toEqual([
      { organization: village, name: expect.any(String), total: 1, levels: [{ level: 2, count: 1, oldestDueAt: plan.dueAt }] },
    ]);
    expect((await api(outsider, 'GET', `/overdue?org=${township}`)).statusCode).toBe(404);
    expect((await api(outsider, 'GET', '/overdue')).json().total).toBe(0);

    // The escalation extended by the supervisor: a new due date, every escalation closed, the task open again.
    const ext = await api(sup, 'POST', `/escalations/${l1.id}/extend`, { dueOn: '2027-06-30', reason: '春节后补报' });
    expect(ext.statusCode).toBe(200);
    expect(ext.json()).toMatchObject({ state: 'open', escalationLevel: 0, dueAt: '2027-06-30T10:00:00.000Z' });
    expect((await s.sql`select state from escalations where task_id = ${id} order by level`).map((r) => r.state)).toEqual(['closed', 'closed']);
  });

  it('lists the caller’s tasks sorted by due date with cursor pages, notifications with unread count, and an iCal feed', async () => {
    await startTask('a', village);
    await startTask('b', village);
    const page1 = (await api(sec, 'GET', `/tasks?mine=true&state=open&limit=1`)).json();
    expect(page1.items).toHaveLength(1);
    const page2 = (await api(sec, 'GET', `/tasks?mine=true&state=open&limit=1&cursor=${page1.nextCursor}`)).json();
    expect(page2.items).toHaveLength(1);
    expect(page2.items[0].dueAt >= page1.items[0].dueAt).toBe(true);
    expect(page2.items[0].id).not.toBe(page1.items[0].id);

    const notes = (await api(sec, 'GET', '/notifications?unread=true')).json();
    expect(notes.unread).toBeGreaterThanOrEqual(2);
    expect(notes.items[0]).toMatchObject({ kind: expect.any(String), readAt: null });
    const read = await api(sec, 'POST', `/notifications/${notes.items[0].id}/read`);
    expect(read.statusCode).toBe(200);
    expect((await api(sec, 'GET', '/notifications/unread-count')).json().unread).toBe(notes.unread - 1);
    expect((await api(sup, 'POST', `/notifications/${notes.items[1].id}/read`)).statusCode).toBe(404);
    expect((await api(sec, 'POST', '/notifications/read-all')).json().marked).toBeGreaterThanOrEqual(notes.unread - 1);
    expect((await api(sec, 'GET', '/notifications/unread-count')).json().unread).toBe(0);

    const { token, url } = (await api(sec, 'POST', '/calendar/token')).json();
    const feed = await s.app.inject({ url });
    expect(feed.statusCode).toBe(200);
    expect(feed.headers['content-type']).toMatch(/^text\/calendar/);
    const text = feed.body;
    expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(text).toMatch(/VERSION:2\.0/);
    expect(text.match(/BEGIN:VEVENT/g)!.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/UID:task-\d+@orglife/);
    expect(text.trimEnd().endsWith('END:VCALENDAR')).toBe(true);
    // RFC 5545 §3.1: content lines are at most 75 octets.
    expect(text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    expect((await s.app.inject({ url: `/api/v1/calendar.ics?token=${token}x` })).statusCode).toBe(404);
  });
});
