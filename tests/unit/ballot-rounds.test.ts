import { describe, expect, it } from 'vitest';
import { countVotes, nextRoundCandidates } from '../../src/domain/election.js';
import { termRulesFor, twoRecommendationsRulesFor } from '../../src/domain/rules.js';
import { membersMeeting, selectionElection } from '../../src/domain/steps.js';
import { validateOutcome } from '../../src/domain/step-outcomes.js';

// When equal votes at the last seat leave it undecided, only the tied candidates are voted on again
// (domain.md §4.1): the next round's ballot — the candidates both workflows put in the meeting's context, which the
// task form and the workflow's validator check — holds them alone.
describe('the ballot round after a tie at the last seat', () => {
  const term = termRulesFor('2026-11-25');
  const ballot = { entitled: 50, present: 45, ballotsIssued: 45, ballotsReturned: 45 };

  it('puts only the tied candidates on the term election’s next ballot', () => {
    const candidates = ['甲', '乙', '丙', '丁', '戊'];
    const counted = countVotes(3, { ...ballot, votes: { 甲: 40, 乙: 38, 丙: 25, 丁: 25, 戊: 5 } }, term);
    expect(counted).toMatchObject({ elected: ['甲', '乙'], tiedAtLastSeat: ['丙', '丁'], unfilledSeats: 1 });
    const next = nextRoundCandidates(candidates, counted);
    expect(next).toEqual(['丙', '丁']);
    const context = { ruleSet: term.id, seats: counted.unfilledSeats, candidates: next, committee: counted.elected, fullMembers: 50, round: 2 };
    // A vote for 戊 in the re-vote is for someone not on this ballot: refused beside the votes.
    expect(validateOutcome(membersMeeting, { ...ballot, meetingDate: '2026-11-20', votes: { 丙: 30, 戊: 10 } }, context)).toEqual({ votes: 'r.candidates' });
    expect(validateOutcome(membersMeeting, { ...ballot, meetingDate: '2026-11-20', votes: { 丙: 30, 丁: 10 } }, context)).toBeNull();
  });

  it('puts only the tied candidates on the members’ meeting’s next ballot of 两推一选', () => {
    const r = twoRecommendationsRulesFor('2026-11-25');
    // Two seats: 张三 is elected, 李四 and 王五 tie for the second; 赵六 is not over half and does not stand again.
    const tie = countVotes(2, { ...ballot, votes: { 张三: 30, 李四: 24, 王五: 24, 赵六: 5 } }, r);
    expect(tie).toEqual({ elected: ['张三'], tiedAtLastSeat: ['李四', '王五'], unfilledSeats: 1 });
    const next = nextRoundCandidates(['张三', '李四', '王五', '赵六'], tie);
    expect(next).toEqual(['李四', '王五']);
    const context = { ruleSet: r.id, seats: 1, candidates: next, committee: tie.elected, fullMembers: 50, round: 2 };
    expect(validateOutcome(selectionElection, { ...ballot, votes: { 赵六: 30 } }, context)).toEqual({ votes: 'r.candidates' });
  });
});
