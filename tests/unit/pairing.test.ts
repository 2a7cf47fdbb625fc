import { describe, expect, it } from 'vitest';
import { RuleViolation } from '../../src/domain/election.js';
import { pairingRulesFor } from '../../src/domain/rules.js';
import {
  checkDeliverableComplete,
  checkEvidenceFile,
  checkMilestone,
  checkReview,
  cycleDates,
  type EvidenceRef,
  type MilestoneRecord,
} from '../../src/domain/pairing/rules.js';
import { pairingReviewOutcome, reviewRatings, validateOutcome, formToOutcome } from '../../src/domain/step-outcomes.js';
import { deliverableWords } from '../../src/domain/pairing/steps.js';
import { pairingDeliverables } from '../../src/domain/pairing/rules.js';
import { zhCN as zh } from '../../web/src/i18n/zh-CN.js';
import { pairingReview } from '../../src/domain/steps.js';

const rules = pairingRulesFor('2026-11-25');
const rule = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof RuleViolation) return err.rule;
    throw err;
  }
  return null;
};
const sha = 'a'.repeat(64);

describe('pairing: the cycle', () => {
  it('three years, a review on each anniversary, deliverables due months into the cycle', () => {
    expect(rules.id).toBe('pairing-hubei-2010');
    const d = cycleDates('2026-11-25', rules);
    expect(d.endsOn).toBe('2029-11-25');
    expect(d.reviews).toEqual(['2027-11-25', '2028-11-25', '2029-11-25']);
    expect(d.deliverableDue).toEqual({ leadership: '2027-11-25', plan: '2027-05-25', project: '2029-05-25', venue: '2028-11-25', rules: '2027-11-25' });
    // The 31st of a month without one falls back to its last day; 29 February to 28 February.
    expect(cycleDates('2028-02-29', rules).reviews).toEqual(['2029-02-28', '2030-02-28', '2031-02-28']);
  });
  it('rates a review 好, 较好, 一般 or 差; a review opened before 一般 was offered keeps its three grades', () => {
    const form = pairingReview;
    expect(reviewRatings).toEqual(['good', 'adequate', 'fair', 'poor']);
    expect(form.fields.find((f) => f.name === 'rating')?.options).toEqual(['good', 'adequate', 'fair', 'poor']);
    expect(zh['opt.rating.fair']).toBe('一般');
    const opened = { ruleSet: rules.id, year: 1, partner: '市农业农村局', ratings: [...reviewRatings] };
    expect(validateOutcome(form, formToOutcome(form, { rating: 'fair', comments: '成效一般' }), opened)).toBeNull();
    // Its context names no grades: the scale it opened with, without 一般.
    const before = { ruleSet: rules.id, year: 1, partner: '市农业农村局' };
    expect(validateOutcome(form, formToOutcome(form, { rating: 'fair', comments: '成效一般' }), before)).toEqual({ rating: 'r.review-rating' });
    expect(validateOutcome(form, formToOutcome(form, { rating: 'adequate', comments: '较好' }), before)).toBeNull();
  });
  it('names the five goods in the seed’s words (二(三): 建强一个好班子，制定一个好规划，兴办一个好项目，建设一个好阵地，完善一套好制度)', () => {
    const seed = ['建强一个好班子', '制定一个好规划', '兴办一个好项目', '建设一个好阵地', '完善一套好制度'];
    expect(pairingDeliverables.map((d) => deliverableWords[d]['zh-CN'])).toEqual(seed);
    // The web's words for a deliverable are the same.
    expect(pairingDeliverables.map((d) => zh[`opt.deliverable.${d}` as keyof typeof zh])).toEqual(seed);
  });
  it('only the last review decides whether the pairing continues', () => {
    expect(rule(() => checkReview({}, 1, rules))).toBeNull();
    expect(rule(() => checkReview({ decision: 'continue' }, 1, rules))).toBe('review-decision');
    expect(rule(() => checkReview({}, 3, rules))).toBe('review-decision');
    expect(rule(() => checkReview({ decision: 'end' }, 3, rules))).toBeNull();
    expect(pairingReviewOutcome.safeParse({ rating: 'excellent', comments: 'x' }).success).toBe(false);
    const form = pairingReview;
    expect(validateOutcome(form, formToOutcome(form, { rating: 'good' }))).toEqual({ comments: 'v.required' });
    // With the task's context the form checks the same rule, beside the decision.
    const first = { ruleSet: rules.id, year: 1, partner: '市农业农村局' };
    expect(validateOutcome(form, formToOutcome(form, { rating: 'good', comments: '推进顺利', decision: 'continue' }), first)).toEqual({
      decision: 'r.review-decision',
    });
    expect(validateOutcome(form, formToOutcome(form, { rating: 'good', comments: '推进顺利', decision: 'end' }), { ...first, year: 3 })).toBeNull();
  });
});

