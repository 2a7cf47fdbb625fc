// The steps of 发展党员 in the step catalog (src/domain/steps.ts), in the order of the 细则's five stages: the branch
// (its secretary records what the branch committee and the members' meeting decided) and the higher committee (its
// organizer) take turns; the probationary member files their own application to become full.
import { step, type StepDef } from '../step.js';
import { fieldOf } from '../fields.js';
import {
  activistOutcome,
  activistReviewOutcome,
  admissionMeetingOutcome,
  applicationFormOutcome,
  approvalOutcome,
  branchReviewOutcome,
  candidateOutcome,
  checkActivist,
  checkActivistReview,
  checkAdmissionMeeting,
  checkApplicationForm,
  checkApproval,
  checkBranchReview,
  checkCandidate,
  checkFiling,
  checkFullApplication,
  checkFullMeeting,
  checkOath,
  checkPreReview,
  checkProbationReview,
  checkTalk,
  checkVetting,
  filingOutcome,
  fullApplicationOutcome,
  fullDecisions,
  fullMeetingOutcome,
  oathOutcome,
  preReviewOutcome,
  probationReviewOutcome,
  recommendations,
  talkOutcome,
  vettingOutcome,
  type RecruitmentContext,
} from './rules.js';

const process = 'recruitment' as const;
const shows = ['applicant', 'appliedOn', 'stage'] as const;
const asActivist = ['applicant', 'appliedOn', 'stage', 'activistSince', 'reviews'] as const;
const asCandidate = ['applicant', 'appliedOn', 'stage', 'activistSince', 'candidateSince'] as const;
const asProbationary = ['applicant', 'stage', 'meetingOn', 'probationEnds', 'reviews'] as const;
const meetingFields = (o: typeof admissionMeetingOutcome | typeof fullMeetingOutcome) => [
  fieldOf(o, 'meetingDate', 'date'),
  fieldOf(o, 'entitled', 'int'),
  fieldOf(o, 'present', 'int'),
  fieldOf(o, 'for', 'int'),
  fieldOf(o, 'against', 'int'),
  fieldOf(o, 'abstain', 'int'),
];
/** The higher committee files the branch's decision (备案): an activist, a candidate. */
const filing = (name: string, words: StepDef['words'], shows: readonly (keyof RecruitmentContext & string)[]) =>
  step<RecruitmentContext>()({
    process,
    step: name,
    role: 'organizer',
    outcome: filingOutcome,
    fields: [fieldOf(filingOutcome, 'filedOn', 'date'), fieldOf(filingOutcome, 'note', 'text')],
    rule: checkFiling,
    ruleFields: { 'filed-on': 'filedOn' },
    words,
    shows,
  });
/** The higher committee approves the meeting's decision within three months: the admission, becoming full. */
const approval = (name: string, words: StepDef['words'], shows: readonly (keyof RecruitmentContext & string)[]) =>
  step<RecruitmentContext>()({
    process,
    step: name,
    role: 'organizer',
    outcome: approvalOutcome,
    fields: [
      fieldOf(approvalOutcome, 'decidedOn', 'date'),
      fieldOf(approvalOutcome, 'decision', 'select', { options: ['approve', 'reject'] }),
      fieldOf(approvalOutcome, 'note', 'text'),
    ],
    rule: checkApproval,
    ruleFields: { 'decided-on': 'decidedOn', note: 'note' },
    words,
    shows,
  });
const meetingRules = { 'meeting-day': 'meetingDate', entitled: 'entitled', 'register-count': 'entitled', present: 'present', 'vote-total': 'for' };

// 一、申请
export const applicationTalk = step<RecruitmentContext>()({
  process,
  step: 'talk',
  role: 'secretary',
  outcome: talkOutcome,
  fields: [fieldOf(talkOutcome, 'talkedOn', 'date'), fieldOf(talkOutcome, 'talkedBy', 'text'), fieldOf(talkOutcome, 'note', 'text')],
  rule: checkTalk,
  ruleFields: { 'talked-on': 'talkedOn' },
  words: { 'zh-CN': '与入党申请人谈话', en: 'Talk with the applicant' },
  shows,
});

