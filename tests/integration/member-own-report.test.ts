import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { withCheckDigit } from '../../src/domain/members.js';

// A step of a person's own through the API: a member away, linked to the user they sign in as, holds their yearly
// report without any role — it is in their inbox, they read it, comment on it and file it; another member without a
// role finds nothing (404), and the secretary still sees it and may record it for them.

const HEADER = ['姓名', '性别', '民族', '出生日期', '学历', '身份证号', '入党日期', '转正日期', '人员类别', '党组织编码', '联系电话', '工作岗位', '党员状态'];

describe("a member's own yearly report while away", () => {
  let s: Stack;
  const county = uniqueCode('C');
  const branch = uniqueCode('B');
  let organizer: { authorization: string; username: string };
  let secretary: { authorization: string; username: string };
  let member: { authorization: string; username: string };
  let neighbour: { authorization: string; username: string };
  const call = (who: { authorization: string }, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: who.authorization }, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [orgRow(county, '', committee), orgRow(branch, county)]);
    organizer = await s.userWith([{ role: 'organizer', org: county }]);
    secretary = await s.userWith([{ role: 'secretary', org: branch }]);
    member = await s.userWith([]);
    neighbour = await s.userWith([]);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('is the member’s to see, discuss and file; nobody else without a role sees it', async () => {
    const idNumber = withCheckDigit(`42010219800101${String(Date.now() % 1000).padStart(3, '0')}`);
    const file = [HEADER, ['周八', '男', '汉族', '1980-01-01', '高中', idNumber, '2005-07-01', '2006-07-01', '正式党员', branch, '13800000008', '农民', '正常']]
      .map((r) => r.join(','))
      .join('\r\n');
    const imported = await s.app.inject({
      method: 'POST',
      url: '/api/v1/members/import',
      headers: { authorization: organizer.authorization, 'content-type': 'text/csv' },
      payload: file,
    });
    expect(imported.statusCode, imported.body).toBe(200);
    const [m] = await s.sql<{ id: number }[]>`select m.id from members m join organizations o on o.id = m.organization_id where o.code = ${branch}`;
    expect((await call(secretary, 'PUT', `/members/${m!.id}/user`, { username: member.username })).statusCode).toBe(200);

    // Away for thirteen months already: the transfer question opens at once; kept, the first year's report follows.
    const since = addMonths(shanghaiDate(Date.now()), -13);
    const away = await call(secretary, 'POST', `/members/${m!.id}/away`, { kind: 'away', place: '浙江省宁波市', since, contactName: '周母' });
    expect(away.statusCode, away.body).toBe(201);
    const { workflowId } = away.json() as { workflowId: string };
    const taskOf = (key: string) =>
      eventually(
        `task ${key}`,
        async () => (await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${workflowId} and task_key = ${key}`)[0]?.id,
      );
    const proposal = await taskOf('transfer-proposal');
    const kept = await call(secretary, 'POST', `/tasks/${proposal}/complete`, { outcome: { decision: 'keep', note: '年底返乡' } });
    expect(kept.statusCode, kept.body).toBe(200);
    const report = await taskOf('report-1');

    // The task names the member's user; only the member and those with a role at the branch or above see it.
    const [row] = await s.sql<{ assignee_person: string }[]>`select assignee_person from tasks where id = ${report}`;
    expect(row!.assignee_person).toBe(member.username);
    const inbox = await call(member, 'GET', '/tasks?mine=true');
    expect(inbox.statusCode, inbox.body).toBe(200);
    expect(inbox.json().items).toEqual([expect.objectContaining({ id: report, step: 'away-report', actions: ['complete'] })]);
    const detail = await call(member, 'GET', `/tasks/${report}`);
    expect(detail.statusCode, detail.body).toBe(200);
    expect(detail.json()).toMatchObject({ actions: ['complete'], mayComment: true, context: { member: '周八', place: '浙江省宁波市', since } });
    // Not the transfer question: that step is the secretary's.
    expect((await call(member, 'GET', `/tasks/${proposal}`)).statusCode).toBe(404);
    for (const url of [`/tasks/${report}`, `/tasks/${report}/comments`]) expect((await call(neighbour, 'GET', url)).statusCode).toBe(404);
    expect((await call(neighbour, 'GET', '/tasks')).json().items).toEqual([]);
    expect((await call(neighbour, 'POST', `/tasks/${report}/complete`, { outcome: {} })).statusCode).toBe(404);
    // The secretary sees it and may record it, but not in their own inbox: it is the member's.
    expect((await call(secretary, 'GET', `/tasks/${report}`)).json().actions).toContain('complete');

    const comment = await call(member, 'POST', `/tasks/${report}/comments`, { text: '工地春节后才放假，报告先交文字版' });
    expect(comment.statusCode, comment.body).toBe(201);

    // The report's own rule first: a report dated after today is refused beside its field.
    const today = shanghaiDate(Date.now());
    const early = await call(member, 'POST', `/tasks/${report}/complete`, {
      outcome: { reportedOn: addMonths(today, 1), place: '浙江省宁波市', summary: '在工地参加流动党员党小组学习' },
    });
    expect(early.statusCode, early.body).toBe(422);
    const filed = await call(member, 'POST', `/tasks/${report}/complete`, {
      outcome: { reportedOn: today, place: '浙江省宁波市北仑区', summary: '在工地参加流动党员党小组学习，按月交纳党费' },
    });
    expect(filed.statusCode, filed.body).toBe(200);
    const [done] = await s.sql<{ state: string; actor: string }[]>`
      select t.state, e.actor from tasks t join task_events e on e.task_id = t.id and e.kind = 'completed' where t.id = ${report}`;
    expect(done).toEqual({ state: 'done', actor: member.username });
    // Filed, the task stays readable to the member, with nothing left to do.
    expect((await call(member, 'GET', `/tasks/${report}`)).json()).toMatchObject({ actions: [] });
  });
});
