// Two recommendations, one election 两推一选 (domain.md §4.2), selecting a village's (or community's) secretary:
//   the township committee publishes the plan (posts, seats, eligibility) → the Party members' recommendation
//   meeting → the villagers' (or villager representatives') recommendation → the ranking weights the two rounds
//   → the township committee fixes the preliminary candidates (≥20% more than seats, only nominees with the
//   qualifying share) → the members' meeting elects (quorum, win rule; a further round for unfilled seats) →
//   the committee elects the secretary → the township committee approves and files.
// No suitable candidate (the township committee, reviewing the recommendations with the rule set's advice, finds
// none; nobody elected; the township rejects the result): the county organization department dispatches a first
// secretary (第一书记).
// Every number comes from the rule set read when the run starts (src/domain/rules.ts) and carried in its state.
import { allHandlersFinished, condition, patched } from '@temporalio/workflow';
import type { SelectionContext, SelectionRecord } from '../../activities/two-recommendations-one-election.js';
import { countVotes, minimumCandidates, nextRoundCandidates } from '../../src/domain/election.js';
import { shanghaiDate } from '../../src/domain/dates.js';
import type { TaskDue } from '../../src/domain/task-plan.js';
import { hasSuitableCandidates, qualifiedNominees, weightedRanking } from '../../src/domain/two-recommendations-one-election/rules.js';
import {
  firstSecretaryDispatch,
  membersRecommendation,
  preliminaryCandidates,
  selectionElection,
  selectionPlan,
  selectionSecretary,
  townshipApproval,
  villagersRecommendation,
} from '../../src/domain/two-recommendations-one-election/steps.js';
import { acts } from '../process-activities.js';
import { ProcessRun } from '../process-run.js';
import { tellTrainingOfSecretary } from '../rotation-training/secretary.js';

export const KIND = selectionPlan.process;
/** The approved secretary is told to the organization's rotation training (runs recorded without this marker approve without telling it). */
export const SECRETARY_TO_TRAINING_PATCH = 'secretary-to-training';

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

/**
 * The township committee reviews every recommendation result and decides; the rule set's share is shown to it as
 * advice (runs recorded without this marker dispatch a first secretary without review when too few nominees reach
 * the share).
 */
export const TOWNSHIP_REVIEWS_PATCH = 'township-reviews-recommendations';
/**
 * A community's tasks are titled in its own words — the street committee (街道党工委) approves, the residents'
 * meeting (居民会议) recommends (domain.md §2) — where a village's read 乡镇党委 and 村民会议; runs recorded without this
 * marker keep the titles their tasks were opened with.
 */
export const COMMUNITY_WORDS_PATCH = 'community-words';
/**
 * The members' meeting's entitled count is checked against the full members on the register on the meeting's day,
 * read when the ballot is recorded, less approved exclusions (runs recorded without this marker: the count when the
 * run started).
 */
export const MEETING_DAY_REGISTER_PATCH = 'meeting-day-register';

