// The step catalog: every step a person does in any process, defined once, as data every layer reads — the
// workflow opens a step by its entry (and its Update validator runs the entry's rule), the API answers a task
// with its entry's rights and words, the web UI renders the entry's form and checks it with the same rule, and
// tests iterate the catalog. Pure and deterministic: imported by workflows and by the browser bundle.
//
// A step's rule reads only the outcome and the step's context: what the workflow knew when it opened the task
// (rule set, seats, candidates, committee, round), written to the task row with it. So the form checks the rule
// exactly as the workflow will, with no history to search.
import { z } from 'zod';
import type { Role } from '../auth/principal.js';
import { checkReview } from './pairing.js';
import { liaisonRuleSets, pairingRuleSets, termRuleSets, twoRecommendationsRuleSets } from './rules.js';
import {
  ballotOutcome,
  candidatesOutcome,
  checkBallot,
  checkCandidates,
  checkPostponement,
  checkSecretary,
  electionReplyOutcome,
  electionRequestOutcome,
  reviewOutcome,
  secretaryOutcome,
} from './term-election.js';
import { checkPreliminaryCandidates, checkRecommendationRound, checkSelectionBallot, type RankedNominee } from './two-recommendations.js';
import { assignOfficerOutcome, checkEstablishThreshold, foundingMeetingOutcome, visitReportOutcome } from './liaison-dispatch.js';
import { attendanceOutcome, checkAttendance } from './rotation-training.js';
import {
  ballotFields,
  ballotRules,
  deliverableOutcome,
  fieldOf,
  firstSecretaryOutcome,
  nominationMethods,
  note,
  noteOutcome,
  pairingDecisions,
  pairingReviewOutcome,
  preliminaryCandidatesOutcome,
  recommendationFields,
  recommendationOutcome,
  recommendationRules,
  reviewFields,
  reviewRatings,
  selectionBallotOutcome,
  selectionPlanOutcome,
  selectionPosts,
  selectionSecretaryOutcome,
  townshipApprovalOutcome,
  villagerBases,
  yesNo,
  type FieldSpec,
} from './step-outcomes.js';
import type { TaskAction } from './task-rights.js';

export const processKinds = ['term-election', 'two-recommendations-one-election', 'rotation-training', 'liaison-dispatch', 'pairing'] as const;
export type ProcessKind = (typeof processKinds)[number];
export const languages = ['zh-CN', 'en'] as const;
export type Lang = (typeof languages)[number];

type Outcome = z.ZodType<Record<string, unknown>>;

export interface StepDef<S extends Outcome = Outcome, C = unknown> {
  /** `process:step`: a task row's (process, step) names its entry. */
  id: string;
  process: ProcessKind;
  step: string;
  /** Who does it. Those who steer above the task (organizer, supervisor, admin) may do it too. */
  role: Role;
  outcome: S;
  fields: readonly FieldSpec[];
  /** The step's rule on the parsed outcome, with the context the task was opened with; throws RuleViolation. */
  rule?: (outcome: z.output<S>, context: C) => void;
  /** The field a broken rule (RuleViolation.rule, named by the API's 422) is shown next to; else the form's top. */
  ruleFields?: Readonly<Record<string, string>>;
  /** The step's name, in every language of the UI. */
  words: Readonly<Record<Lang, string>>;
  /** What the person decides on: the context's fields shown above the form, in this order. */
  shows?: readonly (keyof C & string)[];
  /** Only for the type: what the workflow must write as the context when it opens the step. */
  readonly context?: C;
}

/** A catalog entry, its rule typed by its schema and context. */
function step<C = Record<string, never>>() {
  return <S extends Outcome>(d: Omit<StepDef<S, C>, 'id' | 'context'>): StepDef<S, C> => ({ ...d, id: `${d.process}:${d.step}` });
}

/** Who steers the work: changes who, when or whether, and may do any step at or below their organization. */
export const steerers: readonly Role[] = ['admin', 'organizer', 'supervisor'];
const doing: readonly TaskAction[] = ['complete', 'claim', 'unclaim', 'delegate'];

/** The roles that may take `action` on a task of this step (at or above the task's organization). */
export function stepActionRoles(def: Pick<StepDef, 'role'>, action: TaskAction): readonly Role[] {
  return doing.includes(action) ? [...new Set([def.role, ...steerers])] : steerers;
}

const rulesById = <R extends { id: string }>(sets: readonly R[], id: string): R => {
  const r = sets.find((s) => s.id === id);
  if (!r) throw new Error(`unknown rule set ${id}`);
  return r;
};

