// The step of the 约谈 in the step catalog (src/domain/steps.ts): the organizer of the supervising committee talks
// with an organization rated red in enough periods in a row, and records it.
import { step } from '../step.js';
import { fieldOf } from '../fields.js';
import { checkInterviewHeld, interviewOutcome, type InterviewTaskContext } from './rules.js';

export const ratingInterview = step<InterviewTaskContext>()({
  process: 'rating-interview',
  step: 'interview',
  role: 'organizer',
  outcome: interviewOutcome,
  fields: [fieldOf(interviewOutcome, 'heldOn', 'date'), fieldOf(interviewOutcome, 'findings', 'text')],
  rule: checkInterviewHeld,
  ruleFields: { 'interview-held': 'heldOn' },
  words: { 'zh-CN': '预警约谈', en: 'Red-rating interview' },
  shows: ['organization', 'organizationName', 'reasons', 'redPeriods'],
});
