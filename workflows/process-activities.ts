// The activities a process workflow calls: reading its context and projecting its state into PostgreSQL
// (task rows, steps, audit events). Each is a short, idempotent database statement, so they run as *local*
// activities: inside the workflow task that calls them, recorded as a marker, instead of a round trip through
// the server (schedule, poll, complete, new workflow task) each. A human-task lifecycle made about twenty
// sequential server transitions with remote activities and makes about three with local ones (BENCHMARKS.md).
// Runs that began before this change keep calling remote activities until they are live again: `patched()`
// answers false while a history without the marker replays, so recorded histories of both kinds replay.
// Work that timers release in bulk (a deadline storm's reminders and escalations) stays remote (`queued`): it
// waits in Temporal's task queue for the worker's bounded activity slots instead of holding workflow tasks open,
// so a person's action still finds a free workflow task slot. Slow or outside I/O (e-mail, webhooks, the yearly
// scoring) stays in remote activities where it is called.
import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ProcessActivities } from '../activities/index.js';

export const LOCAL_ACTIVITIES_PATCH = 'local-process-activities';

const options = { startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } } as const;
const remote = proxyActivities<ProcessActivities>(options);
const local = proxyLocalActivities<ProcessActivities>(options);

/** Always remote: see above. */
export const queued = remote;

/** `acts.name(input)`: local in runs that carry the patch, remote in runs that began before it. */
export const acts: ProcessActivities = new Proxy({} as ProcessActivities, {
  get: (_target, name: string) => (patched(LOCAL_ACTIVITIES_PATCH) ? local : remote)[name as keyof ProcessActivities],
});
