// Starts the real servers the suite needs, once: an embedded PostgreSQL, a Temporal dev server (from the
// Go-built CLI), the Java time-skipping test server's wrapper, and one bundle of the workflows.
// With ORGLIFE_CLUSTER=1 (`npm test -- --cluster`) the production topology replaces the dev server
// (src/runtime/cluster.ts): Temporal server 1.29.1 on this PostgreSQL, and beside it two API and two worker
// processes behind a balancer, in a namespace and database of their own (`orglife-cluster`, so that their
// notifier and schedule never meet the suite's rows); the suite's own stacks use the same Temporal server in
// the `default` namespace. tests/cluster/ talks to the topology through the balancer (clusterStateFile).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startEmbeddedPostgres } from '../../src/runtime/postgres.js';
import { startDevServer } from '../../src/runtime/temporal-dev-server.js';
import { startCluster } from '../../src/runtime/cluster.js';
import { ensureTestServer } from '../../src/runtime/temporal-binaries.js';
import { createSql } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { workflowBundleOptions } from '../../src/worker.js';
import { freePort } from '../../src/runtime/ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    testServerPath: string;
    workflowBundlePath: string;
    testDataDir: string;
    /** <dir>/cluster.json of the cluster topology (ORGLIFE_CLUSTER=1), '' otherwise. */
    clusterStateFile: string;
  }
}

export default async function setup(project: TestProject) {
  const log = (m: string) => console.log(`[servers] ${m}`);
  const dir = resolve('.test-data', `run-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const cluster = process.env.ORGLIFE_CLUSTER === '1';
  const [pgPort, temporalPort] = [await freePort(), await freePort()];
  const bundling = bundleWorkflowCode({
    ...workflowBundleOptions,
    logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never,
  });
  const testServing = ensureTestServer(log);
  // The dev server starts beside PostgreSQL; the cluster's Temporal needs PostgreSQL first. The cluster's processes
  // and Temporal keep up to ~80 connections, the suite's stacks add theirs.
  const [pgStarted, devStarted] = await Promise.allSettled([
    startEmbeddedPostgres(join(dir, 'postgres'), pgPort, log, { extraFlags: cluster ? ['-c', 'max_connections=300'] : [] }),
    cluster ? Promise.resolve(null) : startDevServer({ dir: join(dir, 'temporal'), port: temporalPort, namespace: 'default', log }),
  ]);
  const stops: (() => Promise<void>)[] = [];
  if (devStarted.status === 'fulfilled' && devStarted.value) stops.push(devStarted.value.stop);
  if (pgStarted.status === 'fulfilled') stops.push(pgStarted.value.stop);
  let temporalAddress = devStarted.status === 'fulfilled' && devStarted.value ? devStarted.value.address : '';
  let clusterStateFile = '';
  try {
    if (pgStarted.status === 'rejected') throw pgStarted.reason;
    if (devStarted.status === 'rejected') throw devStarted.reason;
    if (cluster) {
      const admin = createSql(pgStarted.value.url, { max: 1 });
      await admin.unsafe('create database orglife_cluster');
      await admin.end();
      const c = await startCluster({
        dir: join(dir, 'cluster'),
        databaseUrl: pgStarted.value.url.replace(/\/orglife$/, '/orglife_cluster'),
        namespace: 'orglife-cluster',
        extraNamespaces: ['default'],
        env: { LOG_LEVEL: 'warn', ORGLIFE_DEMO: 'false' },
        log,
      });
      stops.unshift(c.stop);
      temporalAddress = c.temporalAddress;
      clusterStateFile = c.stateFile;
    }
  } catch (err) {
    for (const stop of stops) await stop().catch(() => {});
    throw err;
  }
  const pg = pgStarted.value;
  const [testServerPath, bundle] = await Promise.all([testServing, bundling]).catch(async (err: unknown) => {
    for (const stop of stops) await stop().catch(() => {});
    throw err;
  });
  const workflowBundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);

  const sql = createSql(pg.url, { max: 1 });
  await migrate(sql);
  await sql.end();

  project.provide('databaseUrl', pg.url);
  project.provide('temporalAddress', temporalAddress);
  project.provide('testServerPath', testServerPath);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('testDataDir', dir);
  project.provide('clusterStateFile', clusterStateFile);

  return async () => {
    for (const stop of stops) await stop().catch((err) => log(`stopping: ${(err as Error).message}`));
    if (!process.env.ORGLIFE_KEEP_TEST_DATA) rmSync(dir, { recursive: true, force: true });
  };
}
