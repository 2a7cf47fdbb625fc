// What a step's rule needs besides the outcome (the run's rule set, the plan's seats, the ranking, the committee
// elected so far), read from the process history the workflows record (`GET /processes/{id}`: event key +
// detail). The task form runs the same domain checks as the workflow's validator with it, so a turnout or margin
// the rules forbid is shown next to its field before anything is sent. Pure: shared by the browser and tests.
// What the history cannot tell (the members on the register) the workflow still checks; its 422 lands beside
// the field through the form's `ruleFields`.
import { nextRoundCandidates } from './election.js';
import type { RankedNominee } from './two-recommendations.js';
import { liaisonRuleSets, pairingRuleSets, termRuleSets, twoRecommendationsRuleSets, type LiaisonRules, type PairingRules, type TermRules, type TwoRecommendationsRules } from './rules.js';

export interface HistoryEntry {
  event: string;
  detail: Record<string, unknown>;
}
export type StepHistory = readonly HistoryEntry[];

/** An event key without the run's prefix (`s2:` selection, `t2:` term, `c1:` cycle, `a1:` assignment). */
const bare = (event: string) => event.replace(/^(?:[a-z]\d+:)+/, '');

/** Index of the last event whose bare key matches, or -1. */
function lastIndex(h: StepHistory, match: RegExp): number {
  for (let i = h.length - 1; i >= 0; i--) if (match.test(bare(h[i]!.event))) return i;
  return -1;
}
const lastDetail = (h: StepHistory, match: RegExp): Record<string, unknown> | undefined => h[lastIndex(h, match)]?.detail;

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const names = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);

/** The rule set the run carries: named in its first event (`registered`; a pairing's cycle: `cycle-opened`). */
function ruleSet<R extends { id: string }>(h: StepHistory, sets: readonly R[], first = /^registered$/): R | undefined {
  const id = lastDetail(h, first)?.ruleSet;
  return sets.find((r) => r.id === id);
}
export const termRulesOf = (h: StepHistory): TermRules | undefined => ruleSet(h, termRuleSets);
export const twoRecRulesOf = (h: StepHistory): TwoRecommendationsRules | undefined => ruleSet(h, twoRecommendationsRuleSets);
export const liaisonRulesOf = (h: StepHistory): LiaisonRules | undefined => ruleSet(h, liaisonRuleSets);
export const pairingRulesOf = (h: StepHistory): PairingRules | undefined => ruleSet(h, pairingRuleSets, /^cycle-opened$/);

/** The year of the pairing's review now open (its task's event: `review-y<year>-opened`). */
export function pairingReviewYearOf(h: StepHistory): number | undefined {
  return num(lastDetail(h, /^review-y\d+-opened$/)?.year);
}

/** The candidates of the next ballot round: the slate less those elected, or only those tied at the last seat. */
function stillStanding(candidates: string[], committee: string[], lastCount: Record<string, unknown> | undefined): string[] {
  const remaining = candidates.filter((c) => !committee.includes(c));
  return nextRoundCandidates(remaining, { elected: committee, tiedAtLastSeat: names(lastCount?.tiedAtLastSeat) ?? [] });
}

// ---- two recommendations, one election ----

/** The published plan: seats and who recommends in the second round. */
export function selectionPlanOf(h: StepHistory): { seats: number; villagerBasis: 'villagers' | 'representatives' } | undefined {
  const d = lastDetail(h, /^plan-published$/);
  const seats = num(d?.seats);
  const basis = d?.villagerBasis;
  return seats !== undefined && (basis === 'villagers' || basis === 'representatives') ? { seats, villagerBasis: basis } : undefined;
}

/** The weighted ranking of the two rounds (recorded when the villagers' round is in). */
export function selectionRankingOf(h: StepHistory): RankedNominee[] | undefined {
  const r = lastDetail(h, /^villagers-recommended$/)?.ranking;
  return Array.isArray(r) ? (r as RankedNominee[]) : undefined;
}

/** The members' meeting's next ballot: seats still open and the candidates not yet elected; the committee so far. */
export function selectionBallotOf(h: StepHistory): { seats: number; candidates: string[]; committee: string[] } | undefined {
  const plan = selectionPlanOf(h);
  const fixed = lastIndex(h, /^candidates-fixed$/);
  const candidates = names(h[fixed]?.detail.candidates);
  if (!plan || !candidates) return undefined;
  const counted = lastIndex(h, /^selection-election(?:-r\d+)?-counted$/);
  const committee = counted > fixed ? (names(h[counted]!.detail.committee) ?? []) : [];
  return { seats: plan.seats - committee.length, candidates: stillStanding(candidates, committee, counted > fixed ? h[counted]!.detail : undefined), committee };
}

// ---- rotation training ----

/** The sessions the secretary is enrolled in during the current cycle (`c<n>:enrolled-<session>` of its run). */
export function trainingEnrolmentsOf(h: StepHistory): string[] | undefined {
  const registered = lastIndex(h, /^cycle-registered$/);
  if (registered < 0) return undefined;
  const prefix = /^(?:[a-z]\d+:)*/.exec(h[registered]!.event)![0];
  // By the cycle's prefix, not by position: an enrolment may be recorded a moment before the cycle's first event.
  return h
    .filter((e) => e.event.startsWith(prefix) && /^enrolled-/.test(bare(e.event)))
    .map((e) => String(e.detail.session));
}

// ---- term election ----

/** The ballot of the members' meeting: the agreed slate less those already elected in earlier rounds. */
export function termBallotOf(h: StepHistory): { seats: number; candidates: string[]; committee: string[] } | undefined {
  const proposed = lastIndex(h, /^candidates(?:-\d+)?(?:-r\d+)?-proposed$/);
  const d = h[proposed]?.detail;
  const seats = num(d?.seats);
  const candidates = names(d?.candidates);
  if (seats === undefined || !candidates) return undefined;
  const counted = lastIndex(h, /^members-meeting(?:-\d+)?(?:-r\d+)?-counted$/);
  const committee = counted > proposed ? (names(h[counted]!.detail.committee) ?? []) : [];
  return { seats: seats - committee.length, candidates: stillStanding(candidates, committee, counted > proposed ? h[counted]!.detail : undefined), committee };
}
