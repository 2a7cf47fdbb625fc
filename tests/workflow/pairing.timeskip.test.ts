import { createHash, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, orgRow, testSql, uniqueCode } from '../helpers/context.js';
import { processDriver, refused, timeSkipping, type TimeSkipping } from '../helpers/time-skipping.js';
import { recordHistory } from '../helpers/histories.js';
import { attachEvidenceUpdate, pairing, recordMilestoneUpdate } from '../../workflows/pairing/workflow.js';
import { cancelTaskUpdate, machineActor } from '../../workflows/messages.js';
import type { PairingDeliverable } from '../../src/domain/rules.js';

// Urban–rural pairing (domain.md §4.5) through a whole three-year cycle on the time-skipping server: the plan is
// delivered with milestones and evidence; deliverables left undone escalate after their due date; a review on each
// anniversary; the last review continues the pairing into a second cycle (continue-as-new), where the undelivered
// deliverables of the first count as missed.
describe('pairing at real durations (time-skipping server)', () => {
  const sql = testSql();
  let ts: TimeSkipping;
  const { county, rows: chain } = countyChain();
  const organs = uniqueCode('G');
  const partner = uniqueCode('GB');
  const township = uniqueCode('T');
  const village = uniqueCode('V');
  const ending = uniqueCode('V');
  const actor = machineActor('organizer');

  // A time-skipping server per test: a workflow task the server still counts when a run closes under it (seen
  // under load as "workflow execution already completed" at the continue-as-new) keeps its time-skipping lock, and
  // every later timer of that server then waits at wall-clock speed.
  beforeEach(async () => {
    ts = await timeSkipping(sql, { sharedWorker: false });
  });
  afterEach(async () => {
    await ts?.env.teardown();
  });
  beforeAll(async () => {
    await addOrganizations(sql, [
      ...chain,
      orgRow(organs, county, { type: 'committee', sector: 'government' }),
      orgRow(partner, organs, { type: 'branch', sector: 'government', term_years: 3 }),
      orgRow(township, county, { type: 'committee', sector: 'regional' }),
      orgRow(village, township, {}),
      orgRow(ending, township, {}),
    ]);
  });
  afterAll(async () => {
    await sql.end();
  });

  it('delivers with milestones and evidence, escalates what is late, reviews yearly and continues into the next cycle', async () => {
    const workflowId = `pairing:${village}`;
    // The partner's secretary, told of each deliverable's task by its title.
    const [u] = await sql<{ id: number }[]>`insert into users (username, password_hash) values (${`sec-${partner}`}, 'x') returning id`;
    await sql`insert into user_roles (user_id, role, organization_id) select ${u!.id}, 'secretary', id from organizations where code = ${partner}`;
    const { worker, taskQueue } = await ts.newWorker();
    await worker.runUntil(async () => {
      const handle = await ts.env.client.workflow.start(pairing, { workflowId, taskQueue, args: [{ organization: village, partner }] });
      const p = processDriver(handle, actor);
      await p.waitFor(
        'five deliverables and the first year',
        (s) => s.tasks.filter((t) => t.step === 'pairing-deliverable').length === 5 && s.step === 'delivering' && s.nextDeadline,
      );
      const [cycle1] = await sql<
        { starts_on: Date; ends_on: Date; rule_set: string }[]
      >`select starts_on, ends_on, rule_set from pairings where workflow_id = ${workflowId} and cycle = 1`;
      const startsOn = cycle1!.starts_on.toISOString().slice(0, 10);
      expect(cycle1!.rule_set).toBe('pairing-hubei-2010');
      // The deliverables' tasks are named as the seed names the five goods (二(三)): what the partner's secretary reads.
      const titles = await sql<{ title: string }[]>`
        select n.title from notifications n join tasks t on t.id = n.task_id
        where t.workflow_id = ${workflowId} and t.step = 'pairing-deliverable' and n.kind = 'task-opened' and n.user_id = ${u!.id}`;
      expect(titles.map((t) => t.title).sort()).toEqual(
        ['建强一个好班子', '制定一个好规划', '兴办一个好项目', '建设一个好阵地', '完善一套好制度'].map((w) => `新任务：结对共建任务：${w}`).sort(),
      );

      // Evidence as the API stores it (bytes and SHA-256 in PostgreSQL), then offered to the workflow.
      const [v] = await sql<{ id: number }[]>`select id from organizations where code = ${village}`;
      const upload = async (deliverable: PairingDeliverable, text: string, size?: number) => {
        const id = randomUUID();
        const bytes = Buffer.from(text);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        await sql`insert into evidence_files (id, workflow_id, deliverable, organization_id, filename, content_type, size_bytes, sha256, content, uploaded_by, uploaded_at)
                  values (${id}, ${workflowId}, ${deliverable}, ${v!.id}, ${`${deliverable}.txt`}, 'text/plain', ${bytes.length}, ${sha256}, ${bytes}, 'organizer', now())`;
        await handle.executeUpdate(attachEvidenceUpdate, {
          args: [{ id, deliverable, sha256, size: size ?? bytes.length, filename: `${deliverable}.txt`, actor }],
        });
        return id;
      };
      const milestone = (deliverable: PairingDeliverable, name: string, evidence: string[], achievedOn = startsOn) =>
        handle.executeUpdate(recordMilestoneUpdate, { args: [{ deliverable, milestone: name, achievedOn, evidence, actor }] });

      expect(await refused(upload('plan', 'too big', 11 * 1024 * 1024))).toMatchObject({ type: 'RuleViolation', rule: 'evidence-size' });
      const survey = await upload('plan', '村情调查报告');
      const draft = await upload('plan', '发展规划草案');
      const adopted = await upload('plan', '村民代表会议决议');
      const rulesDoc = await upload('rules', '村规民约');
      expect(await refused(milestone('plan', 'draft', [draft]))).toMatchObject({ rule: 'milestone-order' });
      expect(await refused(milestone('plan', 'survey', []))).toMatchObject({ rule: 'evidence-required' });
      expect(await refused(milestone('plan', 'survey', [rulesDoc]))).toMatchObject({ rule: 'evidence-deliverable' });
      expect(await refused(milestone('plan', 'survey', [randomUUID()]))).toMatchObject({ rule: 'evidence-unknown' });
      expect(await refused(milestone('plan', 'survey', [survey], '2099-01-01'))).toMatchObject({ rule: 'milestone-date' });
      await milestone('plan', 'survey', [survey]);
      await milestone('plan', 'draft', [draft]);
      // Not every milestone recorded yet: the plan cannot be delivered.
      const planTask = await p.openTask('pairing-deliverable', 'c1:deliverable-plan');
      expect(await refused(p.complete('pairing-deliverable', { summary: '规划已编制' }, planTask.taskKey))).toMatchObject({ rule: 'milestones-missing' });
      await milestone('plan', 'adopted', [adopted]);
      await p.complete('pairing-deliverable', { summary: '规划经村民代表会议通过' }, planTask.taskKey);
      await p.waitFor('the plan delivered', (s) => s.tasks.find((t) => t.taskKey === 'c1:deliverable-plan' && t.state === 'done'));

      // A year and a month later: leadership and rules were due at 12 months and escalated (+3, +10, +20 working days);
      // the first yearly review is open.
      await ts.env.sleep('400 days');
      await p.stepIs('yearly-review');
      const esc = await sql<{ task_key: string; level: number; role: string; code: string }[]>`
        select t.task_key, e.level, e.role, o.code from escalations e join tasks t on t.id = e.task_id join organizations o on o.id = e.organization_id
        where t.workflow_id = ${workflowId} and t.task_key = 'c1:deliverable-rules' order by e.level`;
      expect(esc.map((e) => [e.level, e.role, e.code])).toEqual([
        [1, 'secretary', partner],
        [2, 'supervisor', organs],
        [3, 'organizer', county],
      ]);
      const [plan] = await sql`select state, summary from pairing_deliverables where workflow_id = ${workflowId} and cycle = 1 and deliverable = 'plan'`;
      expect(plan).toMatchObject({ state: 'delivered', summary: '规划经村民代表会议通过' });
      const miles =
        await sql`select milestone from pairing_milestones where workflow_id = ${workflowId} and deliverable = 'plan' order by achieved_on, recorded_at`;
      expect(miles.map((m) => m.milestone)).toEqual(['survey', 'draft', 'adopted']);

      // Only the last review of the cycle decides whether the pairing continues.
      expect(await refused(p.complete('pairing-review', { rating: 'good', comments: '进展良好', decision: 'continue' }, 'c1:review-y1'))).toMatchObject({
        rule: 'review-decision',
      });
      await p.complete('pairing-review', { rating: 'adequate', comments: '规划已完成，班子建设滞后' }, 'c1:review-y1');
      await p.stepIs('delivering');
      await ts.env.sleep('365 days');
      // 一般: between 较好 and 差 on the township's scale.
      await p.complete('pairing-review', { rating: 'fair', comments: '第二年考评：成效一般' }, 'c1:review-y2');
      await p.stepIs('delivering');
      await ts.env.sleep('365 days');
      await p.stepIs('yearly-review');
      expect(await refused(p.complete('pairing-review', { rating: 'good', comments: '三年期满' }, 'c1:review-y3'))).toMatchObject({ rule: 'review-decision' });
      await p.complete('pairing-review', { rating: 'good', comments: '三年期满，继续结对', decision: 'continue' }, 'c1:review-y3');

      // The next cycle: a new run, its five deliverables open; the first cycle's undelivered ones are missed.
      await p.waitFor('the second cycle', (s) => s.tasks.filter((t) => t.taskKey.startsWith('c2:deliverable-')).length === 5);
      const cycles = await sql`select cycle, state, starts_on from pairings where workflow_id = ${workflowId} order by cycle`;
      expect(cycles.map((c) => [c.cycle, c.state])).toEqual([
        [1, 'continued'],
        [2, 'active'],
      ]);
      expect((cycles[1]!.starts_on as Date).getTime()).toBe(cycle1!.ends_on.getTime());
      const d1 = await sql`select deliverable, state from pairing_deliverables where workflow_id = ${workflowId} and cycle = 1 order by deliverable`;
      expect(Object.fromEntries(d1.map((d) => [d.deliverable, d.state]))).toEqual({
        leadership: 'missed',
        plan: 'delivered',
        project: 'missed',
        rules: 'missed',
        venue: 'missed',
      });
      const t1 = await sql`select task_key, state from tasks where workflow_id = ${workflowId} and task_key like 'c1:deliverable-%' and state <> 'done'`;
      expect(t1.every((t) => t.state === 'cancelled')).toBe(true);
      expect(t1).toHaveLength(4);
      const reviews = await sql`select year, rating, decision from pairing_reviews where workflow_id = ${workflowId} and cycle = 1 order by year`;
      expect(reviews.map((r) => [r.year, r.rating, r.decision])).toEqual([
        [1, 'adequate', null],
        [2, 'fair', null],
        [3, 'good', 'continue'],
      ]);
      const [ev] = await sql<{ n: number }[]>`select count(*)::int as n from evidence_files where workflow_id = ${workflowId} and attached and cycle = 1`;
      expect(ev!.n).toBe(4);

      // Terminated only once the second cycle is idle: an activity still running at termination leaves the Java
      // test server's time-skipping lock held, and the next test's timers then run at wall-clock speed.
      await p.waitFor(
        'the second cycle idle',
        async () => (await sql`select 1 from process_events where workflow_id = ${workflowId} and event_key = 'c2:year-1-waiting'`).length > 0,
      );
      const first = ts.env.client.workflow.getHandle(workflowId, handle.firstExecutionRunId);
      await recordHistory('pairing', workflowId, await first.fetchHistory());
      await handle.terminate('end of test');
    });
  }, 300_000);

  it('ends after the cycle when the last review says so; a cancelled deliverable is not counted as missed', async () => {
    const workflowId = `pairing:${ending}`;
    const { worker, taskQueue } = await ts.newWorker();
    await worker.runUntil(async () => {
      const handle = await ts.env.client.workflow.start(pairing, { workflowId, taskQueue, args: [{ organization: ending, partner }] });
      const p = processDriver(handle, actor);
      await p.waitFor('five deliverables', (s) => s.tasks.filter((t) => t.step === 'pairing-deliverable').length === 5 && s.nextDeadline);
      // The venue is dropped from this pairing (cancelled with a reason): no longer open for milestones.
      await handle.executeUpdate(cancelTaskUpdate, { args: [{ taskKey: 'c1:deliverable-venue', actor, reason: '村部阵地由县财政统一建设' }] });
      await p.waitFor('the venue cancelled', (s) => s.tasks.find((t) => t.taskKey === 'c1:deliverable-venue' && t.state === 'cancelled'));
      const refusal = await refused(
        handle.executeUpdate(recordMilestoneUpdate, { args: [{ deliverable: 'venue', milestone: 'site', achievedOn: '2027-01-01', evidence: [], actor }] }),
      );
      expect(refusal.message).toMatch(/not open/);
      for (const year of [1, 2]) {
        await ts.env.sleep('366 days');
        await p.complete('pairing-review', { rating: 'poor', comments: `第${year}年未见成效` }, `c1:review-y${year}`);
      }
      await ts.env.sleep('366 days');
      await p.complete('pairing-review', { rating: 'poor', comments: '三年期满，不再结对', decision: 'end' }, 'c1:review-y3');
      await handle.result();
      const [proc] = await sql`select status, current_step from processes where workflow_id = ${workflowId}`;
      expect(proc).toMatchObject({ status: 'completed', current_step: 'ended' });
      const cycles = await sql`select cycle, state from pairings where workflow_id = ${workflowId}`;
      expect(cycles.map((c) => [c.cycle, c.state])).toEqual([[1, 'ended']]);
      const d = await sql`select deliverable, state from pairing_deliverables where workflow_id = ${workflowId} order by deliverable`;
      expect(Object.fromEntries(d.map((x) => [x.deliverable, x.state]))).toEqual({
        leadership: 'missed',
        plan: 'missed',
        project: 'missed',
        rules: 'missed',
        venue: 'cancelled',
      });
      const open = await sql`select task_key from tasks where workflow_id = ${workflowId} and state in ('open', 'claimed', 'escalated')`;
      expect(open).toEqual([]);
    });
  }, 300_000);
});
