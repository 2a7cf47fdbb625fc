// The steps of 民主评议党员 in the step catalog (src/domain/steps.ts): the branch secretary's talks, 组织生活会 and
// 民主测评 result, the township organizer's review, and the secretary's decision at the end of a 不合格 member's time
// to improve.
import { step } from '../step.js';
import { reviewFields } from '../step-outcomes.js';
import { fieldOf } from '../fields.js';
import {
  appraisalOutcome,
  appraisalReviewOutcome,
  checkAppraisal,
  checkImprovement,
  checkLifeMeeting,
  checkTalks,
  improvementDecisions,
  improvementOutcome,
  lifeMeetingOutcome,
  namedRatings,
  talksOutcome,
  type AppraisalContext,
  type ImprovementContext,
} from './rules.js';

export const appraisalTalks = step<AppraisalContext>()({
  process: 'member-appraisal',
  step: 'talks',
  role: 'secretary',
  outcome: talksOutcome,
  fields: [fieldOf(talksOutcome, 'talksOn', 'date'), fieldOf(talksOutcome, 'note', 'text')],
  rule: checkTalks,
  ruleFields: { 'talks-on': 'talksOn' },
  words: { 'zh-CN': '谈心谈话', en: 'Heart-to-heart talks' },
  shows: ['year', 'reportBy'],
});

export const lifeMeeting = step<AppraisalContext>()({
  process: 'member-appraisal',
  step: 'life-meeting',
  role: 'secretary',
  outcome: lifeMeetingOutcome,
  fields: [fieldOf(lifeMeetingOutcome, 'lifeMeetingOn', 'date'), fieldOf(lifeMeetingOutcome, 'topic', 'text'), fieldOf(lifeMeetingOutcome, 'minutes', 'text')],
  rule: checkLifeMeeting,
  ruleFields: { 'life-meeting-on': 'lifeMeetingOn' },
  words: { 'zh-CN': '组织生活会', en: 'Organization life meeting' },
  shows: ['year', 'talksOn', 'reportBy'],
});

export const appraisal = step<AppraisalContext>()({
  process: 'member-appraisal',
  step: 'appraisal',
  role: 'secretary',
  outcome: appraisalOutcome,
  fields: [
    fieldOf(appraisalOutcome, 'voters', 'int'),
    // The members not rated 合格, picked from the whole register (probationary members are appraised too).
    { name: 'rated', kind: 'members', required: false, options: namedRatings, max: 2000, rowReason: 'rating', register: 'all' },
  ],
  rule: checkAppraisal,
  ruleFields: { rated: 'rated', 'rated-not-on-register': 'rated', 'rated-votes': 'rated', voters: 'voters' },
  words: { 'zh-CN': '民主评议党员结果', en: 'Member appraisal result' },
  shows: ['year', 'lifeMeetingOn', 'reportBy'],
});

export const appraisalReview = step<AppraisalContext>()({
  process: 'member-appraisal',
  step: 'appraisal-review',
  role: 'organizer',
  outcome: appraisalReviewOutcome,
  fields: reviewFields(['approve', 'return']),
  words: { 'zh-CN': '审核民主评议结果', en: 'Review of the appraisal' },
  shows: ['year', 'lifeMeetingOn', 'reportBy'],
});

export const improvement = step<ImprovementContext>()({
  process: 'member-appraisal',
  step: 'improvement',
  role: 'secretary',
  outcome: improvementOutcome,
  fields: [
    fieldOf(improvementOutcome, 'decidedOn', 'date'),
    fieldOf(improvementOutcome, 'decision', 'select', { options: improvementDecisions }),
    fieldOf(improvementOutcome, 'note', 'text'),
  ],
  rule: checkImprovement,
  ruleFields: { 'decided-on': 'decidedOn' },
  words: { 'zh-CN': '不合格党员限期改正', en: 'Time to improve' },
  shows: ['member', 'since', 'dueOn'],
});
