// Two recommendations, one election 两推一选 (domain.md §4.2), selecting a village's (or community's) secretary:
//   the township committee publishes the plan (posts, seats, eligibility) → the Party members' recommendation
//   meeting → the villagers' (or villager representatives') recommendation → the ranking weights the two rounds
//   → the township committee fixes the preliminary candidates (≥20% more than seats, only nominees with the
//   qualifying share) → the members' meeting elects (quorum, win rule; a further round for unfilled seats) →
//   the committee elects the secretary → the township committee approves and files.
// No suitable candidate (too few qualified nominees, the township finds none, nobody elected, the township
// rejects the result): the county organization department dispatches a first secretary (第一书记).
// Every number comes from the rule set read when the run starts (src/domain/rules.ts) and carried in its state.
import { allHandlersFinished, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import type { SelectionContext, SelectionRecord } from '../activities/selection.js';
import type { Role } from '../src/auth/principal.js';
import { countVotes, nextRoundCandidates } from '../src/domain/election.js';
import {
  firstSecretaryOutcome,
  preliminaryCandidatesOutcome,
  recommendationOutcome,
  selectionBallotOutcome,
  selectionPlanOutcome,
  selectionSecretaryOutcome,
  townshipApprovalOutcome,
} from '../src/domain/step-outcomes.js';
import type { TaskDue } from '../src/domain/task-plan.js';
import { checkSecretary } from '../src/domain/term-election.js';
import { checkPreliminaryCandidates, checkRecommendationRound, checkSelectionBallot, hasSuitableCandidates, qualifiedNominees, weightedRanking } from '../src/domain/two-recommendations.js';
import { acts } from './process-activities.js';
import { HumanTasks, type HumanTaskResult } from './human-task.js';
import { processStateQuery } from './messages.js';
import { cancellable, outcomeOf, outcomeRule } from './process-control.js';

export const KIND = 'two-recommendations-one-election';

export interface TwoRecommendationsInput {
  organization: string;
  /** Pin a rule set (history: 'two-rec-hubei-2010'); by default the one in force when the run starts. */
  ruleSet?: string;
  /**
   * Which selection of this organization (1 for the first): a later term selects again under the same workflow id,
   * and its task and event keys (prefixed `s2:` …) stay apart from the earlier ones.
   */
  selection?: number;
}


/** A step's task was cancelled: the process ends there. */
class Stopped extends Error {}

export async function twoRecommendationsOneElection(input: TwoRecommendationsInput): Promise<void> {
  const workflowId = workflowInfo().workflowId;
  const selection = input.selection ?? 1;
  const key = (k: string) => (selection === 1 ? k : `s${selection}:${k}`);
  const tasks = new HumanTasks();
  let ctx: SelectionContext | undefined;
  let step = 'starting';
  let nextDeadline: string | null = null;
  setHandler(processStateQuery, () => ({ kind: KIND, organization: input.organization, step, nextDeadline, tasks: tasks.views() }));

  const moveTo = async (s: string, eventKey: string, detail: Record<string, unknown> = {}, status: 'running' | 'completed' | 'cancelled' = 'running') => {
    step = s;
    await acts.recordStep({ workflowId, kind: KIND, organizationId: ctx!.organizationId, step, eventKey: key(eventKey), at: new Date().toISOString(), nextDeadline, detail, status });
  };
  const record = (state: SelectionRecord['state'], extra: Partial<SelectionRecord> = {}) =>
    acts.recordSelection({ workflowId, selection, organizationId: ctx!.organizationId, ruleSet: ctx!.rules.id, state, at: new Date().toISOString(), ...extra });

  await cancellable(
    () => ctx?.orgPath,
    async () => {
      ctx = await acts.loadSelectionContext({ organization: input.organization, at: new Date().toISOString(), ruleSet: input.ruleSet });
      const c = ctx;
      const r = c.rules;
      await record('planning');
      await moveTo('selection-started', 'registered', { ruleSet: r.id, memberWeight: r.memberWeight, villagerWeight: r.villagerWeight });

      /** One person's step on the building block: opened, awaited; a cancelled task ends the process. */
      const task = async (name: string, s: { step: string; org: number; role: Role; due: TaskDue; title: string; validate?: (o: Record<string, unknown>) => void }): Promise<HumanTaskResult> => {
        const opened = await tasks.open({
          key: key(name), process: KIND, step: s.step, organizationId: s.org, assigneeRole: s.role, due: s.due,
          reminderWorkingDays: r.reminderWorkingDays, escalationWorkingDays: r.escalationWorkingDays, title: s.title, validateOutcome: s.validate,
        });
        nextDeadline = opened.task.dueAt;
        await moveTo(s.step, `${name}-opened`, { taskKey: opened.task.taskKey, dueAt: opened.task.dueAt });
        const res = await opened.result;
        if (res.state === 'cancelled') {
          nextDeadline = null;
          await record('cancelled');
          await moveTo(`${s.step}-cancelled`, `${name}-cancelled`, { reason: res.reason, by: res.actor }, 'cancelled');
          throw new Stopped();
        }
        return res;
      };

      /** No suitable candidate: the county organization department dispatches a first secretary. */
      const dispatchFirstSecretary = async (reason: string, detail: Record<string, unknown> = {}) => {
        await record('no-suitable-candidate');
        await moveTo('no-suitable-candidate', 'no-suitable-candidate', { reason, ...detail });
        const d = await task('first-secretary-dispatch', {
          step: 'first-secretary-dispatch', org: c.countyId, role: 'organizer', due: { workingDays: r.dispatchWorkingDays }, title: '选派第一书记',
          validate: outcomeRule(firstSecretaryOutcome),
        });
        const o = outcomeOf(firstSecretaryOutcome, d.outcome);
        nextDeadline = null;
        await record('first-secretary-dispatched', { firstSecretary: o.firstSecretary, firstSecretaryFrom: o.fromUnit });
        await moveTo('first-secretary-dispatched', 'first-secretary-dispatched', { ...o, by: d.actor }, 'completed');
      };

      try {
        // 1. The township committee publishes the plan.
        const planned = await task('selection-plan', {
          step: 'selection-plan', org: c.townshipId, role: 'organizer', due: { workingDays: r.planWorkingDays }, title: '发布两推一选工作方案',
          validate: outcomeRule(selectionPlanOutcome),
        });
        const plan = outcomeOf(selectionPlanOutcome, planned.outcome);
        const seats = plan.seats;
        await record('recommending', { seats });
        await moveTo('plan-published', 'plan-published', { ...plan, by: planned.actor });

        // 2. The Party members' recommendation (members on the register, the turnout, recommendations per nominee).
        const m = await task('members-recommendation', {
          step: 'members-recommendation', org: c.organizationId, role: 'secretary', due: { workingDays: r.recommendationWorkingDays }, title: '党员推荐',
          validate: outcomeRule(recommendationOutcome, (o) => checkRecommendationRound('members', o, seats, r, c.members)),
        });
        const members = outcomeOf(recommendationOutcome, m.outcome);
        await moveTo('members-recommended', 'members-recommended', { ...members, by: m.actor });

        // 3. The villagers' (or representatives') recommendation, with its own turnout.
        const v = await task('villagers-recommendation', {
          step: 'villagers-recommendation', org: c.organizationId, role: 'secretary', due: { workingDays: r.recommendationWorkingDays }, title: plan.villagerBasis === 'villagers' ? '群众推荐（村民会议）' : '群众推荐（村民代表会议）',
          validate: outcomeRule(recommendationOutcome, (o) => checkRecommendationRound(plan.villagerBasis, o, seats, r)),
        });
        const villagers = outcomeOf(recommendationOutcome, v.outcome);
        const ranking = weightedRanking(members, villagers, r);
        const qualified = qualifiedNominees(ranking, r).map((x) => x.nominee);
        await record('reviewing', { ranking });
        await moveTo('recommendations-ranked', 'villagers-recommended', { basis: plan.villagerBasis, ...villagers, ranking, qualified, by: v.actor });
        if (!hasSuitableCandidates(ranking, seats, r)) {
          return await dispatchFirstSecretary('too few nominees reached the qualifying share of recommendations', { qualified, minWeightedShare: r.minWeightedShare });
        }

        // 4. The township committee reviews eligibility and fixes the preliminary candidates — or finds none suitable.
        const p = await task('preliminary-candidates', {
          step: 'preliminary-candidates', org: c.townshipId, role: 'organizer', due: { workingDays: r.reviewWorkingDays }, title: '确定初步候选人',
          validate: outcomeRule(preliminaryCandidatesOutcome, (o) => o.decision === 'candidates' && checkPreliminaryCandidates(o.candidates, seats, ranking, r)),
        });
        const prelim = outcomeOf(preliminaryCandidatesOutcome, p.outcome);
        if (prelim.decision === 'no-suitable-candidate') return await dispatchFirstSecretary(prelim.reason, { by: p.actor });
        await record('electing', { candidates: prelim.candidates });
        await moveTo('candidates-fixed', 'candidates-fixed', { candidates: prelim.candidates, by: p.actor });

        // 5. The members' meeting elects; seats left unfilled go to a further round among the remaining candidates.
        let committee: string[] = [];
        let open = seats;
        let remaining = [...prelim.candidates];
        for (let round = 1; open > 0 && remaining.length > 0 && round <= r.maxBallotRounds; round++) {
          const name = round === 1 ? 'selection-election' : `selection-election-r${round}`;
          const ballot = { seats: open, candidates: remaining, fullMembers: c.fullMembers };
          const e = await task(name, {
            step: 'selection-election', org: c.organizationId, role: 'secretary', due: { workingDays: r.electionWorkingDays }, title: '党员大会选举',
            validate: outcomeRule(selectionBallotOutcome, (o) => void checkSelectionBallot(o, ballot, r)),
          });
          const counted = countVotes(open, outcomeOf(selectionBallotOutcome, e.outcome), r);
          committee = [...committee, ...counted.elected];
          open = counted.unfilledSeats;
          remaining = nextRoundCandidates(remaining, counted);
          await moveTo('election-counted', `${name}-counted`, { ...counted, committee, round, by: e.actor });
        }
        if (committee.length === 0) return await dispatchFirstSecretary('no candidate was elected', { rounds: r.maxBallotRounds });

        // 6. The committee elects the secretary from among its members.
        const s = await task('selection-secretary', {
          step: 'selection-secretary', org: c.organizationId, role: 'secretary', due: { workingDays: r.electionWorkingDays }, title: '选举书记',
          validate: outcomeRule(selectionSecretaryOutcome, (o) => checkSecretary(o.secretary, committee)),
        });
        const sec = outcomeOf(selectionSecretaryOutcome, s.outcome);
        const concurrentHead = sec.concurrentHead === 'yes';
        await record('approving', { committee, secretary: sec.secretary, concurrentHead });
        await moveTo('secretary-elected', 'secretary-elected', { secretary: sec.secretary, concurrentHead, committee, by: s.actor });

        // 7. The township committee approves and files (the register shows the new secretary), or rejects.
        const a = await task('township-approval', {
          step: 'township-approval', org: c.townshipId, role: 'supervisor', due: { workingDays: r.approvalWorkingDays }, title: '乡镇党委审批',
          validate: outcomeRule(townshipApprovalOutcome),
        });
        const approval = outcomeOf(townshipApprovalOutcome, a.outcome);
        if (approval.decision === 'reject') return await dispatchFirstSecretary(approval.comments, { by: a.actor, rejected: sec.secretary });
        await acts.appointSecretary({ organizationId: c.organizationId, secretary: sec.secretary, concurrentHead, at: new Date().toISOString() });
        nextDeadline = null;
        await record('approved');
        await moveTo('approved', 'approved', { secretary: sec.secretary, concurrentHead, committee, by: a.actor, comments: approval.comments }, 'completed');
      } catch (err) {
        if (!(err instanceof Stopped)) throw err;
      }
    },
    async (cancel) => {
      nextDeadline = null;
      step = 'cancelled';
      await acts.cancelProcess({ workflowId, organizationId: ctx!.organizationId, kind: KIND, step, actor: cancel.actor.username, reason: cancel.reason, at: new Date().toISOString() });
      await record('cancelled');
    },
  );
  await condition(allHandlersFinished);
}
