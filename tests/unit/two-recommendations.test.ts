import { describe, expect, it } from 'vitest';
import { RuleViolation } from '../../src/domain/election.js';
import { twoRecommendationsRulesFor, twoRecommendationsRuleSets } from '../../src/domain/rules.js';
import {
  checkPreliminaryCandidates,
  checkRecommendationRound,
  checkSelectionBallot,
  hasSuitableCandidates,
  meetsTurnout,
  qualifiedNominees,
  weightedRanking,
} from '../../src/domain/two-recommendations-one-election/rules.js';
import { preliminaryCandidatesOutcome, recommendationOutcome, selectionPlanOutcome, formToOutcome, validateOutcome } from '../../src/domain/step-outcomes.js';
import { selectionPlan, townshipApproval } from '../../src/domain/steps.js';

const rules = twoRecommendationsRulesFor('2026-01-01');
const hubei = twoRecommendationsRulesFor('2011-06-01');
const rule = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof RuleViolation) return err.rule;
    throw err;
  }
  return null;
};

describe('two recommendations, one election: rule sets by effective date', () => {
  it('takes the set in force on the date, or a named one for history', () => {
    expect(rules.id).toBe('two-rec-2018');
    expect(hubei.id).toBe('two-rec-hubei-2010');
    expect(twoRecommendationsRulesFor('2026-01-01', 'two-rec-hubei-2010').id).toBe('two-rec-hubei-2010');
    expect(() => twoRecommendationsRulesFor('2009-12-31')).toThrow(/no two-recommendations rule set in force/);
    expect(() => twoRecommendationsRulesFor('2026-01-01', 'nope')).toThrow(/unknown rule set/);
    for (const r of twoRecommendationsRuleSets) expect(r.memberWeight + r.villagerWeight).toBeCloseTo(1, 9);
  });
});

describe('recommendation meetings', () => {
  it('members: at least 80% of those entitled', () => {
    expect(meetsTurnout(32, 26, rules.memberTurnout)).toBe(true); // 25.6 needed
    expect(meetsTurnout(32, 25, rules.memberTurnout)).toBe(false);
    expect(meetsTurnout(10, 8, rules.memberTurnout)).toBe(true); // exactly 80% is enough
    expect(rule(() => checkRecommendationRound('members', { entitled: 32, present: 25, votes: { a: 10 } }, 1, rules))).toBe('turnout');
    expect(rule(() => checkRecommendationRound('members', { entitled: 32, present: 26, votes: { a: 10 } }, 1, rules))).toBeNull();
  });
  it('villagers: more than half; representatives: at least two thirds', () => {
    expect(rule(() => checkRecommendationRound('villagers', { entitled: 600, present: 300, votes: { a: 1 } }, 1, rules))).toBe('turnout');
    expect(rule(() => checkRecommendationRound('villagers', { entitled: 600, present: 301, votes: { a: 1 } }, 1, rules))).toBeNull();
    expect(rule(() => checkRecommendationRound('representatives', { entitled: 45, present: 29, votes: { a: 1 } }, 1, rules))).toBe('turnout');
    expect(rule(() => checkRecommendationRound('representatives', { entitled: 45, present: 30, votes: { a: 1 } }, 1, rules))).toBeNull();
  });
  it('refuses impossible counts', () => {
    expect(rule(() => checkRecommendationRound('members', { entitled: 32, present: 33, votes: {} }, 1, rules))).toBe('present');
    expect(rule(() => checkRecommendationRound('members', { entitled: 40, present: 35, votes: { a: 1 } }, 1, rules, 32))).toBe('entitled');
    expect(rule(() => checkRecommendationRound('members', { entitled: 0, present: 0, votes: {} }, 1, rules))).toBe('turnout');
    // No nominee has more recommendations than participants.
    expect(rule(() => checkRecommendationRound('members', { entitled: 30, present: 28, votes: { a: 29 } }, 1, rules))).toBe('votes');
    // Each participant names at most one nominee per seat.
    expect(rule(() => checkRecommendationRound('members', { entitled: 30, present: 28, votes: { a: 20, b: 9 } }, 1, rules))).toBe('votes');
    expect(rule(() => checkRecommendationRound('members', { entitled: 30, present: 28, votes: { a: 20, b: 9 } }, 2, rules))).toBeNull();
  });
});

