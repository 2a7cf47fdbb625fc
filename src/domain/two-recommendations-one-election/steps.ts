// The steps of this process in the step catalog (src/domain/steps.ts): each one's role, outcome, form, rule over
// the context the workflow writes when it opens it, and its words.
import { twoRecommendationsRuleSets } from '../rules.js';
import { checkSecretary } from '../term-election/rules.js';
import type { CommitteeContext } from '../term-election/steps.js';
import { checkPreliminaryCandidates, checkRecommendationRound, checkSelectionBallot, type RankedNominee } from './rules.js';
import {
  firstSecretaryOutcome,
  preliminaryCandidatesOutcome,
  recommendationFields,
  recommendationOutcome,
  recommendationRules,
  selectionBallotOutcome,
  selectionPlanOutcome,
  selectionPosts,
  selectionSecretaryOutcome,
  townshipApprovalOutcome,
  villagerBases,
  yesNo,
} from '../step-outcomes.js';
import { step, rulesById, type Lang } from '../step.js';
import { ballotStep } from '../ballot-step.js';

export interface SelectionRuleContext {
  ruleSet: string;
}
export interface RecommendationContext extends SelectionRuleContext {
  seats: number;
  /** members: the members' round; villagers / representatives: the second round's basis. */
  basis: 'members' | 'villagers' | 'representatives';
  /** Members on the register (the members' round only): no more may be entitled. */
  registered?: number;
}
export interface RankingContext extends SelectionRuleContext {
  seats: number;
  ranking: RankedNominee[];
  /**
   * The rule set's advice on the ranking (older runs have none): whether enough nominees reach its share for a
   * differential election, and who does. Shown to the township committee, which decides.
   */
  advice?: { suggests: 'candidates' | 'no-suitable-candidate'; advised: string[]; minWeightedShare: number; minimumCandidates: number };
}
export interface SelectionBallotContext extends SelectionRuleContext {
  seats: number;
  candidates: string[];
  committee: string[];
  fullMembers: number;
  round: number;
  /** Full members on the register on each meeting day a ballot was recorded for (read then; older runs have none). */
  registerOn?: Record<string, number>;
}
export interface SelectionResultContext extends CommitteeContext {
  secretary: string;
  concurrentHead: string;
}

const S = 'two-recommendations-one-election' as const;
export const selectionPlan = step<SelectionRuleContext>()({
  process: S,
  step: 'selection-plan',
  role: 'organizer',
  outcome: selectionPlanOutcome,
  fields: [
    { name: 'post', kind: 'select', required: true, options: selectionPosts },
    { name: 'seats', kind: 'int', required: true, min: 1, max: 15 },
    { name: 'villagerBasis', kind: 'select', required: true, options: villagerBases },
    { name: 'eligibility', kind: 'text', required: true, max: 2000 },
    { name: 'publishedOn', kind: 'date', required: true },
  ],
  words: { 'zh-CN': '发布工作方案', en: 'Selection plan' },
});
const recommendation = (
  which: 'members-recommendation' | 'villagers-recommendation',
  words: Record<Lang, string>,
  variants?: Record<string, Record<Lang, string>>,
) =>
  step<RecommendationContext>()({
    process: S,
    step: which,
    role: 'secretary',
    outcome: recommendationOutcome,
    fields: recommendationFields,
    rule: (o, c) => checkRecommendationRound(c.basis, o, c.seats, rulesById(twoRecommendationsRuleSets, c.ruleSet), c.registered),
    ruleFields: recommendationRules,
    words,
    ...(variants ? { variants } : {}),
    shows: ['seats', 'basis', 'registered'],
  });
