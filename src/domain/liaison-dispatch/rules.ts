// Liaison officer dispatch 选派党建联络员 (domain.md §4.4): what the steps file and the rule the founding meeting
// must meet. One statement shared by the workflow's validators and the web forms (step-outcomes.ts).
import { z } from 'zod';
import { addDays, addMonths, isValidIsoDate, parseIsoDate, type IsoDate } from '../dates.js';
import { RuleViolation } from '../election.js';
import { noteOutcome, usernameSchema } from '../fields.js';

/** The committee above assigns a liaison officer. */
export const assignOfficerOutcome = z.object({ officer: usernameSchema });
/** A visit report: the unit's full members decide when it sets up its own organization. */
export const visitReportOutcome = z.object({
  visitedOn: z.string().refine(isValidIsoDate, 'expected a date YYYY-MM-DD'),
  fullMembers: z.number().int().min(0).max(100_000),
  notes: z.string().max(4000).optional(),
});
/**
 * The founding meeting (成立大会): the day it was held — the new organization's first term starts on it, as a term
 * election's new term starts on its members' meeting — its secretary and its full members.
 */
export const foundingMeetingOutcome = z.object({
  meetingDate: z.string().refine(isValidIsoDate, 'expected a date YYYY-MM-DD'),
  secretary: z.string().trim().min(1).max(100),
  fullMembers: z.number().int().min(0).max(100_000),
});
/** A founding meeting as histories hold it: those recorded before its day was asked for carry none. */
export const recordedFoundingMeeting = foundingMeetingOutcome.partial({ meetingDate: true });

/** An organization is founded with at least the rule set's number of full members (3 under the Party constitution). */
export function checkEstablishThreshold(fullMembers: number, threshold: number): void {
  if (fullMembers < threshold) throw new RuleViolation('establish-threshold', `${fullMembers} full members: an organization needs at least ${threshold}`);
}

/**
 * A meeting was held on a real day: not after today (Asia/Shanghai), and not before it could first be held
 * (`notBefore`, with why) — the same test a term election puts to its members' meeting.
 */
export function checkMeetingHeld(meeting: string, meetingDate: IsoDate, notBefore: { on?: IsoDate; why: string }, today: IsoDate): void {
  if (meetingDate > today) throw new RuleViolation('meeting-date', `the ${meeting} of ${meetingDate} has not been held yet (today is ${today})`);
  if (notBefore.on && meetingDate < notBefore.on)
    throw new RuleViolation('meeting-date', `the ${meeting} of ${meetingDate} is before ${notBefore.on}, ${notBefore.why}`);
}

/** The founding meeting's day starts the organization's first term: held by today, not before the approval. */
export function checkFoundingDate(meetingDate: IsoDate, approvedOn: IsoDate | undefined, today: IsoDate): void {
  checkMeetingHeld('founding meeting', meetingDate, { on: approvedOn, why: 'when the establishment was approved' }, today);
}

/** The county's meeting with its liaison officers (domain.md §4.4, every half-year [local]): its day and what was said. */
export const officersMeetingOutcome = noteOutcome.extend({ meetingDate: z.string().refine(isValidIsoDate, 'expected a date YYYY-MM-DD') });

/** A calendar period (a quarter, a half-year): its first and last day. */
export interface CalendarPeriod {
  from: IsoDate;
  to: IsoDate;
}

/**
 * The calendar period of `months` months (3: a quarter) that holds `day`, counted from 1 January — visits are due by
 * the calendar quarter (domain.md §4.4 "every quarter"), not a quarter after whatever day the last report came in.
 */
export function calendarPeriodOf(day: IsoDate, months: number): CalendarPeriod {
  if (!Number.isInteger(months) || months < 1 || 12 % months !== 0) throw new Error(`a period of ${months} months does not divide the year`);
  const { y, m } = parseIsoDate(day);
  const first = Math.floor((m - 1) / months) * months + 1;
  const from = `${y}-${String(first).padStart(2, '0')}-01`;
  return { from, to: addDays(addMonths(from, months), -1) };
}

/** The period after `p`. */
export function nextCalendarPeriod(p: CalendarPeriod, months: number): CalendarPeriod {
  return calendarPeriodOf(addDays(p.to, 1), months);
}
