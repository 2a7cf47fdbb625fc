// The working-day calendar's background work on Temporal: the re-plan after an admin loads a year's holidays, and
// the daily Schedule that tells the admins, from 1 November on, that next year's holidays are missing.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ensureSchedule } from './schedules.js';
import { calendarNotice, calendarReloadedSignal, calendarReplan, calendarReplanId } from '../../workflows/calendar.js';
import type { Actor } from '../../workflows/messages.js';

export const CALENDAR_NOTICE_SCHEDULE_ID = 'calendar-notice';

/**
 * Starts the re-plan of the year's provisional tasks, or — a run of the year going on — tells it the year was loaded
 * again (signalWithStart on the year's id): one run per year, which walks the tasks again on the days just loaded.
 */
export async function startCalendarReplan(client: Client, taskQueue: string, year: number, actor: Actor): Promise<string> {
  const workflowId = calendarReplanId(year);
  await client.workflow.signalWithStart(calendarReplan, {
    workflowId,
    taskQueue,
    args: [{ year, actor }],
    signal: calendarReloadedSignal,
    signalArgs: [{ actor }],
  });
  return workflowId;
}

/** Whether the year's re-plan is running now (false when it never ran, or ended). */
export async function calendarReplanRunning(client: Client, year: number): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(calendarReplanId(year)).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/**
 * Puts the daily notice's Schedule in place (ensureSchedule): 07:00 Shanghai, before offices open, so the message is
 * there that morning. The workflow decides whether there is anything to say (from 1 November, next year missing)
 * and says it once per admin; a missed day is taken within the catch-up window.
 */
export async function ensureCalendarNoticeSchedule(client: Client, taskQueue: string): Promise<void> {
  await ensureSchedule(client, taskQueue, {
    scheduleId: CALENDAR_NOTICE_SCHEDULE_ID,
    workflow: calendarNotice,
    spec: { calendars: [{ hour: 7 }], timezone: 'Asia/Shanghai' },
    catchupWindow: '1 day',
  });
}
