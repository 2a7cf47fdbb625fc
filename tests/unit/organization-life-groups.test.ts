import { describe, expect, it } from 'vitest';
import type { RuleViolation } from '../../src/domain/election.js';
import { checkMeetingRecord, lifeRulesFor, obligationsOf, type MeetingContext } from '../../src/domain/organization-life/rules.js';

// 党小组会 in the cadence: from 2027 a branch owes one a month for each of its groups; a year under the 2018 rules owes
// none whatever groups it has. A group's record holds the group meeting alone, its absent members from the group.
describe('党小组会 in the year of organization life', () => {
  it('owes one a month per group from 2027, none before', () => {
    const r27 = lifeRulesFor('2027-01-01');
    expect(r27.id).toBe('branch-life-2027');
    const year = obligationsOf(2027, r27, [7, 9]);
    expect(year).toHaveLength(32 + 24);
    expect(year.filter((o) => o.period === '2027-03' && o.kind === 'group-meeting').map((o) => o.groupId)).toEqual([7, 9]);
    expect(obligationsOf(2027, r27)).toHaveLength(32);
    expect(obligationsOf(2026, lifeRulesFor('2026-01-01'), [7, 9])).toHaveLength(32);
  });

  it("refuses a group's record with another kind or a member absent who was not in the group", () => {
    const c: MeetingContext = {
      kind: 'group-meeting',
      period: '2027-03',
      periodWords: '2027年3月',
      startsOn: '2027-03-01',
      endsOn: '2027-03-31',
      today: '2027-03-20',
      group: { id: 7, name: '第一党小组' },
      onRegister: { '2027-03-10': { '5': '张三', '6': null } },
    };
    const record = { meetingOn: '2027-03-10', kinds: ['group-meeting' as const], topic: '学习党章', minutes: '组长领学。' };
    expect(() => checkMeetingRecord({ ...record, absent: [{ memberId: 5, reason: 'sick' }] }, c)).not.toThrow();
    const rule = (f: () => void) => {
      try {
        f();
      } catch (err) {
        return (err as RuleViolation).rule;
      }
    };
    expect(rule(() => checkMeetingRecord({ ...record, absent: [{ memberId: 6, reason: 'sick' }] }, c))).toBe('absent-not-in-group');
    expect(rule(() => checkMeetingRecord({ ...record, kinds: ['group-meeting', 'theme-day'] }, c))).toBe('meeting-kind');
  });
});
