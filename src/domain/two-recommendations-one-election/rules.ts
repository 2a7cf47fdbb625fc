// Two recommendations, one election 两推一选 (domain.md §4.2): the checks on the counts each step records. Pure
// functions over recorded counts, parameterised by the rule set the run carries; the workflow's complete
// validators call them, so a forbidden outcome is refused before it enters history (422 from the API).
import {
  checkCandidateMargin,
  checkEntitled,
  checkEntitledReasons,
  countVotes,
  minimumCandidates,
  RuleViolation,
  type BallotCount,
  type ElectionResult,
  type EntitledExclusion,
} from '../election.js';
import type { TurnoutRule, TwoRecommendationsRules } from '../rules.js';

export interface RecommendationCount {
  /** Those entitled to take part: Party members, or villagers / villager representatives. */
  entitled: number;
  present: number;
  /** Recommendations per nominee. */
  votes: Record<string, number>;
}

export type VillagerBasis = 'villagers' | 'representatives';

export function meetsTurnout(entitled: number, present: number, t: TurnoutRule): boolean {
  return t.strict ? present > t.ratio * entitled : present >= t.ratio * entitled - 1e-9;
}

/**
 * One recommendation meeting: no more present than entitled, the turnout the rules ask for, and no nominee with
 * more recommendations than participants; one participant names at most `nomineesPerSeat × seats` nominees.
 */
export function checkRecommendationRound(
  round: 'members' | VillagerBasis,
  c: RecommendationCount,
  seats: number,
  rules: TwoRecommendationsRules,
  registered?: number,
): void {
  const label =
    round === 'members' ? "members' recommendation" : round === 'villagers' ? "villagers' recommendation" : "villager representatives' recommendation";
  if (registered !== undefined && c.entitled > registered) {
    throw new RuleViolation('entitled', `${label}: ${c.entitled} entitled but the organization has ${registered} members on its register`);
  }
  if (c.present > c.entitled) throw new RuleViolation('present', `${label}: ${c.present} present but only ${c.entitled} entitled`);
  const t = round === 'members' ? rules.memberTurnout : round === 'villagers' ? rules.villagerTurnout : rules.representativeTurnout;
  if (c.present === 0 || !meetsTurnout(c.entitled, c.present, t)) {
    throw new RuleViolation(
      'turnout',
      `${label}: ${c.present} of ${c.entitled} took part; ${t.strict ? 'more than' : 'at least'} ${Math.round(t.ratio * 1000) / 10}% must take part`,
    );
  }
  let total = 0;
  for (const [name, v] of Object.entries(c.votes)) {
    if (!Number.isInteger(v) || v < 0 || v > c.present)
      throw new RuleViolation('votes', `${label}: ${name} has ${v} recommendations from ${c.present} participants`);
    total += v;
  }
  const perParticipant = rules.nomineesPerSeat * seats;
  if (total > c.present * perParticipant) {
    throw new RuleViolation('votes', `${label}: ${total} recommendations from ${c.present} participants, who may name at most ${perParticipant} each`);
  }
}

export interface RankedNominee {
  nominee: string;
  memberVotes: number;
  villagerVotes: number;
  /** memberWeight × (member votes / members present) + villagerWeight × (villager votes / villagers present). */
  score: number;
}

/** The final ranking: each round's share of its participants, weighted by the rule set; highest first, ties by name. */
export function weightedRanking(
  members: RecommendationCount,
  villagers: RecommendationCount,
  rules: Pick<TwoRecommendationsRules, 'memberWeight' | 'villagerWeight'>,
): RankedNominee[] {
  const names = new Set([...Object.keys(members.votes), ...Object.keys(villagers.votes)]);
  return [...names]
    .map((nominee) => {
      const memberVotes = members.votes[nominee] ?? 0;
      const villagerVotes = villagers.votes[nominee] ?? 0;
      const score = rules.memberWeight * (memberVotes / members.present) + rules.villagerWeight * (villagerVotes / villagers.present);
      return { nominee, memberVotes, villagerVotes, score: Math.round(score * 10_000) / 10_000 };
    })
    .sort((a, b) => b.score - a.score || a.nominee.localeCompare(b.nominee));
}

/** Nominees with at least the rule set's weighted share: the only ones who may stand. */
export function qualifiedNominees(ranking: readonly RankedNominee[], rules: Pick<TwoRecommendationsRules, 'minWeightedShare'>): RankedNominee[] {
  return ranking.filter((r) => r.score >= rules.minWeightedShare - 1e-9);
}

/** Enough qualified nominees for a differential election of `seats`? If not, there is no suitable candidate. */
export function hasSuitableCandidates(ranking: readonly RankedNominee[], seats: number, rules: TwoRecommendationsRules): boolean {
  return qualifiedNominees(ranking, rules).length >= minimumCandidates(seats, rules);
}

/**
 * The township committee's preliminary candidates: each one recommended in the two rounds (the committee may leave
 * out a nominee it finds ineligible, never add one), and at least `minimumCandidates(seats)` of them (≥20% more
 * than seats, reg art. 13). The rule set's qualifying share is advice shown to the committee, not a refusal: who
 * stands, and whether anyone suitable was recommended, is the committee's decision on the results.
 */
export function checkPreliminaryCandidates(
  candidates: readonly string[],
  seats: number,
  ranking: readonly RankedNominee[],
  rules: TwoRecommendationsRules,
): void {
  if (new Set(candidates).size !== candidates.length) throw new RuleViolation('candidates', 'a candidate is named twice');
  const nominated = new Set(ranking.map((r) => r.nominee));
  const notNominated = candidates.filter((c) => !nominated.has(c));
  if (notNominated.length) throw new RuleViolation('not-recommended', `not recommended in the two rounds: ${notNominated.join(', ')}`);
  checkCandidateMargin(seats, candidates.length, rules);
}

/** The members' meeting: only full members vote, only the candidates receive votes; quorum, void ballots, win rule. */
export function checkSelectionBallot(
  c: BallotCount & { exclusions?: readonly EntitledExclusion[] },
  round: { seats: number; candidates: readonly string[]; fullMembers: number; registerOnMeetingDay?: number | null },
  rules: TwoRecommendationsRules,
): ElectionResult {
  // As the term election's (checkBallot): null until the meeting day's register is read when the ballot is recorded.
  if (round.registerOnMeetingDay === null) checkEntitledReasons(c, rules);
  else if (round.registerOnMeetingDay !== undefined) checkEntitled(c, round.registerOnMeetingDay, rules);
  else if (c.entitled > round.fullMembers) {
    throw new RuleViolation(
      'entitled',
      `${c.entitled} entitled to vote but the organization has ${round.fullMembers} full members: probationary members do not vote`,
    );
  }
  const unknown = Object.keys(c.votes).filter((n) => !round.candidates.includes(n));
  if (unknown.length) throw new RuleViolation('candidates', `not candidates in this ballot: ${unknown.join(', ')}`);
  return countVotes(round.seats, c, rules);
}
