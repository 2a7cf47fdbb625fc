import { describe, expect, it } from 'vitest';
import {
  interviewWindowStart,
  lastReturnYearDue,
  periodOf,
  rate,
  ratingReasons,
  ratingRuleSets,
  ratingRulesFor,
  type RatingFacts,
} from '../../src/domain/ratings.js';
import { zhCN } from '../../web/src/i18n/zh-CN.js';
import { en } from '../../web/src/i18n/en.js';

const none: RatingFacts = { overdueTasks: 0, escalationLevel: 0, termLate: false, returnMissing: false, secretaryUntrained: false, villageUnpaired: false };
const rules = ratingRulesFor('2026-11-30');

describe('the ratings rule set (三色管理)', () => {
  it('is looked up by date like every rule set; the first set also rates the days before it', () => {
    expect(rules.id).toBe('ratings-2026');
    expect(ratingRulesFor('2020-05-01').id).toBe('ratings-2026');
    expect(ratingRulesFor('2030-01-01', 'ratings-2026')).toBe(ratingRuleSets[0]);
    expect(() => ratingRulesFor('2026-11-30', 'nonexistent')).toThrow(/unknown rule set/);
  });

  it('green without a reason; one yellow reason is yellow', () => {
    expect(rate(none, rules)).toEqual({ color: 'green', reasons: [] });
    expect(rate({ ...none, overdueTasks: 2 }, rules)).toEqual({ color: 'yellow', reasons: ['overdue-task'] });
    expect(rate({ ...none, villageUnpaired: true }, rules)).toEqual({ color: 'yellow', reasons: ['village-unpaired'] });
  });

  it('an escalation at the red level, a late term, or enough yellows at once are red', () => {
    expect(rules.redEscalationLevel).toBe(2);
    expect(rate({ ...none, overdueTasks: 1, escalationLevel: 1 }, rules).color).toBe('yellow');
    expect(rate({ ...none, overdueTasks: 1, escalationLevel: 2 }, rules)).toEqual({ color: 'red', reasons: ['overdue-task', 'escalated'] });
    expect(rate({ ...none, termLate: true }, rules)).toEqual({ color: 'red', reasons: ['term-late'] });
    expect(rules.yellowsForRed).toBe(3);
    expect(rate({ ...none, returnMissing: true, secretaryUntrained: true }, rules).color).toBe('yellow');
    expect(rate({ ...none, returnMissing: true, secretaryUntrained: true, villageUnpaired: true }, rules)).toEqual({
      color: 'red',
      reasons: ['return-missing', 'secretary-untrained', 'village-unpaired'],
    });
  });

  it('periods are calendar months; the 约谈 window is the last N of them', () => {
    expect(periodOf('2026-11-30', rules)).toBe('2026-11-01');
    expect(periodOf('2026-01-01', rules)).toBe('2026-01-01');
    expect(rules.redPeriodsForInterview).toBe(3);
    expect(interviewWindowStart('2026-11-30', rules)).toBe('2026-09-01');
    expect(interviewWindowStart('2026-02-10', rules)).toBe('2025-12-01');
  });

  it('a yearly return is missing only once it is due (31 March of the next year)', () => {
    expect(lastReturnYearDue('2026-03-30', rules)).toBe(2024);
    expect(lastReturnYearDue('2026-03-31', rules)).toBe(2025);
  });

  it('every reason has its words in every language, and a colour in every rule set', () => {
    for (const r of ratingReasons) {
      expect(zhCN[`opt.reasons.${r}` as keyof typeof zhCN], r).toBeTruthy();
      expect(en[`opt.reasons.${r}` as keyof typeof en], r).toBeTruthy();
      for (const set of ratingRuleSets) expect(['yellow', 'red']).toContain(set.severity[r]);
    }
  });
});
