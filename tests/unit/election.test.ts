import { describe, expect, it } from 'vitest';
import {
  checkCandidateMargin,
  checkEntitled,
  countVotes,
  hasQuorum,
  minimumCandidates,
  nextRoundCandidates,
  rankRecommendations,
  RuleViolation,
} from '../../src/domain/election.js';
import { termRulesFor } from '../../src/domain/rules.js';

const rules = termRulesFor('2026-11-25');

describe('candidate margin (≥20% more candidates than seats)', () => {
  it.each([
    [1, 2],
    [3, 4],
    [5, 6],
    [7, 9],
    [10, 12],
    [11, 14],
  ])('%i seats need %i candidates', (seats, min) => {
    expect(minimumCandidates(seats, rules)).toBe(min);
    expect(() => checkCandidateMargin(seats, min, rules)).not.toThrow();
    expect(() => checkCandidateMargin(seats, min - 1, rules)).toThrow(RuleViolation);
  });
  it('names the rule in the refusal', () => {
    expect(() => checkCandidateMargin(5, 5, rules)).toThrow(/at least 6 are required \(20% more than seats\)/);
  });
});

describe('members’ meeting vote', () => {
  const base = { entitled: 50, present: 45, ballotsIssued: 45, ballotsReturned: 45 };
  it('needs more than four fifths of those entitled present', () => {
    expect(hasQuorum(50, 40, rules)).toBe(false); // exactly 4/5 is not enough
    expect(hasQuorum(50, 41, rules)).toBe(true);
    expect(() => countVotes(1, { ...base, present: 40, ballotsIssued: 40, ballotsReturned: 40, votes: { a: 40 } }, rules)).toThrow(/more than 80% must attend/);
  });
  it('elects those with yes votes over half of those present, highest first', () => {
    const r = countVotes(2, { ...base, votes: { a: 23, b: 22, c: 30 } }, rules);
    expect(r).toEqual({ elected: ['c', 'a'], tiedAtLastSeat: [], unfilledSeats: 0 });
    // 22.5 is half of 45: 22 is not over half.
    expect(countVotes(3, { ...base, votes: { a: 23, b: 22, c: 30 } }, rules).unfilledSeats).toBe(1);
  });
  it('voids the vote when more ballots come back than were issued', () => {
    expect(() => countVotes(1, { ...base, ballotsReturned: 46, votes: { a: 40 } }, rules)).toThrow(/void/);
  });
  it('reports a tie at the last seat instead of choosing', () => {
    const r = countVotes(2, { ...base, votes: { a: 40, b: 25, c: 25 } }, rules);
    expect(r).toEqual({ elected: ['a'], tiedAtLastSeat: ['b', 'c'], unfilledSeats: 1 });
  });
  it('votes again on the tied candidates only, after a tie at the last seat', () => {
    const r = countVotes(2, { ...base, votes: { a: 40, b: 25, c: 25, d: 0 } }, rules);
    expect(nextRoundCandidates(['a', 'b', 'c', 'd'], r)).toEqual(['b', 'c']);
    // Without a tie, seats left unfilled go to every candidate not elected.
    const short = countVotes(2, { ...base, votes: { a: 40, b: 20, c: 20, d: 10 } }, rules);
    expect(short).toEqual({ elected: ['a'], tiedAtLastSeat: [], unfilledSeats: 1 });
    expect(nextRoundCandidates(['a', 'b', 'c', 'd'], short)).toEqual(['b', 'c', 'd']);
  });
  it('refuses impossible counts', () => {
    expect(() => countVotes(1, { ...base, present: 51, votes: {} }, rules)).toThrow(/entitled/);
    expect(() => countVotes(1, { ...base, votes: { a: 46 } }, rules)).toThrow(/46 votes/);
  });
  it('refuses more yes votes in all than the ballots returned can hold (one per seat per ballot)', () => {
    // 45 ballots for 1 seat hold 45 yes votes at most: 30 + 30 cannot have come out of the box.
    expect(() => countVotes(1, { ...base, votes: { a: 30, b: 30 } }, rules)).toThrow(RuleViolation);
    expect(() => countVotes(1, { ...base, votes: { a: 30, b: 30 } }, rules)).toThrow(/60 yes votes in all, but 45 ballots returned for 1 seat hold at most 45/);
    expect(() => countVotes(2, { ...base, votes: { a: 45, b: 45, c: 1 } }, rules)).toThrow(/hold at most 90/);
    expect(countVotes(2, { ...base, votes: { a: 45, b: 45 } }, rules).elected).toEqual(['a', 'b']);
    expect(countVotes(1, { ...base, votes: { a: 30, b: 15 } }, rules).elected).toEqual(['a']);
  });
});

describe('two recommendations', () => {
  const w = { turnoutRatio: 0.8, memberWeight: 0.5, villagerWeight: 0.5 };
  it('ranks by the weighted share of both rounds', () => {
    const r = rankRecommendations(
      { entitled: 40, present: 36, votes: { 王伟: 30, 李娜: 20 } },
      { entitled: 300, present: 260, votes: { 王伟: 100, 李娜: 200 } },
      w,
    );
    expect(r.map((x) => x.nominee)).toEqual(['李娜', '王伟']);
  });
  it('refuses a round below its turnout', () => {
    expect(() => rankRecommendations({ entitled: 40, present: 30, votes: {} }, { entitled: 300, present: 260, votes: {} }, w)).toThrow(
      /members' recommendation/,
    );
  });
});

describe('the entitled count of a members’ meeting', () => {
  const rules = termRulesFor('2024-01-01');
  const broken = (f: () => void) => {
    try {
      f();
      return null;
    } catch (e) {
      return (e as RuleViolation).rule;
    }
  };
  it('is the register’s full members on the meeting’s day less approved exclusions with an accepted reason', () => {
    // 50 on the register, 36 typed: 30 present would pass 4/5 of 36, not of 50.
    expect(broken(() => checkEntitled({ entitled: 36 }, 50, rules))).toBe('entitled-count');
    expect(broken(() => checkEntitled({ entitled: 51 }, 50, rules))).toBe('entitled');
    expect(broken(() => checkEntitled({ entitled: 50 }, 50, rules))).toBeNull();
    const away = { count: 14, reason: 'away-long-term', approval: '镇组字〔2024〕7号' };
    expect(broken(() => checkEntitled({ entitled: 36, exclusions: [away] }, 50, rules))).toBeNull();
    expect(broken(() => checkEntitled({ entitled: 36, exclusions: [{ ...away, reason: 'busy' }] }, 50, rules))).toBe('exclusion-reason');
    expect(broken(() => checkEntitled({ entitled: 48, exclusions: [{ names: ['甲', '乙'], reason: 'abroad', approval: '批复' }] }, 50, rules))).toBeNull();
    expect(broken(() => checkEntitled({ entitled: 48, exclusions: [{ count: 3, names: ['甲', '乙'], reason: 'abroad', approval: '批复' }] }, 50, rules))).toBe(
      'exclusions',
    );
    expect(rules.exclusionReasons).toContain('membership-suspended');
  });
});
