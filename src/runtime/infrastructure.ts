import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { startEmbeddedPostgres } from './postgres.js';
import { startDevServer } from './temporal-dev-server.js';

export interface Infrastructure {
  databaseUrl: string;
  temporalAddress: string;
  stop(): Promise<void>;
}

/**
 * What the configuration does not provide, start locally: an embedded PostgreSQL unless DATABASE_URL is set,
 * a Temporal dev server unless TEMPORAL_ADDRESS is set. Both keep their data under ORGLIFE_DATA_DIR.
 */
export async function startInfrastructure(cfg: Config, log: Logger): Promise<Infrastructure> {
  const stops: (() => Promise<void>)[] = [];
  const say = (m: string) => log.info(m);
  // Settle both before deciding: a start that fails halfway must stop what the other half started.
  const [db, temporal] = await Promise.allSettled([
    cfg.DATABASE_URL ??
      startEmbeddedPostgres(join(cfg.dataDir, 'postgres'), cfg.ORGLIFE_PG_PORT, say).then((pg) => {
        stops.push(pg.stop);
        say(`embedded PostgreSQL on port ${cfg.ORGLIFE_PG_PORT}`);
        return pg.url;
      }),
    cfg.TEMPORAL_ADDRESS ??
      startDevServer({
        dir: join(cfg.dataDir, 'temporal'),
        port: cfg.ORGLIFE_TEMPORAL_PORT,
        uiPort: cfg.ORGLIFE_TEMPORAL_UI_PORT,
        namespace: cfg.TEMPORAL_NAMESPACE,
        log: say,
      }).then((t) => {
        stops.push(t.stop);
        say(`Temporal dev server on ${t.address}, UI on http://127.0.0.1:${cfg.ORGLIFE_TEMPORAL_UI_PORT}`);
        return t.address;
      }),
  ]);
  const stop = async () => {
    await Promise.allSettled(stops.map((s) => s()));
  };
  if (db.status === 'rejected' || temporal.status === 'rejected') {
    await stop();
    throw db.status === 'rejected' ? db.reason : (temporal as PromiseRejectedResult).reason;
  }
  return { databaseUrl: db.value, temporalAddress: temporal.value, stop };
}
