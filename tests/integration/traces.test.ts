// Traces (src/runtime/telemetry.ts): a person completing a task is one trace from the HTTP request through the
// Temporal client's Update, the workflow's handler and the activity it ran, exported over OTLP/HTTP to a collector
// in this process; and that trace's id is on the API's and the worker's log lines. The traced bundle (workflow
// interceptors inside) replays every recorded history.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pino from 'pino';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/api/app.js';
import { API_POOL, createSql, type Sql } from '../../src/db/client.js';
import { createUser } from '../../src/auth/users.js';
import { startTracing, tracesEndpoint, traceFields, type Tracing } from '../../src/runtime/telemetry.js';
import { createWorker, installRuntimeLogger, tracedWorkflowBundleOptions } from '../../src/worker.js';
import { taskProcess } from '../../workflows/task-process.js';
import { recordedHistories } from '../helpers/histories.js';
import { addOrganizations, countyChain, eventually, orgRow, testSql, uniqueCode } from '../helpers/context.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}

/** An OTLP/HTTP receiver of traces (JSON bodies, as the exporter sends them): every span it was sent, by resource. */
function startCollector(): Promise<{ server: Server; url: string; spans: (OtlpSpan & { service: string })[] }> {
  const spans: (OtlpSpan & { service: string })[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') return void res.writeHead(404).end();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const rs of body.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, service });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${port}`, spans });
    }),
  );
}

describe('traces', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let tracing: Tracing;
  let bundleDir: string;
  let bundlePath: string;
  let sql: Sql;
  let apiSql: Sql;
  let client: Client;
  let connection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let app: FastifyInstance;
  let apiUrl: string;
  const logLines: Record<string, unknown>[] = [];
  const taskQueue = `test-${randomUUID()}`;

  beforeAll(async () => {
    collector = await startCollector();
    // The worker's bundle as `npm run worker` builds it when traces are exported: the workflow interceptors inside.
    const bundling = bundleWorkflowCode({
      ...tracedWorkflowBundleOptions,
      logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never,
    });
    const config = loadConfig({
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      LOG_LEVEL: 'debug',
      OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/`,
    });
    expect(tracesEndpoint(config)).toBe(`${collector.url}/v1/traces`);
    tracing = startTracing(config, 'orglife')!;
    // One logger for API and worker, as `npm start` has it: JSON lines kept here to be searched.
    const log = pino({ level: 'debug', mixin: traceFields }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
    installRuntimeLogger(log);
    bundleDir = mkdtempSync(join(tmpdir(), 'orglife-traced-bundle-'));
    bundlePath = join(bundleDir, 'workflows.js');
    writeFileSync(bundlePath, (await bundling).code);

    sql = testSql();
    client = new Client({ connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS! }), interceptors: tracing.client });
    connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS! });
    worker = await createWorker({ connection, namespace: 'default', taskQueue, sql, workflowBundlePath: bundlePath, tracing });
    running = worker.run();
    apiSql = createSql(config.DATABASE_URL!, { max: 4, ...API_POOL });
    app = await buildApp({ sql: apiSql, temporal: client, config, log, tracing });
    apiUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app?.close();
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running;
    await connection?.close();
    await client?.connection.close();
    await apiSql?.end();
    await sql?.end();
    await tracing?.shutdown();
    collector?.server.close();
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  it("follows a task's completion from the HTTP request through the Update and the workflow into its activity", async () => {
    const chain = countyChain();
    const village = uniqueCode('TV');
    await addOrganizations(sql, [...chain.rows, orgRow(village, chain.county)]);
    const [org] = await sql<{ id: number }[]>`select id from organizations where code = ${village}`;
    const username = `u-${randomUUID().slice(0, 12)}`;
    await createUser(sql, { username, password: 'correct horse battery', roles: [{ role: 'secretary', organizationId: org!.id }] });
    const login = await fetch(`${apiUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'correct horse battery' }),
    });
    const { token } = (await login.json()) as { token: string };

    const key = `traced-${randomUUID().slice(0, 8)}`;
    const workflowId = `task:${key}:${org!.id}`;
    await client.workflow.start(taskProcess, {
      workflowId,
      taskQueue,
      args: [{ task: { key, step: key, organizationId: org!.id, assigneeRole: 'secretary', due: { workingDays: 5 } } }],
    });
    const taskId = await eventually('the task row', async () => (await sql<{ id: number }[]>`select id from tasks where workflow_id = ${workflowId}`)[0]?.id);

    // The caller (a balancer, the browser's own tracing) opened the trace: the request continues it.
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const done = await fetch(`${apiUrl}/api/v1/tasks/${taskId}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${callerSpan}-01` },
      body: JSON.stringify({ outcome: {} }),
    });
    expect(done.status).toBe(200);

    const wanted = ['POST /api/v1/tasks/:id/complete', 'StartWorkflowUpdate:completeTask', 'HandleUpdate:completeTask', 'RunActivity:recordTaskChange'];
    const trace = await eventually(
      'the spans of the completion at the collector',
      async () => {
        await tracing.flush();
        const inTrace = collector.spans.filter((s) => s.traceId === traceId);
        return wanted.every((name) => inTrace.some((s) => s.name === name)) && inTrace;
      },
      15_000,
    );
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const named = (name: string) => trace.find((s) => s.name === name)!;
    // The request span is the server's (kind 2), a child of the caller's span; the rest descend from it.
    expect(named(wanted[0]!)).toMatchObject({ kind: 2, parentSpanId: callerSpan, service: 'orglife' });
    const ancestry = (span: OtlpSpan) => {
      const names: string[] = [];
      for (let s: OtlpSpan | undefined = span; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) names.push(s.name);
      return names;
    };
    // The activity's span, up through the workflow's handler and the client's Update to the HTTP request.
    const path = ancestry(named('RunActivity:recordTaskChange'));
    expect(path.at(-1)).toBe(wanted[0]);
    expect(path.indexOf('HandleUpdate:completeTask')).toBeGreaterThan(0);
    expect(path.indexOf('StartWorkflowUpdate:completeTask')).toBeGreaterThan(path.indexOf('HandleUpdate:completeTask'));

    // The trace id on the log lines of both sides: the API's line for the request, and the worker's for the activity.
    const lines = logLines.filter((l) => l.trace_id === traceId);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'request completed', res: { statusCode: 200 } }));
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'Activity completed', activityType: 'recordTaskChange', workflowId }));
  });

  it('replays every recorded history on the traced bundle', async () => {
    const histories = await recordedHistories();
    expect(histories.length).toBeGreaterThan(30);
    const failures: string[] = [];
    const replays = Worker.runReplayHistories(
      { workflowBundle: { codePath: bundlePath }, sinks: tracing.sinks, interceptors: { activity: tracing.activity } },
      histories,
    );
    for await (const r of replays) if (r.error) failures.push(`${r.workflowId}: ${String(r.error)}`);
    expect(failures).toEqual([]);
  });
});
