import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import type { Sql } from '../../src/db/client.js';
import { installRuntimeLogger } from '../../src/worker.js';
import { quietLog } from './context.js';

/**
 * Temporal's Java time-skipping test server (wrapper from the per-user cache) with a worker whose activities
 * write to the suite's real PostgreSQL.
 */
export async function timeSkipping(sql: Sql) {
  installRuntimeLogger(quietLog);
  // The SDK gives the JVM 5 s to listen; on a loaded 2-core machine a cold start can take longer: retry.
  let env: TestWorkflowEnvironment | undefined;
  for (let attempt = 1; !env; attempt++) {
    try {
      env = await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
      });
    } catch (err) {
      if (attempt >= 4 || !/did not start within/.test(String(err))) throw err;
    }
  }
  const taskQueue = `ts-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: createActivities(sql),
  });
  return { env, worker, taskQueue };
}
