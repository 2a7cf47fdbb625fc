// Yearly inspection and ranking 检查考评 (domain.md §4.6): which indicators count, how much, and from when.
// The scoring itself runs in SQL over the whole province (activities/assessment.ts) with these numbers as
// parameters, so a rule change is a new entry here, never an edit of a past one.
import type { IsoDate } from './dates.js';
import { ruleSetFor } from './rules.js';

export interface AssessmentRules {
  id: string;
  effectiveFrom: IsoDate;
  /** Weights of an organization's own indicators; an indicator that does not apply drops out of the sum. */
  weights: { termOnTime: number; secretaryTrained: number; noOverdueTasks: number };
  /** A county's score: this share from the mean of its organizations' scores, the rest from its rates. */
  countyMeanShare: number;
  /** Points for villages whose secretary also heads the village committee (一肩挑), full at this rate. */
  concurrentHead: { points: number; fullAt: number };
  /** Points for units without a Party organization that have an acknowledged liaison officer (应派尽派). */
  liaisonCoverage: { points: number };
  /** Sectors ranked by sector across the province; the others count towards their county. */
  rankedBySector: readonly string[];
}

export const assessmentRuleSets: readonly AssessmentRules[] = [
  {
    id: 'provincial-plan-2021',
    effectiveFrom: '2021-01-01',
    weights: { termOnTime: 40, secretaryTrained: 30, noOverdueTasks: 30 },
    countyMeanShare: 0.7,
    concurrentHead: { points: 15, fullAt: 0.8 },
    liaisonCoverage: { points: 15 },
    rankedBySector: ['soe', 'government', 'university', 'nonpublic', 'social', 'institution'],
  },
];

/** The rule set in force on `day`. */
export function assessmentRulesFor(day: IsoDate): AssessmentRules {
  return ruleSetFor(assessmentRuleSets, 'assessment', day);
}

/** The day a year is assessed on: its last day, or today for a run during the year. */
export function assessedOn(year: number, today: IsoDate): IsoDate {
  const end = `${year}-12-31` as IsoDate;
  return today < end ? today : end;
}

/**
 * A county's score from its rates (each 0..1, null when nothing to count: full marks, nothing was missed).
 * Kept here, not only in SQL, so that the rule can be read and tested on its own; the SQL mirrors it.
 */
export function countyScore(r: AssessmentRules, rates: { meanScore: number | null; concurrentHeadRate: number | null; liaisonCoverage: number | null }): number {
  const mean = (rates.meanScore ?? 100) * r.countyMeanShare;
  const head = r.concurrentHead.points * Math.min(1, (rates.concurrentHeadRate ?? 1) / r.concurrentHead.fullAt);
  const liaison = r.liaisonCoverage.points * (rates.liaisonCoverage ?? 1);
  return Math.round((mean + head + liaison) * 10) / 10;
}