// ---- term election 换届选举 (workflows/term-election.ts) -------------------------------------------------------

export interface TermRuleContext {
  ruleSet: string;
}
export interface ReplyContext extends TermRuleContext {
  /** The request being replied to. */
  request: Record<string, unknown>;
}
export interface SlateContext extends TermRuleContext {
  seats: number;
  candidates: string[];
}
export interface BallotContext extends SlateContext {
  /** Elected in earlier rounds. */
  committee: string[];
  /** Full members on the register when the meeting's task opened: only they vote. */
  fullMembers: number;
  round: number;
}
export interface CommitteeContext {
  committee: string[];
}
export interface ResultContext extends CommitteeContext {
  secretary: string;
  report?: Record<string, unknown>;
}

const T = 'term-election' as const;
export const electionRequest = step<TermRuleContext>()({
  process: T,
  step: 'election-request',
  role: 'secretary',
  outcome: electionRequestOutcome,
  fields: [
    fieldOf(electionRequestOutcome, 'electionDate', 'date'),
    fieldOf(electionRequestOutcome, 'seats', 'int'),
    fieldOf(electionRequestOutcome, 'nominationMethod', 'select', { options: nominationMethods }),
    fieldOf(electionRequestOutcome, 'postponeMonths', 'int'),
    fieldOf(electionRequestOutcome, 'note', 'text'),
  ],
  rule: (o, c) => {
    if (o.postponeMonths !== undefined) checkPostponement(o.postponeMonths, rulesById(termRuleSets, c.ruleSet));
  },
  ruleFields: { postponement: 'postponeMonths' },
  words: { 'zh-CN': '换届请示', en: 'Election request' },
});
export const electionReply = step<ReplyContext>()({
  process: T,
  step: 'election-reply',
  role: 'supervisor',
  outcome: electionReplyOutcome,
  fields: [
    { name: 'decision', kind: 'select', required: true, options: ['approve', 'return', 'postpone'] },
    { name: 'postponeMonths', kind: 'int', required: true, min: 1, max: 120, when: { field: 'decision', is: ['postpone'] } },
    { name: 'comments', kind: 'text', required: false, min: 2, max: 4000 },
  ],
  rule: (o, c) => {
    if (o.decision === 'postpone') checkPostponement(o.postponeMonths, rulesById(termRuleSets, c.ruleSet));
  },
  ruleFields: { postponement: 'postponeMonths' },
  words: { 'zh-CN': '换届请示批复', en: 'Reply to the request' },
  shows: ['request'],
});
export const candidates = step<TermRuleContext>()({
  process: T,
  step: 'candidates',
  role: 'secretary',
  outcome: candidatesOutcome,
  fields: [fieldOf(candidatesOutcome, 'seats', 'int'), { name: 'candidates', kind: 'names', required: true, max: 200 }],
  rule: (o, c) => checkCandidates(o, rulesById(termRuleSets, c.ruleSet)),
  ruleFields: { 'candidate-margin': 'candidates' },
  words: { 'zh-CN': '提出候选人初步人选', en: 'Propose candidates' },
});
export const candidatesReview = step<SlateContext>()({
  process: T,
  step: 'candidates-review',
  role: 'supervisor',
  outcome: reviewOutcome,
  fields: reviewFields(['agree', 'return']),
  words: { 'zh-CN': '候选人审查', en: 'Candidate review' },
  shows: ['seats', 'candidates'],
});
export const membersMeeting = step<BallotContext>()({
  process: T,
  step: 'members-meeting',
  role: 'secretary',
  outcome: ballotOutcome,
  fields: ballotFields,
  rule: (o, c) => void checkBallot(o, c, rulesById(termRuleSets, c.ruleSet)),
  ruleFields: ballotRules,
  words: { 'zh-CN': '党员大会选举', en: 'Members meeting (election)' },
  shows: ['round', 'seats', 'candidates', 'committee', 'fullMembers'],
});
export const secretaryElection = step<CommitteeContext>()({
  process: T,
  step: 'secretary-election',
  role: 'secretary',
  outcome: secretaryOutcome,
  fields: [{ name: 'secretary', kind: 'text', required: true, max: 100 }],
  rule: (o, c) => checkSecretary(o.secretary, c.committee),
  ruleFields: { secretary: 'secretary' },
  words: { 'zh-CN': '选举书记', en: 'Elect the secretary' },
  shows: ['committee'],
});
export const resultReport = step<ResultContext>()({
  process: T,
  step: 'result-report',
  role: 'secretary',
  outcome: noteOutcome,
  fields: [note],
  words: { 'zh-CN': '报告选举结果', en: 'Report the result' },
  shows: ['committee', 'secretary'],
});
export const resultApproval = step<ResultContext>()({
  process: T,
  step: 'result-approval',
  role: 'supervisor',
  outcome: reviewOutcome,
  fields: reviewFields(['agree', 'return']),
  words: { 'zh-CN': '审批选举结果', en: 'Approve the result' },
  shows: ['committee', 'secretary', 'report'],
});

