// 流动党员 and members abroad (domain.md §4.7): what the secretary records of a member away and the rules of the
// period. Shared by the workflow's validators, the API and the web form.
import { z } from 'zod';
import { dateField, textField } from '../fields.js';
import { RuleViolation } from '../election.js';
import { ruleSetFor, type DatedRuleSet, type TaskTiming } from '../rules.js';

export const awayKinds = ['away', 'abroad'] as const;
export type AwayKind = (typeof awayKinds)[number];

const day = dateField;
const text = textField;

/** A member away reports (to the branch, which records it): when, where they are now, what they did. */
export const awayReportOutcome = z.object({ reportedOn: day, place: text(200), summary: text(2000) });
/** Away past the rule set's months: the branch decides whether the member's 组织关系 moves to where they are. */
export const transferProposalOutcome = z.object({ decision: z.enum(['transfer', 'keep'], { error: 'v.required' }), note: text(500).optional() });
/** A member abroad contacted: when, how, and what was learned. */
export const abroadContactOutcome = z.object({ contactedOn: day, means: text(100), note: text(2000).optional() });

/** What the tasks show: who is away, where, since when; and the day the step is recorded (read when it is). */
export interface AwayContext {
  member: string;
  place: string;
  since: string;
  today?: string;
}

const notAfterToday = (rule: string, d: string, ctx: AwayContext) => {
  if (d < ctx.since) throw new RuleViolation(rule, `cannot be before the member went away (${ctx.since})`);
  if (ctx.today && d > ctx.today) throw new RuleViolation(rule, `cannot be after today (${ctx.today})`);
};
export const checkAwayReport = (o: z.output<typeof awayReportOutcome>, ctx: AwayContext) => notAfterToday('report-day', o.reportedOn, ctx);
export const checkAbroadContact = (o: z.output<typeof abroadContactOutcome>, ctx: AwayContext) => notAfterToday('contacted-on', o.contactedOn, ctx);
export function checkTransferProposal(o: z.output<typeof transferProposalOutcome>): void {
  if (o.decision === 'keep' && !o.note) throw new RuleViolation('note', 'keeping the member on this register says why');
}

/**
 * Rule parameters of a period away, by effective date: after how many months away the transfer is asked for (the
 * regulations: six), how often a member away reports and a member abroad is contacted, and each task's deadlines on
 * the working-day calendar.
 */
export interface AwayRules extends DatedRuleSet, TaskTiming {
  transferAfterMonths: number;
  reportEveryMonths: number;
  abroadContactEveryMonths: number;
  dueWorkingDays: number;
}
export const awayRuleSets: readonly AwayRules[] = [
  // [reg] transfer after six months away; [default] a report a year; [local] members abroad contacted every six months.
  {
    id: 'member-away-2026',
    effectiveFrom: '2000-01-01',
    transferAfterMonths: 6,
    reportEveryMonths: 12,
    abroadContactEveryMonths: 6,
    dueWorkingDays: 20,
    reminderWorkingDays: [7, 1],
    escalationWorkingDays: [3, 10, 20],
  },
];
export function awayRulesFor(d: string): AwayRules {
  return ruleSetFor(awayRuleSets, 'member-away', d);
}
