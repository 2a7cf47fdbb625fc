import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, eventually, orgRow, startBareTask, startStack, uniqueCodes, type Stack, apiOf } from '../helpers/context.js';
import type { TaskPlan } from '../../src/domain/task-plan.js';

// 一键催办, bulk actions and saved views against the real dev server and PostgreSQL: one message per person
// however many of their tasks a nudge reaches, the nudge recorded and counted on each task; a batch whose items
// are done or refused each by itself, nothing applied to a refused one; views private or shared by organization.
describe('nudges, bulk actions and saved views', () => {
  let s: Stack;
  const [root, county, township, v1, v2, township2, v3] = uniqueCodes('R', 'X', 'Z', 'V', 'W', 'Y', 'U');
  let ids: Record<string, number>;
  type Who = { username: string; authorization: string };
  let secA: Who, secB: Who, secC: Who, organizer: Who, sup2: Who, orgTown: Who;

  const api = apiOf(() => s);
  const startTask = (key: string, org: string, plan?: TaskPlan) => startBareTask(s, key, ids[org]!, plan);
  const notes = (who: Who) =>
    s.sql<{ title: string; body: string; task_id: number }[]>`
      select n.title, n.body, n.task_id from notifications n join users u on u.id = n.user_id where u.username = ${who.username} and n.kind = 'nudge' order by n.id`;

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(county, root, { type: 'committee', sector: 'regional' }),
      orgRow(township, county, { type: 'committee', sector: 'regional' }),
      orgRow(v1, township),
      orgRow(v2, township),
      orgRow(township2, county, { type: 'committee', sector: 'regional' }),
      orgRow(v3, township2),
    ]);
    ids = Object.fromEntries(
      (
        await s.sql<{ code: string; id: number }[]>`select code, id from organizations where code in ${s.sql([root, county, township, v1, v2, township2, v3])}`
      ).map((r) => [r.code, r.id]),
    );
    // secA is the secretary of both villages: several tasks on the list, one message.
    secA = await s.userWith([
      { role: 'secretary', org: v1 },
      { role: 'secretary', org: v2 },
    ]);
    secB = await s.userWith([{ role: 'secretary', org: v2 }]);
    secC = await s.userWith([{ role: 'secretary', org: v3 }]);
    organizer = await s.userWith([{ role: 'organizer', org: county }]);
    orgTown = await s.userWith([{ role: 'organizer', org: township }]);
    sup2 = await s.userWith([{ role: 'supervisor', org: township2 }]);
  });
  afterAll(async () => s?.close());

  it('nudges everyone on a filtered list once, records the nudge on each task and counts it; scope and role refused', async () => {
    const t1 = await startTask('nudge-a', v1);
    const t2 = await startTask('nudge-b', v1);
    const t3 = await startTask('nudge-c', v2);
    const t4 = await startTask('nudge-d', v3);

    // A secretary may not nudge; a supervisor of another township does not see this one.
    expect((await api(secA, 'POST', '/nudges', { filter: { org: township } })).statusCode).toBe(403);
    expect((await api(sup2, 'POST', '/nudges', { filter: { org: township } })).statusCode).toBe(404);
    const bad = await api(organizer, 'POST', '/nudges', { filter: { org: township, escalationLevel: 9 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].field).toBe('body.filter.escalationLevel');

    const r = await api(
      organizer,
      'POST',
      '/nudges',
      { filter: { org: township, step: undefined }, message: '请本周内办结' },
      { 'idempotency-key': 'nudge-1' },
    );
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ tasks: 3, people: 2, unreached: [] });

    // One message each: secA's lists the three tasks it holds, secB's the one of v2; the village outside the list none.
    const a = await notes(secA);
    expect(a).toHaveLength(1);
    expect(a[0]!.title).toContain('3 项待办');
    expect(a[0]!.body.split('\n')).toHaveLength(4);
    expect(a[0]!.body).toContain('请本周内办结');
    const b = await notes(secB);
    expect(b).toHaveLength(1);
    expect(b[0]!.task_id).toBe(t3);
    expect(await notes(secC)).toHaveLength(0);

    // A retry with the same key acts once.
    const again = await api(
      organizer,
      'POST',
      '/nudges',
      { filter: { org: township, step: undefined }, message: '请本周内办结' },
      { 'idempotency-key': 'nudge-1' },
    );
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await notes(secA)).toHaveLength(1);

    // Recorded on each task of the list, counted on the list, and a line of the task's history in words.
    const events = await s.sql<
      { task_id: number; actor: string }[]
    >`select task_id, actor from task_events where kind = 'nudged' and task_id = any(${[t1, t2, t3, t4]}) order by task_id`; // the database is the suite's
    expect(events.map((e) => e.task_id)).toEqual([t1, t2, t3]);
    expect(events.every((e) => e.actor === organizer.username)).toBe(true);
    const list = await api(organizer, 'GET', `/tasks?org=${county}&limit=50`);
    const counts = Object.fromEntries(list.json().items.map((t: { id: number; nudges: number }) => [t.id, t.nudges]));
    expect(counts).toMatchObject({ [t1]: 1, [t2]: 1, [t3]: 1, [t4]: 0 });
    const detail = await api(secA, 'GET', `/tasks/${t1}`);
    expect(detail.json().history).toContainEqual(expect.objectContaining({ verb: 'nudged', detail: { by: organizer.username } }));

    // The filter is read on the server: a step narrows the list to one task, nudged a second time.
    const one = await api(orgTown, 'POST', '/nudges', { filter: { org: township, step: 'nudge-c' } });
    expect(one.json()).toMatchObject({ tasks: 1, people: 2 });
    const [row] = await s.sql<{ nudge_count: number }[]>`select nudge_count from tasks where id = ${t3}`;
    expect(row!.nudge_count).toBe(2);
    // Nothing on the list: a clear refusal, nothing recorded.
    const none = await api(orgTown, 'POST', '/nudges', { filter: { org: township, step: 'no-such-step' } });
    expect(none.statusCode).toBe(422);
    expect(none.json().error.code).toBe('nothing_to_nudge');
  });

  it('reaches the substitute of a holder who is away, as the task’s own reminders do', async () => {
    await startTask('nudge-away', v3);
    const sub = await s.userWith([{ role: 'supervisor', org: township2 }]);
    await s.sql`
      insert into substitutions (user_id, substitute_id, starts_on, ends_on, named_by)
      select a.id, b.id, (now() at time zone 'Asia/Shanghai')::date, (now() at time zone 'Asia/Shanghai')::date + 3, 'test'
      from users a, users b where a.username = ${secC.username} and b.username = ${sub.username}`;
    const r = await api(organizer, 'POST', '/nudges', { filter: { org: v3 } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().people).toBe(2);
    const toSub = await notes(sub);
    expect(toSub).toHaveLength(1);
    expect(toSub[0]!.title).toContain('催办');
  });

  it('applies a bulk action item by item: done ones changed, refused ones untouched and said why', async () => {
    const a = await startTask('bulk-a', v1);
    const b = await startTask('bulk-b', v2);
    const outside = await startTask('bulk-out', v3);
    // b is claimed by secB: claiming it over needs someone who steers; secA may claim a but not b.
    expect((await api(secB, 'POST', `/tasks/${b}/claim`)).statusCode).toBe(200);

    const claim = await api(secA, 'POST', '/tasks/bulk/claim', { ids: [a, b], input: {} }, { 'idempotency-key': 'bulk-claim-1' });
    expect(claim.statusCode, claim.body).toBe(200);
    const c = claim.json();
    expect(c).toMatchObject({ done: 1, refused: 1, failed: 0 });
    expect(c.results[0]).toMatchObject({ id: a, result: 'done', task: { state: 'claimed', claimedBy: secA.username } });
    expect(c.results[1]).toMatchObject({ id: b, result: 'refused', status: 409 });
    expect(c.results[1].error.message).toMatch(/claimed by/);
    const [bRow] = await s.sql<{ claimed_by: string }[]>`select claimed_by from tasks where id = ${b}`;
    expect(bRow!.claimed_by).toBe(secB.username);

    // Reassign by the township's organizer to secA, secretary of both villages: its two tasks done, the one outside its
    // subtree refused as not found. (secB, secretary of v2 only, could not hold v1's task: tests/integration/hostile-task-holders.)
    const re = await api(
      orgTown,
      'POST',
      '/tasks/bulk/reassign',
      { ids: [a, outside, b], input: { assigneePerson: secA.username, reason: '工作调整' } },
      { 'idempotency-key': 'bulk-re-1' },
    );
    expect(re.json()).toMatchObject({ done: 2, refused: 1 });
    expect(re.json().results.map((r: { result: string; status: number }) => [r.result, r.status])).toEqual([
      ['done', 200],
      ['refused', 404],
      ['done', 200],
    ]);
    const rows = await s.sql<
      { id: number; assignee_person: string | null }[]
    >`select id, assignee_person from tasks where id in ${s.sql([a, b, outside])} order by id`;
    expect(Object.fromEntries(rows.map((r) => [r.id, r.assignee_person]))).toEqual({ [a]: secA.username, [b]: secA.username, [outside]: null });
    // Each done item audited by its workflow, with the one reason; the batch audited as a batch.
    const audits = await s.sql<
      { task_id: number; reason: string }[]
    >`select task_id, reason from task_events where kind = 'reassigned' and task_id in ${s.sql([a, b])}`;
    expect(audits.map((x) => x.reason)).toEqual(['工作调整', '工作调整']);
    // (The database is shared with other test files: find this batch by its actor.)
    const [batch] = await s.sql<
      { detail: { ids: number[]; results: { result: string }[] } }[]
    >`select detail from action_audit where action = 'tasks.bulk.reassign' and actor = ${orgTown.username}`;
    expect(batch!.detail.ids).toEqual([a, outside, b]);
    expect(batch!.detail.results.map((x) => x.result)).toEqual(['done', 'refused', 'done']);

    // secB may not extend: the task of v1 is outside its subtree (404), its own v2 task needs a steering role (403);
    // due dates unchanged. One reason for all is required.
    const due = await s.sql`select id, due_at from tasks where id in ${s.sql([a, b])} order by id`;
    const ext = await api(secB, 'POST', '/tasks/bulk/extend', { ids: [a, b], input: { dueOn: '2031-06-30', reason: '汛期' } });
    expect(ext.json().results.map((r: { status: number }) => r.status)).toEqual([404, 403]);
    expect(await s.sql`select id, due_at from tasks where id in ${s.sql([a, b])} order by id`).toEqual(due);
    const noReason = await api(orgTown, 'POST', '/tasks/bulk/extend', { ids: [a, b], input: { dueOn: '2031-06-30' } });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details.map((d: { field: string }) => d.field)).toContain('body.input.reason');
    // Bounded: more than 100 ids, or an id twice, is refused whole.
    expect((await api(orgTown, 'POST', '/tasks/bulk/claim', { ids: Array.from({ length: 101 }, (_, i) => i + 1), input: {} })).statusCode).toBe(400);
    expect((await api(orgTown, 'POST', '/tasks/bulk/claim', { ids: [a, a], input: {} })).statusCode).toBe(400);
    const extended = await api(orgTown, 'POST', '/tasks/bulk/extend', { ids: [a, b], input: { dueOn: '2031-06-30', reason: '汛期' } });
    expect(extended.json()).toMatchObject({ done: 2, refused: 0 });
  });

  it('acknowledges and closes escalations in bulk, each by itself', async () => {
    // Two overdue tasks of v1, each escalated once (level 1 goes to the township).
    const now = Date.now();
    const plan = (): TaskPlan => ({
      dueAt: new Date(now - 3_600_000).toISOString(),
      reminders: [],
      escalations: [
        { level: 1, workingDaysAfter: 3, at: new Date(now + 500).toISOString() },
        { level: 2, workingDaysAfter: 10, at: new Date(now + 400 * 86_400_000).toISOString() },
        { level: 3, workingDaysAfter: 20, at: new Date(now + 500 * 86_400_000).toISOString() },
      ],
    });
    const t1 = await startTask('esc-a', v1, plan());
    const t2 = await startTask('esc-b', v1, plan());
    const escs = await eventually('two escalations', async () => {
      const r = await s.sql<{ id: number; task_id: number }[]>`select id, task_id from escalations where task_id in ${s.sql([t1, t2])} order by task_id`;
      return r.length === 2 ? r : null;
    });
    const [e1, e2] = escs.map((e) => e.id) as [number, number];
    // Acknowledge both plus one that does not exist: two done, one refused.
    const ack = await api(orgTown, 'POST', '/escalations/bulk/acknowledge', { ids: [e1, e2, 999_999_999], input: {} });
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json()).toMatchObject({ done: 2, refused: 1 });
    expect(ack.json().results[2]).toMatchObject({ id: 999_999_999, result: 'refused', status: 404 });
    // Close the first; then closing both again: the closed one refused by its workflow (409), the other closed.
    expect((await api(orgTown, 'POST', '/escalations/bulk/close', { ids: [e1], input: { reason: '已电话督促' } })).json()).toMatchObject({ done: 1 });
    const again = await api(orgTown, 'POST', '/escalations/bulk/close', { ids: [e1, e2], input: { reason: '已电话督促' } });
    expect(again.json().results.map((r: { result: string; status: number }) => [r.result, r.status])).toEqual([
      ['refused', 409],
      ['done', 200],
    ]);
    const states = await s.sql<{ state: string }[]>`select state from escalations where id in ${s.sql([e1, e2])}`;
    expect(states.map((x) => x.state)).toEqual(['closed', 'closed']);
    // A secretary cannot close escalations: each item 403.
    const sec = await api(secA, 'POST', '/escalations/bulk/close', { ids: [e1], input: { reason: '秘书试图关闭' } });
    expect(sec.json().results[0].status).toBe(403);
  });

  it('saves views private or shared with the caller’s organization; others see a shared one only under it', async () => {
    const mine = await api(orgTown, 'POST', '/views', { name: '本镇逾期', filter: { org: township, overdue: true } });
    expect(mine.statusCode, mine.body).toBe(201);
    const shared = await api(orgTown, 'POST', '/views', { name: '本镇已催办', filter: { org: township, escalationLevel: 1 }, sharedWith: township });
    expect(shared.statusCode, shared.body).toBe(201);
    expect(shared.json()).toMatchObject({ sharedWith: township, mine: true, owner: orgTown.username });

    // The same name twice: 409 naming the field; sharing with an organization one only sees (not holds a role at): 422.
    const dup = await api(orgTown, 'POST', '/views', { name: '本镇逾期', filter: {} });
    expect(dup.statusCode).toBe(409);
    const notHeld = await api(orgTown, 'POST', '/views', { name: 'v1 的', filter: {}, sharedWith: v1 });
    expect(notHeld.statusCode).toBe(422);
    expect(notHeld.json().error.details[0].field).toBe('body.sharedWith');
    // A filter over an organization outside the caller's subtree names none of theirs: the body's field is wrong.
    const outside = await api(orgTown, 'POST', '/views', { name: '外镇', filter: { org: v3 } });
    expect(outside.statusCode).toBe(422);
    expect(outside.json().error.details[0].field).toBe('body.filter.org');
    // A rating filter reads the organizations' current ratings (三色管理): v1 red, v2 green.
    await s.sql`insert into ratings (organization_id, color, reasons, rule_set, since, computed_at)
                values (${ids[v1]!}, 'red', '[]', 'test', now(), now()), (${ids[v2]!}, 'green', '[]', 'test', now(), now())
                on conflict (organization_id) do update set color = excluded.color`;
    for (const [colour, org] of [
      ['red', v1],
      ['green', v2],
    ] as const) {
      const rated = await api(orgTown, 'GET', `/tasks?org=${township}&rating=${colour}`);
      expect(rated.statusCode).toBe(200);
      const orgs = new Set(rated.json().items.map((t: { organization: string }) => t.organization));
      expect([...orgs]).toEqual([org]);
    }
    expect((await api(orgTown, 'GET', `/tasks?org=${township}&rating=yellow`)).json().items).toEqual([]);

    // A secretary of v1 (under the township) sees the shared view, not the private one; may not change it.
    const seen = await api(secA, 'GET', '/views');
    const names = seen.json().items.map((v: { name: string }) => v.name);
    expect(names).toContain('本镇已催办');
    expect(names).not.toContain('本镇逾期');
    expect((await api(secA, 'GET', `/views/${mine.json().id}`)).statusCode).toBe(404);
    // A private view is its owner's alone: not even an admin of the whole tree lists or opens it.
    const whole = await s.userWith([{ role: 'admin', org: '' }]);
    const wholeNames = (await api(whole, 'GET', '/views')).json().items.map((v: { name: string }) => v.name);
    expect(wholeNames).toContain('本镇已催办');
    expect(wholeNames).not.toContain('本镇逾期');
    expect((await api(whole, 'GET', `/views/${mine.json().id}`)).statusCode).toBe(404);
    expect((await api(secA, 'DELETE', `/views/${shared.json().id}`)).statusCode).toBe(403);
    // Another township's secretary sees neither.
    const other = await api(secC, 'GET', '/views');
    expect(other.json().items.map((v: { name: string }) => v.name)).not.toContain('本镇已催办');
    expect((await api(secC, 'GET', `/views/${shared.json().id}`)).statusCode).toBe(404);

    // Unshare: the secretary no longer sees it. Every change audited.
    const unshared = await api(orgTown, 'PUT', `/views/${shared.json().id}`, {
      name: '本镇已催办',
      filter: { org: township, escalationLevel: 1 },
      sharedWith: null,
    });
    expect(unshared.statusCode, unshared.body).toBe(200);
    expect((await api(secA, 'GET', `/views/${shared.json().id}`)).statusCode).toBe(404);
    const deleted = await api(orgTown, 'DELETE', `/views/${mine.json().id}`);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json().name).toBe('本镇逾期');
    expect((await api(orgTown, 'GET', `/views/${mine.json().id}`)).statusCode).toBe(404);
    const audit = await s.sql<{ action: string }[]>`select action from action_audit where actor = ${orgTown.username} and action like 'view.%' order by id`;
    expect(audit.map((x) => x.action)).toEqual(['view.save', 'view.save', 'view.update', 'view.delete']);
  });
});