// ---- two recommendations, one election 两推一选 (workflows/two-recommendations-one-election.ts) ---------------

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
}
export interface SelectionBallotContext extends SelectionRuleContext {
  seats: number;
  candidates: string[];
  committee: string[];
  fullMembers: number;
  round: number;
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
const recommendation = (which: 'members-recommendation' | 'villagers-recommendation', words: Record<Lang, string>) =>
  step<RecommendationContext>()({
    process: S,
    step: which,
    role: 'secretary',
    outcome: recommendationOutcome,
    fields: recommendationFields,
    rule: (o, c) => checkRecommendationRound(c.basis, o, c.seats, rulesById(twoRecommendationsRuleSets, c.ruleSet), c.registered),
    ruleFields: recommendationRules,
    words,
    shows: ['seats', 'basis', 'registered'],
  });
export const membersRecommendation = recommendation('members-recommendation', { 'zh-CN': '党员推荐', en: "Members' recommendation" });
export const villagersRecommendation = recommendation('villagers-recommendation', { 'zh-CN': '群众推荐', en: "Villagers' recommendation" });
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
  ruleFields: { candidates: 'candidates', 'not-recommended': 'candidates', 'recommendation-share': 'candidates', 'candidate-margin': 'candidates' },
  words: { 'zh-CN': '确定初步候选人', en: 'Preliminary candidates' },
  shows: ['seats', 'ranking'],
});
export const selectionElection = step<SelectionBallotContext>()({
  process: S,
  step: 'selection-election',
  role: 'secretary',
  outcome: selectionBallotOutcome,
  fields: ballotFields,
  rule: (o, c) => void checkSelectionBallot(o, c, rulesById(twoRecommendationsRuleSets, c.ruleSet)),
  ruleFields: ballotRules,
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

// ---- rotation training 轮训 (workflows/rotation-training.ts) ---------------------------------------------------

export interface TrainingContext {
  secretary: string;
  cycleEndsOn: string;
  /** The sessions the secretary is enrolled in; grows as the organizer enrols them. */
  enrolled: string[];
}
export const training = step<TrainingContext>()({
  process: 'rotation-training',
  step: 'training',
  role: 'secretary',
  outcome: attendanceOutcome,
  fields: [
    { name: 'session', kind: 'text', required: true, max: 64 },
    { name: 'attended', kind: 'check', required: true },
  ],
  rule: (o, c) => checkAttendance(String(o.session), c.enrolled),
  ruleFields: { enrolment: 'session' },
  words: { 'zh-CN': '参加轮训', en: 'Attend training' },
  shows: ['secretary', 'cycleEndsOn', 'enrolled'],
});

// ---- liaison officer dispatch 选派党建联络员 (workflows/liaison-dispatch.ts) ---------------------------------

export interface OfficerContext {
  officer?: string;
}
export interface FoundingContext extends OfficerContext {
  ruleSet: string;
}
const L = 'liaison-dispatch' as const;
export const assignOfficer = step<OfficerContext>()({
  process: L,
  step: 'assign-officer',
  role: 'organizer',
  outcome: assignOfficerOutcome,
  fields: [{ name: 'officer', kind: 'text', required: true, max: 64 }],
  words: { 'zh-CN': '选派党建联络员', en: 'Assign a liaison officer' },
});
export const acknowledge = step<OfficerContext>()({
  process: L,
  step: 'acknowledge',
  role: 'liaison_officer',
  outcome: noteOutcome,
  fields: [note],
  words: { 'zh-CN': '联络员到岗确认', en: 'Officer takes up the post' },
  shows: ['officer'],
});
export const officerTraining = step<OfficerContext>()({
  process: L,
  step: 'training',
  role: 'liaison_officer',
  outcome: noteOutcome,
  fields: [note],
  words: { 'zh-CN': '联络员岗前培训', en: 'Officer training' },
  shows: ['officer'],
});
export interface VisitContext extends OfficerContext {
  quarter: number;
}
export const visitReport = step<VisitContext>()({
  process: L,
  step: 'visit-report',
  role: 'liaison_officer',
  outcome: visitReportOutcome,
  fields: [
    { name: 'visitedOn', kind: 'date', required: true },
    { name: 'fullMembers', kind: 'int', required: true, min: 0, max: 100_000 },
    { name: 'notes', kind: 'text', required: false, max: 4000 },
  ],
  words: { 'zh-CN': '走访报告', en: 'Visit report' },
  shows: ['officer', 'quarter'],
});
export interface EstablishmentContext extends OfficerContext {
  fullMembers?: number;
  request?: Record<string, unknown>;
}
export const establishmentRequest = step<EstablishmentContext>()({
  process: L,
  step: 'establishment-request',
  role: 'liaison_officer',
  outcome: noteOutcome,
  fields: [note],
  words: { 'zh-CN': '成立党组织请示', en: 'Request to set up an organization' },
  shows: ['officer', 'fullMembers'],
});
export const establishmentApproval = step<EstablishmentContext>()({
  process: L,
  step: 'establishment-approval',
  role: 'organizer',
  outcome: reviewOutcome,
  fields: reviewFields(['agree', 'return']),
  words: { 'zh-CN': '审批成立党组织', en: 'Approve the new organization' },
  shows: ['officer', 'fullMembers', 'request'],
});
export const foundingMeeting = step<FoundingContext>()({
  process: L,
  step: 'founding-meeting',
  role: 'liaison_officer',
  outcome: foundingMeetingOutcome,
  fields: [
    { name: 'secretary', kind: 'text', required: true, max: 100 },
    { name: 'fullMembers', kind: 'int', required: true, min: 0, max: 100_000 },
  ],
  rule: (o, c) => checkEstablishThreshold(o.fullMembers, rulesById(liaisonRuleSets, c.ruleSet).establishThreshold),
  ruleFields: { 'establish-threshold': 'fullMembers' },
  words: { 'zh-CN': '召开成立大会', en: 'Founding meeting' },
  shows: ['officer'],
});

// ---- urban–rural pairing 结对共建 (workflows/pairing.ts) ------------------------------------------------------

export interface DeliverableContext {
  ruleSet: string;
  deliverable: string;
  partner: string;
}
export interface ReviewContext {
  ruleSet: string;
  year: number;
  partner: string;
}
export const pairingDeliverable = step<DeliverableContext>()({
  process: 'pairing',
  step: 'pairing-deliverable',
  role: 'secretary',
  outcome: deliverableOutcome,
  fields: [{ name: 'summary', kind: 'text', required: true, max: 2000 }],
  words: { 'zh-CN': '结对共建任务', en: 'Pairing deliverable' },
  shows: ['deliverable', 'partner'],
});
export const pairingReview = step<ReviewContext>()({
  process: 'pairing',
  step: 'pairing-review',
  role: 'supervisor',
  outcome: pairingReviewOutcome,
  fields: [
    { name: 'rating', kind: 'select', required: true, options: reviewRatings },
    { name: 'comments', kind: 'text', required: true, max: 2000 },
    { name: 'decision', kind: 'select', required: false, options: pairingDecisions },
  ],
  rule: (o, c) => checkReview(o, c.year, rulesById(pairingRuleSets, c.ruleSet)),
  ruleFields: { 'review-decision': 'decision' },
  words: { 'zh-CN': '年度考评', en: 'Yearly review' },
  shows: ['year', 'partner'],
});

/** Every step of every process. A test fails when a workflow opens a step that is not here. */
export const stepCatalog: readonly StepDef<Outcome, never>[] = [
  electionRequest,
  electionReply,
  candidates,
  candidatesReview,
  membersMeeting,
  secretaryElection,
  resultReport,
  resultApproval,
  selectionPlan,
  membersRecommendation,
  villagersRecommendation,
  preliminaryCandidates,
  selectionElection,
  selectionSecretary,
  townshipApproval,
  firstSecretaryDispatch,
  training,
  assignOfficer,
  acknowledge,
  officerTraining,
  visitReport,
  establishmentRequest,
  establishmentApproval,
  foundingMeeting,
  pairingDeliverable,
  pairingReview,
] as unknown as readonly StepDef<Outcome, never>[];

const byId = new Map(stepCatalog.map((s) => [s.id, s]));

/** The catalog entry of a task's (process, step), or undefined for a step no catalog names. */
export function stepDef(process: string, step: string): StepDef<Outcome, unknown> | undefined {
  return byId.get(`${process}:${step}`) as StepDef<Outcome, unknown> | undefined;
}
