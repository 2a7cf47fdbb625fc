// Starts the real servers the suite needs, once: an embedded PostgreSQL, a Temporal dev server (from the
// Go-built CLI), the Java time-skipping test server's wrapper, and one bundle of the workflows.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startEmbeddedPostgres } from '../../src/runtime/postgres.js';
import { startDevServer } from '../../src/runtime/temporal-dev-server.js';
import { ensureTestServer } from '../../src/runtime/temporal-binaries.js';
import { createSql } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { workflowBundleOptions } from '../../src/worker.js';
import { freePort } from '../helpers/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    testServerPath: string;
    workflowBundlePath: string;
    testDataDir: string;
  }
}

export default async function setup(project: TestProject) {
  const log = (m: string) => console.log(`[servers] ${m}`);
  const dir = resolve('.test-data', `run-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const [pgPort, temporalPort] = [await freePort(), await freePort()];
  const started = await Promise.allSettled([
    startEmbeddedPostgres(join(dir, 'postgres'), pgPort, log),
    startDevServer({ dir: join(dir, 'temporal'), port: temporalPort, namespace: 'default', log }),
    ensureTestServer(log),
    bundleWorkflowCode({ ...workflowBundleOptions, logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never }),
  ] as const);
  // One of them failed: stop the servers the others started before giving up, so no run leaves one behind.
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.allSettled(started.slice(0, 2).map((s) => (s.status === 'fulfilled' ? (s.value as { stop(): Promise<void> }).stop() : undefined)));
    throw failed.reason;
  }
  const [pg, temporal, testServerPath, bundle] = started.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
    Awaited<ReturnType<typeof startEmbeddedPostgres>>,
    Awaited<ReturnType<typeof startDevServer>>,
    string,
    Awaited<ReturnType<typeof bundleWorkflowCode>>,
  ];
  const workflowBundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);

  const sql = createSql(pg.url, { max: 1 });
  await migrate(sql);
  await sql.end();

  project.provide('databaseUrl', pg.url);
  project.provide('temporalAddress', temporal.address);
  project.provide('testServerPath', testServerPath);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('testDataDir', dir);

  return async () => {
    await temporal.stop();
    await pg.stop();
    if (!process.env.ORGLIFE_KEEP_TEST_DATA) rmSync(dir, { recursive: true, force: true });
  };
}
