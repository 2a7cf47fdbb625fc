// Where the reminders and escalations of a task fall on the working-day calendar (domain.md §3). Pure: an
// activity computes the plan (the calendar is data that changes) and the workflow carries the instants.
import type { WorkingCalendar } from './calendar.js';
import { shanghaiDate, shanghaiInstant, type IsoDate } from './dates.js';
import type { TaskTiming } from './rules.js';

export interface PlannedReminder {
  key: string;
  workingDaysBefore: number;
  at: string;
}

export interface PlannedEscalation {
  level: 1 | 2 | 3;
  workingDaysAfter: number;
  at: string;
}

export interface TaskPlan {
  dueAt: string;
  reminders: PlannedReminder[];
  escalations: PlannedEscalation[];
  /**
   * Years the plan reaches into (from the day counting starts to the last escalation) that have no holiday data:
   * there every Monday to Friday was counted as a workday, so the instants are provisional until an admin loads
   * the year, which re-plans the task from `basis`. Absent or empty: final. Plans fixed by a caller have neither.
   */
  provisionalYears?: number[];
  /** What the plan was computed from, to compute it again with a corrected calendar. */
  basis?: PlanInput;
}

export type TaskDue = { on: IsoDate } | { workingDays: number };

export interface PlanInput extends TaskTiming {
  due: TaskDue;
  /** When the task opens (ISO instant): the start for `workingDays`. */
  from: string;
}

/** Deadlines close at the end of the office day, reminders arrive at its start (Asia/Shanghai). */
export const DUE_HOUR = 18;
export const REMINDER_HOUR = 9;

export function planTask(cal: WorkingCalendar, p: PlanInput): TaskPlan {
  // A due date on a holiday moves back to the last workday before it, never later.
  const dueOn = 'on' in p.due ? cal.workdayOnOrBefore(p.due.on) : cal.addWorkingDays(shanghaiDate(new Date(p.from)), p.due.workingDays);
  const dueAt = shanghaiInstant(dueOn, DUE_HOUR);
  const reminders = [...new Set(p.reminderWorkingDays)]
    .sort((a, b) => b - a)
    .map((n) => ({ key: `reminder-${n}wd`, workingDaysBefore: n, at: shanghaiInstant(cal.addWorkingDays(dueOn, -n), REMINDER_HOUR).toISOString() }));
  // Escalation level k when the task is n_k full working days overdue: same hour, n_k working days later.
  const escalations = p.escalationWorkingDays.map((n, i) => ({
    level: (i + 1) as 1 | 2 | 3,
    workingDaysAfter: n,
    at: shanghaiInstant(cal.addWorkingDays(dueOn, n), DUE_HOUR).toISOString(),
  }));
  // Every day the plan looked at: from the start of the count (or the earliest reminder) to the last escalation.
  const days = [dueOn, ...[...reminders, ...escalations].map((x) => shanghaiDate(new Date(x.at)))];
  if ('workingDays' in p.due) days.push(shanghaiDate(new Date(p.from)));
  else days.push(p.due.on);
  days.sort();
  const provisionalYears = cal.missingYears(days[0]!, days.at(-1)!);
  return { dueAt: dueAt.toISOString(), reminders, escalations, provisionalYears, basis: p };
}