export async function twoRecommendationsOneElection(input: TwoRecommendationsInput): Promise<void> {
  const selection = input.selection ?? 1;
  const p = new ProcessRun({ kind: KIND, organization: input.organization, prefix: selection === 1 ? '' : `s${selection}:`, run: selection });
  let ctx: SelectionContext | undefined;
  const record = (state: SelectionRecord['state'], extra: Partial<SelectionRecord> = {}) =>
    acts.recordSelection({
      workflowId: p.workflowId,
      selection,
      organizationId: ctx!.organizationId,
      ruleSet: ctx!.rules.id,
      state,
      at: new Date().toISOString(),
      ...extra,
    });

  await p.cancellable(
    async () => {
      ctx = await acts.loadSelectionContext({ organization: input.organization, at: new Date().toISOString(), ruleSet: input.ruleSet });
      const c = ctx;
      p.at(c.organizationId, c.orgPath);
      const r = c.rules;
      await record('planning');
      await p.moveTo('selection-started', 'registered', { ruleSet: r.id, memberWeight: r.memberWeight, villagerWeight: r.villagerWeight }, 'running', {
        verb: 'registered',
      });

      /** A step's plan: its organization and due date, with the rule set's reminders and escalations. */
      const plan = (org: number, due: TaskDue) => ({
        organizationId: org,
        due,
        reminderWorkingDays: r.reminderWorkingDays,
        escalationWorkingDays: r.escalationWorkingDays,
      });
      /** A cancelled step ends the selection as well as the process. */
      const stop = (round?: number) => ({ words: { round }, before: () => record('cancelled') });

      /** No suitable candidate: the county organization department dispatches a first secretary. */
      const dispatchFirstSecretary = async (reason: string, detail: Record<string, unknown> = {}) => {
        await record('no-suitable-candidate');
        await p.moveTo('no-suitable-candidate', 'no-suitable-candidate', { reason, ...detail });
        const d = await p.perform(
          'first-secretary-dispatch',
          firstSecretaryDispatch,
          { reason },
          plan(c.countyId, { workingDays: r.dispatchWorkingDays }),
          {},
          stop(),
        );
        const o = d.outcome;
        p.nextDeadline = null;
        await record('first-secretary-dispatched', { firstSecretary: o.firstSecretary, firstSecretaryFrom: o.fromUnit });
        await p.moveTo('first-secretary-dispatched', 'first-secretary-dispatched', { ...o, by: d.actor }, 'completed');
      };

      // Asked only for a community, so that a village's run records no marker and replays as before.
      const communityWords = () => c.settlement === 'community' && patched(COMMUNITY_WORDS_PATCH);
      // 1. The township committee publishes the plan.
      const planned = await p.perform('selection-plan', selectionPlan, { ruleSet: r.id }, plan(c.townshipId, { workingDays: r.planWorkingDays }), {}, stop());
      const published = planned.outcome;
      const seats = published.seats;
      await record('recommending', { seats });
      await p.moveTo('plan-published', 'plan-published', { ...published, by: planned.actor });

      // 2. The Party members' recommendation (members on the register, the turnout, recommendations per nominee).
      const m = await p.perform(
        'members-recommendation',
        membersRecommendation,
        { ruleSet: r.id, seats, basis: 'members', registered: c.members },
        plan(c.organizationId, { workingDays: r.recommendationWorkingDays }),
        {},
        stop(),
      );
      const members = m.outcome;
      await p.moveTo('members-recommended', 'members-recommended', { ...members, by: m.actor });

      // 3. The villagers' (or representatives') recommendation, with its own turnout.
      const v = await p.perform(
        'villagers-recommendation',
        villagersRecommendation,
        { ruleSet: r.id, seats, basis: published.villagerBasis },
        {
          ...plan(c.organizationId, { workingDays: r.recommendationWorkingDays }),
          titled: { variant: communityWords() ? `community-${published.villagerBasis}` : published.villagerBasis },
        },
        {},
        stop(),
      );
      const villagers = v.outcome;
      const ranking = weightedRanking(members, villagers, r);
      const qualified = qualifiedNominees(ranking, r).map((x) => x.nominee);
      await record('reviewing', { ranking });
      await p.moveTo('recommendations-ranked', 'villagers-recommended', { basis: published.villagerBasis, ...villagers, ranking, qualified, by: v.actor });
      // 4. The township committee reviews the results and eligibility and fixes the preliminary candidates — or finds
      // none suitable. The rule set's share only advises it: dispatching a first secretary is the township's call.
      const reviewed = patched(TOWNSHIP_REVIEWS_PATCH);
      if (!reviewed && !hasSuitableCandidates(ranking, seats, r)) {
        return await dispatchFirstSecretary('too few nominees reached the qualifying share of recommendations', {
          qualified,
          minWeightedShare: r.minWeightedShare,
        });
      }
      const advice = {
        suggests: hasSuitableCandidates(ranking, seats, r) ? ('candidates' as const) : ('no-suitable-candidate' as const),
        advised: qualified,
        minWeightedShare: r.minWeightedShare,
        minimumCandidates: minimumCandidates(seats, r),
      };
      const pc = await p.perform(
        'preliminary-candidates',
        preliminaryCandidates,
        reviewed ? { ruleSet: r.id, seats, ranking, advice } : { ruleSet: r.id, seats, ranking },
        plan(c.townshipId, { workingDays: r.reviewWorkingDays }),
        {},
        stop(),
      );
      const prelim = pc.outcome;
      if (prelim.decision === 'no-suitable-candidate') return await dispatchFirstSecretary(prelim.reason, { by: pc.actor });
      await record('electing', { candidates: prelim.candidates });
      await p.moveTo('candidates-fixed', 'candidates-fixed', { candidates: prelim.candidates, by: pc.actor });

      // 5. The members' meeting elects; seats left unfilled go to a further round among the remaining candidates.
      let committee: string[] = [];
      let open = seats;
      let remaining = [...prelim.candidates];
      for (let round = 1; open > 0 && remaining.length > 0 && round <= r.maxBallotRounds; round++) {
        const name = round === 1 ? 'selection-election' : `selection-election-r${round}`;
        // Only full members on the register on the meeting's day vote: read when the ballot is recorded, for its day.
        const registerOn: Record<string, number> | undefined = patched(MEETING_DAY_REGISTER_PATCH) ? {} : undefined;
        const ballot = {
          ruleSet: r.id,
          seats: open,
          candidates: remaining,
          committee,
          fullMembers: c.fullMembers,
          round,
          ...(registerOn ? { registerOn } : {}),
        };
        const confirm = registerOn
          ? async (o: { meetingDate?: string }) => {
              const on = o.meetingDate ?? shanghaiDate(Date.now());
              registerOn[on] = (await acts.fullMembersOn({ organizationId: c.organizationId, on })).fullMembers;
            }
          : undefined;
        const e = await p.perform(
          name,
          selectionElection,
          ballot,
          { ...plan(c.organizationId, { workingDays: r.electionWorkingDays }), confirm },
          { round },
          stop(round),
        );
        const counted = countVotes(open, e.outcome, r);
        committee = [...committee, ...counted.elected];
        open = counted.unfilledSeats;
        remaining = nextRoundCandidates(remaining, counted);
        await p.moveTo('election-counted', `${name}-counted`, { ...counted, committee, round, by: e.actor }, 'running', { verb: 'counted', round });
      }
      if (committee.length === 0) return await dispatchFirstSecretary('no candidate was elected', { rounds: r.maxBallotRounds });

      // 6. The committee elects the secretary from among its members.
      const s = await p.perform(
        'selection-secretary',
        selectionSecretary,
        { committee },
        plan(c.organizationId, { workingDays: r.electionWorkingDays }),
        {},
        stop(),
      );
      const sec = s.outcome;
      const concurrentHead = sec.concurrentHead === 'yes';
      await record('approving', { committee, secretary: sec.secretary, concurrentHead });
      await p.moveTo('secretary-elected', 'secretary-elected', { secretary: sec.secretary, concurrentHead, committee, by: s.actor });

      // 7. The township committee approves and files (the register shows the new secretary), or rejects.
      const a = await p.perform(
        'township-approval',
        townshipApproval,
        { committee, secretary: sec.secretary, concurrentHead: sec.concurrentHead },
        { ...plan(c.townshipId, { workingDays: r.approvalWorkingDays }), titled: communityWords() ? { variant: 'community' } : {} },
        {},
        stop(),
      );
      const approval = a.outcome;
      if (approval.decision === 'reject') return await dispatchFirstSecretary(approval.comments, { by: a.actor, rejected: sec.secretary });
      await acts.appointSecretary({ organizationId: c.organizationId, secretary: sec.secretary, concurrentHead, at: new Date().toISOString() });
      p.nextDeadline = null;
      await record('approved');
      await p.moveTo('approved', 'approved', { secretary: sec.secretary, concurrentHead, committee, by: a.actor, comments: approval.comments }, 'completed');
      // The approved secretary starts a new training cycle if they are new (domain.md §4.3).
      if (patched(SECRETARY_TO_TRAINING_PATCH)) {
        await tellTrainingOfSecretary(input.organization, {
          secretary: sec.secretary,
          by: a.actor,
          source: p.workflowId,
          reason: `new secretary ${sec.secretary}: 两推一选 approved`,
        });
      }
    },
    { after: () => record('cancelled') },
  );
  await condition(allHandlersFinished);
}
