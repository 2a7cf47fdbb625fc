import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { notifier } from '../../workflows/notifier.js';

export const NOTIFIER_ID = 'notifier';

/** Starts the one notifier workflow of a deployment unless it runs already (every worker start calls this). */
export async function ensureNotifier(client: Client, taskQueue: string, intervalSeconds = 60): Promise<void> {
  try {
    await client.workflow.start(notifier, { workflowId: NOTIFIER_ID, taskQueue, args: [{ intervalSeconds }] });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
