// The yearly assessment's Temporal Schedule, and starting a run for a given year by hand.
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { ensureSchedule } from './schedules.js';
import { yearlyAssessment } from '../../workflows/yearly-assessment.js';
import { AlreadyRunning } from './start.js';

export const ASSESSMENT_SCHEDULE_ID = 'yearly-assessment';

/**
 * Puts the Schedule in place (ensureSchedule): every 31 December at 20:00 Shanghai time, the year is scored.
 * A Schedule, not a workflow sleeping for a year: operators see, pause and trigger it in Temporal's UI and CLI.
 * A missed firing (the cluster down that evening) is still taken within a week.
 */
export async function ensureAssessmentSchedule(client: Client, taskQueue: string): Promise<void> {
  await ensureSchedule(client, taskQueue, {
    scheduleId: ASSESSMENT_SCHEDULE_ID,
    workflow: yearlyAssessment,
    spec: { calendars: [{ month: 'DECEMBER', dayOfMonth: 31, hour: 20 }], timezone: 'Asia/Shanghai' },
    catchupWindow: '7 days',
  });
}

/** Runs the assessment of `year` now (after a data fix, or for a past year); one run of a year at a time. */
export async function startAssessment(client: Client, taskQueue: string, year: number): Promise<string> {
  const workflowId = `yearly-assessment:${year}`;
  try {
    await client.workflow.start(yearlyAssessment, {
      workflowId,
      taskQueue,
      args: [{ year }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new AlreadyRunning(workflowId);
    throw err;
  }
  return workflowId;
}
