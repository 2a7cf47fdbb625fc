// `npm start` (role all), `npm run worker`, `npm run api`.
import { ensureAssessmentSchedule } from './processes/assessment.js';
import { ensureTermSchedules } from './processes/term-schedule.js';
import { ensureOrganizationLifeSchedule } from './processes/organization-life-schedule.js';
import { ensureRatingsSchedule } from './processes/ratings-schedule.js';
import { ensureCalendarNoticeSchedule } from './processes/calendar.js';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { loadConfigOrExit, type Config } from './config.js';
import { API_POOL, createSql } from './db/client.js';
import { migrate } from './db/migrate.js';
import { startInfrastructure, type Infrastructure } from './runtime/infrastructure.js';
import { createLogger } from './runtime/logger.js';
import { startTracing, traceFields } from './runtime/telemetry.js';
import { channelOptions } from './channels/config.js';
import { connectClient, connectWorkerConnection } from './runtime/temporal-connection.js';
import { createWorker, installRuntimeLogger } from './worker.js';
import { buildApp } from './api/app.js';
import { DEMO_APPLICANT_SIGN_IN, DEMO_GROUP_LEADER_SIGN_IN, DEMO_MEMBER_SIGN_IN, DEMO_PASSWORD, DEMO_SIGN_INS, seedDemoIfEmpty } from './demo/seed.js';
import { bootstrapAdmin } from './auth/users.js';
import { ensureNotifier } from './processes/notifier.js';

type Role = 'all' | 'worker' | 'api';
/** How long SIGTERM waits for the API's requests in flight before it stops the rest anyway. */
const CLOSE_GRACE_MS = 10_000;

async function main(role: Role): Promise<void> {
  const cfg = loadConfigOrExit();
  // Before anything that makes spans; with no OTLP endpoint configured, undefined and nothing started.
  const tracing = startTracing(cfg, role === 'all' ? 'orglife' : `orglife-${role}`);
  const log = createLogger({ level: cfg.LOG_LEVEL, base: { role }, ...(tracing ? { mixin: traceFields } : {}) });

  if (role !== 'all' && (!cfg.DATABASE_URL || !cfg.TEMPORAL_ADDRESS)) {
    console.error(`orglife: "npm run ${role}" runs one role against shared servers: set DATABASE_URL and TEMPORAL_ADDRESS (or use npm start)`);
    process.exit(78);
  }

  let infra: Infrastructure;
  try {
    infra = await startInfrastructure(cfg, log);
  } catch (err) {
    log.fatal({ err }, 'start-up failed: every server this start had begun is stopped');
    process.exit(1);
  }
  // Migrate on a client of its own: the main client then learns the types migrations create (ltree[]).
  const migrator = createSql(infra.databaseUrl, { max: 1 });
  try {
    await migrate(migrator, (m) => log.info(m));
  } catch (err) {
    log.fatal({ err }, 'migrations failed');
    await infra.stop();
    process.exit(1);
  } finally {
    await migrator.end();
  }
  // The API's queries run under its statement limit (src/db/client.ts); the worker's activities under their own
  // timeouts. `npm start` runs both, each with its pool.
  const sql = createSql(infra.databaseUrl, role === 'api' ? API_POOL : {});
  const apiSql = role === 'all' ? createSql(infra.databaseUrl, API_POOL) : sql;
  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  let app: FastifyInstance | undefined;
  let stopping = false;

  const stop = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: closing the API, draining the worker');
    // Open connections are closed with the server (forceCloseConnections); a handler still running when the grace
    // period ends is left to its statement limit: the process stops either way.
    await Promise.race([app?.close().catch((err) => log.error({ err }, 'closing the API')), new Promise((r) => setTimeout(r, CLOSE_GRACE_MS).unref())]);
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await workerRun?.catch((err) => log.error({ err }, 'worker stopped with an error'));
    if (apiSql !== sql) await apiSql.end({ timeout: 5 });
    await sql.end({ timeout: 5 });
    await infra.stop();
    // The last requests' and activities' spans, sent before the process ends.
    await tracing?.shutdown().catch((err) => log.error({ err }, 'sending the last spans'));
    log.info('stopped');
    process.exit(exitCode);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Started by the cluster's supervisor: if it dies (even by kill -9) its IPC channel closes; stop rather than orphan.
  process.on('disconnect', () => void stop('supervisor-gone'));

  try {
    if (await bootstrapAdmin(sql, cfg.ORGLIFE_ADMIN_PASSWORD)) log.info('created user admin from ORGLIFE_ADMIN_PASSWORD');
    const client = await connectClient(cfg, infra.temporalAddress, tracing?.client);

    if (role === 'all' || role === 'worker') {
      installRuntimeLogger(log, cfg.ORGLIFE_WORKER_METRICS_ADDRESS);
      worker = await createWorker({
        connection: await connectWorkerConnection(cfg, infra.temporalAddress),
        namespace: cfg.TEMPORAL_NAMESPACE,
        taskQueue: cfg.TEMPORAL_TASK_QUEUE,
        sql,
        notify: {
          smtpUrl: cfg.ORGLIFE_SMTP_URL,
          mailFrom: cfg.ORGLIFE_MAIL_FROM,
          publicUrl: cfg.ORGLIFE_PUBLIC_URL,
          taskLinkTtlHours: cfg.ORGLIFE_TASK_LINK_TTL_HOURS,
        },
        channels: channelOptions(cfg),
        tracing,
        maxCachedWorkflows: cfg.ORGLIFE_WORKER_CACHED_RUNS,
        deployment: cfg.ORGLIFE_WORKER_BUILD_ID
          ? { name: cfg.ORGLIFE_WORKER_DEPLOYMENT, buildId: cfg.ORGLIFE_WORKER_BUILD_ID, behavior: cfg.ORGLIFE_WORKER_VERSIONING }
          : undefined,
      });
      workerRun = worker.run();
      await ensureNotifier(client, cfg.TEMPORAL_TASK_QUEUE);
      await ensureAssessmentSchedule(client, cfg.TEMPORAL_TASK_QUEUE);
      await ensureTermSchedules(client, cfg.TEMPORAL_TASK_QUEUE);
      await ensureOrganizationLifeSchedule(client, cfg.TEMPORAL_TASK_QUEUE);
      await ensureRatingsSchedule(client, cfg.TEMPORAL_TASK_QUEUE, cfg.ORGLIFE_RATINGS_EVERY_MINUTES);
      await ensureCalendarNoticeSchedule(client, cfg.TEMPORAL_TASK_QUEUE);
      workerRun.catch((err) => {
        log.fatal({ err }, 'worker failed');
        void stop('worker-failure', 1);
      });
      log.info({ taskQueue: cfg.TEMPORAL_TASK_QUEUE }, 'worker running');
      // Started by the cluster's supervisor (src/runtime/cluster.ts) over an IPC channel: tell it, whatever LOG_LEVEL.
      process.send?.({ orglife: 'worker-running' });
    }
    if (role === 'all' && cfg.ORGLIFE_DEMO) await seedDemoIfEmpty(sql, client, cfg, log);
    if (role === 'all' || role === 'api') {
      app = await buildApp({ sql: apiSql, temporal: client, config: cfg, log, tracing });
      await app.listen({ port: cfg.PORT, host: cfg.HOST });
      const url = `http://${cfg.HOST.includes(':') ? `[${cfg.HOST}]` : cfg.HOST}:${cfg.PORT}`;
      log.info(`orglife is ready at ${url} (API docs: ${url}/docs)`);
      console.log(firstScreen(url, cfg));
    }
  } catch (err) {
    log.fatal({ err }, 'start-up failed');
    await stop('start-up-failure', 1);
  }
}