// 二、入党积极分子的确定和培养教育
export const activistDecision = step<RecruitmentContext>()({
  process,
  step: 'activist',
  role: 'secretary',
  outcome: activistOutcome,
  fields: [
    fieldOf(activistOutcome, 'decision', 'select', { options: ['accept', 'decline'] }),
    fieldOf(activistOutcome, 'decidedOn', 'date'),
    fieldOf(activistOutcome, 'recommendedBy', 'select', { options: recommendations, when: { field: 'decision', is: ['accept'] } }),
    { name: 'contacts', kind: 'names', required: false, max: 2, when: { field: 'decision', is: ['accept'] } },
    fieldOf(activistOutcome, 'note', 'text'),
  ],
  rule: checkActivist,
  ruleFields: { 'decided-on': 'decidedOn', 'recommended-by': 'recommendedBy', contacts: 'contacts', note: 'note' },
  words: { 'zh-CN': '确定入党积极分子', en: 'Decide on an activist' },
  shows,
});

export const activistFiling = filing(
  'activist-filing',
  { 'zh-CN': '入党积极分子报上级党委备案', en: 'File the activist with the higher committee' },
  asActivist,
);

export const activistReview = step<RecruitmentContext>()({
  process,
  step: 'activist-review',
  role: 'secretary',
  outcome: activistReviewOutcome,
  fields: [
    fieldOf(activistReviewOutcome, 'reviewedOn', 'date'),
    fieldOf(activistReviewOutcome, 'summary', 'text'),
    fieldOf(activistReviewOutcome, 'next', 'select', { options: ['continue', 'candidate'] }),
  ],
  rule: checkActivistReview,
  ruleFields: { 'reviewed-on': 'reviewedOn', 'activist-year': 'next' },
  words: { 'zh-CN': '入党积极分子半年考察', en: "An activist's half-year review" },
  shows: asActivist,
});

// 三、发展对象的确定和考察
export const candidateDecision = step<RecruitmentContext>()({
  process,
  step: 'candidate',
  role: 'secretary',
  outcome: candidateOutcome,
  fields: [
    fieldOf(candidateOutcome, 'decidedOn', 'date'),
    { name: 'introducers', kind: 'names', required: true, max: 2 },
    fieldOf(candidateOutcome, 'note', 'text'),
  ],
  rule: checkCandidate,
  ruleFields: { 'decided-on': 'decidedOn', 'activist-year': 'decidedOn', introducers: 'introducers' },
  words: { 'zh-CN': '确定发展对象', en: 'Decide on a candidate' },
  shows: asActivist,
});

export const candidateFiling = filing(
  'candidate-filing',
  { 'zh-CN': '发展对象报上级党委备案', en: 'File the candidate with the higher committee' },
  asCandidate,
);

export const vetting = step<RecruitmentContext>()({
  process,
  step: 'vetting',
  role: 'secretary',
  outcome: vettingOutcome,
  fields: [
    fieldOf(vettingOutcome, 'vettedOn', 'date'),
    fieldOf(vettingOutcome, 'conclusion', 'select', { options: ['pass', 'fail'] }),
    fieldOf(vettingOutcome, 'trainingDays', 'int', { when: { field: 'conclusion', is: ['pass'] } }),
    fieldOf(vettingOutcome, 'trainingHours', 'int', { when: { field: 'conclusion', is: ['pass'] } }),
    fieldOf(vettingOutcome, 'note', 'text'),
  ],
  rule: checkVetting,
  ruleFields: { 'vetted-on': 'vettedOn', training: 'trainingDays', note: 'note' },
  words: { 'zh-CN': '政治审查和集中培训', en: 'Political review and training' },
  shows: asCandidate,
});

// 四、预备党员的接收
export const branchReview = step<RecruitmentContext>()({
  process,
  step: 'branch-review',
  role: 'secretary',
  outcome: branchReviewOutcome,
  fields: [
    fieldOf(branchReviewOutcome, 'reviewedOn', 'date'),
    fieldOf(branchReviewOutcome, 'decision', 'select', { options: ['proceed', 'stop'] }),
    fieldOf(branchReviewOutcome, 'note', 'text'),
  ],
  rule: checkBranchReview,
  ruleFields: { 'reviewed-on': 'reviewedOn', note: 'note' },
  words: { 'zh-CN': '支部委员会审查发展对象', en: "The branch committee's review" },
  shows: asCandidate,
});

export const preReview = step<RecruitmentContext>()({
  process,
  step: 'pre-review',
  role: 'organizer',
  outcome: preReviewOutcome,
  fields: [
    fieldOf(preReviewOutcome, 'reviewedOn', 'date'),
    fieldOf(preReviewOutcome, 'decision', 'select', { options: ['approve', 'return'] }),
    fieldOf(preReviewOutcome, 'note', 'text'),
  ],
  rule: checkPreReview,
  ruleFields: { 'reviewed-on': 'reviewedOn', note: 'note' },
  words: { 'zh-CN': '上级党委预审', en: "The higher committee's pre-review" },
  shows: asCandidate,
});

