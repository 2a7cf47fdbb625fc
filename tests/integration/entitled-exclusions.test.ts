import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, countyChain, eventually, orgRow, startStack, uniqueCode, type Stack, importRoster } from '../helpers/context.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';

// Through the API against the dev server: a branch whose members are on the register (imported) proposes two of
// them to leave out of its members' meeting's entitled count, the township organizer approves, and a ballot whose
// entitled count is not the register's less those two is refused with a 422 naming the field and the figures.

let seq = 500 + Math.floor(Math.random() * 400);
const idNumber = () => withCheckDigit(`420105${1950 + (seq % 25)}0101${String(seq++).padStart(3, '0')}`);

describe("a members' meeting's entitled count from the register through the API", () => {
  let s: Stack;
  const chain = countyChain();
  const township = uniqueCode('T');
  const [branch, other] = [uniqueCode('B'), uniqueCode('B')];
  const today = shanghaiDate(Date.now());
  let secretary: { authorization: string };
  let organizer: { authorization: string };
  const workflowId = `term-election:${branch}`;

  const call = (who: { authorization: string }, method: 'GET' | 'POST', url: string, payload?: object) =>
    s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: who.authorization }, ...(payload ? { payload } : {}) });
  const openTask = (step: string) =>
    eventually(`the open ${step} task`, async () => {
      const [t] = await s.sql<{ id: number }[]>`
        select id from tasks where workflow_id = ${workflowId} and step = ${step} and state in ('open', 'claimed') order by id desc limit 1`;
      return t?.id;
    });
  const complete = async (who: { authorization: string }, step: string, outcome: object) =>
    call(who, 'POST', `/tasks/${await openTask(step)}/complete`, { outcome });
  const memberId = async (name: string) => (await s.sql<{ id: number }[]>`select id from members where name = ${name}`)[0]!.id;

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      ...chain.rows,
      orgRow(township, chain.county, committee),
      orgRow(branch, township, { term_years: 5, term_started_on: addMonths(today, -57) }),
      orgRow(other, township),
    ]);
    secretary = await s.userWith([{ role: 'secretary', org: branch }]);
    organizer = await s.userWith([{ role: 'organizer', org: township }]);
    // Seven full members and a probationary one on the branch's register, one full member on another branch's.
    const tag = uniqueCode('').slice(-4);
    const rows = [
      ...[1, 2, 3, 4, 5, 6, 7].map((i) => `党员${tag}${i},男,${idNumber()},2000-07-01,2001-07-01,正式党员,${branch}`),
      `预备${tag},女,${idNumber()},2026-01-01,,预备党员,${branch}`,
      `外支部${tag},男,${idNumber()},2000-07-01,2001-07-01,正式党员,${other}`,
    ];
    await importRoster(s, rows);
    (globalThis as { tag?: string }).tag = tag;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('refuses a ballot whose entitled count is not the register less the approved exclusions, naming the field', async () => {
    const tag = (globalThis as { tag?: string }).tag!;
    const started = await call(s.admin, 'POST', '/processes/term-election', { organization: branch });
    expect(started.statusCode, started.body).toBe(201);
    expect((await complete(secretary, 'election-request', { seats: 1 })).statusCode).toBe(200);
    expect((await complete(organizer, 'election-reply', { decision: 'approve' })).statusCode).toBe(200);
    expect((await complete(secretary, 'candidates', { seats: 1, candidates: ['甲', '乙'] })).statusCode).toBe(200);
    expect((await complete(organizer, 'candidates-review', { decision: 'agree' })).statusCode).toBe(200);

    // A member of another branch's register is refused next to the field, naming them.
    const stranger = await memberId(`外支部${tag}`);
    const wrongMember = await complete(secretary, 'exclusions-proposal', { excluded: [{ memberId: stranger, exclusionReason: 'abroad' }] });
    expect(wrongMember.statusCode, wrongMember.body).toBe(422);
    expect(wrongMember.json().error).toMatchObject({
      code: 'rule_violation',
      message: expect.stringMatching(/^outcome\.excluded: /),
      details: { rule: 'excluded-not-on-register', members: String(stranger), field: 'outcome.excluded' },
    });
    const two = [
      { memberId: await memberId(`党员${tag}2`), exclusionReason: 'abroad' },
      { memberId: await memberId(`党员${tag}5`), exclusionReason: 'away-long-term' },
    ];
    expect((await complete(secretary, 'exclusions-proposal', { excluded: two })).statusCode).toBe(200);
    // The secretary does not approve their own list; the township organizer does.
    const approval = await openTask('exclusions-approval');
    expect((await call(secretary, 'POST', `/tasks/${approval}/complete`, { outcome: { decision: 'approve' } })).statusCode).toBe(404);
    expect((await call(organizer, 'POST', `/tasks/${approval}/complete`, { outcome: { decision: 'approve' } })).statusCode).toBe(200);

    // 7 full members on the register today, 2 left out: 6 typed is refused with the figures; 5 is taken.
    const ballot = { meetingDate: today, entitled: 6, present: 5, ballotsIssued: 5, ballotsReturned: 5, votes: { 甲: 4, 乙: 1 } };
    const wrong = await complete(secretary, 'members-meeting', ballot);
    expect(wrong.statusCode, wrong.body).toBe(422);
    expect(wrong.json().error).toMatchObject({
      code: 'rule_violation',
      message: expect.stringMatching(/^outcome\.entitled: /),
      details: { rule: 'entitled-count', field: 'outcome.entitled', entitled: 6, register: 7, excluded: 2, expected: 5 },
    });
    const done = await complete(secretary, 'members-meeting', { ...ballot, entitled: 5 });
    expect(done.statusCode, done.body).toBe(200);
    await eventually('the secretary election', async () => (await openTask('secretary-election')) !== undefined);
    await s.client.workflow.getHandle(workflowId).terminate('test done');
  });
});
