import { describe, expect, it } from 'vitest';
import { countVotes } from '../../src/domain/election.js';
import { termRulesFor, twoRecommendationsRulesFor } from '../../src/domain/rules.js';
import { selectionBallotOf, termBallotOf, type StepHistory } from '../../src/domain/step-context.js';
import { checkBallot } from '../../src/domain/term-election.js';

// Item 9: when equal votes at the last seat leave it undecided, only the tied candidates are voted on again
// (domain.md §4.1): the next round's ballot (what the task form and the workflow's validator check) holds them alone.
describe('the ballot round after a tie at the last seat', () => {
  const term = termRulesFor('2026-11-25');
  const ballot = { entitled: 50, present: 45, ballotsIssued: 45, ballotsReturned: 45 };

  it('puts only the tied candidates on the term election’s next ballot', () => {
    const slate = { seats: 3, candidates: ['甲', '乙', '丙', '丁', '戊'] };
    const counted = countVotes(3, { ...ballot, votes: { 甲: 40, 乙: 38, 丙: 25, 丁: 25, 戊: 5 } }, term);
    expect(counted).toMatchObject({ elected: ['甲', '乙'], tiedAtLastSeat: ['丙', '丁'], unfilledSeats: 1 });
    const h: StepHistory = [
      { event: 'registered', detail: { ruleSet: term.id } },
      { event: 'candidates-proposed', detail: slate },
      { event: 'members-meeting-counted', detail: { ...counted, committee: counted.elected, round: 1 } },
    ];
    const next = termBallotOf(h)!;
    expect(next).toEqual({ seats: 1, candidates: ['丙', '丁'], committee: ['甲', '乙'] });
    // A vote for 戊 in the re-vote is for someone not on this ballot.
    expect(() => checkBallot({ ...ballot, votes: { 丙: 30, 戊: 10 } }, { ...next, fullMembers: 50 }, term)).toThrow(/not candidates in this ballot: 戊/);
  });

  it('puts only the tied candidates on the members’ meeting’s next ballot of 两推一选', () => {
    const r = twoRecommendationsRulesFor('2026-11-25');
    // Two seats: 张三 is elected, 李四 and 王五 tie for the second; 赵六 is not over half and does not stand again.
    const tie = countVotes(2, { ...ballot, votes: { 张三: 30, 李四: 24, 王五: 24, 赵六: 5 } }, r);
    expect(tie).toEqual({ elected: ['张三'], tiedAtLastSeat: ['李四', '王五'], unfilledSeats: 1 });
    const h: StepHistory = [
      { event: 'registered', detail: { ruleSet: r.id } },
      { event: 'plan-published', detail: { seats: 2, villagerBasis: 'villagers' } },
      { event: 'candidates-fixed', detail: { candidates: ['张三', '李四', '王五', '赵六'] } },
      { event: 'selection-election-counted', detail: { ...tie, committee: tie.elected, round: 1 } },
    ];
    expect(selectionBallotOf(h)).toEqual({ seats: 1, candidates: ['李四', '王五'], committee: ['张三'] });
  });
});
