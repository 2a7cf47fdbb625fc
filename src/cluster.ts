// `npm run cluster`: the production topology on this machine (src/runtime/cluster.ts): PostgreSQL, Temporal
// server 1.29.1 on it, two API processes behind a round-robin balancer on PORT, two worker processes.
import { createLogger } from './runtime/logger.js';
import { join } from 'node:path';
import { loadConfigOrExit } from './config.js';
import { writeFileSync } from 'node:fs';
import { scrapeTargets, startCluster } from './runtime/cluster.js';
import { createSql } from './db/client.js';
import { connectClient } from './runtime/temporal-connection.js';
import { seedDemoIfEmpty } from './demo/seed.js';

const cfg = loadConfigOrExit();
if (cfg.TEMPORAL_ADDRESS) {
  console.error('orglife: `npm run cluster` starts its own Temporal server: unset TEMPORAL_ADDRESS');
  process.exit(78);
}
const log = createLogger({ level: cfg.LOG_LEVEL, base: { role: 'cluster' } });
const say = (m: string) => log.info(m);
const cluster = await startCluster({
  dir: join(cfg.dataDir, 'cluster'),
  databaseUrl: cfg.DATABASE_URL,
  pgPort: cfg.ORGLIFE_PG_PORT,
  temporalPort: cfg.ORGLIFE_TEMPORAL_PORT,
  host: cfg.HOST,
  port: cfg.PORT,
  namespace: cfg.TEMPORAL_NAMESPACE,
  taskQueue: cfg.TEMPORAL_TASK_QUEUE,
  // The demo is seeded here, once, not by each API process.
  env: { ORGLIFE_DEMO: 'false' },
  log: say,
}).catch((err: Error) => {
  log.fatal({ err }, 'the cluster did not start');
  process.exit(1);
});

// The demo's seeding goes on in the background after seedDemoIfEmpty returns (moving processes along): its
// client and pool live as long as the cluster.
let demo: { close(): Promise<void> } | undefined;
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping the cluster');
  await demo?.close().catch(() => {});
  await cluster.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

if (cfg.ORGLIFE_DEMO) {
  const sql = createSql(cluster.databaseUrl, { max: 2 });
  const client = await connectClient(cfg, cluster.temporalAddress);
  demo = {
    close: async () => {
      await client.connection.close();
      await sql.end({ timeout: 5 });
    },
  };
  await seedDemoIfEmpty(sql, client, { ...cfg, TEMPORAL_TASK_QUEUE: cluster.taskQueue }, log).catch((err) =>
    log.error({ err }, 'seeding the demo province failed'),
  );
}
const s = cluster.state();
// Prometheus's file-based discovery reads this file (deploy/prometheus/prometheus.yml): every member, by kind.
const targetsFile = join(cfg.dataDir, 'cluster', 'prometheus-targets.json');
writeFileSync(targetsFile, JSON.stringify(scrapeTargets(s.members), null, 2));
console.log(
  `\n  orglife cluster: ${cluster.url}   (API processes ${s.members
    .filter((m) => m.kind === 'api')
    .map((m) => `:${m.port}`)
    .join(', ')}; ` +
    `${s.members.filter((m) => m.kind === 'worker').length} workers; Temporal ${cluster.temporalAddress}; state ${cluster.stateFile})\n` +
    `  Prometheus targets (${targetsFile}):\n${s.members
      .filter((m) => m.metrics)
      .map((m) => `    ${m.name.padEnd(10)} ${m.metrics}`)
      .join('\n')}\n`,
);
