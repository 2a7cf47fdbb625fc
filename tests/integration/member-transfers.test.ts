import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { addDays, shanghaiDate } from '../../src/domain/dates.js';
import { termElectionActivities } from '../../activities/term-election.js';

// 组织关系转接 through the API against the dev server: a transfer inside the province issued by the sending secretary
// and received by the receiving one (the member on exactly one register throughout), a refused one, one out of the
// province closed by its receipt, one from outside whose member joins the register when they report; and a re-import
// of the old roster that does not move the member back.

const HEADER = '姓名,性别,身份证号,入党日期,转正日期,人员类别,党组织编码,联系电话';
let seq = 300;
const idNumber = (birth: string) => withCheckDigit(`420103${birth}${String(seq++).padStart(3, '0')}`);

describe('member transfers', () => {
  let s: Stack;
  const county = uniqueCode('C');
  const [from, to] = [uniqueCode('B'), uniqueCode('B')];
  const ids = { chen: idNumber('19800202'), lin: idNumber('19850303'), zhou: idNumber('19700404'), wu: idNumber('19920505') };
  const roster = [
    `陈一,男,${ids.chen},2005-07-01,2006-07-01,正式党员,${from},13800000001`,
    `林二,女,${ids.lin},2010-07-01,2011-07-01,正式党员,${from},13800000002`,
    `周三,男,${ids.zhou},1999-07-01,2000-07-01,正式党员,${from},`,
  ];
  let organizer: { authorization: string };
  let sender: { authorization: string; username: string };
  let receiver: { authorization: string; username: string };

  const call = (who: { authorization: string }, method: 'GET' | 'POST', url: string, payload?: object) =>
    s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: who.authorization }, ...(payload ? { payload } : {}) });
  const memberId = async (id: string) =>
    (await s.sql<{ id: number }[]>`select id from members where id_number_masked = ${`${id.slice(0, 4)}**********${id.slice(-4)}`} order by id desc`)[0]!.id;
  const registerOf = async (member: number) =>
    (
      await s.sql<
        { code: string; status: string }[]
      >`select o.code, m.status from members m join organizations o on o.id = m.organization_id where m.id = ${member}`
    )[0];
  const openTask = (workflowId: string, step: string) =>
    eventually(`the ${step} task of ${workflowId}`, async () => {
      const [t] = await s.sql<{ id: number; organization: string }[]>`
        select t.id, o.code as organization from tasks t join organizations o on o.id = t.organization_id
        where t.workflow_id = ${workflowId} and t.step = ${step} and t.closed_at is null`;
      return t;
    });
  const ended = (workflowId: string, state: string) =>
    eventually(
      `${workflowId} ${state}`,
      async () => (await s.sql`select 1 from member_transfers where workflow_id = ${workflowId} and state = ${state}`).length > 0,
    );
  const counts = async (code: string) => (await call(organizer, 'GET', `/organizations/${code}`)).json() as { fullMembers: number };

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [orgRow(county, '', committee), orgRow(from, county), orgRow(to, county)]);
    organizer = await s.userWith([{ role: 'organizer', org: county }]);
    sender = await s.userWith([{ role: 'secretary', org: from }]);
    receiver = await s.userWith([{ role: 'secretary', org: to }]);
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/v1/members/import',
      headers: { authorization: organizer.authorization, 'content-type': 'text/csv' },
      payload: [HEADER, ...roster].join('\n'),
    });
    expect(r.statusCode, r.body).toBe(200);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('moves a member inside the province when the receiving secretary records the report, and a re-import keeps them there', async () => {
    const chen = await memberId(ids.chen);
    // The receiving secretary may not issue it: the member is not on their register (outside their subtree).
    expect((await call(receiver, 'POST', `/members/${chen}/transfers`, { to })).statusCode).toBe(404);
    const issued = await call(sender, 'POST', `/members/${chen}/transfers`, { to, letterNumber: '鄂组转〔2026〕18号', reason: '工作调动' });
    expect(issued.statusCode, issued.body).toBe(201);
    const { workflowId, validUntil } = issued.json();
    expect(validUntil > shanghaiDate(Date.now())).toBe(true);
    // A second transfer of the same member while this one is under way is refused.
    expect((await call(sender, 'POST', `/members/${chen}/transfers`, { outside: '广东省深圳市' })).statusCode).toBe(409);

    const task = await openTask(workflowId, 'accept');
    expect(task.organization).toBe(to);
    // Until the member reports, they are on the sending register only.
    expect(await registerOf(chen)).toEqual({ code: from, status: 'normal' });
    // The sender cannot record the report; a report before the letter was issued is refused with its field.
    expect(
      (await call(sender, 'POST', `/tasks/${task.id}/complete`, { outcome: { decision: 'accepted', reportedOn: shanghaiDate(Date.now()) } })).statusCode,
    ).toBe(404);
    const early = await call(receiver, 'POST', `/tasks/${task.id}/complete`, { outcome: { decision: 'accepted', reportedOn: '2020-01-01' } });
    expect(early.statusCode, early.body).toBe(422);
    expect(JSON.stringify(early.json())).toMatch(/reported/);
    const done = await call(receiver, 'POST', `/tasks/${task.id}/complete`, { outcome: { decision: 'accepted', reportedOn: shanghaiDate(Date.now()) } });
    expect(done.statusCode, done.body).toBe(200);
    await ended(workflowId, 'completed');
    expect(await registerOf(chen)).toEqual({ code: to, status: 'normal' });
    expect((await counts(from)).fullMembers).toBe(2);
    expect((await counts(to)).fullMembers).toBe(1);

    // Both sides list it; the member's history shows the move.
    for (const [who, code] of [
      [sender, from],
      [receiver, to],
    ] as const) {
      const list = await call(who, 'GET', `/organizations/${code}/transfers`);
      expect(list.json().items.find((t: { workflowId: string }) => t.workflowId === workflowId)).toMatchObject({ state: 'completed', direction: 'within' });
    }
    const history = await call(receiver, 'GET', `/members/${chen}/history`);
    expect(history.json().items.map((e: { kind: string }) => e.kind)).toEqual(['registered', 'moved']);

    // The old roster again: the member stays where orglife moved them.
    const again = await s.app.inject({
      method: 'POST',
      url: '/api/v1/members/import',
      headers: { authorization: organizer.authorization, 'content-type': 'text/csv' },
      payload: [HEADER, ...roster].join('\n'),
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().kept).toEqual([{ row: 2, column: '党组织编码', message: expect.stringContaining(to) }]);
    expect(await registerOf(chen)).toEqual({ code: to, status: 'normal' });
  });

  it('keeps the member where they were when the receiving side refuses', async () => {
    const lin = await memberId(ids.lin);
    const issued = await call(sender, 'POST', `/members/${lin}/transfers`, { to });
    expect(issued.statusCode, issued.body).toBe(201);
    const task = await openTask(issued.json().workflowId, 'accept');
    const noReason = await call(receiver, 'POST', `/tasks/${task.id}/complete`, { outcome: { decision: 'refused' } });
    expect(noReason.statusCode).toBe(422);
    const refused = await call(receiver, 'POST', `/tasks/${task.id}/complete`, { outcome: { decision: 'refused', note: '本人未到本单位工作' } });
    expect(refused.statusCode, refused.body).toBe(200);
    await ended(issued.json().workflowId, 'refused');
    expect(await registerOf(lin)).toEqual({ code: from, status: 'normal' });
  });

  it('takes a member off the register when the receipt of a letter out of the province comes back', async () => {
    const zhou = await memberId(ids.zhou);
    const issued = await call(sender, 'POST', `/members/${zhou}/transfers`, { outside: '广东省深圳市南山区某街道党工委', letterNumber: '鄂组转〔2026〕19号' });
    expect(issued.statusCode, issued.body).toBe(201);
    const task = await openTask(issued.json().workflowId, 'receipt');
    expect(task.organization).toBe(from);
    const done = await call(sender, 'POST', `/tasks/${task.id}/complete`, { outcome: { decision: 'received', receivedOn: shanghaiDate(Date.now()) } });
    expect(done.statusCode, done.body).toBe(200);
    await ended(issued.json().workflowId, 'completed');
    expect(await registerOf(zhou)).toEqual({ code: from, status: 'transferred' });
    expect((await counts(from)).fullMembers).toBe(1);
  });

  it('registers a member from outside the province when they report', async () => {
    const incoming = await call(receiver, 'POST', '/members/transfers/incoming', {
      to,
      outside: '湖南省长沙市岳麓区某社区党委',
      letterNumber: '湘组转〔2026〕7号',
      member: { name: '吴四', gender: 'female', idNumber: ids.wu, joinedOn: '2016-07-01', fullOn: '2017-07-01', category: 'full', phone: '13700000004' },
    });
    expect(incoming.statusCode, incoming.body).toBe(201);
    // A bad 身份证号 is refused with its field path.
    const bad = await call(receiver, 'POST', '/members/transfers/incoming', {
      to,
      outside: '湖南省',
      member: {
        name: '错号',
        gender: 'male',
        idNumber: `${ids.wu.slice(0, 17)}${ids.wu.endsWith('1') ? '2' : '1'}`,
        joinedOn: '2016-07-01',
        category: 'probationary',
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('body.member.idNumber');

    const task = await openTask(incoming.json().workflowId, 'accept');
    // Not on any register until they report.
    expect(await s.sql`select 1 from members where name = '吴四' and organization_id = (select id from organizations where code = ${to})`).toHaveLength(0);
    const done = await call(receiver, 'POST', `/tasks/${task.id}/complete`, { outcome: { decision: 'accepted', reportedOn: shanghaiDate(Date.now()) } });
    expect(done.statusCode, done.body).toBe(200);
    await ended(incoming.json().workflowId, 'completed');
    const wu = await memberId(ids.wu);
    expect(await registerOf(wu)).toEqual({ code: to, status: 'normal' });
    expect((await counts(to)).fullMembers).toBe(2);
    // The transfer keeps no personal data once the member is on the register.
    const [row] = await s.sql<{ incoming: Record<string, unknown> }[]>`select incoming from member_transfers where workflow_id = ${incoming.json().workflowId}`;
    expect(row!.incoming).not.toHaveProperty('id_number_sealed');
    const shown = await call(organizer, 'GET', `/members/${wu}?reveal=idNumber`);
    expect(shown.json()).toMatchObject({ name: '吴四', idNumber: ids.wu, phone: '137****0004' });
  });

  it("counts a meeting's entitled full members from the register as it stood on the meeting's day", async () => {
    // Today: 陈一 moved from → to, 周三 left the province, 吴四 came from outside; 林二 stayed.
    const fullMembersOn = termElectionActivities(s.sql).fullMembersOn;
    const orgId = async (code: string) => (await s.sql<{ id: number }[]>`select id from organizations where code = ${code}`)[0]!.id;
    const today = shanghaiDate(Date.now());
    const yesterday = addDays(today, -1);
    expect(await fullMembersOn({ organizationId: await orgId(from), on: yesterday })).toEqual({ fullMembers: 3 });
    expect(await fullMembersOn({ organizationId: await orgId(from), on: today })).toEqual({ fullMembers: 1 });
    expect(await fullMembersOn({ organizationId: await orgId(to), on: yesterday })).toEqual({ fullMembers: 0 });
    expect(await fullMembersOn({ organizationId: await orgId(to), on: today })).toEqual({ fullMembers: 2 });
    // Before 林二 became full (2011-07-01) only the two older members were full.
    expect(await fullMembersOn({ organizationId: await orgId(from), on: '2010-12-31' })).toEqual({ fullMembers: 2 });
  });
});
