// The term register's statutory schedule on Temporal Schedules (created by the worker on start, like the yearly
// assessment's): a daily sweep that chases every organization lacking a term, and the 年度换届计划 on 1 January.
import type { Client } from '@temporalio/client';
import { ensureSchedule } from './schedules.js';
import { termDateSweep } from '../../workflows/term-date-missing/workflow.js';
import { termPlan } from '../../workflows/term-plan.js';

export const TERM_DATE_SWEEP_SCHEDULE_ID = 'term-date-sweep';
export const TERM_PLAN_SCHEDULE_ID = 'term-plan';

/**
 * Puts both Schedules in place (ensureSchedule). Schedules, not workflows sleeping for a day or a year: operators see,
 * pause and trigger them in Temporal's UI and CLI. The sweep at 06:00 Shanghai, before offices open, so a chase's
 * task is in the organizer's inbox that morning; the plan at 08:00 on 1 January. A missed firing (the cluster down)
 * is still taken within the catch-up window.
 */
export async function ensureTermSchedules(client: Client, taskQueue: string): Promise<void> {
  await ensureSchedule(client, taskQueue, {
    scheduleId: TERM_DATE_SWEEP_SCHEDULE_ID,
    workflow: termDateSweep,
    spec: { calendars: [{ hour: 6 }], timezone: 'Asia/Shanghai' },
    catchupWindow: '1 day',
  });
  await ensureSchedule(client, taskQueue, {
    scheduleId: TERM_PLAN_SCHEDULE_ID,
    workflow: termPlan,
    spec: { calendars: [{ month: 'JANUARY', dayOfMonth: 1, hour: 8 }], timezone: 'Asia/Shanghai' },
    catchupWindow: '7 days',
  });
}
