// 发展党员 (domain.md §4.8; 中国共产党发展党员工作细则 2014): what each step records and the rules between them. Shared
// by the workflow's validators, the API and the web form; every number comes from a versioned rule set.
import { z } from 'zod';
import { addMonths, type IsoDate } from '../dates.js';
import { dateField, intField, textField } from '../fields.js';
import { RuleViolation } from '../election.js';
import { ruleSetFor, type DatedRuleSet, type TaskTiming } from '../rules.js';

/** Where an applicant stands: the register follows the last two (预备党员, 正式党员) with its own rows. */
export const recruitmentStages = ['applicant', 'activist', 'candidate', 'probationary', 'full', 'ended'] as const;
export type RecruitmentStage = (typeof recruitmentStages)[number];
export const recruitmentStageWords: Record<RecruitmentStage, { 'zh-CN': string; en: string }> = {
  applicant: { 'zh-CN': '入党申请人', en: 'Applicant' },
  activist: { 'zh-CN': '入党积极分子', en: 'Activist' },
  candidate: { 'zh-CN': '发展对象', en: 'Candidate' },
  probationary: { 'zh-CN': '预备党员', en: 'Probationary member' },
  full: { 'zh-CN': '正式党员', en: 'Full member' },
  ended: { 'zh-CN': '已终止', en: 'Ended' },
};

const day = dateField;
const text = textField;
const count = intField(0, 100_000);
/** Two people named (培养联系人, 入党介绍人): one name a line. */
const two = z.array(text(50), { error: 'v.required' }).length(2, { error: 'v.two' });

/** The branch talks with the applicant (谈话), within a month of the application. */
export const talkOutcome = z.object({ talkedOn: day, talkedBy: text(50), note: text(2000).optional() });
/** The branch committee decides on an 入党积极分子 (recommended by members or 推优), and names two 培养联系人. */
export const recommendations = ['members', 'league', 'union'] as const;
export const activistOutcome = z.object({
  decision: z.enum(['accept', 'decline'], { error: 'v.required' }),
  decidedOn: day,
  recommendedBy: z.enum(recommendations, { error: 'v.required' }).optional(),
  contacts: two.optional(),
  note: text(500).optional(),
});
/** The higher committee files a decision (备案). */
export const filingOutcome = z.object({ filedOn: day, note: text(500).optional() });
/** A six-monthly review (考察) of an activist; from a year on, the branch may propose them as 发展对象. */
export const activistReviewOutcome = z.object({
  reviewedOn: day,
  summary: text(2000),
  next: z.enum(['continue', 'candidate'], { error: 'v.required' }),
});
/** The branch committee decides on a 发展对象 and names two 入党介绍人. */
export const candidateOutcome = z.object({ decidedOn: day, introducers: two, note: text(500).optional() });
/** 政治审查 and 集中培训 of a 发展对象. */
export const vettingOutcome = z.object({
  vettedOn: day,
  conclusion: z.enum(['pass', 'fail'], { error: 'v.required' }),
  trainingDays: count.optional(),
  trainingHours: count.optional(),
  note: text(500).optional(),
});
/** The branch committee's review (支部委员会审查) before the higher committee's pre-review. */
export const branchReviewOutcome = z.object({ reviewedOn: day, decision: z.enum(['proceed', 'stop'], { error: 'v.required' }), note: text(500).optional() });
/** The higher committee's pre-review (预审): the 入党志愿书 may be issued, or the case returns to the branch. */
export const preReviewOutcome = z.object({ reviewedOn: day, decision: z.enum(['approve', 'return'], { error: 'v.required' }), note: text(500).optional() });
/**
 * The 入党志愿书, issued by the higher committee once its pre-review passes: the 发展对象 fills it in under their two
 * 入党介绍人's guidance, and the introducers write their opinion in it (介绍人意见), before the members' meeting reads it.
 */
