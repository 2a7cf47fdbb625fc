// The activities a process workflow calls: reading its context and projecting its state into PostgreSQL
// (task rows, steps, audit events). Each is a short, idempotent database statement, so they run as *local*
// activities: inside the workflow task that calls them, recorded as a marker, instead of a round trip through
// the server (schedule, poll, complete, new workflow task) each — about three server transitions for a task's
// lifecycle where remote activities made about twenty (docs/benchmarks.md).
// Runs recorded without the `LOCAL_ACTIVITIES_PATCH` marker keep remote activities: `patched()` answers false on
// their replay, so recorded histories of both kinds replay. The same holds for the reminders and escalations a
// task's own timers record (`deadlines`, `LOCAL_DEADLINES_PATCH`); tasks opened since deadlines became data have
// no timers at all (workflows/human-task.ts). Slow or outside I/O (e-mail, webhooks, the yearly scoring) stays in
// remote activities where it is called.
import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ProcessActivities } from '../activities/index.js';

export const LOCAL_ACTIVITIES_PATCH = 'local-process-activities';
export const LOCAL_DEADLINES_PATCH = 'local-deadline-activities';

const options = { startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } } as const;
const remote = proxyActivities<ProcessActivities>(options);
const local = proxyLocalActivities<ProcessActivities>(options);

// Module state is the run's own (the SDK evaluates a run's modules afresh): the calls of this run in flight.
let inFlight = 0;
const settle = () => {
  inFlight--;
};

/** How many of this run's process activities are in flight: a run with none left is waiting for a person or a time. */
export const activitiesInFlight = (): number => inFlight;

/** Activities local in runs that carry `patch`, remote in runs that began before it; each call counted while in flight. */
const localAfter = (patch: string): ProcessActivities =>
  new Proxy({} as ProcessActivities, {
    get: (_target, name: string) => {
      const call = (patched(patch) ? local : remote)[name as keyof ProcessActivities] as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => {
        inFlight++;
        const result = call(...args);
        // Counted down on either outcome; the caller handles the rejection (this branch swallows nothing of it).
        void result.then(settle, settle);
        return result;
      };
    },
  });

/** `acts.name(input)`: context reads and projection writes. */
export const acts = localAfter(LOCAL_ACTIVITIES_PATCH);

/** `deadlines.name(input)`: the reminders and escalations that a task's own timers fire (tasks not swept). */
export const deadlines = localAfter(LOCAL_DEADLINES_PATCH);

/**
 * A sweep's activities over the whole tree a page at a time (the term dates' chase, the organization-life years):
 * each page's work is a long batch, retried as a whole.
 */
export const sweepActs = proxyActivities<ProcessActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes' },
});

/** Where a paged sweep resumes: the page after `afterId` of the subtree `under`; it continues as new after each full page. */
export interface SweepPage {
  /** Only this subtree (a code): a county's own run and tests; the Schedule sweeps the whole tree. */
  under?: string;
  afterId?: number;
  /** Organizations per page; the sweep continues as new after each full page so its history stays small. */
  page?: number;
}
