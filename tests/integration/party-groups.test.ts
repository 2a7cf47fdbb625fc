import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, eventually, orgRow, startStack, uniqueCode, type Stack, apiOf } from '../helpers/context.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { addDays, shanghaiDate } from '../../src/domain/dates.js';

// 党小组 on a branch's register through the API: the secretary forms groups with a leader, places members (one group
// each), renames; a supervisor above may read but not write, another county does not see them; 400 and 422 name their
// fields; a group formed by mistake is deleted, one with a meeting recorded only dissolved as of a day; a member whose
// membership moves to another branch (组织关系转接) leaves their group, and a leader their leadership.

const HEADER = '姓名,性别,身份证号,入党日期,转正日期,人员类别,党组织编码,联系电话';
let seq = 700;
const idNumber = (birth: string) => withCheckDigit(`420104${birth}${String(seq++).padStart(3, '0')}`);

describe('party groups on the register', () => {
  let s: Stack;
  const county = uniqueCode('C');
  const [branch, to, other] = [uniqueCode('B'), uniqueCode('B'), uniqueCode('X')];
  const people = ['甲一', '乙二', '丙三', '丁四'];
  let secretary: { authorization: string; username: string };
  let receiver: { authorization: string; username: string };
  let supervisor: { authorization: string };
  let stranger: { authorization: string };
  const ids: Record<string, number> = {};

  const call = apiOf(() => s);
  const fields = (r: { json: () => unknown }) => ((r.json() as { error: { details?: { field: string }[] } }).error.details ?? []).map((d) => d.field);
  const groups = async () => (await call(secretary, 'GET', `/organizations/${branch}/party-groups`)).json().items as PartyGroup[];
  interface PartyGroup {
    id: number;
    name: string;
    leader: { id: number; name: string } | null;
    members: { id: number; name: string }[];
  }

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [orgRow(county, '', committee), orgRow(branch, county), orgRow(to, county), orgRow(other, '', committee)]);
    const organizer = await s.userWith([{ role: 'organizer', org: county }]);
    secretary = await s.userWith([{ role: 'secretary', org: branch }]);
    receiver = await s.userWith([{ role: 'secretary', org: to }]);
    supervisor = await s.userWith([{ role: 'supervisor', org: county }]);
    stranger = await s.userWith([{ role: 'organizer', org: other }]);
    const rows = people.map((n, i) => `${n},男,${idNumber(`1980010${i + 1}`)},2005-07-01,2006-07-01,正式党员,${branch},`);
    const imported = await s.app.inject({
      method: 'POST',
      url: '/api/v1/members/import',
      headers: { authorization: organizer.authorization, 'content-type': 'text/csv' },
      payload: [HEADER, ...rows].join('\n'),
    });
    expect(imported.statusCode, imported.body).toBe(200);
    for (const m of await s.sql<{ id: number; name: string }[]>`
      select m.id, m.name from members m join organizations o on o.id = m.organization_id where o.code = ${branch}`)
      ids[m.name] = Number(m.id);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('forms groups, places each member in one, and keeps the scope of the register', async () => {
    // Scope: another county does not see the branch; a supervisor above reads but does not keep the register.
    expect((await call(stranger, 'GET', `/organizations/${branch}/party-groups`)).statusCode).toBe(404);
    expect((await call(stranger, 'POST', `/organizations/${branch}/party-groups`, { name: '第一党小组' })).statusCode).toBe(404);
    expect((await call(supervisor, 'GET', `/organizations/${branch}/party-groups`)).statusCode).toBe(200);
    expect((await call(supervisor, 'POST', `/organizations/${branch}/party-groups`, { name: '第一党小组' })).statusCode).toBe(403);
    // 400 with the field's path; 422 for a leader not on the branch's register.
    const blank = await call(secretary, 'POST', `/organizations/${branch}/party-groups`, { name: '' });
    expect(blank.statusCode).toBe(400);
    expect(fields(blank)).toEqual(['body.name']);
    const unknownLeader = await call(secretary, 'POST', `/organizations/${branch}/party-groups`, { name: '第一党小组', leaderId: 999999999 });
    expect(unknownLeader.statusCode, unknownLeader.body).toBe(422);
    expect(fields(unknownLeader)).toEqual(['body.leaderId']);

    const first = await call(secretary, 'POST', `/organizations/${branch}/party-groups`, { name: '第一党小组', leaderId: ids['甲一'] });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ name: '第一党小组', leader: { id: ids['甲一'], name: '甲一' }, members: [{ id: ids['甲一'] }] });
    const second = await call(secretary, 'POST', `/organizations/${branch}/party-groups`, { name: '第二党小组' });
    expect(second.statusCode, second.body).toBe(201);
    // A name taken among the branch's groups: 409 on the name.
    const twice = await call(secretary, 'POST', `/organizations/${branch}/party-groups`, { name: '第二党小组' });
    expect(twice.statusCode).toBe(409);
    expect(fields(twice)).toEqual(['body.name']);

    const g1 = first.json().id as number;
    const g2 = second.json().id as number;
    const put = (who: { authorization: string }, member: number, body: object) => call(who, 'PUT', `/members/${member}/party-group`, body);
    expect((await put(secretary, ids['乙二']!, { groupId: g1 })).json().partyGroup).toEqual({ id: g1, name: '第一党小组' });
    expect((await put(secretary, ids['丙三']!, { groupId: g2 })).statusCode).toBe(200);
    expect((await put(supervisor, ids['丁四']!, { groupId: g2 })).statusCode).toBe(403);
    expect((await put(stranger, ids['丁四']!, { groupId: g2 })).statusCode).toBe(404);
    const bad = await put(secretary, ids['丁四']!, { groupId: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(['body.groupId']);
    const future = await put(secretary, ids['丁四']!, { groupId: g2, since: addDays(shanghaiDate(Date.now()), 1) });
    expect(future.statusCode).toBe(422);
    expect(fields(future)).toEqual(['body.since']);
    // One group at a time: 乙二 moves from the first to the second.
    expect((await put(secretary, ids['乙二']!, { groupId: g2 })).statusCode).toBe(200);
    const now = await groups();
    expect(now.map((g) => [g.name, g.members.map((m) => m.name).sort()])).toEqual([
      ['第一党小组', ['甲一']],
      ['第二党小组', ['丙三', '乙二'].sort()],
    ]);
    const [{ n } = { n: 0 }] = await s.sql<{ n: number }[]>`
      select count(*)::int as n from party_group_members where member_id = ${ids['乙二']!} and until is null`;
    expect(n).toBe(1);

    // The register lists each member's group, and the picker's `group` filter lists a group's members.
    const register = (await call(secretary, 'GET', `/organizations/${branch}/members`)).json().items as { name: string; partyGroup: { name: string } | null }[];
    expect(Object.fromEntries(register.map((m) => [m.name, m.partyGroup?.name ?? null]))).toEqual({
      甲一: '第一党小组',
      乙二: '第二党小组',
      丙三: '第二党小组',
      丁四: null,
    });
    const picked = (await call(secretary, 'GET', `/organizations/${branch}/members?group=${g2}`)).json().items as { name: string }[];
    expect(picked.map((m) => m.name).sort()).toEqual(['丙三', '乙二'].sort());

    // Renamed, and given a leader from its members.
    const renamed = await call(secretary, 'PATCH', `/party-groups/${g2}`, { name: '机关党小组', leaderId: ids['丙三'] });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ name: '机关党小组', leader: { name: '丙三' } });
    const leaderElsewhere = await call(secretary, 'PATCH', `/party-groups/${g2}`, { leaderId: ids['甲一'] });
    expect(leaderElsewhere.statusCode).toBe(422);
    expect(fields(leaderElsewhere)).toEqual(['body.leaderId']);
  });

  it('deletes a group formed by mistake, dissolves one with meetings as of a day', async () => {
    const mistake = (await call(secretary, 'POST', `/organizations/${branch}/party-groups`, { name: '错建党小组' })).json().id as number;
    expect((await call(supervisor, 'DELETE', `/party-groups/${mistake}`)).statusCode).toBe(403);
    expect((await call(secretary, 'DELETE', `/party-groups/${mistake}`)).json()).toEqual({ id: mistake, name: '错建党小组' });
    expect((await groups()).map((g) => g.name)).not.toContain('错建党小组');

    // A group whose 党小组会 is recorded: its record names it, so it is not deleted but dissolved.
    const g = (await groups()).find((x) => x.name === '第一党小组')!;
    const [o] = await s.sql<{ id: number }[]>`select id from organizations where code = ${branch}`;
    const today = shanghaiDate(Date.now());
    await s.sql`
      insert into meetings (organization_id, workflow_id, task_key, held_on, kinds, topic, minutes, on_register, present, recorded_by, recorded_at, group_id)
      values (${o!.id}, ${`organization-life:${branch}:test`}, 'a-group-meeting', ${today}, '{group-meeting}', '学习', '记录', 1, 1, 'test', now(), ${g.id})`;
    const refused = await call(secretary, 'DELETE', `/party-groups/${g.id}`);
    expect(refused.statusCode, refused.body).toBe(409);
    expect(fields(refused)).toEqual(['params.id']);
    const early = await call(secretary, 'POST', `/party-groups/${g.id}/dissolve`, { on: '2000-01-01' });
    expect(early.statusCode).toBe(422);
    expect(fields(early)).toEqual(['body.on']);
    expect((await call(secretary, 'POST', `/party-groups/${g.id}/dissolve`, { on: 'soon' })).statusCode).toBe(400);
    const dissolved = await call(secretary, 'POST', `/party-groups/${g.id}/dissolve`, { on: today });
    expect(dissolved.statusCode, dissolved.body).toBe(200);
    expect((await groups()).map((x) => x.name)).toEqual(['机关党小组']);
    // Its member is in no group any more; the dissolved group takes no one.
    expect((await call(secretary, 'GET', `/members/${ids['甲一']}`)).json().partyGroup).toBeNull();
    const closed = await call(secretary, 'PUT', `/members/${ids['丁四']}/party-group`, { groupId: g.id });
    expect(closed.statusCode).toBe(422);
    expect(fields(closed)).toEqual(['body.groupId']);
  });

  it('takes a member whose membership moves to another branch out of their group', async () => {
    const leader = ids['丙三']!;
    const issued = await call(secretary, 'POST', `/members/${leader}/transfers`, { to, reason: '工作调动' });
    expect(issued.statusCode, issued.body).toBe(201);
    const { workflowId } = issued.json();
    const task = await eventually('the accept task', async () => {
      const [t] = await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${workflowId} and step = 'accept' and closed_at is null`;
      return t;
    });
    // Still in their group until they report.
    expect((await groups()).find((x) => x.name === '机关党小组')!.leader?.id).toBe(leader);
    const done = await call(receiver, 'POST', `/tasks/${task.id}/complete`, { outcome: { decision: 'accepted', reportedOn: shanghaiDate(Date.now()) } });
    expect(done.statusCode, done.body).toBe(200);
    await eventually(
      'the member moved',
      async () => (await s.sql`select 1 from member_transfers where workflow_id = ${workflowId} and state = 'completed'`).length > 0,
    );
    const g = (await groups()).find((x) => x.name === '机关党小组')!;
    expect(g.leader).toBeNull();
    expect(g.members.map((m) => m.name)).toEqual(['乙二']);
    expect((await call(receiver, 'GET', `/members/${leader}`)).json().partyGroup).toBeNull();
  });
});