export const applicationFormOutcome = z.object({ filledOn: day, introducerOpinion: text(2000), note: text(500).optional() });
/** A branch members' meeting's vote by the entitled full members: on admission, or on becoming full. */
const meetingCounts = { meetingDate: day, entitled: count, present: count, for: count, against: count, abstain: count };
export const admissionMeetingOutcome = z.object(meetingCounts);
export const fullDecisions = ['full', 'extend', 'cancel'] as const;
export const fullMeetingOutcome = z.object({
  ...meetingCounts,
  decision: z.enum(fullDecisions, { error: 'v.required' }),
  extendMonths: count.optional(),
});
/** The higher committee talks with the applicant and approves (or not), within three months of the meeting. */
export const approvalOutcome = z.object({ decidedOn: day, decision: z.enum(['approve', 'reject'], { error: 'v.required' }), note: text(500).optional() });
/** 入党宣誓. */
export const oathOutcome = z.object({ oathOn: day });
/** A six-monthly review of a probationary member. */
export const probationReviewOutcome = z.object({ reviewedOn: day, summary: text(2000) });
/** The probationary member's own written application to become full (转正申请). */
export const fullApplicationOutcome = z.object({ appliedOn: day, text: text(4000) });

/**
 * What every task of an applicant shows: who, since when, where the case stands, and the days its rules bound what is
 * recorded. `registerOn` holds the register's full members on each meeting day a vote was recorded for (read then).
 */
export interface RecruitmentContext {
  applicant: string;
  appliedOn: string;
  stage: RecruitmentStage;
  activistSince?: string;
  candidateSince?: string;
  /** The two 入党介绍人 named when they became a 发展对象: they guide the 入党志愿书 and give their opinion in it. */
  introducers?: string[];
  /** The day the higher committee's pre-review passed (the 入党志愿书 issued). */
  preReviewedOn?: string;
  /** The day the 入党志愿书 was filled in: the members' meeting that reads it is held on it or later. */
  formFilledOn?: string;
  meetingOn?: string;
  probationEnds?: string;
  reviews?: number;
  registerOn?: Record<string, number>;
  today?: string;
}

/** A day recorded is not before `from` (what it follows) and not after today. */
function within(rule: string, d: string, from: string | undefined, ctx: RecruitmentContext, what: string): void {
  if (from && d < from) throw new RuleViolation(rule, `cannot be before ${what} (${from})`);
  if (ctx.today && d > ctx.today) throw new RuleViolation(rule, `cannot be after today (${ctx.today})`);
}

export const checkTalk = (o: z.output<typeof talkOutcome>, c: RecruitmentContext) => within('talked-on', o.talkedOn, c.appliedOn, c, 'the application');
export function checkActivist(o: z.output<typeof activistOutcome>, c: RecruitmentContext): void {
  within('decided-on', o.decidedOn, c.appliedOn, c, 'the application');
  if (o.decision === 'accept') {
    if (!o.recommendedBy) throw new RuleViolation('recommended-by', 'an activist is recommended by members, the Youth League or the trade union');
    if (!o.contacts) throw new RuleViolation('contacts', 'an activist has two 培养联系人');
  } else if (!o.note) throw new RuleViolation('note', 'a decision against says why');
}
export const checkFiling = (o: z.output<typeof filingOutcome>, c: RecruitmentContext) =>
  within('filed-on', o.filedOn, c.candidateSince ?? c.activistSince ?? c.appliedOn, c, 'the decision');