describe('the weighted ranking and the preliminary candidates', () => {
  const members = { entitled: 32, present: 28, votes: { 王伟: 14, 李娜: 10, 赵强: 4 } };
  const villagers = { entitled: 45, present: 36, votes: { 王伟: 20, 李娜: 12, 赵强: 4 } };

  it('weights each round by the rule set', () => {
    expect(weightedRanking(members, villagers, rules).map((r) => [r.nominee, r.score])).toEqual([
      ['王伟', 0.5278],
      ['李娜', 0.3452],
      ['赵强', 0.127],
    ]);
    // The seed era weighted the members' round 60/40: the same counts rank differently.
    const m = { entitled: 20, present: 20, votes: { a: 14, b: 6 } };
    const v = { entitled: 100, present: 100, votes: { a: 25, b: 75 } };
    expect(weightedRanking(m, v, rules).map((r) => [r.nominee, r.score])).toEqual([
      ['b', 0.525],
      ['a', 0.475],
    ]);
    expect(weightedRanking(m, v, hubei).map((r) => [r.nominee, r.score])).toEqual([
      ['a', 0.52],
      ['b', 0.48],
    ]);
    // Equal scores: by name, so the ranking does not depend on the order nominees were entered in.
    expect(weightedRanking({ entitled: 2, present: 2, votes: { 乙: 1, 甲: 1 } }, { entitled: 2, present: 2, votes: {} }, rules).map((r) => r.nominee)).toEqual(
      ['乙', '甲'].sort((x, y) => x.localeCompare(y)),
    );
  });

  it('recommended nominees, at least 20% more than seats; the qualifying share only advises the township', () => {
    const ranking = weightedRanking(members, villagers, rules);
    expect(qualifiedNominees(ranking, rules).map((r) => r.nominee)).toEqual(['王伟', '李娜']);
    expect(hasSuitableCandidates(ranking, 1, rules)).toBe(true);
    expect(hasSuitableCandidates(ranking, 2, rules)).toBe(false); // 2 seats need 3 candidates
    expect(rule(() => checkPreliminaryCandidates(['王伟', '李娜'], 1, ranking, rules))).toBeNull();
    expect(rule(() => checkPreliminaryCandidates(['王伟'], 1, ranking, rules))).toBe('candidate-margin');
    // 赵强 is below the share: the township committee, having reviewed the results, may still let him stand.
    expect(rule(() => checkPreliminaryCandidates(['王伟', '赵强'], 1, ranking, rules))).toBeNull();
    expect(rule(() => checkPreliminaryCandidates(['王伟', '陈刚'], 1, ranking, rules))).toBe('not-recommended');
    expect(rule(() => checkPreliminaryCandidates(['王伟', '王伟'], 1, ranking, rules))).toBe('candidates');
  });

  it("the members' meeting: full members only, quorum, void ballots, win rule", () => {
    const round = { seats: 1, candidates: ['王伟', '李娜'], fullMembers: 30 };
    const ballot = { entitled: 30, present: 27, ballotsIssued: 27, ballotsReturned: 27, votes: { 王伟: 20, 李娜: 7 } };
    expect(checkSelectionBallot(ballot, round, rules).elected).toEqual(['王伟']);
    expect(rule(() => checkSelectionBallot({ ...ballot, entitled: 32 }, round, rules))).toBe('entitled');
    expect(rule(() => checkSelectionBallot({ ...ballot, votes: { 赵强: 20 } }, round, rules))).toBe('candidates');
    expect(rule(() => checkSelectionBallot({ ...ballot, present: 24, ballotsIssued: 24, ballotsReturned: 24 }, round, rules))).toBe('quorum');
    expect(rule(() => checkSelectionBallot({ ...ballot, ballotsReturned: 28 }, round, rules))).toBe('void-ballot');
    // 13 of 27 is not more than half: nobody elected, the seat stays open.
    expect(checkSelectionBallot({ ...ballot, votes: { 王伟: 13, 李娜: 13 } }, round, rules)).toMatchObject({ elected: [], unfilledSeats: 1 });
  });
});

describe('step outcomes of the selection', () => {
  it('validates the plan field by field (the form the web UI shows)', () => {
    const form = selectionPlan;
    expect(validateOutcome(form, formToOutcome(form, {}))).toEqual({
      post: 'v.required',
      seats: 'v.required',
      villagerBasis: 'v.required',
      eligibility: 'v.required',
      publishedOn: 'v.required',
    });
    expect(
      validateOutcome(form, formToOutcome(form, { post: 'mayor', seats: '0', villagerBasis: 'villagers', eligibility: 'x', publishedOn: '2027-02-30' })),
    ).toEqual({ post: 'v.option', seats: 'v.min', publishedOn: 'v.date' });
    expect(
      selectionPlanOutcome.safeParse({ post: 'secretary', seats: 1, villagerBasis: 'representatives', eligibility: '本村党员', publishedOn: '2027-02-28' })
        .success,
    ).toBe(true);
  });
  it('needs counts and at least one nominee; a decision on the candidates', () => {
    expect(recommendationOutcome.safeParse({ entitled: 10, present: 9, votes: {} }).success).toBe(false);
    expect(recommendationOutcome.safeParse({ entitled: 10, present: -1, votes: { a: 1 } }).success).toBe(false);
    expect(preliminaryCandidatesOutcome.safeParse({ decision: 'no-suitable-candidate' }).success).toBe(false);
    expect(preliminaryCandidatesOutcome.safeParse({ decision: 'no-suitable-candidate', reason: '无合适人选' }).success).toBe(true);
  });
});

describe("两推一选's words for a community (domain.md §2: led by a street committee, heading a residents' committee)", () => {
  it('reads 街道党工委 and 居委会主任 where a village reads 乡镇党委 and 村委会主任, in both languages', async () => {
    const { zhCN } = await import('../../web/src/i18n/zh-CN.js');
    const { en } = await import('../../web/src/i18n/en.js');
    const zh = zhCN as Record<string, string>;
    expect(townshipApproval.variants?.community?.['zh-CN']).toBe('街道党工委审批');
    expect(zh['field.concurrentHead']).toContain('村委会主任');
    expect(zh['field.concurrentHead.community']).toContain('居委会主任');
    expect(zh['ctx.concurrentHead.community']).toContain('居委会主任');
    expect(zh['opt.villagerBasis.villagers.community']).toBe('居民会议');
    expect(zh['opt.villagerBasis.representatives.community']).toBe('居民代表会议');
    expect(zh['ctx.advice.community']).toContain('街道党工委');
    // No community variant speaks of a township or of villagers.
    const community = Object.entries(zh).filter(([k]) => k.endsWith('.community'));
    expect(community.length).toBeGreaterThan(5);
    for (const [, v] of community) expect(v).not.toMatch(/乡镇|村委会|村民/);
    for (const [k] of community) expect((en as Record<string, string>)[k], k).toBeTruthy();
  });
});