export const membersRecommendation = recommendation('members-recommendation', { 'zh-CN': '党员推荐', en: "Members' recommendation" });
/** Named by who recommends: a village's villagers (村民会议) or their representatives; a community's residents (居民会议). */
export const villagersRecommendation = recommendation(
  'villagers-recommendation',
  { 'zh-CN': '群众推荐', en: "Villagers' recommendation" },
  {
    villagers: { 'zh-CN': '群众推荐（村民会议）', en: "Villagers' recommendation (villagers' meeting)" },
    representatives: { 'zh-CN': '群众推荐（村民代表会议）', en: "Villagers' recommendation (villager representatives)" },
    'community-villagers': { 'zh-CN': '群众推荐（居民会议）', en: "Residents' recommendation (residents' meeting)" },
    'community-representatives': { 'zh-CN': '群众推荐（居民代表会议）', en: "Residents' recommendation (resident representatives)" },
  },
);
export const preliminaryCandidates = step<RankingContext>()({
  process: S,
  step: 'preliminary-candidates',
  role: 'organizer',
  outcome: preliminaryCandidatesOutcome,
  fields: [
    { name: 'decision', kind: 'select', required: true, options: ['candidates', 'no-suitable-candidate'] },
    { name: 'candidates', kind: 'names', required: true, max: 60, when: { field: 'decision', is: ['candidates'] } },
    { name: 'reason', kind: 'text', required: true, max: 2000, when: { field: 'decision', is: ['no-suitable-candidate'] } },
  ],
  rule: (o, c) => {
    if (o.decision === 'candidates') checkPreliminaryCandidates(o.candidates, c.seats, c.ranking, rulesById(twoRecommendationsRuleSets, c.ruleSet));
  },
  ruleFields: { candidates: 'candidates', 'not-recommended': 'candidates', 'candidate-margin': 'candidates' },
  words: { 'zh-CN': '确定初步候选人', en: 'Preliminary candidates' },
  shows: ['seats', 'ranking', 'advice'],
});
export const selectionElection = ballotStep<SelectionBallotContext>()({
  process: S,
  step: 'selection-election',
  outcome: selectionBallotOutcome,
  meetingDateRequired: false,
  count: (o, c) => void checkSelectionBallot(o, c, rulesById(twoRecommendationsRuleSets, c.ruleSet)),
  words: { 'zh-CN': '党员大会选举', en: "Members' meeting election" },
  shows: ['round', 'seats', 'candidates', 'committee', 'fullMembers'],
});
export const selectionSecretary = step<CommitteeContext>()({
  process: S,
  step: 'selection-secretary',
  role: 'secretary',
  outcome: selectionSecretaryOutcome,
  fields: [
    { name: 'secretary', kind: 'text', required: true, max: 100 },
    { name: 'concurrentHead', kind: 'select', required: true, options: yesNo },
  ],
  rule: (o, c) => checkSecretary(o.secretary, c.committee),
  ruleFields: { secretary: 'secretary' },
  words: { 'zh-CN': '选举书记', en: 'Secretary election' },
  shows: ['committee'],
});
export const townshipApproval = step<SelectionResultContext>()({
  process: S,
  step: 'township-approval',
  role: 'supervisor',
  outcome: townshipApprovalOutcome,
  fields: [
    { name: 'decision', kind: 'select', required: true, options: ['approve', 'reject'] },
    { name: 'comments', kind: 'text', required: false, max: 2000 },
  ],
  words: { 'zh-CN': '乡镇党委审批', en: 'Township approval' },
  // A community's approval is the street committee's (街道党工委, domain.md §2).
  variants: { community: { 'zh-CN': '街道党工委审批', en: 'Street committee approval' } },
  shows: ['committee', 'secretary', 'concurrentHead'],
});
export interface DispatchContext {
  reason: string;
}
export const firstSecretaryDispatch = step<DispatchContext>()({
  process: S,
  step: 'first-secretary-dispatch',
  role: 'organizer',
  outcome: firstSecretaryOutcome,
  fields: [
    { name: 'firstSecretary', kind: 'text', required: true, max: 100 },
    { name: 'fromUnit', kind: 'text', required: true, max: 200 },
    { name: 'startsOn', kind: 'date', required: true },
  ],
  words: { 'zh-CN': '选派第一书记', en: 'First secretary dispatch' },
  shows: ['reason'],
});