export function checkActivistReview(o: z.output<typeof activistReviewOutcome>, c: RecruitmentContext): void {
  within('reviewed-on', o.reviewedOn, c.activistSince, c, 'the day they became an activist');
  const r = recruitmentRulesFor(c.appliedOn);
  const earliest = addMonths(c.activistSince as IsoDate, r.activistMinMonths);
  if (o.next === 'candidate' && o.reviewedOn < earliest)
    throw new RuleViolation('activist-year', `an activist is proposed as 发展对象 after ${r.activistMinMonths} months, from ${earliest}`);
}
export function checkCandidate(o: z.output<typeof candidateOutcome>, c: RecruitmentContext): void {
  within('decided-on', o.decidedOn, c.activistSince, c, 'the day they became an activist');
  const r = recruitmentRulesFor(c.appliedOn);
  const earliest = addMonths(c.activistSince as IsoDate, r.activistMinMonths);
  if (o.decidedOn < earliest) throw new RuleViolation('activist-year', `a 发展对象 has been an activist ${r.activistMinMonths} months, from ${earliest}`);
}
export function checkVetting(o: z.output<typeof vettingOutcome>, c: RecruitmentContext): void {
  within('vetted-on', o.vettedOn, c.candidateSince, c, 'the day they became a 发展对象');
  if (o.conclusion === 'fail') {
    if (!o.note) throw new RuleViolation('note', 'a review that stops the case says why');
    return;
  }
  const r = recruitmentRulesFor(c.appliedOn);
  if ((o.trainingDays ?? 0) < r.trainingMinDays && (o.trainingHours ?? 0) < r.trainingMinHours)
    throw new RuleViolation('training', `集中培训 lasts at least ${r.trainingMinDays} days or ${r.trainingMinHours} 学时`);
}
export const checkBranchReview = (o: z.output<typeof branchReviewOutcome>, c: RecruitmentContext) => {
  within('reviewed-on', o.reviewedOn, c.candidateSince, c, 'the day they became a 发展对象');
  if (o.decision === 'stop' && !o.note) throw new RuleViolation('note', 'a review that stops the case says why');
};
export const checkPreReview = (o: z.output<typeof preReviewOutcome>, c: RecruitmentContext) => {
  within('reviewed-on', o.reviewedOn, c.candidateSince, c, 'the day they became a 发展对象');
  if (o.decision === 'return' && !o.note) throw new RuleViolation('note', 'a case returned says why');
};
export const checkApplicationForm = (o: z.output<typeof applicationFormOutcome>, c: RecruitmentContext) =>
  within('filled-on', o.filledOn, c.preReviewedOn ?? c.candidateSince, c, 'the pre-review');

/** What a branch meeting's counts say: whether it could decide, and whether the motion carried. */
export interface MeetingResult {
  quorum: boolean;
  carried: boolean;
}
/**
 * A branch members' meeting decides on a recruit (细则 第二十八条, 第三十四条): more than half of the entitled full
 * members present, and more than half of the entitled voting for. Counts that cannot be are refused; a meeting
 * without quorum is a valid record of a meeting that could not decide.
 */
export function meetingResult(
  o: { entitled: number; present: number; for: number; against: number; abstain: number },
  r: Pick<RecruitmentRules, 'quorumNumerator' | 'quorumDenominator' | 'majorityNumerator' | 'majorityDenominator'>,
): MeetingResult {
  const quorum = o.present * r.quorumDenominator > o.entitled * r.quorumNumerator;
  return { quorum, carried: quorum && o.for * r.majorityDenominator > o.entitled * r.majorityNumerator };
}
function checkMeeting(o: z.output<typeof admissionMeetingOutcome>, c: RecruitmentContext, after: string | undefined, what: string): void {
  within('meeting-day', o.meetingDate, after, c, what);
  if (o.entitled < 1) throw new RuleViolation('entitled', 'a meeting has full members entitled to vote');
  if (o.present > o.entitled) throw new RuleViolation('present', `${o.present} present but ${o.entitled} entitled`);
  if (o.for + o.against + o.abstain > o.present) throw new RuleViolation('vote-total', `${o.for + o.against + o.abstain} votes from ${o.present} present`);
  // The register on the meeting's day decides who is entitled, not a typed number (read when the vote is recorded).
  const register = c.registerOn?.[o.meetingDate];
  if (register !== undefined && o.entitled !== register)
    throw new RuleViolation('register-count', `${o.entitled} entitled, but the register has ${register} full members on ${o.meetingDate}`, {
      entitled: o.entitled,
      register,
    });
}
// The meeting reads the 入党志愿书: not before it was filled in (a run from before the step: not before the 发展对象).
export const checkAdmissionMeeting = (o: z.output<typeof admissionMeetingOutcome>, c: RecruitmentContext) =>
  c.formFilledOn
    ? checkMeeting(o, c, c.formFilledOn, 'the day the 入党志愿书 was filled in')
    : checkMeeting(o, c, c.candidateSince, 'the day they became a 发展对象');