export const applicationForm = step<RecruitmentContext>()({
  process,
  step: 'application-form',
  role: 'secretary',
  // The 发展对象 fills in the 入党志愿书 themselves, under their introducers' guidance: theirs when they sign in; the
  // secretary records the paper form for one who does not.
  byPerson: true,
  outcome: applicationFormOutcome,
  fields: [
    fieldOf(applicationFormOutcome, 'filledOn', 'date'),
    fieldOf(applicationFormOutcome, 'introducerOpinion', 'text'),
    fieldOf(applicationFormOutcome, 'note', 'text'),
  ],
  rule: checkApplicationForm,
  ruleFields: { 'filled-on': 'filledOn' },
  words: { 'zh-CN': '填写入党志愿书', en: 'Fill in the application form' },
  shows: ['applicant', 'stage', 'candidateSince', 'introducers', 'preReviewedOn'],
});

export const admissionMeeting = step<RecruitmentContext>()({
  process,
  step: 'admission-meeting',
  role: 'secretary',
  outcome: admissionMeetingOutcome,
  fields: meetingFields(admissionMeetingOutcome),
  rule: checkAdmissionMeeting,
  ruleFields: meetingRules,
  words: { 'zh-CN': '支部党员大会讨论接收预备党员', en: 'The members’ meeting votes on admission' },
  shows: [...asCandidate, 'introducers', 'formFilledOn'],
});

/** The new 预备党员 filed with the organization department above the approving committee (报上级组织部门备案). */
export const admissionFiling = filing(
  'admission-filing',
  { 'zh-CN': '预备党员报上级组织部门备案', en: 'File the new probationary member with the organization department above' },
  ['applicant', 'appliedOn', 'stage', 'meetingOn'],
);

export const admissionApproval = approval('admission-approval', { 'zh-CN': '上级党委谈话并审批预备党员', en: 'The higher committee talks and approves' }, [
  'applicant',
  'appliedOn',
  'stage',
  'meetingOn',
]);

// 五、预备党员的教育考察和转正
export const oath = step<RecruitmentContext>()({
  process,
  step: 'oath',
  role: 'secretary',
  outcome: oathOutcome,
  fields: [fieldOf(oathOutcome, 'oathOn', 'date')],
  rule: checkOath,
  ruleFields: { 'oath-on': 'oathOn' },
  words: { 'zh-CN': '组织入党宣誓', en: 'The oath' },
  shows: asProbationary,
});

export const probationReview = step<RecruitmentContext>()({
  process,
  step: 'probation-review',
  role: 'secretary',
  outcome: probationReviewOutcome,
  fields: [fieldOf(probationReviewOutcome, 'reviewedOn', 'date'), fieldOf(probationReviewOutcome, 'summary', 'text')],
  rule: checkProbationReview,
  ruleFields: { 'reviewed-on': 'reviewedOn' },
  words: { 'zh-CN': '预备党员半年考察', en: "A probationary member's half-year review" },
  shows: asProbationary,
});

export const fullApplication = step<RecruitmentContext>()({
  process,
  step: 'full-application',
  role: 'secretary',
  // The probationary member writes it; the secretary records a paper one for a member who does not sign in.
  byPerson: true,
  outcome: fullApplicationOutcome,
  fields: [fieldOf(fullApplicationOutcome, 'appliedOn', 'date'), fieldOf(fullApplicationOutcome, 'text', 'text')],
  rule: checkFullApplication,
  ruleFields: { 'applied-on': 'appliedOn' },
  words: { 'zh-CN': '提交转正申请', en: 'Apply to become a full member' },
  shows: asProbationary,
});

export const fullMeeting = step<RecruitmentContext>()({
  process,
  step: 'full-meeting',
  role: 'secretary',
  outcome: fullMeetingOutcome,
  fields: [
    ...meetingFields(fullMeetingOutcome),
    fieldOf(fullMeetingOutcome, 'decision', 'select', { options: fullDecisions }),
    fieldOf(fullMeetingOutcome, 'extendMonths', 'int', { when: { field: 'decision', is: ['extend'] } }),
  ],
  rule: checkFullMeeting,
  ruleFields: { ...meetingRules, 'extend-months': 'extendMonths' },
  words: { 'zh-CN': '支部党员大会讨论预备党员转正', en: 'The members’ meeting votes on full membership' },
  shows: asProbationary,
});

export const fullApproval = approval(
  'full-approval',
  { 'zh-CN': '上级党委审批预备党员转正', en: 'The higher committee approves full membership' },
  asProbationary,
);
