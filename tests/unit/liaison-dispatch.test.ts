import { describe, expect, it } from 'vitest';
import { calendarPeriodOf, checkFoundingDate, nextCalendarPeriod } from '../../src/domain/liaison-dispatch/rules.js';
import { liaisonRuleSets } from '../../src/domain/rules.js';

// Liaison dispatch (domain.md §4.4) rules as pure functions: calendar quarters of visits, the founding meeting's day.
describe('liaison dispatch rules', () => {
  it('visits fall in calendar quarters counted from 1 January, and the next quarter follows the last', () => {
    expect(calendarPeriodOf('2027-02-14', 3)).toEqual({ from: '2027-01-01', to: '2027-03-31' });
    expect(calendarPeriodOf('2027-12-31', 3)).toEqual({ from: '2027-10-01', to: '2027-12-31' });
    expect(nextCalendarPeriod({ from: '2027-10-01', to: '2027-12-31' }, 3)).toEqual({ from: '2028-01-01', to: '2028-03-31' });
    expect(calendarPeriodOf('2028-08-01', 6)).toEqual({ from: '2028-07-01', to: '2028-12-31' });
    expect(() => calendarPeriodOf('2027-02-14', 5)).toThrow(/does not divide the year/);
  });

  it('the founding meeting is held by today and not before the establishment was approved', () => {
    expect(() => checkFoundingDate('2027-03-02', '2027-03-01', '2027-03-10')).not.toThrow();
    expect(() => checkFoundingDate('2027-03-11', '2027-03-01', '2027-03-10')).toThrow(/has not been held yet/);
    expect(() => checkFoundingDate('2027-02-28', '2027-03-01', '2027-03-10')).toThrow(/before 2027-03-01/);
  });

  it('the rule sets leave reminders to the defaults of domain.md §3 unless they name their own', () => {
    // Neither the 2012 notice nor the provincial plan names reminders: 7 and 1 working days, as every task.
    expect(liaisonRuleSets.map((r) => r.reminderWorkingDays)).toEqual(liaisonRuleSets.map(() => undefined));
  });
});