export function checkFullMeeting(o: z.output<typeof fullMeetingOutcome>, c: RecruitmentContext): void {
  checkMeeting(o, c, c.meetingOn, 'the admission');
  const r = recruitmentRulesFor(c.appliedOn);
  if (o.decision === 'extend' && (o.extendMonths === undefined || o.extendMonths < 1 || o.extendMonths > r.extensionMaxMonths))
    throw new RuleViolation('extend-months', `a probation is extended by 1 to ${r.extensionMaxMonths} months`);
}
export const checkApproval = (o: z.output<typeof approvalOutcome>, c: RecruitmentContext) => {
  within('decided-on', o.decidedOn, c.meetingOn, c, 'the meeting');
  if (o.decision === 'reject' && !o.note) throw new RuleViolation('note', 'a rejection says why');
};
export const checkOath = (o: z.output<typeof oathOutcome>, c: RecruitmentContext) => within('oath-on', o.oathOn, c.meetingOn, c, 'the admission');
export const checkProbationReview = (o: z.output<typeof probationReviewOutcome>, c: RecruitmentContext) =>
  within('reviewed-on', o.reviewedOn, c.meetingOn, c, 'the admission');
export const checkFullApplication = (o: z.output<typeof fullApplicationOutcome>, c: RecruitmentContext) =>
  within('applied-on', o.appliedOn, c.meetingOn, c, 'the admission');

/** Whether someone born on `birth` may apply on `on`: 18 or older (细则 第五条). */
export function oldEnough(birth: string, on: string, rules = recruitmentRulesFor(on)): boolean {
  return addMonths(birth as IsoDate, rules.minAge * 12) <= on;
}

/**
 * Rule parameters of recruitment, by the day of the application (a case keeps the rules it began under): ages,
 * durations, review intervals, approval deadlines, the meeting's quorum and majority, and the tasks' deadlines on the
 * working-day calendar.
 */
export interface RecruitmentRules extends DatedRuleSet, TaskTiming {
  minAge: number;
  talkWithinMonths: number;
  reviewEveryMonths: number;
  activistMinMonths: number;
  trainingMinDays: number;
  trainingMinHours: number;
  approvalWithinMonths: number;
  probationMonths: number;
  extensionMaxMonths: number;
  quorumNumerator: number;
  quorumDenominator: number;
  majorityNumerator: number;
  majorityDenominator: number;
  /** A step the rules give no deadline: due this many working days after it opens. */
  stepWorkingDays: number;
  /** The 入党志愿书 filled in: due this many working days after the pre-review issues it. */
  applicationFormWorkingDays: number;
}
export const recruitmentRuleSets: readonly RecruitmentRules[] = [
  // 中国共产党发展党员工作细则 (2014-05-28): 第五条 18 years; 第七条 a talk within a month; 第十二条 reviewed every half
  // year; 第十三条 a year as an activist; 第十七条 three days or 24 学时; 第二十八条 more than half present, more than
  // half of the entitled for; 第三十一条 approval within three months; 第三十三条 a year's probation; 第三十四条 an
  // extension of at most a year. Deadlines of the other steps [default]: 20 working days, reminders and escalations
  // as every task (domain.md §3); the 入党志愿书 [default] 10 working days: it is filled in from the form the
  // committee issues, between the pre-review and a meeting the branch has usually planned already.
  {
    id: 'recruitment-2014',
    effectiveFrom: '2014-05-28',
    minAge: 18,
    talkWithinMonths: 1,
    reviewEveryMonths: 6,
    activistMinMonths: 12,
    trainingMinDays: 3,
    trainingMinHours: 24,
    approvalWithinMonths: 3,
    probationMonths: 12,
    extensionMaxMonths: 12,
    quorumNumerator: 1,
    quorumDenominator: 2,
    majorityNumerator: 1,
    majorityDenominator: 2,
    stepWorkingDays: 20,
    applicationFormWorkingDays: 10,
    reminderWorkingDays: [7, 1],
    escalationWorkingDays: [3, 10, 20],
  },
];
export function recruitmentRulesFor(day: string): RecruitmentRules {
  return ruleSetFor(recruitmentRuleSets, 'recruitment', (day < '2014-05-28' ? '2014-05-28' : day) as IsoDate);
}
