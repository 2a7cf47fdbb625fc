import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { addDays, addMonths, shanghaiDate } from '../../src/domain/dates.js';

// Steps 3–8 of the term election through the API against the dev server: every rule of §4.1 the workflow
// enforces is refused with a 4xx by the Update validator, and nothing changes in PostgreSQL.
describe('term election, request to new term, through the API', () => {
  let s: Stack;
  const county = uniqueCode('C');
  const town = uniqueCode('T');
  const village = uniqueCode('V');
  const other = uniqueCode('O');
  const tied = uniqueCode('TV');
  const today = shanghaiDate(Date.now());
  const termStart = addMonths(today, -56); // ends in 4 months: the request task opens at once

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      orgRow(county, '', { type: 'committee', sector: 'regional' }),
      orgRow(town, county, { type: 'committee', sector: 'regional' }),
      orgRow(village, town, { type: 'branch', sector: 'rural', term_years: 5, term_started_on: termStart, full_members: 30 }),
      orgRow(other, town, { type: 'branch', sector: 'rural', term_years: 5, term_started_on: termStart, full_members: 10 }),
      orgRow(tied, town, { type: 'branch', sector: 'rural', term_years: 5, term_started_on: termStart, full_members: 30 }),
    ]);
  });
  afterAll(async () => s?.close());

  const id = (code: string) => `term-election:${code}`;
  const openTask = (code: string, step: string) =>
    eventually(`open ${step} task of ${code}`, async () => {
      const [t] = await s.sql<{ id: number; task_key: string; organization_id: number }[]>`
        select t.id, t.task_key, t.organization_id from tasks t join processes p on p.workflow_id = t.workflow_id
        where t.workflow_id = ${id(code)} and t.step = ${step} and t.state in ('open', 'claimed', 'escalated') and p.current_step = ${step}`;
      return t;
    });
  const complete = (taskId: number, outcome: unknown, auth = s.admin) =>
    s.app.inject({ headers: auth, method: 'POST', url: `/api/v1/tasks/${taskId}/complete`, payload: { outcome } });
  /** Everything PostgreSQL holds about the process: a refused action must leave it exactly as it was. */
  const snapshot = async (code: string) => ({
    tasks: await s.sql`select id, step, state, outcome from tasks where workflow_id = ${id(code)} order by id`,
    events: await s.sql`select event_key from process_events where workflow_id = ${id(code)} order by at, event_key`,
    audit: await s.sql`select e.event_key from task_events e join tasks t on t.id = e.task_id where t.workflow_id = ${id(code)} order by e.id`,
    org: await s.sql`select term_started_on, secretary_name from organizations where code = ${code}`,
  });
  /** The error answer of a refused step, its database rows unchanged. */
  type Refusal = { error: { code: string; message: string; details: unknown } };
  const refused = async (code: string, action: () => Promise<{ statusCode: number; json(): Refusal }>, status: number, rule?: string) => {
    const before = await snapshot(code);
    const r = await action();
    expect(r.statusCode, JSON.stringify(r.json())).toBe(status);
    if (rule) expect(r.json().error.details).toMatchObject({ rule });
    expect(await snapshot(code)).toEqual(before);
    return r.json();
  };

  it('walks request, returned reply, approval, candidates, ballot, secretary, report, approval into the next term', async () => {
    expect(
      (await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/processes/term-election', payload: { organization: village } })).statusCode,
    ).toBe(201);
    const secretary = await s.userWith([{ role: 'secretary', org: village }]);
    const supervisor = await s.userWith([{ role: 'supervisor', org: town }]);

    // Step 3: a postponement longer than the rule set's 12 months cannot even be asked for.
    let req = await openTask(village, 'election-request');
    await refused(village, () => complete(req.id, { postponeMonths: 13 }, secretary), 422, 'postponement');
    expect((await complete(req.id, { electionDate: addMonths(today, 3), seats: 5 }, secretary)).statusCode).toBe(200);

    // Step 4: the reply belongs to the supervising committee; the organization's own secretary cannot give it.
    let reply = await openTask(village, 'election-reply');
    const [replyOrg] = await s.sql`select code from organizations where id = ${reply.organization_id}`;
    expect(replyOrg!.code).toBe(town);
    expect([403, 404]).toContain((await complete(reply.id, { decision: 'approve' }, secretary)).statusCode);
    await refused(village, () => complete(reply.id, { decision: 'return' }, supervisor), 422); // returning needs comments
    await refused(village, () => complete(reply.id, { decision: 'postpone', postponeMonths: 18, comments: '延期换届' }, supervisor), 422, 'postponement');
    expect((await complete(reply.id, { decision: 'return', comments: '请补充选举办法' }, supervisor)).statusCode).toBe(200);

    // Returned: the committee files again, the supervisor approves.
    req = await openTask(village, 'election-request');
    expect(req.task_key).toBe('election-request-2');
    expect((await complete(req.id, { electionDate: addMonths(today, 3), seats: 5, nominationMethod: '党员推荐' }, secretary)).statusCode).toBe(200);
    reply = await openTask(village, 'election-reply');
    expect((await complete(reply.id, { decision: 'approve' }, supervisor)).statusCode).toBe(200);

    // Step 5: 5 seats need at least 6 candidates (seats + ceil(20% × seats)).
    const cand = await openTask(village, 'candidates');
    const five = ['甲', '乙', '丙', '丁', '戊'];
    const err = await refused(village, () => complete(cand.id, { seats: 5, candidates: five }, secretary), 422, 'candidate-margin');
    expect(err.error.message).toMatch(/at least 6/);
    // The figures a person needs to put it right come with the rule (the form shows them in words).
    expect(err.error.details).toMatchObject({ rule: 'candidate-margin', seats: 5, n: 5, min: 6, pct: 20 });
    await refused(village, () => complete(cand.id, { seats: 5, candidates: [...five, '甲'] }, secretary), 422); // not distinct
    const six = [...five, '己'];
    expect((await complete(cand.id, { seats: 5, candidates: six }, secretary)).statusCode).toBe(200);
    const review = await openTask(village, 'candidates-review');
    expect((await complete(review.id, { decision: 'agree' }, supervisor)).statusCode).toBe(200);

    // Step 6: the ballot. 30 full members entitled; quorum needs more than 24 present.
    const meeting = await openTask(village, 'members-meeting');
    const votes = { 甲: 20, 乙: 19, 丙: 18, 丁: 17, 戊: 16, 己: 3 };
    const ballot = { meetingDate: today, entitled: 30, present: 26, ballotsIssued: 26, ballotsReturned: 26, votes };
    // The new term starts on the meeting's day: it must be given, and be a day that has come.
    const { meetingDate: _, ...undated } = ballot;
    const noDate = await refused(village, () => complete(meeting.id, undated, secretary), 422);
    expect(noDate.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'outcome.meetingDate' })]));
    await refused(village, () => complete(meeting.id, { ...ballot, meetingDate: addDays(today, 1) }, secretary), 422, 'meeting-date');
    await refused(village, () => complete(meeting.id, { ...ballot, present: 24, ballotsIssued: 24, ballotsReturned: 24 }, secretary), 422, 'quorum');
    await refused(village, () => complete(meeting.id, { ...ballot, ballotsReturned: 27 }, secretary), 422, 'void-ballot');
    await refused(
      village,
      () => complete(meeting.id, { ...ballot, entitled: 32, present: 30, ballotsIssued: 30, ballotsReturned: 30 }, secretary),
      422,
      'entitled',
    );
    await refused(village, () => complete(meeting.id, { ...ballot, votes: { ...votes, 庚: 20 } }, secretary), 422, 'candidates');
    await refused(village, () => complete(meeting.id, { ...ballot, votes: { ...votes, 甲: 27 } }, secretary), 422, 'votes');
    // 戊 has 16 of 26 present (> 13): elected; 己 with 3 is not. Five elected for five seats.
    expect((await complete(meeting.id, ballot, secretary)).statusCode).toBe(200);

    // Step 7: the secretary comes from the new committee.
    const sec = await openTask(village, 'secretary-election');
    await refused(village, () => complete(sec.id, { secretary: '己' }, secretary), 422, 'secretary');
    expect((await complete(sec.id, { secretary: '甲' }, secretary)).statusCode).toBe(200);
    const report = await openTask(village, 'result-report');
    const [reportRow] = await s.sql<{ due_at: Date }[]>`select due_at from tasks where id = ${report.id}`;
    expect(shanghaiDate(reportRow!.due_at) <= addMonths(today, 1)).toBe(true); // within a month of the meeting
    expect((await complete(report.id, { summary: '选举产生新一届支部委员会' }, secretary)).statusCode).toBe(200);
    const approval = await openTask(village, 'result-approval');
    expect((await complete(approval.id, { decision: 'agree' }, supervisor)).statusCode).toBe(200);

    // Step 8: the new term on the register, and the workflow waits for the next term in a new run.
    const proc = await eventually('the next term', async () => {
      const p = (await s.app.inject({ headers: s.admin, url: `/api/v1/processes/${encodeURIComponent(id(village))}` })).json();
      return p.currentStep === 'term-register' && p.history.some((h: { event: string }) => h.event === 't2:registered') ? p : null;
    });
    const [org] = await s.sql<{ term_started_on: Date; term_ends_on: Date; secretary_name: string }[]>`
      select term_started_on, term_ends_on, secretary_name from organizations where code = ${village}`;
    expect(shanghaiDate(org!.term_started_on)).toBe(today);
    expect(shanghaiDate(org!.term_ends_on)).toBe(addMonths(today, 60)); // national-2018: villages 5 years
    expect(org!.secretary_name).toBe('甲');
    expect(proc.status).toBe('running');
    expect(proc.openTasks).toEqual([]);
    const events = proc.history.map((h: { event: string }) => h.event);
    expect(events).toEqual(
      expect.arrayContaining(['election-reply-return', 'election-reply-2-approve', 'candidates-review-agree', 'members-meeting-counted', 'term-renewed']),
    );
    const counted = proc.history.find((h: { event: string }) => h.event === 'members-meeting-counted');
    expect(counted.detail.committee).toEqual(['甲', '乙', '丙', '丁', '戊']);
  });

  it('cancels a process with a reason: open tasks close, the process is cancelled, a second cancel is refused', async () => {
    expect(
      (await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/processes/term-election', payload: { organization: other } })).statusCode,
    ).toBe(201);
    const req = await openTask(other, 'election-request');
    const url = `/api/v1/processes/${encodeURIComponent(id(other))}/cancel`;
    expect((await s.app.inject({ headers: s.admin, method: 'POST', url, payload: {} })).statusCode).toBe(400);
    const secretary = await s.userWith([{ role: 'secretary', org: other }]);
    await refused(other, () => s.app.inject({ headers: secretary, method: 'POST', url, payload: { reason: '撤销' } }), 403);

    const r = await s.app.inject({ headers: s.admin, method: 'POST', url, payload: { reason: '组织撤并，不再换届' } });
    expect(r.statusCode, r.body).toBe(200);
    const [task] = await s.sql`select state, reason from tasks where id = ${req.id}`;
    expect(task).toMatchObject({ state: 'cancelled', reason: '组织撤并，不再换届' });
    const p = (await s.app.inject({ headers: s.admin, url: `/api/v1/processes/${encodeURIComponent(id(other))}` })).json();
    expect(p).toMatchObject({ status: 'cancelled', currentStep: 'cancelled', openTasks: [] });
    expect(p.history.at(-1).detail).toMatchObject({ reason: '组织撤并，不再换届', tasksCancelled: 1 });
    await refused(other, () => s.app.inject({ headers: s.admin, method: 'POST', url, payload: { reason: '再次撤销' } }), 409);
    await refused(other, () => complete(req.id, {}), 409);
  });

  it('refuses more yes votes than ballots × seats, and after a tie at the last seat votes again on the tied candidates only', async () => {
    expect((await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/processes/term-election', payload: { organization: tied } })).statusCode).toBe(
      201,
    );
    const secretary = await s.userWith([{ role: 'secretary', org: tied }]);
    const supervisor = await s.userWith([{ role: 'supervisor', org: town }]);
    expect((await complete((await openTask(tied, 'election-request')).id, { electionDate: addMonths(today, 3), seats: 2 }, secretary)).statusCode).toBe(200);
    expect((await complete((await openTask(tied, 'election-reply')).id, { decision: 'approve' }, supervisor)).statusCode).toBe(200);
    expect((await complete((await openTask(tied, 'candidates')).id, { seats: 2, candidates: ['甲', '乙', '丙', '丁'] }, secretary)).statusCode).toBe(200);
    expect((await complete((await openTask(tied, 'candidates-review')).id, { decision: 'agree' }, supervisor)).statusCode).toBe(200);

    const meeting = await openTask(tied, 'members-meeting');
    const ballot = { meetingDate: today, entitled: 30, present: 26, ballotsIssued: 26, ballotsReturned: 26 };
    // 26 ballots for 2 seats hold 52 yes votes at most.
    const impossible = await refused(tied, () => complete(meeting.id, { ...ballot, votes: { 甲: 26, 乙: 26, 丙: 1 } }, secretary), 422, 'votes');
    expect(impossible.error.message).toMatch(/53 yes votes in all, but 26 ballots returned for 2 seats hold at most 52/);
    // 甲 elected; 乙 and 丙 tie for the second seat; 丁 is below half of those present.
    expect((await complete(meeting.id, { ...ballot, votes: { 甲: 19, 乙: 15, 丙: 15, 丁: 3 } }, secretary)).statusCode).toBe(200);
    const again = await openTask(tied, 'members-meeting');
    expect(again.task_key).toBe('members-meeting-r2');
    // Only the tied candidates stand again: a vote for 丁 is for someone not on this ballot.
    await refused(tied, () => complete(again.id, { ...ballot, votes: { 乙: 16, 丁: 9 } }, secretary), 422, 'candidates');
    expect((await complete(again.id, { ...ballot, votes: { 乙: 16, 丙: 9 } }, secretary)).statusCode).toBe(200);
    await openTask(tied, 'secretary-election');
    const p = (await s.app.inject({ headers: s.admin, url: `/api/v1/processes/${encodeURIComponent(id(tied))}` })).json();
    const counted = (e: string) => p.history.find((h: { event: string }) => h.event === e).detail;
    expect(counted('members-meeting-counted')).toMatchObject({ elected: ['甲'], tiedAtLastSeat: ['乙', '丙'], unfilledSeats: 1 });
    expect(counted('members-meeting-r2-counted')).toMatchObject({ elected: ['乙'], committee: ['甲', '乙'] });
    expect(
      (
        await s.app.inject({
          headers: s.admin,
          method: 'POST',
          url: `/api/v1/processes/${encodeURIComponent(id(tied))}/cancel`,
          payload: { reason: '测试结束' },
        })
      ).statusCode,
    ).toBe(200);
  });
});
