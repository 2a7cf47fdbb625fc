import { describe, expect, it } from 'vitest';
import { assessedOn, assessmentRulesFor, countyScore } from '../../src/domain/assessment.js';

describe('yearly assessment rules (domain.md §4.6)', () => {
  const rules = assessmentRulesFor('2026-12-31');

  it('assesses a year on its last day, or on today during the year', () => {
    expect(assessedOn(2026, '2026-11-25')).toBe('2026-11-25');
    expect(assessedOn(2025, '2026-11-25')).toBe('2025-12-31');
    expect(() => assessmentRulesFor('2019-06-30')).toThrow(/no assessment rule set/);
  });

  it('gives a county full marks only with every organization perfect, ≥80 % 一肩挑 and every unit covered', () => {
    expect(countyScore(rules, { meanScore: 100, concurrentHeadRate: 0.8, liaisonCoverage: 1 })).toBe(100);
    expect(countyScore(rules, { meanScore: 100, concurrentHeadRate: 1, liaisonCoverage: 1 })).toBe(100); // capped at the threshold
    expect(countyScore(rules, { meanScore: 100, concurrentHeadRate: 0.4, liaisonCoverage: 1 })).toBe(92.5); // half of 15 points
    expect(countyScore(rules, { meanScore: 50, concurrentHeadRate: 0.8, liaisonCoverage: 0 })).toBe(50); // 35 + 15 + 0
    // Nothing to count (no villages, no units) misses nothing.
    expect(countyScore(rules, { meanScore: null, concurrentHeadRate: null, liaisonCoverage: null })).toBe(100);
  });
});