/** What a person needs after `npm start`: where to go, and as whom to sign in. */
function firstScreen(url: string, cfg: Config): string {
  const lines = [`  orglife (web UI)  ${url}`, `  API docs          ${url}/docs`];
  if (!cfg.TEMPORAL_ADDRESS) lines.push(`  Temporal UI       http://127.0.0.1:${cfg.ORGLIFE_TEMPORAL_UI_PORT}`);
  if (cfg.ORGLIFE_DEMO) {
    lines.push('', `  Demo sign-ins (password ${DEMO_PASSWORD}):`);
    for (const u of DEMO_SIGN_INS) lines.push(`    ${u.username.padEnd(20)} ${u.role} of a ${u.level}, ${u.displayName}`);
    const m = DEMO_MEMBER_SIGN_IN;
    lines.push(`    ${m.username.padEnd(20)} a member on a village's register (no role: 我的党员信息), ${m.displayName}`);
    const a = DEMO_APPLICANT_SIGN_IN;
    lines.push(`    ${a.username.padEnd(20)} a 预备党员 of a village (no role: 我的入党申请, their 转正申请 waiting), ${a.displayName}`);
    const g = DEMO_GROUP_LEADER_SIGN_IN;
    lines.push(`    ${g.username.padEnd(20)} a 党小组 leader of a village (no role: the group's 党小组会记录 from 2027), ${g.displayName}`);
  }
  return `\n${lines.join('\n')}\n\n  Stop with Ctrl-C.\n`;
}

const role = (process.argv[2] ?? 'all') as Role;
if (!['all', 'worker', 'api'].includes(role)) {
  console.error(`orglife: unknown role ${role}`);
  process.exit(2);
}
await main(role);
