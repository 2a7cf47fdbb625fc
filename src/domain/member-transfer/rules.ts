// 组织关系转接 (domain.md §4.7): what each side records and the rules of the move. Shared by the workflow's
// validators, the API and the web form.
import { z } from 'zod';
import { isValidIsoDate } from '../dates.js';
import { RuleViolation } from '../election.js';
import { ruleSetFor, type DatedRuleSet, type TaskTiming } from '../rules.js';

export const transferDirections = ['within', 'out', 'in'] as const;
export type TransferDirection = (typeof transferDirections)[number];
/** Issued (under way), completed, refused by the receiving side, the letter returned unused, or cancelled. */
export const transferStates = ['issued', 'completed', 'refused', 'returned', 'cancelled'] as const;
export type TransferState = (typeof transferStates)[number];

/** The receiving side: the member reported (on a day), or the transfer is refused (with a reason). */
export const acceptOutcome = z.object({
  decision: z.enum(['accepted', 'refused'], { error: 'v.required' }),
  reportedOn: z.string().refine(isValidIsoDate, { error: 'v.date' }).optional(),
  note: z.string().trim().min(1, { error: 'v.required' }).max(500, { error: 'v.tooLong' }).optional(),
});
export type AcceptOutcome = z.output<typeof acceptOutcome>;

/** The sending side of a transfer out of the province: the receipt (回执) came back, or the letter came back unused. */
export const receiptOutcome = z.object({
  decision: z.enum(['received', 'returned'], { error: 'v.required' }),
  receivedOn: z.string().refine(isValidIsoDate, { error: 'v.date' }).optional(),
  note: z.string().trim().min(1, { error: 'v.required' }).max(500, { error: 'v.tooLong' }).optional(),
});
export type ReceiptOutcome = z.output<typeof receiptOutcome>;

/** What the task shows: who moves, from where to where, the letter, and the days that bound what is recorded. */
export interface TransferContext {
  member: string;
  from: string;
  to: string;
  letterNumber?: string;
  issuedOn: string;
  validUntil: string;
  today?: string;
}

/** A member reports between the letter's issue and today; a refusal says why. */
export function checkAccept(o: AcceptOutcome, ctx: TransferContext): void {
  if (o.decision === 'refused') {
    if (!o.note) throw new RuleViolation('note', 'a refused transfer says why');
    return;
  }
  if (!o.reportedOn) throw new RuleViolation('reported-on', 'the day the member reported is required');
  if (o.reportedOn < ctx.issuedOn) throw new RuleViolation('reported-on', `the member cannot report before the letter was issued (${ctx.issuedOn})`);
  if (ctx.today && o.reportedOn > ctx.today) throw new RuleViolation('reported-on', `the member cannot report after today (${ctx.today})`);
}

/** A receipt comes back after the letter left and not after today; a letter returned unused says why. */
export function checkReceipt(o: ReceiptOutcome, ctx: TransferContext): void {
  if (o.decision === 'returned') {
    if (!o.note) throw new RuleViolation('note', 'a letter returned unused says why');
    return;
  }
  if (!o.receivedOn) throw new RuleViolation('received-on', 'the day the receipt came back is required');
  if (o.receivedOn < ctx.issuedOn) throw new RuleViolation('received-on', `the receipt cannot come back before the letter was issued (${ctx.issuedOn})`);
  if (ctx.today && o.receivedOn > ctx.today) throw new RuleViolation('received-on', `the receipt cannot come back after today (${ctx.today})`);
}

/**
 * Rule parameters of the transfer, by effective date: how long a letter is valid (the member reports within it: the
 * receiving task's due day), and the reminders and escalations of both sides' tasks on the working-day calendar.
 */
export interface TransferRules extends DatedRuleSet, TaskTiming {
  letterValidityMonths: number;
}
export const transferRuleSets: readonly TransferRules[] = [
  // [default] domain.md §4.7: a letter valid three months; reminders and escalations as every task (§3).
  { id: 'member-transfer-2026', effectiveFrom: '2000-01-01', letterValidityMonths: 3, reminderWorkingDays: [7, 1], escalationWorkingDays: [3, 10, 20] },
];
export function transferRulesFor(day: string): TransferRules {
  return ruleSetFor(transferRuleSets, 'member-transfer', day);
}
