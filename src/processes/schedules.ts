// The one way orglife puts a Temporal Schedule in place (the term sweeps, the yearly assessment, the ratings).
import { ScheduleAlreadyRunning, type Client, type ScheduleOptions, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

/**
 * Creates the Schedule, or — when it exists from an earlier start — gives it this code's spec, action and policies,
 * so a changed interval (ORGLIFE_RATINGS_EVERY_MINUTES) or a new workflow argument applies on the next start. Whether
 * it is paused, and the note an operator left, stay theirs.
 */
export async function ensureSchedule<W extends Workflow>(client: Client, o: ScheduleOptions<ScheduleOptionsStartWorkflowAction<W>>): Promise<void> {
  try {
    await client.schedule.create(o);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(o.scheduleId).update<W>((prev) => ({
      spec: o.spec,
      action: o.action,
      policies: o.policies ?? prev.policies,
      state: { paused: prev.state.paused, note: prev.state.note },
    }));
  }
}
