// A term date missing from the register (domain.md §3: "an organization with no term date on record is itself
// chased until one is entered"): what the organizer files and the rules of the chase. Shared by the workflow's
// validator and the web form.
import { z } from 'zod';
import { isValidIsoDate } from '../dates.js';
import { RuleViolation } from '../election.js';
import { termYearsRefusal, ruleSetFor, type DatedRuleSet, type TaskTiming } from '../rules.js';

/** The term the supervising committee's organizer enters: when it began, how many years, and (optionally) who leads. */
export const termDateOutcome = z.object({
  termStartedOn: z.string({ error: 'v.required' }).refine(isValidIsoDate, { error: 'v.date' }),
  termYears: z
    .number({ error: (iss) => (iss.input === undefined ? 'v.required' : 'v.int') })
    .int({ error: 'v.int' })
    .min(1, { error: 'v.min' })
    .max(10, { error: 'v.max' }),
  secretary: z.string().trim().min(1, { error: 'v.required' }).max(100, { error: 'v.tooLong' }).optional(),
});
export type TermDateOutcome = z.output<typeof termDateOutcome>;

/** What the task shows: the organization whose term is missing, and the day the chase's task was opened. */
export interface TermDateContext {
  organization?: string;
  organizationName?: string;
  today?: string;
  /** The organization's type and sector (chases opened before they were carried have none, and skip the length check). */
  type?: string;
  sector?: string;
}

/**
 * A term cannot begin after the day it is entered: a date in the future is a typing error, not a plan. Its length is
 * one the rule set in force on its first day allows for the organization (domain.md §4.1; termYearsRefusal).
 */
export function checkTermStart(o: TermDateOutcome, ctx: TermDateContext): void {
  if (ctx.today && o.termStartedOn > ctx.today)
    throw new RuleViolation('term-start', `the term cannot start after today (${ctx.today}), got ${o.termStartedOn}`);
  const refused = ctx.type && ctx.sector ? termYearsRefusal(ctx.type, ctx.sector, o.termStartedOn, o.termYears) : null;
  if (refused) throw new RuleViolation('term-years', refused);
}

/**
 * Rule parameters of the chase, by effective date like every rule set (src/domain/rules.ts): the task's due date
 * and its reminders and escalations on the working-day calendar.
 */
export interface TermDateRules extends DatedRuleSet, TaskTiming {
  dueWorkingDays: number;
}
export const termDateRuleSets: readonly TermDateRules[] = [
  // [default] two working weeks to look the term up in the files; escalations as every task (domain.md §3).
  { id: 'term-date-2026', effectiveFrom: '2000-01-01', dueWorkingDays: 10, reminderWorkingDays: [7, 1], escalationWorkingDays: [3, 10, 20] },
];
export function termDateRulesFor(day: string): TermDateRules {
  return ruleSetFor(termDateRuleSets, 'term-date', day);
}
