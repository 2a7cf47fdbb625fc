import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, orgRow, startStack, uniqueCodes, type Stack } from '../helpers/context.js';

// 催报: the yearly return's missing filers and one nudge to their secretaries, against the real
// API and PostgreSQL. Who files a return is returnKindOf's (villages, communities, university branches); a branch
// under a village's 总支 belongs to the village and is not on the list.
describe('the yearly return’s missing filers and 催报', () => {
  let s: Stack;
  const [county, town, filed, missing, orphan, subBranch, other] = uniqueCodes('RC', 'RT', 'RF', 'RM', 'RO', 'RS', 'RX');
  const YEAR = 2025;
  type Who = { username: string; authorization: string };
  let organizer: Who, secFiled: Who, secMissing: Who, outsider: Who;
  const api = (who: Who, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    s.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { ...headers, authorization: who.authorization },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      // The county at the tree's third level: its township's villages are villages (domain.md §2).
      ...countyChain(county).rows,
      orgRow(town, county, { type: 'committee', sector: 'regional' }),
      orgRow(filed, town, { name: `已报村${filed}` }),
      orgRow(missing, town, { type: 'general_branch', name: `未报村${missing}` }),
      orgRow(orphan, town, { name: `无书记村${orphan}` }),
      orgRow(subBranch, missing, { name: `村下支部${subBranch}` }),
      orgRow(other, '', { type: 'committee', sector: 'regional' }),
    ]);
    organizer = await s.userWith([{ role: 'organizer', org: county }]);
    secFiled = await s.userWith([{ role: 'secretary', org: filed }]);
    // One person is the secretary of the village and of its sub-branch: one message all the same.
    secMissing = await s.userWith([
      { role: 'secretary', org: missing },
      { role: 'secretary', org: subBranch },
    ]);
    outsider = await s.userWith([{ role: 'organizer', org: other }]);
    const put = await api(secFiled, 'PUT', `/organizations/${filed}/returns/${YEAR}`, { activistsTrained: 2, reserveCadres: 1, funding: 50000 });
    expect(put.statusCode, put.body).toBe(200);
  });
  afterAll(async () => s?.close());

  it('lists the organizations of the subtree that file a return and have none for the year, with their secretaries', async () => {
    const r = await api(organizer, 'GET', `/returns/${YEAR}/missing?org=${town}`);
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({ year: YEAR, dueOn: `${YEAR + 1}-03-31`, overdue: true });
    const byCode = (a: { code: string }, b: { code: string }) => (a.code < b.code ? -1 : 1);
    // Not the filed village, not the branch under the village's 总支, not the township.
    expect([...body.items].sort(byCode)).toEqual(
      [
        { code: missing, name: `未报村${missing}`, kind: 'village', secretaries: [secMissing.username], nudges: 0, lastNudgedAt: null },
        { code: orphan, name: `无书记村${orphan}`, kind: 'village', secretaries: [], nudges: 0, lastNudgedAt: null },
      ].sort(byCode),
    );
  });

  it('refuses a secretary (403), an organization outside the caller’s subtree (404) and a year not begun (400)', async () => {
    expect((await api(secFiled, 'GET', `/returns/${YEAR}/missing`)).statusCode).toBe(403);
    expect((await api(secFiled, 'POST', `/returns/${YEAR}/nudges`, {})).statusCode).toBe(403);
    expect((await api(outsider, 'GET', `/returns/${YEAR}/missing?org=${town}`)).statusCode).toBe(404);
    expect((await api(outsider, 'POST', `/returns/${YEAR}/nudges`, { org: town })).statusCode).toBe(404);
    const future = await api(organizer, 'GET', `/returns/2100/missing`);
    expect(future.statusCode).toBe(400);
    expect(future.json().error.details[0].field).toBe('params.year');
    // Nothing in the outsider's own tree misses a return: nothing to nudge, said as such.
    const none = await api(outsider, 'POST', `/returns/${YEAR}/nudges`, {});
    expect(none.statusCode).toBe(422);
    expect(none.json().error.code).toBe('nothing_to_nudge');
  });

  it('nudges each secretary on the list once, counts it per organization, and acts once for a retried request', async () => {
    const key = { 'idempotency-key': `return-nudge-${town}` };
    const r = await api(organizer, 'POST', `/returns/${YEAR}/nudges`, { org: town, message: '请于本周内补报' }, key);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ organizations: 2, people: 1, unreached: [orphan] });
    const again = await api(organizer, 'POST', `/returns/${YEAR}/nudges`, { org: town, message: '请于本周内补报' }, key);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(r.json().id);

    const notes = await s.sql<{ title: string; body: string; task_id: number | null }[]>`
      select n.title, n.body, n.task_id from notifications n join users u on u.id = n.user_id where u.username = ${secMissing.username} and n.kind = 'nudge'`;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ title: `催报：请填报 ${YEAR} 年度年报（${organizer.username}）`, task_id: null });
    expect(notes[0]!.body.split('\n')).toEqual(['请于本周内补报', `未报村${missing} · 截止 ${YEAR + 1}-03-31`]);
    expect(
      await s.sql`select 1 from notifications n join users u on u.id = n.user_id where u.username = ${secFiled.username} and n.kind = 'nudge'`,
    ).toHaveLength(0);

    const list = (await api(organizer, 'GET', `/returns/${YEAR}/missing?org=${town}`)).json();
    for (const i of list.items) expect(i).toMatchObject({ nudges: 1, lastNudgedAt: expect.any(String) });
    const [n] = await s.sql<
      { actor: string; tasks: number; people: number; filter: unknown }[]
    >`select actor, tasks, people, filter from nudges where id = ${r.json().id}`;
    expect(n).toEqual({ actor: organizer.username, tasks: 2, people: 1, filter: { returns: YEAR, org: town } });

    // While the secretary is away, the next 催报 reaches whoever stands in for them too, each once.
    const standIn = await s.userWith([{ role: 'supervisor', org: town }]);
    await s.sql`
      insert into substitutions (user_id, substitute_id, starts_on, ends_on, named_by)
      select a.id, b.id, (now() at time zone 'Asia/Shanghai')::date, (now() at time zone 'Asia/Shanghai')::date + 3, 'test'
      from users a, users b where a.username = ${secMissing.username} and b.username = ${standIn.username}`;
    const away = await api(organizer, 'POST', `/returns/${YEAR}/nudges`, { org: town });
    expect(away.json()).toMatchObject({ organizations: 2, people: 2, unreached: [orphan] });
    const toStandIn = await s.sql<{ body: string }[]>`
      select n.body from notifications n join users u on u.id = n.user_id where u.username = ${standIn.username} and n.kind = 'nudge'`;
    expect(toStandIn.map((n) => n.body)).toEqual([`未报村${missing} · 截止 ${YEAR + 1}-03-31`]);

    // Filed after the nudge: off the list, and the next 催报 passes it by.
    const put = await api(secMissing, 'PUT', `/organizations/${missing}/returns/${YEAR}`, { activistsTrained: 0, reserveCadres: 0, funding: 0 });
    expect(put.statusCode, put.body).toBe(200);
    const after = await api(organizer, 'POST', `/returns/${YEAR}/nudges`, { org: town });
    expect(after.json()).toMatchObject({ organizations: 1, people: 0, unreached: [orphan] });
  });
});
