import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, orgRow, testSql, uniqueCode } from '../helpers/context.js';
import { processDriver, refused, timeSkipping, type TimeSkipping } from '../helpers/time-skipping.js';
import { twoRecommendationsOneElection } from '../../workflows/two-recommendations-one-election/workflow.js';
import { termElection } from '../../workflows/term-election/workflow.js';
import { machineActor } from '../../workflows/messages.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';

// A members' meeting's entitled count (应到人数) is the full members on the register on the meeting's day, less those
// left out with a reason the rules accept and the higher committee's approval — never a number typed to reach the
// quorum. And 两推一选's township committee, not a threshold, decides whether a suitable candidate was recommended.
describe("members' meetings' entitled count and the township's review (time-skipping server)", () => {
  const sql = testSql();
  let ts: TimeSkipping;
  const { county, rows: chain } = countyChain();
  const township = uniqueCode('T');
  const village = uniqueCode('V');
  const branch = uniqueCode('B');
  const actor = machineActor('organizer');
  const today = shanghaiDate(Date.now());
  const away = { count: 14, reason: 'away-long-term', approval: '镇组字〔2024〕7号' };

  beforeAll(async () => {
    ts = await timeSkipping(sql, { sharedWorker: false });
    await addOrganizations(sql, [
      ...chain,
      orgRow(township, county, { type: 'committee', sector: 'regional' }),
      orgRow(village, township, { full_members: 50, probationary_members: 2 }),
      orgRow(branch, township, { term_years: 5, term_started_on: addMonths(today, -59), full_members: 40 }),
    ]);
  });
  afterAll(async () => {
    await ts?.env.teardown();
    await sql.end();
  });

  it('两推一选: a clear favourite goes to the township for review, and the meeting counts the register of its day', async () => {
    const workflowId = `two-recommendations-one-election:${village}`;
    const { worker, taskQueue } = await ts.newWorker();
    await worker.runUntil(async () => {
      const handle = await ts.env.client.workflow.start(twoRecommendationsOneElection, { workflowId, taskQueue, args: [{ organization: village }] });
      const p = processDriver(handle, actor);
      await p.complete('selection-plan', { post: 'secretary', seats: 1, villagerBasis: 'representatives', eligibility: '本村党员', publishedOn: today });
      // 75% to 25% in both rounds: only 甲 reaches the rule set's 30%, fewer than a differential election needs.
      await p.complete('members-recommendation', { entitled: 52, present: 48, votes: { 甲: 36, 乙: 12 } });
      await p.complete('villagers-recommendation', { entitled: 40, present: 32, votes: { 甲: 24, 乙: 8 } });

      // The township committee reviews the results with the rule set's advice; no first secretary without it.
      await p.stepIs('preliminary-candidates');
      const [task] = await sql<{ assignee_role: string; code: string; context: { advice: unknown } }[]>`
        select t.assignee_role, o.code, t.context from tasks t join organizations o on o.id = t.organization_id
        where t.workflow_id = ${workflowId} and t.step = 'preliminary-candidates'`;
      expect(task).toMatchObject({ assignee_role: 'organizer', code: township });
      expect(task!.context.advice).toEqual({ suggests: 'no-suitable-candidate', advised: ['甲'], minWeightedShare: 0.3, minimumCandidates: 2 });
      // It decides that both stand (the margin still holds: two candidates for one seat).
      expect(await refused(p.complete('preliminary-candidates', { decision: 'candidates', candidates: ['甲'] }))).toMatchObject({ rule: 'candidate-margin' });
      await p.complete('preliminary-candidates', { decision: 'candidates', candidates: ['甲', '乙'] });

      // 50 full members; 36 typed as entitled, 30 present: 30/36 would pass the quorum, 30/50 does not. Refused,
      // naming the entitled count; the register of the meeting's day was read when the ballot was recorded.
      const ballot = { meetingDate: today, entitled: 36, present: 30, ballotsIssued: 30, ballotsReturned: 30, votes: { 甲: 22, 乙: 8 } };
      expect(await refused(p.complete('selection-election', ballot))).toMatchObject({ type: 'RuleViolation', rule: 'entitled-count' });
      // The same figures again: the validator, which now has the day's register, refuses before anything is recorded.
      const accepted = async () => (await handle.fetchHistory()).events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
      const before = await accepted();
      expect(await refused(p.complete('selection-election', ballot))).toMatchObject({ rule: 'entitled-count' });
      expect(await accepted()).toBe(before);
      // A reason the rules do not accept is refused at once.
      expect(await refused(p.complete('selection-election', { ...ballot, exclusions: [{ ...away, reason: 'busy' }] }))).toMatchObject({
        type: 'InvalidOutcome',
      });
      // 14 away for work with the township's approval: 36 entitled, 30 present is a quorum.
      await p.complete('selection-election', { ...ballot, exclusions: [away] });
      await p.stepIs('selection-secretary');
      await ts.env.client.workflow.getHandle(workflowId).terminate('enough');
    });
  }, 240_000);

  it("term election: the entitled count is the register's on the meeting's day, not when the task opened", async () => {
    const workflowId = `term-election:${branch}`;
    const { worker, taskQueue } = await ts.newWorker();
    await worker.runUntil(async () => {
      const handle = await ts.env.client.workflow.start(termElection, { workflowId, taskQueue, args: [{ organization: branch }] });
      const p = processDriver(handle, actor);
      await p.complete('election-request', { seats: 1 });
      await p.complete('election-reply', { decision: 'approve' });
      await p.complete('candidates', { seats: 1, candidates: ['甲', '乙'] });
      await p.complete('candidates-review', { decision: 'agree' });
      await p.openTask('members-meeting');

      // After the task opened, an import records 10 more full members (40 → 50), audited as imports are.
      await ts.env.sleep('3 days');
      const [org] = await sql<{ id: number }[]>`update organizations set full_members = 50 where code = ${branch} returning id`;
      await sql`insert into organization_changes (organization_id, code, changed_by, source, before, after)
                values (${org!.id}, ${branch}, 'test', 'import', ${sql.json({ full_members: 40 })}, ${sql.json({ full_members: 50 })})`;
      await ts.env.sleep('3 days');
      const held = shanghaiDate(Date.now());
      const ballot = { meetingDate: held, entitled: 40, present: 33, ballotsIssued: 33, ballotsReturned: 33, votes: { 甲: 25, 乙: 8 } };
      // 40 was the count when the task opened; on the meeting's day 50 are on the register: 33/50 is no quorum.
      expect(await refused(p.complete('members-meeting', ballot))).toMatchObject({ rule: 'entitled-count' });
      // Ten under 留党察看 with the committee's approval, named: 40 entitled.
      const named = {
        names: ['张一', '张二', '张三', '张四', '张五', '张六', '张七', '张八', '张九', '张十'],
        reason: 'probation-discipline',
        approval: '县委组织部批复〔2024〕3号',
      };
      await p.complete('members-meeting', { ...ballot, exclusions: [named] });
      await p.stepIs('secretary-election');
      const [ev] = await sql<
        { detail: { elected: string[] } }[]
      >`select detail from process_events where workflow_id = ${workflowId} and event_key = 'members-meeting-counted'`;
      expect(ev!.detail.elected).toEqual(['甲']);
      await handle.terminate('enough');
    });
  }, 240_000);
});
