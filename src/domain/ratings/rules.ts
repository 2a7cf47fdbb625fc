// The 约谈 (interview) the supervising committee holds with an organization rated red in enough periods in a row
// (src/domain/ratings.ts): what the organizer records, and its rule. Shared by the workflow's validator and the web form.
import { z } from 'zod';
import { isValidIsoDate } from '../dates.js';
import { RuleViolation } from '../election.js';

export const interviewOutcome = z.object({
  heldOn: z.string({ error: 'v.required' }).refine(isValidIsoDate, { error: 'v.date' }),
  /** Who was talked to, what was found, what the organization undertakes to put right. */
  findings: z.string({ error: 'v.required' }).trim().min(2, { error: 'v.tooShort' }).max(4000, { error: 'v.tooLong' }),
});
export type InterviewOutcome = z.output<typeof interviewOutcome>;

/** What the task shows: the organization, why it is red, and in how many periods in a row. */
export interface InterviewTaskContext {
  organization?: string;
  organizationName?: string;
  /** The rule set's reason codes (src/domain/ratings.ts), shown in words (`opt.reasons.*`). */
  reasons?: readonly string[];
  redPeriods?: number;
  today?: string;
}

/** An interview is recorded once held: a day after the task's day is a plan, not a record. */
export function checkInterviewHeld(o: InterviewOutcome, ctx: InterviewTaskContext): void {
  if (ctx.today && o.heldOn > ctx.today) throw new RuleViolation('interview-held', `the interview cannot be held after today (${ctx.today}), got ${o.heldOn}`);
}
