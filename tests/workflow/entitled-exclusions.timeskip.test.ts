import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, orgRow, testSql, uniqueCode } from '../helpers/context.js';
import { processDriver, refused, timeSkipping, type TimeSkipping } from '../helpers/time-skipping.js';
import { termElection } from '../../workflows/term-election/workflow.js';
import { machineActor } from '../../workflows/messages.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { recountMembers } from '../../src/members/store.js';
import { recordHistory } from '../helpers/histories.js';

// Where a branch's members are on the register, the members left out of its members' meeting's entitled count are
// named by the committee from the register, each with its reason, and approved by the township committee in steps of
// their own before the meeting; the ballot's entitled count is then exactly the register's full members on the
// meeting's day less them, and the ballot names none of its own.
describe("a members' meeting's entitled count from the register less approved exclusions (time-skipping server)", () => {
  const sql = testSql();
  let ts: TimeSkipping;
  const { county, rows: chain } = countyChain();
  const township = uniqueCode('T');
  const branch = uniqueCode('B');
  const other = uniqueCode('B');
  const small = uniqueCode('B');
  const actor = machineActor('organizer');
  const today = shanghaiDate(Date.now());
  const ids: Record<string, number> = {};

  /** A member on a register, written as an import would (the personal fields' seals are not read here). */
  const addMember = async (org: string, name: string, category: 'full' | 'probationary') => {
    const digest = randomUUID();
    const [m] = await sql<{ id: number }[]>`
      insert into members (organization_id, name, gender, birth_date, id_number_sealed, id_number_digest, id_number_masked,
                           joined_on, full_on, category)
      select id, ${name}, 'male', '1970-01-01', 'sealed', ${digest}, '4201**********0000', '2000-07-01',
             ${category === 'full' ? '2001-07-01' : null}, ${category}
      from organizations where code = ${org} returning id`;
    ids[name] = m!.id;
  };

  beforeAll(async () => {
    ts = await timeSkipping(sql, { sharedWorker: false });
    await addOrganizations(sql, [
      ...chain,
      orgRow(township, county, { type: 'committee', sector: 'regional' }),
      orgRow(branch, township, { term_years: 5, term_started_on: addMonths(today, -57) }),
      orgRow(other, township),
      orgRow(small, township, { term_years: 5, term_started_on: addMonths(today, -57) }),
    ]);
    // 12 full members and a probationary one on the branch's register; one full member on another branch's.
    for (let i = 1; i <= 12; i++) await addMember(branch, `党员${i}`, 'full');
    await addMember(branch, '预备甲', 'probationary');
    await addMember(other, '外支部乙', 'full');
    for (let i = 1; i <= 5; i++) await addMember(small, `小支部${i}`, 'full');
    const orgs = await sql<{ id: number }[]>`select id from organizations where code in ${sql([branch, other, small])}`;
    await sql.begin((tx) =>
      recountMembers(
        tx as unknown as typeof sql,
        orgs.map((o) => o.id),
      ),
    );
  });
  afterAll(async () => {
    await ts?.env.teardown();
    await sql.end();
  });

  it('asks the township to approve two named exclusions, then takes the ballot only with the register less them', async () => {
    const workflowId = `term-election:${branch}:${randomUUID()}`;
    const { worker, taskQueue } = await ts.newWorker();
    await worker.runUntil(async () => {
      const handle = await ts.env.client.workflow.start(termElection, { workflowId, taskQueue, args: [{ organization: branch }] });
      const p = processDriver(handle, actor);
      await p.complete('election-request', { seats: 1 });
      await p.complete('election-reply', { decision: 'approve' });
      await p.complete('candidates', { seats: 1, candidates: ['甲', '乙'] });
      await p.complete('candidates-review', { decision: 'agree' });

      // Before the meeting: the committee names whom it leaves out, from its own register only.
      await p.stepIs('exclusions-proposal');
      expect(await refused(p.complete('exclusions-proposal', { excluded: [{ memberId: ids['外支部乙']!, exclusionReason: 'abroad' }] }))).toMatchObject({
        rule: 'excluded-not-on-register',
      });
      // A probationary member has no vote to leave out.
      expect(await refused(p.complete('exclusions-proposal', { excluded: [{ memberId: ids['预备甲']!, exclusionReason: 'abroad' }] }))).toMatchObject({
        rule: 'excluded-not-on-register',
      });
      const two = [
        { memberId: ids['党员3']!, exclusionReason: 'abroad' },
        { memberId: ids['党员7']!, exclusionReason: 'incapacitated' },
      ];
      await p.complete('exclusions-proposal', { excluded: two });

      // The township committee, the branch's higher committee, decides: it rejects first, with its reason.
      await p.stepIs('exclusions-approval');
      const [approval] = await sql<{ code: string; assignee_role: string; context: { excluded: unknown[] } }[]>`
        select o.code, t.assignee_role, t.context from tasks t join organizations o on o.id = t.organization_id
        where t.workflow_id = ${workflowId} and t.step = 'exclusions-approval'`;
      expect(approval).toMatchObject({ code: township, assignee_role: 'organizer' });
      expect(approval!.context.excluded).toEqual([
        { memberId: ids['党员3'], name: '党员3', exclusionReason: 'abroad' },
        { memberId: ids['党员7'], name: '党员7', exclusionReason: 'incapacitated' },
      ]);
      expect(await refused(p.complete('exclusions-approval', { decision: 'reject' }))).toMatchObject({ type: 'InvalidOutcome' });
      await p.complete('exclusions-approval', { decision: 'reject', comments: '请附出国证明' });
      // Proposed again, and approved.
      await p.complete('exclusions-proposal', { excluded: two }, 'exclusions-proposal-r2');
      await p.complete('exclusions-approval', { decision: 'approve' }, 'exclusions-approval-r2');

      await p.stepIs('members-meeting');
      const [meeting] = await sql<{ context: { exclusions: { name: string }[] } }[]>`
        select context from tasks where workflow_id = ${workflowId} and step = 'members-meeting'`;
      expect(meeting!.context.exclusions.map((x) => x.name)).toEqual(['党员3', '党员7']);

      // 12 full members on the register today, 2 left out with approval: 10 entitled, neither 12 nor 11.
      const ballot = { meetingDate: today, entitled: 12, present: 10, ballotsIssued: 10, ballotsReturned: 10, votes: { 甲: 8, 乙: 2 } };
      const wrong = await refused(p.complete('members-meeting', ballot));
      expect(wrong).toMatchObject({ rule: 'entitled-count' });
      expect(wrong.message).toContain('10 are entitled');
      expect(await refused(p.complete('members-meeting', { ...ballot, entitled: 11 }))).toMatchObject({ rule: 'entitled-count' });
      // The ballot names none of its own: those left out were approved before the meeting.
      const typed = { count: 2, reason: 'abroad', approval: '镇组字〔2026〕1号' };
      expect(await refused(p.complete('members-meeting', { ...ballot, entitled: 10, exclusions: [typed] }))).toMatchObject({
        rule: 'exclusions-approved-apart',
      });
      await p.complete('members-meeting', { ...ballot, entitled: 10 });
      await p.stepIs('secretary-election');

      const events = await sql<{ event_key: string; detail: Record<string, unknown> }[]>`
        select event_key, detail from process_events where workflow_id = ${workflowId} order by at, event_key`;
      const keys = events.map((e) => e.event_key);
      expect(keys).toEqual(
        expect.arrayContaining([
          'exclusions-proposal-proposed',
          'exclusions-approval-reject',
          'exclusions-proposal-r2-proposed',
          'exclusions-approval-r2-approve',
          'members-meeting-counted',
        ]),
      );
      const counted = events.find((e) => e.event_key === 'members-meeting-counted')!.detail;
      expect(counted).toMatchObject({ elected: ['甲'], exclusions: [{ name: '党员3' }, { name: '党员7' }] });
      // Replayed by tests/workflow/replay.test.ts: the steps before the meeting must not change under running runs.
      await recordHistory('term-election', workflowId, await handle.fetchHistory(), 'term-election.approved-exclusions');
      await handle.terminate('enough');
    });
  }, 240_000);

  it('leaves nobody out when the committee proposes none: the meeting follows at once and counts the whole register', async () => {
    const workflowId = `term-election:${small}:${randomUUID()}`;
    const { worker, taskQueue } = await ts.newWorker();
    await worker.runUntil(async () => {
      const handle = await ts.env.client.workflow.start(termElection, { workflowId, taskQueue, args: [{ organization: small }] });
      const p = processDriver(handle, actor);
      await p.complete('election-request', { seats: 1 });
      await p.complete('election-reply', { decision: 'approve' });
      await p.complete('candidates', { seats: 1, candidates: ['甲', '乙'] });
      await p.complete('candidates-review', { decision: 'agree' });
      await p.complete('exclusions-proposal', {});
      // No approval to ask for: the ballot's task is next, naming nobody left out.
      await p.stepIs('members-meeting');
      const steps = await sql<{ step: string }[]>`select step from tasks where workflow_id = ${workflowId} order by id`;
      expect(steps.map((t) => t.step)).not.toContain('exclusions-approval');
      const ballot = { meetingDate: today, entitled: 5, present: 5, ballotsIssued: 5, ballotsReturned: 5, votes: { 甲: 4, 乙: 1 } };
      // Typed on the ballot, they are refused: leaving members out is the higher committee's to approve first.
      const typed = { count: 1, reason: 'abroad', approval: '镇组字〔2026〕2号' };
      expect(await refused(p.complete('members-meeting', { ...ballot, entitled: 4, exclusions: [typed] }))).toMatchObject({
        rule: 'exclusions-approved-apart',
      });
      await p.complete('members-meeting', ballot);
      await p.stepIs('secretary-election');
      await handle.terminate('enough');
    });
  }, 240_000);
});
