// The steps of this process in the step catalog (src/domain/steps.ts): each one's role, outcome, form, rule over
// the context the workflow writes when it opens it, and its words.
import { termRuleSets } from '../rules.js';
import {
  candidatesOutcome,
  checkBallot,
  checkDelegatesBallot,
  checkCandidates,
  checkPostponement,
  checkSecretary,
  checkExclusionsProposal,
  electionReplyOutcome,
  exclusionsApprovalOutcome,
  exclusionsProposalOutcome,
  type ApprovedExclusion,
  electionRequestOutcome,
  reviewOutcome,
  secretaryOutcome,
  termBallotOutcome,
} from './rules.js';
import { shanghaiDate, type IsoDate } from '../dates.js';
import { nominationMethods, reviewFields } from '../step-outcomes.js';
import { fieldOf, note, noteOutcome } from '../fields.js';
import { entitledExclusionReasons } from '../rules.js';
import { step, rulesById } from '../step.js';
import { ballotStep } from '../ballot-step.js';

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
  /**
   * Full members on the register on each meeting day a ballot was recorded for (read then; runs that predate it have
   * none and check against `fullMembers`): the entitled count is these less the approved exclusions.
   */
  registerOn?: Record<IsoDate, number>;
  round: number;
  /** The first day this round's meeting could be held (the candidates agreed, or the previous round's meeting). */
  notBefore?: IsoDate;
  /**
   * Where the members are on the register (runs recorded before have none): the members the higher committee
   * approved leaving out, named, before the meeting (empty: none); the ballot then names none of its own.
   */
  exclusions?: ApprovedExclusion[];
  /** Of those, how many were full members on the register on each meeting day a ballot was recorded for (read with `registerOn`). */
  excludedOn?: Record<IsoDate, number>;
}
/** The committee's proposal of members to leave out of the entitled count. */
export interface ExclusionsProposalContext extends TermRuleContext {
  /**
   * The register on each day a proposal was recorded, for the members proposed (by id as text): their name, or null
   * for one who was not a full member of this organization's register that day (read then; empty when the task opens).
   */
  onRegister: Record<IsoDate, Record<string, string | null>>;
}
/** The higher committee's approval of the proposal: the members proposed, named from the register, with their reasons. */
export interface ExclusionsApprovalContext extends TermRuleContext {
  excluded: ApprovedExclusion[];
}
export interface DelegatesContext extends SlateContext {
  /** Elected in earlier rounds. */
  committee: string[];
  /** The delegates on the register when the round's task opened (null: none entered): the entitled of the ballot. */
  delegates: number | null;
  round: number;
  notBefore?: IsoDate;
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
  words: { 'zh-CN': '提出候选人初步人选', en: 'Propose the preliminary candidates' },
});
export const candidatesReview = step<SlateContext>()({
  process: T,
  step: 'candidates-review',
  role: 'supervisor',
  outcome: reviewOutcome,
  fields: reviewFields(['agree', 'return']),
  // The higher committee's review makes the committee's 初步人选 the 预备人选 put to the vote (条例 2020, ch. 3).
  words: { 'zh-CN': '审查候选人初步人选', en: 'Review the preliminary candidates' },
  shows: ['seats', 'candidates'],
});
/**
 * Before the members' meeting, where the members are on the register: the committee names the full members it
 * proposes to leave out of the entitled count (应到会人数), each with a reason the regulations accept (中国共产党基层组织
 * 选举工作条例 2020, art. 11) — none, and the entitled count is the register's. The higher committee approves a list.
 */
export const exclusionsProposal = step<ExclusionsProposalContext>()({
  process: T,
  step: 'exclusions-proposal',
  role: 'secretary',
  outcome: exclusionsProposalOutcome,
  fields: [{ name: 'excluded', kind: 'members', required: false, options: entitledExclusionReasons, max: 200 }],
  rule: (o, c) => checkExclusionsProposal(o, c.onRegister?.[shanghaiDate(Date.now())], rulesById(termRuleSets, c.ruleSet)),
  ruleFields: { 'exclusion-reason': 'excluded', 'excluded-not-on-register': 'excluded' },
  words: { 'zh-CN': '提出不计入应到会人数的党员', en: 'Propose members left out of the entitled count' },
});
/**
 * The higher committee approves the members left out, or rejects them with its reason: its organizers (组织委员), who
 * keep the registers of the organizations below it, as the township's steps of 两推一选 are theirs.
 */
export const exclusionsApproval = step<ExclusionsApprovalContext>()({
  process: T,
  step: 'exclusions-approval',
  role: 'organizer',
  outcome: exclusionsApprovalOutcome,
  fields: [
    { name: 'decision', kind: 'select', required: true, options: ['approve', 'reject'] },
    { name: 'comments', kind: 'text', required: false, min: 2, max: 4000 },
  ],
  words: { 'zh-CN': '审批不计入应到会人数的党员', en: 'Approve the members left out of the entitled count' },
  shows: ['excluded'],
});
export const membersMeeting = ballotStep<BallotContext>()({
  process: T,
  step: 'members-meeting',
  outcome: termBallotOutcome,
  meetingDateRequired: true,
  count: (o, c) => checkBallot(o, { ...c, approvedExclusions: c.exclusions }, rulesById(termRuleSets, c.ruleSet)),
  words: { 'zh-CN': '党员大会选举', en: 'Members meeting (election)' },
  shows: ['round', 'seats', 'candidates', 'committee', 'fullMembers', 'exclusions'],
});
/** Step 6 where the organization holds a members' delegates' conference (党员代表大会) instead of a members' meeting. */
export const delegatesConference = ballotStep<DelegatesContext>()({
  process: T,
  step: 'delegates-conference',
  outcome: termBallotOutcome,
  meetingDateRequired: true,
  count: (o, c) => checkDelegatesBallot(o, c, rulesById(termRuleSets, c.ruleSet)),
  ruleFields: { delegates: 'entitled', 'delegates-entitled': 'entitled' },
  words: { 'zh-CN': '党员代表大会选举', en: 'Delegates conference (election)' },
  shows: ['round', 'seats', 'candidates', 'committee', 'delegates'],
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
