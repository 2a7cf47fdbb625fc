// The notifier: gathers pending notifications into one digest per person and one delivery per webhook, and
// sends them. One long-lived workflow (id `notifier`); sending is an activity each, retried with backoff, so a
// flaky SMTP server or webhook receiver delays its own messages, not the task workflows.
import { ParentClosePolicy, WorkflowIdReusePolicy, continueAsNew, patched, proxyActivities, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import { channelDelivery, channelDeliveryId } from './channel-delivery.js';
import type { ProcessActivities } from '../activities/index.js';

export interface NotifierInput {
  /** Digest window: pending notifications are gathered this often when the previous pass found none. */
  intervalSeconds?: number;
  /** Run one pass and return (tests, benchmarks). */
  once?: boolean;
  /** Notifications per pass. */
  batch?: number;
}

const { collectNotifications } = proxyActivities<ProcessActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
const { collectChannelDeliveries } = proxyActivities<ProcessActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
const { sendDigestEmail } = proxyActivities<ProcessActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 12 },
});
const { deliverWebhook } = proxyActivities<ProcessActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 12 },
});

/** Sends with at most `lanes` in flight; a delivery that failed all its attempts stays recorded and is skipped. */
async function inLanes(ids: number[], lanes: number, send: (id: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  let failed = 0;
  const lane = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      await send(id).catch(() => failed++);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, ids.length) }, lane));
  return failed;
}

export async function notifier(input: NotifierInput = {}): Promise<{ digests: number; deliveries: number }> {
  const interval = (input.intervalSeconds ?? 60) * 1000;
  let digests = 0;
  let deliveries = 0;
  for (;;) {
    const pass = await collectNotifications({ limit: input.batch ?? 5000 });
    digests += pass.digests.length;
    deliveries += pass.deliveries.length;
    // 企业微信, 钉钉, SMS beside the e-mail and the webhooks, not after them: a flaky SMTP server's retries do not hold
    // back the other channels. Each row is sent by a workflow of its own (quiet hours and rate limits wait there);
    // its id is the row's, so a replayed or retried start cannot send one twice.
    const channelPass = async (): Promise<number> => {
      if (!patched('channel-deliveries')) return 0;
      const { rows, fresh } = await collectChannelDeliveries({ limit: input.batch ?? 5000 });
      const start = (i: number) =>
        startChild(channelDelivery, {
          workflowId: channelDeliveryId(rows[i]!.uid),
          args: [rows[i]!.id],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        }).catch((err: unknown) => {
          // Already sending (a row started again after a pass stopped): the one workflow of that row goes on.
          if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
        });
      await inLanes(
        rows.map((_, i) => i),
        16,
        start,
      );
      // Rows started again do not keep the notifier awake: only new work does.
      return fresh;
    };
    const [, , channelled] = await Promise.all([inLanes(pass.digests, 16, sendDigestEmail), inLanes(pass.deliveries, 16, deliverWebhook), channelPass()]);
    if (input.once) return { digests, deliveries };
    if (pass.digests.length === 0 && pass.deliveries.length === 0 && channelled === 0) await sleep(interval);
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof notifier>(input);
  }
}
