// The one way orglife puts a Temporal Schedule in place (the term sweeps, the yearly assessment, the ratings).
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import type { Duration, Workflow } from '@temporalio/common';

/** A Schedule that starts one workflow with no arguments of its own (`{}`), skipping a firing while the last runs. */
export interface WorkflowSchedule<W extends Workflow> {
  scheduleId: string;
  workflow: W;
  spec: ScheduleSpec;
  /** How late a missed firing (the cluster down) is still taken. */
  catchupWindow: Duration;
  /** Fire once at creation too (a fresh install has the result at once). */
  triggerImmediately?: boolean;
}

/**
 * Creates the Schedule, or — when it exists from an earlier start — gives it this code's spec, action and policies,
 * so a changed interval (ORGLIFE_RATINGS_EVERY_MINUTES) or a new workflow argument applies on the next start. Whether
 * it is paused, and the note an operator left, stay theirs. Its runs' ids are the Schedule's id and `-scheduled`.
 */
export async function ensureSchedule<W extends Workflow>(client: Client, taskQueue: string, s: WorkflowSchedule<W>): Promise<void> {
  const o: ScheduleOptions<ScheduleOptionsStartWorkflowAction<W>> = {
    scheduleId: s.scheduleId,
    spec: s.spec,
    action: {
      type: 'startWorkflow',
      workflowType: s.workflow,
      workflowId: `${s.scheduleId}-scheduled`,
      args: [{}],
      taskQueue,
    } as ScheduleOptionsStartWorkflowAction<W>,
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: s.catchupWindow },
    ...(s.triggerImmediately ? { state: { triggerImmediately: true } } : {}),
  };
  try {
    await client.schedule.create(o);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(o.scheduleId).update<W>((prev) => ({
      spec: o.spec,
      action: o.action,
      policies: o.policies,
      state: { paused: prev.state.paused, note: prev.state.note },
    }));
  }
}
