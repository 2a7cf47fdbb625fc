// The steps of this process in the step catalog (src/domain/steps.ts): each one's role, outcome, form, rule over
// the context the workflow writes when it opens it, and its words.
import { checkReview } from './rules.js';
import { pairingRuleSets } from '../../src/domain/rules.js';
import { deliverableOutcome, pairingDecisions, pairingReviewOutcome, reviewRatings } from '../../src/domain/step-outcomes.js';
import { step, rulesById } from '../../src/domain/step.js';

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
