// One delivery-log row sent once (activities/channels.ts): quiet hours and a robot's rate limit are waits on a
// Temporal timer, "too fast" and network failures are the activity's retries with backoff.
import { ActivityFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { ProcessActivities } from '../activities/index.js';

const { sendChannelDelivery } = proxyActivities<ProcessActivities>({
  // Above the longest send: an expired token fetched again and the call repeated, 10 s each, twice over (outcome.ts).
  // A worker that dies mid-send is noticed after this.
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 10 },
});
const { giveUpChannelDelivery } = proxyActivities<ProcessActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** The row's workflow id, from the row's uid (not its id: ids repeat in another database on the same Temporal). */
export const channelDeliveryId = (uid: string): string => `channel-delivery:${uid}`;

export async function channelDelivery(deliveryId: number): Promise<'sent' | 'failed' | 'unknown'> {
  for (;;) {
    let r: Awaited<ReturnType<typeof sendChannelDelivery>>;
    try {
      r = await sendChannelDelivery(deliveryId);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      await giveUpChannelDelivery(deliveryId);
      return 'failed';
    }
    if (r.status !== 'wait') return r.status;
    await sleep(r.waitMs);
  }
}
