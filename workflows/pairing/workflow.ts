// Urban–rural pairing 城乡互联、结对共建 (domain.md §4.5): an urban unit's Party organization paired with a village's.
// One run per three-year cycle (the rule set's `cycleYears`), continued as new into the next cycle:
//   five deliverables open when the cycle starts — 好班子 leadership, 好规划 plan, 好项目 project, 好阵地 venue,
//   好制度 rules — each a task of the partner's secretary, due a number of months into the cycle (reminders before,
//   escalation after); its milestones are recorded on it in order, each with evidence files (uploaded on its task page or through the
//   API, stored with their SHA-256, size-limited) and it is delivered only when every milestone is recorded;
//   → the township committee reviews the pairing on each anniversary; the last review decides whether the pairing
//   continues → deliverables still open close as missed → the next cycle (or the end).
import { allHandlersFinished, condition, continueAsNew, defineUpdate, patched, setHandler, sleep } from '@temporalio/workflow';
import { z } from 'zod';
import type { PairingContext } from '../../activities/pairing.js';
import type { Role } from '../../src/domain/roles.js';
import { shanghaiDate, shanghaiInstant, type IsoDate } from '../../src/domain/dates.js';
import {
  checkDeliverableComplete,
  checkEvidenceFile,
  checkMilestone,
  cycleDates,
  pairingDeliverables,
  pairingWorkers,
  type EvidenceRef,
  type MilestoneRecord,
  type PairingDeliverable,
} from '../../src/domain/pairing/rules.js';
import { deliverableOutcome, pairingReviewOutcome, reviewRatings } from '../../src/domain/step-outcomes.js';
import { actorAllows, type Actor } from '../../src/domain/task-rights.js';
import { acts } from '../process-activities.js';
import { ProcessRun } from '../process-run.js';
import { pairingStates } from '../../src/domain/pairing/states.js';
import { actorSchema, isoDateSchema } from '../messages.js';
import { enforce, outcomeOf } from '../process-control.js';
import { deliverableWords, pairingDeliverable, pairingReview } from '../../src/domain/pairing/steps.js';

export const KIND = pairingReview.process;

export interface PairingInput {
  /** The village's Party organization. */
  organization: string;
  /** The urban unit's Party organization. */
  partner: string;
  cycle?: number;
  /** The cycle's first day; by default the day the run starts. */
  startsOn?: IsoDate;
  ruleSet?: string;
}

export const deliverableSchema = z.enum(pairingDeliverables);
/** An evidence file the API stored (its bytes stay in PostgreSQL; the workflow keeps the reference and checksum). */
export const attachEvidenceInput = z.object({
  id: z.uuid(),
  deliverable: deliverableSchema,
  sha256: z.string().max(64),
  size: z.number().int(),
  filename: z.string().max(400),
  actor: actorSchema,
});
export const milestoneBody = z.object({
  deliverable: deliverableSchema,
  milestone: z.string().min(1).max(64),
  achievedOn: isoDateSchema,
  note: z.string().max(2000).optional(),
  evidence: z.array(z.uuid()).max(20),
});
export const recordMilestoneInput = milestoneBody.extend({ actor: actorSchema });
export const attachEvidenceUpdate = defineUpdate<{ cycle: number; evidence: number }, [z.input<typeof attachEvidenceInput>]>('attachEvidence');
export const recordMilestoneUpdate = defineUpdate<{ cycle: number; milestones: number }, [z.input<typeof recordMilestoneInput>]>('recordMilestone');

/** Deliverable task titles of runs opened before they used the seed's words (deliverableWords): kept so those replay alike. */
const TITLES: Record<PairingDeliverable, string> = { leadership: '好班子', plan: '好规划', project: '好项目', venue: '好阵地', rules: '好制度' };
/** Deliverable tasks are titled in the seed's words (建强一个好班子 …): runs that opened theirs before keep the short ones. */
export const SEED_DELIVERABLE_WORDS_PATCH = 'seed-deliverable-words';
/** The yearly review offers 一般 between 较好 and 差: a review opened before keeps its three grades (its context has no `ratings`). */
export const REVIEW_FAIR_PATCH = 'pairing-review-fair';
/** Who records the work: the village's and the partner's people, and everyone above either. */
const workers: readonly Role[] = pairingWorkers;

