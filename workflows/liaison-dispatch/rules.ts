// Liaison officer dispatch 选派党建联络员 (domain.md §4.4): what the steps file and the rule the founding meeting
// must meet. One statement shared by the workflow's validators and the web forms (step-outcomes.ts).
import { z } from 'zod';
import { isValidIsoDate } from '../../src/domain/dates.js';
import { RuleViolation } from '../../src/domain/election.js';

/** A username as the API and the workflows accept it. */
export const usernameSchema = z.string().regex(/^[A-Za-z0-9_.@-]{2,64}$/, 'expected a username');

/** The committee above assigns a liaison officer. */
export const assignOfficerOutcome = z.object({ officer: usernameSchema });
/** A visit report: the unit's full members decide when it sets up its own organization. */
export const visitReportOutcome = z.object({
  visitedOn: z.string().refine(isValidIsoDate, 'expected a date YYYY-MM-DD'),
  fullMembers: z.number().int().min(0).max(100_000),
  notes: z.string().max(4000).optional(),
});
/** The founding meeting: the new organization's secretary and its full members. */
export const foundingMeetingOutcome = z.object({ secretary: z.string().trim().min(1).max(100), fullMembers: z.number().int().min(0).max(100_000) });

/** An organization is founded with at least the rule set's number of full members (3 under the Party constitution). */
export function checkEstablishThreshold(fullMembers: number, threshold: number): void {
  if (fullMembers < threshold) throw new RuleViolation('establish-threshold', `${fullMembers} full members: an organization needs at least ${threshold}`);
}
