// The steps' outcomes of the term election (domain.md §4.1) and the rules on them. Pure: the workflow's
// Update validators call these, so an outcome the rules forbid is refused before it enters history.
import { z } from 'zod';
import { isValidIsoDate } from '../dates.js';
import {
  checkCandidateMargin,
  checkEntitled,
  checkEntitledReasons,
  countVotes,
  excludedMembers,
  RuleViolation,
  type BallotCount,
  type ElectionResult,
} from '../election.js';
export { checkMeetingDate } from '../election.js';
import { entitledExclusions, memberExclusions } from '../step-outcomes.js';
import type { EntitledExclusionReason } from '../rules.js';
import type { TermRules } from '../rules.js';

const comments = z.string().trim().min(2).max(4000);
const name = z.string().trim().min(1).max(100);
const count = z.number().int().min(0).max(1_000_000);

/**
 * Step 3, the request (请示): the planned date, seats and nomination method; a postponement is asked for here and
 * granted in the reply. The one schema of the step: the workflow's validator and the task form (step-outcomes.ts)
 * both use this object. Each figure may be left to the supervisor, who returns an incomplete request in the reply.
 * Seats from 1: a branch of fewer than 7 members has no committee and elects its secretary alone [reg]. The
 * regulation's committee sizes depend on the organization's type (基层委员会, 总支, 支部), which this schema
 * does not know; 99 only keeps the figure sane.
 */
export const electionRequestOutcome = z.object({
  electionDate: z.string().refine(isValidIsoDate, 'expected a date YYYY-MM-DD').optional(),
  seats: z.number().int().min(1).max(99).optional(),
  nominationMethod: z.string().max(200).optional(),
  postponeMonths: z.number().int().min(1).max(120).optional(),
  note: z.string().max(4000).optional(),
});

/** Step 4, the supervisor's reply (批复). */
export const electionReplyOutcome = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('approve'), comments: comments.optional() }),
  z.object({ decision: z.literal('return'), comments }),
  z.object({ decision: z.literal('postpone'), postponeMonths: z.number().int().min(1).max(120), comments }),
]);

/** Step 5, the committee's preliminary candidates (候选人初步人选), which the higher committee's review makes 预备人选. */
export const candidatesOutcome = z.object({
  seats: z.number().int().min(1).max(99),
  candidates: z
    .array(name)
    .min(1)
    .max(200)
    .refine((c) => new Set(c).size === c.length, 'candidates must be distinct'),
});

/** Supervisor's review of the candidates, of the result report. */
export const reviewOutcome = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('agree'), comments: comments.optional() }),
  z.object({ decision: z.literal('return'), comments }),
]);

/**
 * Step 6, the members' meeting: the counts of the secret ballot, and the full members left out of the entitled count
 * with an accepted reason and approval (none when nobody was).
 */
export const ballotOutcome = z.object({
  entitled: count,
  present: count,
  ballotsIssued: count,
  ballotsReturned: count,
  votes: z.record(name, count),
  exclusions: entitledExclusions.optional(),
});

/**
 * Step 6 of the term election: the ballot's counts and the day of the members' meeting, on which the new term
 * starts (domain.md §4.1) and by which "held before the term ended" is judged — not the day the counts are typed in.
 */
export const termBallotOutcome = ballotOutcome.extend({
  meetingDate: z.string().refine(isValidIsoDate, 'expected a date YYYY-MM-DD'),
});
/** A ballot as histories hold it: those recorded before the meeting's day was asked for carry none. */
export const recordedTermBallot = termBallotOutcome.partial({ meetingDate: true });

/**
 * Before the members' meeting, where the organization's members are on the register: the committee proposes the
 * full members to leave out of the entitled count (应到会人数), each picked from the register with a reason the
 * regulations accept — or none (an empty list), and the meeting's entitled count is the register's.
 */
export const exclusionsProposalOutcome = z.object({ excluded: memberExclusions.optional() });

/** The higher committee approves the proposed list as it stands, or rejects it with its reason (the committee proposes again). */
export const exclusionsApprovalOutcome = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('approve'), comments: comments.optional() }),
  z.object({ decision: z.literal('reject'), comments }),
]);

/** A member left out of the entitled count with the higher committee's approval, as the ballot's context names them. */
export interface ApprovedExclusion {
  memberId: number;
  name: string;
  exclusionReason: EntitledExclusionReason;
}

/**
 * The proposal's rule: reasons the rule set accepts, and every member a full member on the organization's register
 * — `register` holds, by id (as text), the name of each proposed member the register had today or null; read when
 * the proposal is recorded, so ids not in it yet are not judged.
 */
export function checkExclusionsProposal(
  o: z.output<typeof exclusionsProposalOutcome>,
  register: Record<string, string | null> | undefined,
  rules: Pick<TermRules, 'exclusionReasons'>,
): void {
  for (const x of o.excluded ?? []) {
    if (!rules.exclusionReasons.includes(x.exclusionReason)) {
      throw new RuleViolation('exclusion-reason', `${x.exclusionReason} is not a reason the rules accept for leaving members out of the entitled count`);
    }
  }
  // Named as the form showed them where it did (an API client sends ids only).
  const absent = (o.excluded ?? []).filter((x) => register?.[String(x.memberId)] === null).map((x) => (x.name ? `${x.name} (${x.memberId})` : x.memberId));
  if (absent.length) {
    throw new RuleViolation(
      'excluded-not-on-register',
      `outcome.excluded: not full members on this organization's register: ${absent.join(', ')}; only those entitled to vote can be left out`,
      { members: absent.join(', '), field: 'outcome.excluded' },
    );
  }
}