export async function pairing(input: PairingInput): Promise<void> {
  const cycle = input.cycle ?? 1;
  const p = new ProcessRun({ kind: KIND, organization: input.organization, prefix: `c${cycle}:`, run: cycle });
  const { workflowId } = p;
  const key = (k: string) => p.key(k);
  let ctx: PairingContext | undefined;
  const evidence: EvidenceRef[] = [];
  const milestones: MilestoneRecord[] = [];
  /** Deliverables whose task is open: milestones and evidence are recorded only on these. */
  const open = new Set<PairingDeliverable>();
  const delivered = new Set<PairingDeliverable>();
  /** Deliverable closings still projecting: the cycle closes after them. */
  let projecting = 0;
  let next: PairingInput | undefined;
  const checkOpen = (d: PairingDeliverable, actor: Actor) => {
    if (!ctx) throw new Error('the pairing is starting; retry');
    if (!open.has(d)) throw new Error(`the ${d} deliverable of cycle ${cycle} is not open`);
    if (!actorAllows(actor, ctx.orgPath, workers) && !actorAllows(actor, ctx.partnerPath, workers))
      throw new Error(`${actor.username} may not record work of this pairing`);
  };

  setHandler(
    attachEvidenceUpdate,
    async (raw) => {
      const i = attachEvidenceInput.parse(raw);
      evidence.push({ id: i.id, deliverable: i.deliverable, sha256: i.sha256, size: i.size, filename: i.filename });
      await acts.attachEvidence({ id: i.id, workflowId, cycle });
      await p.moveTo(p.step, pairingStates.key('evidence-{id}', { id: i.id }), {
        deliverable: i.deliverable,
        evidence: i.id,
        sha256: i.sha256,
        size: i.size,
        filename: i.filename,
        by: i.actor.username,
      });
      return { cycle, evidence: evidence.filter((e) => e.deliverable === i.deliverable).length };
    },
    {
      validator: (raw) => {
        const i = attachEvidenceInput.parse(raw);
        checkOpen(i.deliverable, i.actor);
        if (evidence.some((e) => e.id === i.id)) throw new Error(`evidence ${i.id} is already attached`);
        enforce(() => checkEvidenceFile(i, ctx!.rules));
      },
    },
  );
  setHandler(
    recordMilestoneUpdate,
    async (raw) => {
      const i = recordMilestoneInput.parse(raw);
      const m: MilestoneRecord = { deliverable: i.deliverable, milestone: i.milestone, achievedOn: i.achievedOn, evidence: [...new Set(i.evidence)] };
      milestones.push(m);
      await acts.recordMilestone({ workflowId, cycle, ...m, note: i.note, actor: i.actor.username, at: new Date().toISOString() });
      await p.moveTo(p.step, pairingStates.key('milestone-{deliverable}-{milestone}', i), { ...m, note: i.note, by: i.actor.username });
      return { cycle, milestones: milestones.filter((x) => x.deliverable === i.deliverable).length };
    },
    {
      validator: (raw) => {
        const i = recordMilestoneInput.parse(raw);
        checkOpen(i.deliverable, i.actor);
        enforce(() => checkMilestone(i, { recorded: milestones, evidence, startsOn: ctx!.startsOn, today: shanghaiDate(Date.now()) }, ctx!.rules));
      },
    },
  );

  await p.cancellable(
    async () => {
      ctx = await acts.loadPairingContext({
        organization: input.organization,
        partner: input.partner,
        at: new Date().toISOString(),
        startsOn: input.startsOn,
        ruleSet: input.ruleSet,
      });
      const c = ctx;
      p.at(c.organizationId, c.orgPath);
      const r = c.rules;
      const dates = cycleDates(c.startsOn, r);
      const pairingRow = (state: 'active' | 'continued' | 'ended' | 'cancelled') =>
        acts.recordPairing({
          workflowId,
          cycle,
          organizationId: c.organizationId,
          partnerId: c.partnerId,
          startsOn: c.startsOn,
          endsOn: dates.endsOn,
          state,
          ruleSet: r.id,
          at: new Date().toISOString(),
        });
      await pairingRow('active');
      await p.moveTo('delivering', 'cycle-opened', {
        cycle,
        partner: input.partner,
        startsOn: c.startsOn,
        endsOn: dates.endsOn,
        ruleSet: r.id,
        deliverableDue: dates.deliverableDue,
      });

      // The five deliverables, each a task of the partner's secretary with the rule set's reminders and escalations.
      const seedWords = patched(SEED_DELIVERABLE_WORDS_PATCH);
      for (const d of pairingDeliverables) {
        const opened = await p.openTask(
          `deliverable-${d}`,
          pairingDeliverable,
          { ruleSet: r.id, deliverable: d, partner: input.partner },
          {
            organizationId: c.partnerId,
            due: { on: dates.deliverableDue[d] },
            reminderWorkingDays: r.reminderWorkingDays,
            escalationWorkingDays: r.escalationWorkingDays,
            titled: { about: seedWords ? deliverableWords[d]['zh-CN'] : TITLES[d] },
            alsoCheck: () => checkDeliverableComplete(d, milestones, r),
          },
        );
        open.add(d);
        await acts.recordDeliverable({ workflowId, cycle, deliverable: d, dueOn: dates.deliverableDue[d], state: 'open', at: new Date().toISOString() });
        await p.moveTo(p.step, pairingStates.key('deliverable-{deliverable}-{verb}', { deliverable: d, verb: 'opened' }), {
          deliverable: d,
          taskKey: opened.task.taskKey,
          dueAt: opened.task.dueAt,
        });
        opened.result
          .then(async (res) => {
            open.delete(d);
            projecting++;
            const state = res.state === 'done' ? 'delivered' : 'cancelled';
            if (res.state === 'done') delivered.add(d);
            const summary = res.state === 'done' ? outcomeOf(deliverableOutcome, res.outcome).summary : undefined;
            await acts.recordDeliverable({ workflowId, cycle, deliverable: d, dueOn: dates.deliverableDue[d], state, summary, at: new Date().toISOString() });
            await p.moveTo(p.step, pairingStates.key('deliverable-{deliverable}-{verb}', { deliverable: d, verb: state }), {
              deliverable: d,
              summary,
              reason: res.reason,
              by: res.actor,
            });
            projecting--;
          })
          .catch(() => undefined);
      }

      // A review on each anniversary; the last one decides whether the pairing goes on.
      let decision: 'continue' | 'end' = 'end';
      for (let year = 1; year <= r.cycleYears; year++) {
        const reviewOn = dates.reviews[year - 1]!;
        p.nextDeadline = shanghaiInstant(reviewOn, 9).toISOString();
        await p.moveTo('delivering', pairingStates.key('year-{year}-waiting', { year }), { year, reviewOn });
        const waitMs = Date.parse(p.nextDeadline!) - Date.now();
        if (waitMs > 0) await sleep(waitMs);
        const offered = patched(REVIEW_FAIR_PATCH) ? { ratings: [...reviewRatings] } : {};
        const review = await p.openTask(
          `review-y${year}`,
          pairingReview,
          { ruleSet: r.id, year, partner: input.partner, ...offered },
          {
            organizationId: c.townshipId,
            due: { workingDays: r.reviewWorkingDays },
            reminderWorkingDays: r.reminderWorkingDays,
            escalationWorkingDays: r.escalationWorkingDays,
            titled: { part: `第${year}年` },
          },
        );
        p.nextDeadline = review.task.dueAt;
        await p.moveTo('yearly-review', pairingStates.key('review-y{year}-{verb}', { year, verb: 'opened' }), {
          year,
          taskKey: review.task.taskKey,
          dueAt: review.task.dueAt,
        });
        const rv = await review.result;
        if (rv.state === 'cancelled') {
          await p.moveTo('delivering', pairingStates.key('review-y{year}-{verb}', { year, verb: 'cancelled' }), { year, reason: rv.reason, by: rv.actor });
          continue;
        }
        const o = outcomeOf(pairingReviewOutcome, rv.outcome);
        await acts.recordReview({
          workflowId,
          cycle,
          year,
          rating: o.rating,
          comments: o.comments,
          decision: o.decision,
          actor: rv.actor,
          at: new Date().toISOString(),
        });
        await p.moveTo('reviewed', pairingStates.key('review-y{year}-{verb}', { year, verb: 'done' }), {
          year,
          ...o,
          delivered: pairingDeliverables.filter((d) => delivered.has(d)),
          by: rv.actor,
        });
        if (year === r.cycleYears && o.decision) decision = o.decision;
      }

      // The cycle is over: what is not delivered is missed; its tasks close with the reason.
      await condition(() => projecting === 0);
      const missed = pairingDeliverables.filter((d) => open.has(d));
      for (const d of missed) open.delete(d);
      const at = new Date().toISOString();
      if (missed.length)
        await acts.closeCycleTasks({
          workflowId,
          taskKeyPrefix: key('deliverable-'),
          actor: 'system',
          reason: `the pairing's cycle ${cycle} ended before delivery`,
          at,
        });
      for (const d of missed) await acts.recordDeliverable({ workflowId, cycle, deliverable: d, dueOn: dates.deliverableDue[d], state: 'missed', at });
      p.nextDeadline = null;
      await pairingRow(decision === 'continue' ? 'continued' : 'ended');
      if (decision === 'continue') {
        await p.moveTo('cycle-closed', 'cycle-closed', { cycle, missed, next: cycle + 1 });
        next = { organization: input.organization, partner: input.partner, cycle: cycle + 1, startsOn: dates.endsOn };
      } else {
        await p.moveTo('ended', 'ended', { cycle, missed }, 'completed');
      }
    },
    {
      before: async () => open.clear(),
      after: () => {
        const c = ctx!;
        return acts.recordPairing({
          workflowId,
          cycle,
          organizationId: c.organizationId,
          partnerId: c.partnerId,
          startsOn: c.startsOn,
          endsOn: cycleDates(c.startsOn, c.rules).endsOn,
          state: 'cancelled',
          ruleSet: c.rules.id,
          at: new Date().toISOString(),
        });
      },
    },
  );
  await condition(allHandlersFinished);
  if (next) await continueAsNew<typeof pairing>(next);
}
