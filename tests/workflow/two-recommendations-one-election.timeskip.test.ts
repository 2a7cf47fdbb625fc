import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, orgRow, testSql, uniqueCode } from '../helpers/context.js';
import { processDriver, refused, timeSkipping, type TimeSkipping } from '../helpers/time-skipping.js';
import { recordHistory } from '../helpers/histories.js';
import { twoRecommendationsOneElection } from '../../workflows/two-recommendations-one-election/workflow.js';
import { rotationTraining } from '../../workflows/rotation-training/workflow.js';
import { machineActor } from '../../workflows/messages.js';

// 两推一选 (domain.md §4.2) at real durations on the time-skipping server, with the activities writing to the
// suite's PostgreSQL: a missed recommendation meeting escalates to the village secretary, the township and the
// county; refused counts change nothing; the approved secretary goes on the register. In a second village the
// township committee finds no suitable candidate and the county dispatches a first secretary.
describe('two recommendations, one election at real durations (time-skipping server)', () => {
  const sql = testSql();
  let ts: TimeSkipping;
  const { county, rows: chain } = countyChain();
  const township = uniqueCode('T');
  const village = uniqueCode('V');
  const poor = uniqueCode('V');
  const actor = machineActor('organizer');
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    ts = await timeSkipping(sql, { sharedWorker: false });
    await addOrganizations(sql, [
      ...chain,
      orgRow(township, county, { type: 'committee', sector: 'regional' }),
      // 30 full and 2 probationary members: 32 may recommend, 30 may vote.
      orgRow(village, township, { full_members: 30, probationary_members: 2 }),
      orgRow(poor, township, { full_members: 12, probationary_members: 0 }),
    ]);
  });
  afterAll(async () => {
    await ts?.env.teardown();
    await sql.end();
  });

  const plan = { post: 'secretary', seats: 1, villagerBasis: 'representatives', eligibility: '本村党员，年龄45岁以下，高中以上文化', publishedOn: today };

  it('recommends twice, fixes the candidates, elects, and the township approves; a missed meeting escalates', async () => {
    const workflowId = `two-recommendations-one-election:${village}`;
    const { worker, taskQueue } = await ts.newWorker();
    await worker.runUntil(async () => {
      const handle = await ts.env.client.workflow.start(twoRecommendationsOneElection, { workflowId, taskQueue, args: [{ organization: village }] });
      const p = processDriver(handle, actor);
      // The outgoing secretary's rotation training runs meanwhile: the approval closes its cycle (domain.md §4.3).
      const training = await ts.env.client.workflow.start(rotationTraining, {
        workflowId: `rotation-training:${village}`,
        taskQueue,
        args: [{ organization: village, secretary: '张老书记' }],
      });

      expect((await refused(p.complete('selection-plan', { ...plan, seats: 0 }))).type).toBe('InvalidOutcome');
      await p.complete('selection-plan', plan);
      await p.stepIs('members-recommendation');

      // Nobody records the members' meeting: +3 working days the village secretary, +10 the township, +20 the county.
      await ts.env.sleep('60 days');
      const [task] = await sql<
        { id: number; state: string }[]
      >`select id, state from tasks where workflow_id = ${workflowId} and step = 'members-recommendation'`;
      expect(task!.state).toBe('escalated');
      const esc = await sql<{ level: number; role: string; code: string }[]>`
        select e.level, e.role, o.code from escalations e join organizations o on o.id = e.organization_id where e.task_id = ${task!.id} order by e.level`;
      expect(esc.map((e) => [e.level, e.role, e.code])).toEqual([
        [1, 'secretary', village],
        [2, 'supervisor', township],
        [3, 'organizer', county],
      ]);

      // Turnout below 80% of the 32 members, or more recommendations than participants: refused, nothing recorded.
      expect(await refused(p.complete('members-recommendation', { entitled: 32, present: 25, votes: { 王伟: 14 } }))).toMatchObject({
        type: 'RuleViolation',
        rule: 'turnout',
      });
      expect(await refused(p.complete('members-recommendation', { entitled: 40, present: 35, votes: { 王伟: 14 } }))).toMatchObject({ rule: 'entitled' });
      expect(await refused(p.complete('members-recommendation', { entitled: 32, present: 28, votes: { 王伟: 20, 李娜: 15 } }))).toMatchObject({
        rule: 'votes',
      });
      expect((await p.state()).step).toBe('members-recommendation');
      await p.complete('members-recommendation', { entitled: 32, present: 28, votes: { 王伟: 14, 李娜: 10, 赵强: 4 } });

      // Villager representatives: at least two thirds of 45 (30) must take part.
      expect(await refused(p.complete('villagers-recommendation', { entitled: 45, present: 29, votes: { 王伟: 20 } }))).toMatchObject({ rule: 'turnout' });
      await p.complete('villagers-recommendation', { entitled: 45, present: 36, votes: { 王伟: 20, 李娜: 12, 赵强: 4 } });

      await p.stepIs('preliminary-candidates');
      // Weighted 50/50 (rule set two-rec-2018): 王伟 0.5278, 李娜 0.3452 qualify; 赵强 0.127 is below 30%.
      const [sel] = await sql<
        { ranking: { nominee: string; score: number }[]; rule_set: string }[]
      >`select ranking, rule_set from secretary_selections where workflow_id = ${workflowId}`;
      expect(sel!.rule_set).toBe('two-rec-2018');
      expect(sel!.ranking.map((r) => [r.nominee, r.score])).toEqual([
        ['王伟', 0.5278],
        ['李娜', 0.3452],
        ['赵强', 0.127],
      ]);
      expect(await refused(p.complete('preliminary-candidates', { decision: 'candidates', candidates: ['王伟'] }))).toMatchObject({ rule: 'candidate-margin' });
      expect(await refused(p.complete('preliminary-candidates', { decision: 'candidates', candidates: ['王伟', '陈刚'] }))).toMatchObject({
        rule: 'not-recommended',
      });
      await p.complete('preliminary-candidates', { decision: 'candidates', candidates: ['王伟', '李娜'] });

      // The members' meeting: only full members vote; more than 4/5 of them present; the winner over half of those present.
      const ballot = { entitled: 30, present: 27, ballotsIssued: 27, ballotsReturned: 27, votes: { 王伟: 20, 李娜: 7 } };
      expect(await refused(p.complete('selection-election', { ...ballot, entitled: 32 }))).toMatchObject({ rule: 'entitled' });
      expect(await refused(p.complete('selection-election', { ...ballot, present: 24, ballotsIssued: 24, ballotsReturned: 24 }))).toMatchObject({
        rule: 'quorum',
      });
      expect(await refused(p.complete('selection-election', { ...ballot, ballotsReturned: 28 }))).toMatchObject({ rule: 'void-ballot' });
      await p.complete('selection-election', ballot);

      expect(await refused(p.complete('selection-secretary', { secretary: '李娜', concurrentHead: 'yes' }))).toMatchObject({ rule: 'secretary' });
      await p.complete('selection-secretary', { secretary: '王伟', concurrentHead: 'yes' });
      expect((await refused(p.complete('township-approval', { decision: 'reject' }))).type).toBe('InvalidOutcome');
      await p.complete('township-approval', { decision: 'approve', comments: '同意' });
      await handle.result();

      const [org] = await sql<
        { secretary_name: string; concurrent_head: boolean }[]
      >`select secretary_name, concurrent_head from organizations where code = ${village}`;
      expect(org).toEqual({ secretary_name: '王伟', concurrent_head: true });
      const [proc] = await sql`select status, current_step from processes where workflow_id = ${workflowId}`;
      expect(proc).toMatchObject({ status: 'completed', current_step: 'approved' });
      const [done] = await sql`select state, candidates, committee, secretary from secretary_selections where workflow_id = ${workflowId}`;
      expect(done).toMatchObject({ state: 'approved', candidates: ['王伟', '李娜'], committee: ['王伟'], secretary: '王伟' });

      // The approved secretary's training: the outgoing secretary's cycle closed, a new one opened at once in 王伟's name.
      let cycles: { cycle: number; state: string; secretary_name: string }[] = [];
      for (let i = 0; i < 200; i++) {
        cycles = await sql`select cycle, state, secretary_name from training_cycles where workflow_id = ${`rotation-training:${village}`} order by cycle`;
        if (cycles.length === 2) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(cycles.map((c) => [c.cycle, c.state, c.secretary_name])).toEqual([
        [1, 'closed', '张老书记'],
        [2, 'open', '王伟'],
      ]);
      const [closed] = await sql<
        { detail: { by: string } }[]
      >`select detail from process_events where workflow_id = ${`rotation-training:${village}`} and event_key = 'c1:cycle-closed-new-secretary'`;
      expect(closed!.detail.by).toBe(actor.username);
      await training.terminate('end of test');

      await recordHistory('two-recommendations-one-election', workflowId, await handle.fetchHistory());
    });
  }, 240_000);

  it('without a suitable candidate the county dispatches a first secretary', async () => {
    const workflowId = `two-recommendations-one-election:${poor}`;
    const { worker, taskQueue } = await ts.newWorker();
    await worker.runUntil(async () => {
      const handle = await ts.env.client.workflow.start(twoRecommendationsOneElection, {
        workflowId,
        taskQueue,
        args: [{ organization: poor, ruleSet: 'two-rec-hubei-2010' }],
      });
      const p = processDriver(handle, actor);
      await p.complete('selection-plan', { ...plan, villagerBasis: 'villagers' });
      // Recommendations scattered over many nominees: only one reaches 30% — too few for a differential election.
      await p.complete('members-recommendation', { entitled: 12, present: 11, votes: { 甲: 6, 乙: 2, 丙: 2, 丁: 1 } });
      // A villagers' meeting needs more than half of the villagers.
      expect(await refused(p.complete('villagers-recommendation', { entitled: 600, present: 300, votes: { 甲: 100 } }))).toMatchObject({ rule: 'turnout' });
      await p.complete('villagers-recommendation', { entitled: 600, present: 320, votes: { 甲: 150, 乙: 60, 丙: 60, 丁: 50 } });
      // The township committee reviews the results (the rule set advises no suitable candidate) and decides so.
      await p.complete('preliminary-candidates', { decision: 'no-suitable-candidate', reason: '推荐票分散，无合适人选' });
      await p.stepIs('first-secretary-dispatch');
      const [t] = await sql<{ role: string; code: string }[]>`
        select t.assignee_role as role, o.code from tasks t join organizations o on o.id = t.organization_id where t.workflow_id = ${workflowId} and t.step = 'first-secretary-dispatch'`;
      expect(t).toEqual({ role: 'organizer', code: county });
      await p.complete('first-secretary-dispatch', { firstSecretary: '刘洋', fromUnit: '县财政局', startsOn: today });
      await handle.result();
      const [sel] = await sql`select state, rule_set, first_secretary, first_secretary_from from secretary_selections where workflow_id = ${workflowId}`;
      expect(sel).toEqual({ state: 'first-secretary-dispatched', rule_set: 'two-rec-hubei-2010', first_secretary: '刘洋', first_secretary_from: '县财政局' });
      const [proc] = await sql`select status, current_step from processes where workflow_id = ${workflowId}`;
      expect(proc).toMatchObject({ status: 'completed', current_step: 'first-secretary-dispatched' });
    });
  }, 240_000);
});
