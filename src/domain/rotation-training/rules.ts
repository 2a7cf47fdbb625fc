// Rotation training 轮训 (domain.md §4.3): what the training step files and the rule it must meet. One statement
// shared by the workflow's validator and the web form (step-outcomes.ts).
import { z } from 'zod';
import { RuleViolation } from '../election.js';

export const sessionCode = z.string().min(1).max(64);
/** The training task's outcome: attendance at a session the secretary was enrolled in. */
export const attendanceOutcome = z.object({ session: sessionCode, attended: z.literal(true) });

/** Attendance counts only at a session of this cycle's enrolments. */
export function checkAttendance(session: string, enrolled: readonly string[]): void {
  if (!enrolled.includes(session)) throw new RuleViolation('enrolment', `attendance at ${session}: the secretary is not enrolled in it`);
}

/**
 * Attendance is recorded on or after the session's first day (Shanghai date): a session that has not begun has
 * had nobody attend it yet.
 */
export function checkSessionBegun(session: string, startsOn: string, today: string): void {
  if (today < startsOn) {
    throw new RuleViolation('session-not-started', `outcome.session: ${session} begins on ${startsOn}: attendance is recorded on or after its first day`, {
      session,
      startsOn,
      field: 'outcome.session',
    });
  }
}
