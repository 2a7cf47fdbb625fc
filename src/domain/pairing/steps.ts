// The steps of this process in the step catalog (src/domain/steps.ts): each one's role, outcome, form, rule over
// the context the workflow writes when it opens it, and its words.
import { checkReview, checkReviewRating } from './rules.js';
import { pairingRuleSets } from '../rules.js';
import { deliverableOutcome, pairingDecisions, pairingReviewOutcome, reviewRatings, reviewRatingsBeforeFair, type ReviewRating } from '../step-outcomes.js';
import type { PairingDeliverable } from '../rules.js';
import { step, rulesById } from '../step.js';

export interface DeliverableContext {
  ruleSet: string;
  deliverable: string;
  partner: string;
}
export interface ReviewContext {
  ruleSet: string;
  year: number;
  partner: string;
  /**
   * The grades the review offers (好, 较好, 一般, 差); absent in reviews opened by runs recorded without the patch
   * `pairing-review-fair`, which offer 好, 较好, 差.
   */
  ratings?: readonly ReviewRating[];
}

/**
 * The five deliverables in the seed's own words (二(三) 整合党建资源: 建强一个好班子，制定一个好规划，兴办一个好项目，
 * 建设一个好阵地，完善一套好制度): the names an officer reads on a deliverable's task. The web's `opt.deliverable.*`
 * words say the same (tests/unit/pairing.test.ts holds them together).
 */
export const deliverableWords: Record<PairingDeliverable, { 'zh-CN': string; en: string }> = {
  leadership: { 'zh-CN': '建强一个好班子', en: 'Build a strong leadership team' },
  plan: { 'zh-CN': '制定一个好规划', en: 'Draw up a good development plan' },
  project: { 'zh-CN': '兴办一个好项目', en: 'Set up a good project' },
  venue: { 'zh-CN': '建设一个好阵地', en: 'Build a good venue' },
  rules: { 'zh-CN': '完善一套好制度', en: 'Perfect a sound set of rules' },
};
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
  rule: (o, c) => {
    checkReviewRating(o.rating, c.ratings ?? reviewRatingsBeforeFair);
    checkReview(o, c.year, rulesById(pairingRuleSets, c.ruleSet));
  },
  ruleFields: { 'review-decision': 'decision', 'review-rating': 'rating' },
  words: { 'zh-CN': '年度考评', en: 'Yearly review' },
  shows: ['year', 'partner'],
});