/** Step 7, the new committee elects the secretary from among its members. */
export const secretaryOutcome = z.object({ secretary: name });

export function checkPostponement(months: number, rules: Pick<TermRules, 'maxPostponementMonths'>): void {
  if (months > rules.maxPostponementMonths) {
    throw new RuleViolation('postponement', `a postponement of ${months} months exceeds the ${rules.maxPostponementMonths} months allowed`);
  }
}

export function checkCandidates(o: z.output<typeof candidatesOutcome>, rules: TermRules): void {
  checkCandidateMargin(o.seats, o.candidates.length, rules);
}

/**
 * A ballot round: only full members vote (entitled ≤ full members), only the round's candidates receive votes,
 * then quorum, void ballots and the win rule (countVotes). With `registerOnMeetingDay` (the full members on the
 * register on the meeting's day, read when the ballot is recorded) the entitled count must be exactly those, less
 * the members left out with an accepted reason and approval (checkEntitled). Where the members are on the register
 * (`approvedExclusions` present) those left out were approved in their own step before the meeting: the ballot names
 * none, and its entitled count is the register's less the approved members on it that day (`excludedOn`).
 */
export function checkBallot(
  o: BallotCount & { exclusions?: z.output<typeof entitledExclusions>; meetingDate?: string },
  round: {
    seats: number;
    candidates: string[];
    fullMembers: number;
    registerOnMeetingDay?: number | null;
    approvedExclusions?: readonly ApprovedExclusion[];
    excludedOn?: Record<string, number>;
  },
  rules: TermRules,
): ElectionResult {
  if (round.approvedExclusions !== undefined) {
    if (o.exclusions?.length) {
      throw new RuleViolation(
        'exclusions-approved-apart',
        'outcome.exclusions: members are left out of the entitled count in a step of their own, approved by the higher committee before the meeting: the ballot names none',
        { field: 'outcome.exclusions' },
      );
    }
    // null: the meeting day's register is not read yet; it is, when the ballot is recorded, and checked then.
    if (round.registerOnMeetingDay !== null && round.registerOnMeetingDay !== undefined) {
      const register = round.registerOnMeetingDay;
      const excluded = (o.meetingDate && round.excludedOn?.[o.meetingDate]) || 0;
      const expected = register - excluded;
      if (o.entitled !== expected) {
        throw new RuleViolation(
          'entitled-count',
          `outcome.entitled: ${o.entitled} entitled to vote, but ${register} full members are on the register on the meeting's day` +
            `${excluded ? ` and ${excluded} of them are left out with the higher committee's approval` : ''}: ${expected} are entitled`,
          { entitled: o.entitled, register, excluded, expected, field: 'outcome.entitled' },
        );
      }
    }
  } else if (round.registerOnMeetingDay === null) checkEntitledReasons(o, rules);
  else if (round.registerOnMeetingDay !== undefined) checkEntitled(o, round.registerOnMeetingDay, rules);
  else if (o.entitled > round.fullMembers) {
    throw new RuleViolation(
      'entitled',
      `${o.entitled} entitled to vote but the organization has ${round.fullMembers} full members: probationary members do not vote`,
    );
  }
  const unknown = Object.keys(o.votes).filter((c) => !round.candidates.includes(c));
  if (unknown.length) throw new RuleViolation('candidates', `not candidates in this ballot: ${unknown.join(', ')}`);
  return countVotes(round.seats, o, rules);
}

/**
 * A round of a members' delegates' conference (党员代表大会; domain.md §4.1 "Who elects how"): those entitled (应到会代表)
 * are the delegates on the register when the round's task opened — not the members — less delegates left out with a
 * reason the rule set accepts and the higher committee's approval, as at a members' meeting. The quorum (present > 4/5
 * of those entitled), void ballots and the win rule are the members' meeting's: 中国共产党基层组织选举工作条例 (2020)
 * sets one quorum for both. Without delegates on the register the conference's ballot cannot be checked, so it is refused.
 */
export function checkDelegatesBallot(
  o: BallotCount & { exclusions?: z.output<typeof entitledExclusions> },
  round: { seats: number; candidates: string[]; delegates: number | null },
  rules: TermRules,
): ElectionResult {
  if (round.delegates === null) {
    throw new RuleViolation('delegates', 'the delegates elected to the conference are not on the register: enter their number before recording its ballot');
  }
  checkEntitledReasons(o, rules);
  const excluded = excludedMembers(o.exclusions);
  const expected = round.delegates - excluded;
  if (excluded > round.delegates) throw new RuleViolation('exclusions', `${excluded} left out but the conference has ${round.delegates} delegates`);
  if (o.entitled !== expected) {
    throw new RuleViolation(
      'delegates-entitled',
      `${o.entitled} entitled to vote, but the conference has ${round.delegates} delegates${excluded ? ` and ${excluded} are left out with approval` : ''}: ${expected} are entitled (the delegates, not the members)`,
      { entitled: o.entitled, delegates: round.delegates, excluded, expected },
    );
  }
  const unknown = Object.keys(o.votes).filter((c) => !round.candidates.includes(c));
  if (unknown.length) throw new RuleViolation('candidates', `not candidates in this ballot: ${unknown.join(', ')}`);
  return countVotes(round.seats, o, rules);
}

export function checkSecretary(secretary: string, committee: string[]): void {
  if (!committee.includes(secretary)) throw new RuleViolation('secretary', `${secretary} is not a member of the new committee (${committee.join(', ')})`);
}
