// The activities a process workflow calls: reading its context and projecting its state into PostgreSQL
// (task rows, steps, audit events). Each is a short, idempotent database statement, so they run as *local*
// activities: inside the workflow task that calls them, recorded as a marker, instead of a round trip through
// the server (schedule, poll, complete, new workflow task) each. A human-task lifecycle made about twenty
// sequential server transitions with remote activities and makes about three with local ones (BENCHMARKS.md).
// Runs that began before this change keep calling remote activities until they are live again: `patched()`
// answers false while a history without the marker replays, so recorded histories of both kinds replay.
// Reminders and escalations (`deadlines`), which timers release in bulk in a deadline storm, were kept remote at
// first so that a storm would wait in the activity queue. Measured, the remote round trip was the storm's cost:
// each firing timer made two workflow tasks and an activity task (about seven persisted transitions) where a
// local activity makes one workflow task. A storm still waits in Temporal: the timers' workflow tasks queue on
// the server for the worker's bounded workflow-task and local-activity slots (BENCHMARKS.md, fourth session).
// Runs that began before that change keep their remote reminders (`LOCAL_DEADLINES_PATCH`). Slow or outside I/O
// (e-mail, webhooks, the yearly scoring) stays in remote activities where it is called.
import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ProcessActivities } from '../activities/index.js';

export const LOCAL_ACTIVITIES_PATCH = 'local-process-activities';
export const LOCAL_DEADLINES_PATCH = 'local-deadline-activities';

const options = { startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } } as const;
const remote = proxyActivities<ProcessActivities>(options);
const local = proxyLocalActivities<ProcessActivities>(options);

/** Activities local in runs that carry `patch`, remote in runs that began before it. */
const localAfter = (patch: string): ProcessActivities =>
  new Proxy({} as ProcessActivities, {
    get: (_target, name: string) => (patched(patch) ? local : remote)[name as keyof ProcessActivities],
  });

/** `acts.name(input)`: context reads and projection writes. */
export const acts = localAfter(LOCAL_ACTIVITIES_PATCH);

/** `deadlines.name(input)`: the reminders and escalations that timers fire. */
export const deadlines = localAfter(LOCAL_DEADLINES_PATCH);
