import { describe, expect, it } from 'vitest';
import { electionBodyRefusal, electsItsCommittee, termRulesFor, termYearsRefusal } from '../../src/domain/rules.js';
import { checkDelegatesBallot } from '../../src/domain/term-election/rules.js';
import { checkTermStart } from '../../src/domain/term-date-missing/rules.js';
import { RuleViolation } from '../../src/domain/election.js';
import { kindAppliesTo } from '../../src/domain/process-starts.js';

// The term election's rule sets (domain.md §4.1): when the 2018 term opinion applies, which term lengths each set
// allows, who elects how, and the rules of a delegates' conference.
describe('term rule sets', () => {
  it('the 2018 term opinion is in force from 2018-07-12, the day it was issued: a term started the day before is the seed era’s', () => {
    expect(termRulesFor('2018-07-11').id).toBe('hubei-2010');
    expect(termRulesFor('2018-07-12').id).toBe('national-2018');
    expect(termRulesFor('2018-03-01').termYears.village).toBe(3);
  });

  it('names the ballot rounds for unfilled seats as a rule (3 by default)', () => {
    expect(termRulesFor('2026-01-01').maxBallotRounds).toBe(3);
    expect(termRulesFor('2011-01-01').maxBallotRounds).toBe(3);
  });

  it('refuses a term length the rule set in force on the term’s first day does not allow for the organization', () => {
    // Village and community organizations: 5 years from the 2018 opinion, 3 before it.
    expect(termYearsRefusal('branch', 'rural', '2021-03-01', 3)).toMatch(/5 years under national-2018/);
    expect(termYearsRefusal('branch', 'rural', '2021-03-01', 5)).toBeNull();
    expect(termYearsRefusal('branch', 'community', '2024-05-01', 3)).not.toBeNull();
    expect(termYearsRefusal('branch', 'rural', '2016-03-01', 3)).toBeNull();
    expect(termYearsRefusal('branch', 'rural', '2016-03-01', 5)).toMatch(/3 years under hubei-2010/);
    // Elected before the opinion took effect: keeps the seed era's length until the next term.
    expect(termYearsRefusal('branch', 'rural', '2018-07-11', 3)).toBeNull();
    expect(termYearsRefusal('branch', 'rural', '2018-07-12', 3)).not.toBeNull();
    // 基层委员会 5, 总支 and 支部 3 under the opinion; 3–5 and 2–3 under the 党章 of the seed era.
    expect(termYearsRefusal('committee', 'soe', '2022-01-01', 5)).toBeNull();
    expect(termYearsRefusal('committee', 'soe', '2022-01-01', 3)).not.toBeNull();
    expect(termYearsRefusal('general_branch', 'university', '2022-01-01', 5)).not.toBeNull();
    expect(termYearsRefusal('branch', 'nonpublic', '2022-01-01', 3)).toBeNull();
    expect(termYearsRefusal('committee', 'soe', '2012-01-01', 3)).toBeNull();
    expect(termYearsRefusal('branch', 'soe', '2012-01-01', 2)).toBeNull();
    expect(termYearsRefusal('branch', 'soe', '2012-01-01', 4)).not.toBeNull();
  });

  it('the term entered for a missing term is refused when its length is not allowed (补录届期信息)', () => {
    const ctx = { today: '2026-06-01', type: 'branch', sector: 'rural' };
    expect(() => checkTermStart({ termStartedOn: '2024-03-01', termYears: 3 }, ctx)).toThrow(RuleViolation);
    expect(() => checkTermStart({ termStartedOn: '2024-03-01', termYears: 5 }, ctx)).not.toThrow();
  });

  it('who elects how: members’ meetings and delegates’ conferences elect here; appointed 工委 and Party congresses do not', () => {
    expect(electsItsCommittee('members_meeting')).toBe(true);
    expect(electsItsCommittee('delegates_conference')).toBe(true);
    expect(electsItsCommittee('appointed')).toBe(false);
    expect(electsItsCommittee('congress')).toBe(false);
    expect(electionBodyRefusal('appointed')).toMatch(/appointed/);
    expect(electionBodyRefusal('congress')).toMatch(/congress/);
    expect(electionBodyRefusal('members_meeting')).toBeNull();
    // The start offered by the web UI (and checked by the API) follows it: no election, no chase of a missing term.
    const org = { type: 'committee', sector: 'regional', hasParent: true, settlement: null, termEndsOn: '2027-01-01' };
    expect(kindAppliesTo['term-election']({ ...org, electionBody: 'delegates_conference' })).toBe(true);
    expect(kindAppliesTo['term-election']({ ...org, electionBody: 'appointed' })).toBe(false);
    expect(kindAppliesTo['term-election']({ ...org, electionBody: 'congress' })).toBe(false);
    expect(kindAppliesTo['term-date-missing']({ ...org, termEndsOn: null, electionBody: 'appointed' })).toBe(false);
    expect(kindAppliesTo['term-date-missing']({ ...org, termEndsOn: null, electionBody: 'members_meeting' })).toBe(true);
  });

  it('a delegates’ conference counts its delegates, not the members: quorum > 4/5 of the delegates entitled', () => {
    const rules = termRulesFor('2026-01-01');
    const round = { seats: 3, candidates: ['甲', '乙', '丙', '丁'], delegates: 150 };
    const ballot = (entitled: number, present: number, exclusions?: { count: number; reason: 'abroad'; approval: string }[]) => ({
      entitled,
      present,
      ballotsIssued: present,
      ballotsReturned: present,
      votes: { 甲: present, 乙: present, 丙: present, 丁: 0 },
      exclusions,
    });
    expect(checkDelegatesBallot(ballot(150, 121), round, rules).elected).toEqual(['甲', '乙', '丙']);
    // 120 of 150 is exactly 4/5: not more.
    expect(() => checkDelegatesBallot(ballot(150, 120), round, rules)).toThrow(/quorum|4\/5|present/);
    // The members on the register (say 800) are not the entitled.
    expect(() => checkDelegatesBallot(ballot(800, 700), round, rules)).toThrow(expect.objectContaining({ rule: 'delegates-entitled' }));
    expect(checkDelegatesBallot(ballot(148, 140, [{ count: 2, reason: 'abroad', approval: '县委组织部批复' }]), round, rules).elected).toHaveLength(3);
    expect(() => checkDelegatesBallot(ballot(150, 140), { ...round, delegates: null }, rules)).toThrow(expect.objectContaining({ rule: 'delegates' }));
  });
});
