// The ratings' (三色管理) Temporal Schedule, created by the worker on start like the term register's and the
// assessment's: the recompute every ORGLIFE_RATINGS_EVERY_MINUTES (default 10) keeps the colours within minutes of
// the processes' state, which the lists, the pictures and the 约谈 read.
import type { Client } from '@temporalio/client';
import { ensureSchedule } from './schedules.js';
import { ratingsRecompute } from '../../workflows/ratings/workflow.js';

export const RATINGS_SCHEDULE_ID = 'ratings-recompute';

/**
 * Puts the Schedule in place (ensureSchedule), firing once at creation too (a fresh install has ratings at once).
 * Overlaps are skipped: a slow recompute is not queued behind itself.
 */
export async function ensureRatingsSchedule(client: Client, taskQueue: string, everyMinutes: number): Promise<void> {
  await ensureSchedule(client, taskQueue, {
    scheduleId: RATINGS_SCHEDULE_ID,
    workflow: ratingsRecompute,
    spec: { intervals: [{ every: `${everyMinutes} minutes` }] },
    catchupWindow: '1 hour',
    triggerImmediately: true,
  });
}