describe('pairing: evidence files', () => {
  it('not empty, within the size limit, a SHA-256, a plain file name', () => {
    expect(rules.evidenceMaxBytes).toBe(10 * 1024 * 1024);
    expect(rule(() => checkEvidenceFile({ size: rules.evidenceMaxBytes, sha256: sha, filename: '村规民约.pdf' }, rules))).toBeNull();
    expect(rule(() => checkEvidenceFile({ size: rules.evidenceMaxBytes + 1, sha256: sha, filename: 'a.pdf' }, rules))).toBe('evidence-size');
    expect(rule(() => checkEvidenceFile({ size: 0, sha256: sha, filename: 'a.pdf' }, rules))).toBe('evidence-empty');
    expect(rule(() => checkEvidenceFile({ size: 1, sha256: 'A'.repeat(64), filename: 'a.pdf' }, rules))).toBe('evidence-checksum');
    expect(rule(() => checkEvidenceFile({ size: 1, sha256: sha.slice(1), filename: 'a.pdf' }, rules))).toBe('evidence-checksum');
    for (const bad of ['../etc/passwd', 'a\\b', 'a\nb', '', '..', 'x'.repeat(201)]) {
      expect(
        rule(() => checkEvidenceFile({ size: 1, sha256: sha, filename: bad }, rules)),
        bad,
      ).toBe('evidence-filename');
    }
  });
});

describe('pairing: milestones', () => {
  const evidence: EvidenceRef[] = [
    { id: 'e1', deliverable: 'plan', sha256: sha, size: 1, filename: 'a' },
    { id: 'e2', deliverable: 'plan', sha256: sha, size: 1, filename: 'b' },
    { id: 'r1', deliverable: 'rules', sha256: sha, size: 1, filename: 'c' },
  ];
  const state = (recorded: MilestoneRecord[] = []) => ({ recorded, evidence, startsOn: '2026-11-25', today: '2027-03-01' });
  const m = (milestone: string, ev: string[] = ['e1'], achievedOn = '2027-01-10'): MilestoneRecord => ({
    deliverable: 'plan',
    milestone,
    achievedOn,
    evidence: ev,
  });

  it('in order, once, with evidence of the same deliverable, dated inside the cycle', () => {
    expect(rule(() => checkMilestone(m('survey'), state(), rules))).toBeNull();
    expect(rule(() => checkMilestone(m('draft'), state(), rules))).toBe('milestone-order');
    expect(rule(() => checkMilestone(m('draft'), state([m('survey')]), rules))).toBeNull();
    expect(rule(() => checkMilestone(m('survey'), state([m('survey')]), rules))).toBe('milestone-recorded');
    expect(rule(() => checkMilestone(m('opening'), state(), rules))).toBe('milestone');
    expect(rule(() => checkMilestone(m('survey', []), state(), rules))).toBe('evidence-required');
    expect(rule(() => checkMilestone(m('survey', ['r1']), state(), rules))).toBe('evidence-deliverable');
    expect(rule(() => checkMilestone(m('survey', ['zz']), state(), rules))).toBe('evidence-unknown');
    expect(rule(() => checkMilestone(m('survey', ['e1'], '2027-03-02'), state(), rules))).toBe('milestone-date');
    expect(rule(() => checkMilestone(m('survey', ['e1'], '2026-11-24'), state(), rules))).toBe('milestone-date');
    // A rule set may ask for more evidence per milestone.
    expect(rule(() => checkMilestone(m('survey', ['e1', 'e1']), state(), { ...rules, evidencePerMilestone: 2 }))).toBe('evidence-required');
    expect(rule(() => checkMilestone(m('survey', ['e1', 'e2']), state(), { ...rules, evidencePerMilestone: 2 }))).toBeNull();
  });

  it('a deliverable is delivered only with every milestone recorded', () => {
    expect(rule(() => checkDeliverableComplete('plan', [m('survey'), m('draft')], rules))).toBe('milestones-missing');
    expect(rule(() => checkDeliverableComplete('plan', [m('survey'), m('draft'), m('adopted')], rules))).toBeNull();
    expect(rule(() => checkDeliverableComplete('rules', [m('survey'), m('draft'), m('adopted')], rules))).toBe('milestones-missing');
  });
});
