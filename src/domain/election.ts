// Election arithmetic of the term election (domain.md §4.1) and of "two recommendations, one election"
// (§4.2). Pure functions over recorded counts, parameterised by the rule set in force: the workflows'
// update validators call them, so a forbidden action is refused before it enters history.

export interface ElectionRules {
  /** Candidates must exceed seats by at least this share: minimum = seats + ceil(ratio × seats). */
  candidateMarginRatio: number;
  /** Voters present must exceed this share of the members entitled to vote. */
  quorumRatio: number;
  /** A candidate wins with yes votes exceeding this share of the voters present. */
  winRatio: number;
}

export class RuleViolation extends Error {
  constructor(
    readonly rule: string,
    message: string,
    /** Figures a person needs to put it right (the fewest candidates…), carried to the form's words. */
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

/** Fewest candidates allowed for `seats` (differential election, reg art. 13). */
export function minimumCandidates(seats: number, rules: Pick<ElectionRules, 'candidateMarginRatio'>): number {
  return seats + Math.ceil(rules.candidateMarginRatio * seats - 1e-9);
}

export function checkCandidateMargin(seats: number, candidates: number, rules: Pick<ElectionRules, 'candidateMarginRatio'>): void {
  if (!Number.isInteger(seats) || seats < 1) throw new RuleViolation('seats', `seats must be a positive whole number, got ${seats}`);
  const min = minimumCandidates(seats, rules);
  if (candidates < min) {
    throw new RuleViolation(
      'candidate-margin',
      `${candidates} candidates for ${seats} seats: at least ${min} are required (${Math.round(rules.candidateMarginRatio * 100)}% more than seats)`,
      { seats, n: candidates, min, pct: Math.round(rules.candidateMarginRatio * 100) },
    );
  }
}

export interface BallotCount {
  /** Full members entitled to vote (probationary and suspended members are not). */
  entitled: number;
  present: number;
  ballotsIssued: number;
  ballotsReturned: number;
  /** Yes votes per candidate. */
  votes: Record<string, number>;
}

export interface ElectionResult {
  elected: string[];
  /** Candidates over the threshold who did not fit into the seats: a further round is needed for ties. */
  tiedAtLastSeat: string[];
  unfilledSeats: number;
}

/** Quorum: strictly more than `quorumRatio` of those entitled present. */
export function hasQuorum(entitled: number, present: number, rules: Pick<ElectionRules, 'quorumRatio'>): boolean {
  return present > rules.quorumRatio * entitled;
}

/**
 * Checks the recorded counts and returns who is elected: void when more ballots came back than were issued,
 * invalid without quorum; winners need yes votes over `winRatio` of those present, highest first.
 */
export function countVotes(seats: number, c: BallotCount, rules: ElectionRules): ElectionResult {
  if (c.present > c.entitled) throw new RuleViolation('present', `${c.present} present but only ${c.entitled} entitled to vote`);
  if (!hasQuorum(c.entitled, c.present, rules)) {
    throw new RuleViolation(
      'quorum',
      `${c.present} of ${c.entitled} entitled members present: more than ${Math.round(rules.quorumRatio * 100)}% must attend for a valid vote`,
    );
  }
  if (c.ballotsReturned > c.ballotsIssued) {
    throw new RuleViolation('void-ballot', `${c.ballotsReturned} ballots returned but ${c.ballotsIssued} issued: the vote is void`);
  }
  if (c.ballotsIssued > c.present) throw new RuleViolation('ballots', `${c.ballotsIssued} ballots issued to ${c.present} voters present`);
  for (const [name, v] of Object.entries(c.votes)) {
    if (!Number.isInteger(v) || v < 0 || v > c.ballotsReturned) {
      throw new RuleViolation('votes', `${name}: ${v} votes out of ${c.ballotsReturned} ballots returned`);
    }
  }
  // A ballot marks yes for at most as many candidates as there are seats: more yes votes in all than
  // ballots × seats cannot have come out of the box.
  const total = Object.values(c.votes).reduce((a, v) => a + v, 0);
  if (total > c.ballotsReturned * seats) {
    throw new RuleViolation(
      'votes',
      `${total} yes votes in all, but ${c.ballotsReturned} ballots returned for ${seats} seat${seats === 1 ? '' : 's'} hold at most ${c.ballotsReturned * seats}`,
    );
  }
  const over = Object.entries(c.votes)
    .filter(([, v]) => v > rules.winRatio * c.present)
    .sort((a, b) => b[1] - a[1]);
  if (over.length <= seats) return { elected: over.map(([n]) => n), tiedAtLastSeat: [], unfilledSeats: seats - over.length };
  const cut = over[seats - 1]![1];
  const clear = over.filter(([, v]) => v > cut).map(([n]) => n);
  const tied = over.filter(([, v]) => v === cut).map(([n]) => n);
  if (clear.length + tied.length === seats) return { elected: [...clear, ...tied], tiedAtLastSeat: [], unfilledSeats: 0 };
  return { elected: clear, tiedAtLastSeat: tied, unfilledSeats: seats - clear.length };
}

/**
 * The candidates of the next ballot round after `counted`: when equal votes at the last seat left it undecided,
 * only the tied candidates are voted on again [reg, domain.md §4.1]; otherwise (too few
 * reached the win threshold) every candidate not yet elected stands again.
 */
export function nextRoundCandidates(remaining: readonly string[], counted: Pick<ElectionResult, 'elected' | 'tiedAtLastSeat'>): string[] {
  if (counted.tiedAtLastSeat.length) return remaining.filter((n) => counted.tiedAtLastSeat.includes(n));
  return remaining.filter((n) => !counted.elected.includes(n));
}

export interface RecommendationRound {
  /** Those entitled to take part (members, or villagers / villager representatives). */
  entitled: number;
  present: number;
  votes: Record<string, number>;
}

/**
 * "Two recommendations": each round needs its turnout; nominees are ranked by the weighted share of votes of
 * the two rounds (weights from the rule set, e.g. members 0.5, villagers 0.5).
 */
export function rankRecommendations(
  members: RecommendationRound,
  villagers: RecommendationRound,
  rules: { turnoutRatio: number; memberWeight: number; villagerWeight: number },
): { nominee: string; score: number }[] {
  for (const [name, r] of [
    ['members', members],
    ['villagers', villagers],
  ] as const) {
    if (r.present > r.entitled) throw new RuleViolation('present', `${name}: ${r.present} present but ${r.entitled} entitled`);
    if (!(r.present >= rules.turnoutRatio * r.entitled) || r.present === 0) {
      throw new RuleViolation('turnout', `${name}' recommendation: ${r.present} of ${r.entitled} took part, ${Math.round(rules.turnoutRatio * 100)}% needed`);
    }
  }
  const nominees = new Set([...Object.keys(members.votes), ...Object.keys(villagers.votes)]);
  return [...nominees]
    .map((n) => ({
      nominee: n,
      score: rules.memberWeight * ((members.votes[n] ?? 0) / members.present) + rules.villagerWeight * ((villagers.votes[n] ?? 0) / villagers.present),
    }))
    .sort((a, b) => b.score - a.score || a.nominee.localeCompare(b.nominee));
}

/**
 * Full members left out of a members' meeting's entitled count: how many (or who), why, and the higher committee's
 * approval (批复 / 批准文号). Only the reasons the rule set names count.
 */
export interface EntitledExclusion {
  count?: number;
  names?: string[];
  reason: string;
  approval: string;
}

/** Members an exclusion leaves out: its names when listed, else its count. */
export const excludedMembers = (xs: readonly EntitledExclusion[] = []): number => xs.reduce((a, x) => a + (x.names?.length ?? x.count ?? 0), 0);

/** What can be checked of the exclusions without the register: each has a reason the rule set accepts. */
export function checkEntitledReasons(c: { exclusions?: readonly EntitledExclusion[] }, rules: { exclusionReasons: readonly string[] }): void {
  for (const x of c.exclusions ?? []) {
    if (!rules.exclusionReasons.includes(x.reason))
      throw new RuleViolation('exclusion-reason', `${x.reason} is not a reason the rules accept for leaving members out of the entitled count`);
    if (x.names?.length && x.count !== undefined && x.count !== x.names.length) {
      throw new RuleViolation('exclusions', `${x.count} left out for ${x.reason} but ${x.names.length} named`);
    }
  }
}

/**
 * The entitled count (应到会人数) of a members' meeting is the full members on the register on the meeting's day,
 * less those left out for a reason the regulations accept with the higher committee's approval
 * (中国共产党基层组织选举工作条例 art. 11). A typed count below that would let a meeting reach its quorum by
 * leaving members out; one above it counts members who are not on the register (probationary members do not vote).
 */
export function checkEntitled(
  c: { entitled: number; exclusions?: readonly EntitledExclusion[] },
  registerFullMembers: number,
  rules: { exclusionReasons: readonly string[] },
): void {
  checkEntitledReasons(c, rules);
  const excluded = excludedMembers(c.exclusions);
  if (excluded > registerFullMembers) throw new RuleViolation('exclusions', `${excluded} left out but the register has ${registerFullMembers} full members`);
  const expected = registerFullMembers - excluded;
  if (c.entitled > expected) {
    throw new RuleViolation(
      'entitled',
      `${c.entitled} entitled to vote but the organization has ${registerFullMembers} full members${excluded ? `, ${excluded} of them left out` : ''}: probationary members do not vote`,
    );
  }
  if (c.entitled < expected) {
    throw new RuleViolation(
      'entitled-count',
      `${c.entitled} entitled to vote, but ${registerFullMembers} full members are on the register on the meeting's day${excluded ? ` and ${excluded} are left out with approval` : ''}: ` +
        `${expected} are entitled; leaving members out needs a reason the rules accept and the higher committee's approval`,
      { entitled: c.entitled, register: registerFullMembers, excluded, expected },
    );
  }
}

/**
 * The members' meeting was held on a real day: not after today (Asia/Shanghai), and not before the step could be
 * held (`notBefore`: the day the candidates were agreed, or the previous round's meeting).
 */
export function checkMeetingDate(meetingDate: string, round: { notBefore?: string }, today: string): void {
  if (meetingDate > today) throw new RuleViolation('meeting-date', `the members’ meeting of ${meetingDate} has not been held yet (today is ${today})`);
  if (round.notBefore && meetingDate < round.notBefore) {
    throw new RuleViolation('meeting-date', `the members’ meeting of ${meetingDate} is before ${round.notBefore}, when this ballot could first be held`);
  }
}
