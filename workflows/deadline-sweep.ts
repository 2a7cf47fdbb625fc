// The deadline sweep of a lane (the task queue whose workflows opened the tasks): one long-running workflow on the
// lane's own deadline queue that sleeps until the next planned instant, records everything due in set-based
// batches (activities/deadlines.ts), and sleeps again. Whoever plans an instant earlier than the one it sleeps
// until wakes it with `wakeDeadlineSweep` (signal-with-start, so the first task of a lane also starts it).
//
// Its clock is Temporal's: a time-skipping test moves it like any timer, and the activity records "due at the
// sweep's now", never the database's. Its history is a short loop; it continues as new before it grows.
import { condition, continueAsNew, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { deadlineActivities } from '../activities/deadlines.js';

export const wakeDeadlineSweep = defineSignal('wakeDeadlineSweep');

/** The sweep's workflow id and its task queue, per lane. */
export const deadlineSweepId = (lane: string) => `deadline-sweep:${lane}`;
export const deadlineQueue = (lane: string) => `${lane}:deadlines`;

const { recordDueDeadlines } = proxyActivities<ReturnType<typeof deadlineActivities>>({
  startToCloseTimeout: '1 hour',
  // A worker killed mid-pass is noticed within the heartbeat timeout; the pass's open transaction rolled back, so
  // the retry records the same rows once.
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Passes per run before continuing as new: the history stays a few thousand events. */
const PASSES_PER_RUN = 500;
/** While rows stay due (skipped because a person's action held their task), the next pass waits this long. */
const RETRY_MS = 1_000;

export async function deadlineSweep(input: { lane: string }): Promise<void> {
  let woken = false;
  setHandler(wakeDeadlineSweep, () => {
    woken = true;
  });
  for (let pass = 0; pass < PASSES_PER_RUN; pass++) {
    woken = false;
    const { nextAt } = await recordDueDeadlines({ lane: input.lane, until: new Date().toISOString() });
    if (woken) continue;
    if (nextAt === null) await condition(() => woken);
    else {
      const wait = Date.parse(nextAt) - Date.now();
      await condition(() => woken, wait > 0 ? wait : RETRY_MS);
    }
  }
  // Signals that arrived during the last pass are not lost: the next run's first pass records what they announced.
  await continueAsNew<typeof deadlineSweep>(input);
}
