// Expand, deploy, contract (docs/operations.md, "Database migrations across an upgrade"): during an upgrade the new
// release's migrations run first, while the previous release's API processes still serve. This runs the previous
// release's own API code, taken from git history, against the cluster's database migrated by the current migrations,
// beside the current workers, and walks sign-in, the organization tree, a process started and its task listed and
// completed through it. The previous release is the commit before the last one that added a migration (so the two
// schemas differ). Beside it, the migrations newer than that release are read for statements that would break its
// code (a column or table dropped or renamed, a column made NOT NULL with no default) unless they say why with
// `-- contract:`.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMigrations } from '../../src/db/migrate.js';
import { freePort } from '../../src/runtime/ports.js';
import { clusterFixture, requestOutcome, type ClusterFixture } from './helpers.js';
import { eventually } from '../helpers/context.js';

const root = resolve('.');
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

/**
 * Commits to run as the previous release, newest first: `ORGLIFE_PREVIOUS_RELEASE` when set (a release's tag or
 * commit), else the commit before the newest one that added a migration, then its first-parent ancestors. The
 * ancestors are there because a commit between two others need not run on its own (one commit may import a file
 * that the next one adds); a release would.
 */
function releaseCandidates(): string[] {
  const pinned = process.env.ORGLIFE_PREVIOUS_RELEASE;
  if (pinned) return [git('rev-parse', `${pinned}^{commit}`)];
  const added = git('log', '-1', '--diff-filter=A', '--format=%H', '--', 'migrations/');
  if (!added) throw new Error('no commit adds a migration: this test needs the repository with its history (a full git clone)');
  return git('rev-list', '--first-parent', '--max-count=6', `${added}^`).split('\n').filter(Boolean);
}

/** The migration files a commit has. */
function migrationsAt(commit: string): string[] {
  return git('ls-tree', '--name-only', commit, 'migrations/')
    .split('\n')
    .map((p) => p.replace(/^migrations\//, ''))
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f));
}

/** Statements of an expand migration that the previous release's code could trip on. */
const BREAKING: [RegExp, string][] = [
  [/\bdrop\s+(table|column)\b/i, 'drops a table or column'],
  [/\brename\s+(column\b|to\b)/i, 'renames a table or column'],
  [/\balter\s+column\s+\S+\s+(set\s+not\s+null|(set\s+data\s+)?type)\b/i, 'makes a column NOT NULL or changes its type'],
  [/\badd\s+column\s+(?:if\s+not\s+exists\s+)?[^,;]*\bnot\s+null\b(?![^,;]*\b(default|generated)\b)[^,;]*/i, 'adds a NOT NULL column without a default'],
];

function breakingStatements(sql: string): string[] {
  // Comments are read for `-- contract:` only, not for statements.
  const code = sql.replace(/--[^\n]*/g, '');
  return BREAKING.filter(([re]) => re.test(code)).map(([, what]) => what);
}

describe('the previous release against the current schema', () => {
  const candidates = releaseCandidates();
  const previous = { commit: candidates[0]!, migrations: migrationsAt(candidates[0]!) };
  const current = readMigrations().map((m) => m.name);
  const newer = current.filter((m) => !previous.migrations.includes(m));

  it('has every migration of the previous release, and the current ones add to it without breaking it', () => {
    expect(newer.length, `${previous.commit} has the same migrations as the working tree`).toBeGreaterThan(0);
    expect(
      previous.migrations.filter((m) => !current.includes(m)),
      'migrations of the previous release missing now',
    ).toEqual([]);
    const breaking = newer.flatMap((name) => {
      const sql = readFileSync(join(root, 'migrations', name), 'utf8');
      return /--\s*contract:/i.test(sql) ? [] : breakingStatements(sql).map((what) => `${name} ${what}`);
    });
    expect(breaking).toEqual([]);
  });

  it('flags the statements that break the previous release (checked on two old migrations that did)', () => {
    // 043 added a NOT NULL column after the fact; 100 dropped the table of reminders: each was a contract step.
    expect(breakingStatements('alter table a alter column b set not null;')).toEqual(['makes a column NOT NULL or changes its type']);
    expect(breakingStatements('drop table task_reminders;')).toEqual(['drops a table or column']);
    expect(breakingStatements('alter table t add column c int not null;')).toEqual(['adds a NOT NULL column without a default']);
    expect(breakingStatements('alter table t add column c int not null default 0; drop index i; -- drop table x')).toEqual([]);
  });

  describe('its API', () => {
    let f: ClusterFixture;
    let dir: string | undefined;
    let api: ChildProcess | undefined;
    let url: string;
    let logFile: string;
    /** Candidates passed over because their code does not load (a module missing at that commit). */
    const incomplete: string[] = [];

    /** That commit's API (its code only, on this checkout's dependencies) against the cluster; false if it cannot load. */
    async function startApi(commit: string): Promise<boolean> {
      dir = mkdtempSync(join(root, '.test-data', 'previous-release-'));
      execFileSync('sh', ['-c', `git archive ${commit} src activities workflows migrations package.json tsconfig.json | tar -x -C "${dir}"`], { cwd: root });
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      logFile = join(dir, 'api.log');
      const out = openSync(logFile, 'a');
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'api'], {
        cwd: dir,
        env: {
          ...process.env,
          DATABASE_URL: f.state.databaseUrl,
          TEMPORAL_ADDRESS: f.state.temporalAddress,
          TEMPORAL_NAMESPACE: f.state.namespace,
          PORT: String(port),
          HOST: '127.0.0.1',
          ORGLIFE_DEMO: 'false',
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', out, out],
      });
      api = child;
      return eventually(
        `the API of ${commit.slice(0, 10)} to answer /readyz`,
        async () => {
          if (child.exitCode !== null) {
            const log = readFileSync(logFile, 'utf8');
            if (/ERR_MODULE_NOT_FOUND/.test(log)) return 'incomplete' as const;
            throw new Error(`it exited with ${child.exitCode}:\n${log.slice(-3000)}`);
          }
          return (await fetch(`${url}/readyz`).catch(() => null))?.status === 200;
        },
        90_000,
      ).then((r) => r === true);
    }

    beforeAll(async () => {
      f = await clusterFixture(2);
      mkdirSync(join(root, '.test-data'), { recursive: true });
      for (const commit of candidates) {
        if (await startApi(commit)) {
          console.info(
            `previous release: ${commit.slice(0, 10)}${incomplete.length ? ` (passed over, their code does not load: ${incomplete.join(', ')})` : ''}`,
          );
          return;
        }
        incomplete.push(commit.slice(0, 10));
        rmSync(dir!, { recursive: true, force: true });
        dir = undefined;
        api = undefined;
      }
    }, 240_000);
    afterAll(async () => {
      if (api && api.exitCode === null) {
        const exited = new Promise((r) => api!.once('exit', r));
        api.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (api.exitCode === null) api.kill('SIGKILL');
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
      await f?.close();
    });

    it('finds nothing of its own to migrate, and signs in, reads, starts and completes through the new schema', async () => {
      expect(api, `no candidate's code loads: ${incomplete.join(', ')}`).toBeDefined();
      // Its migrator ran at start against the newer schema_migrations: every file it has was applied already.
      expect(readFileSync(logFile, 'utf8')).not.toMatch(/applied migration/);

      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `cluster-${f.county.slice(2).toLowerCase()}`, password: 'cluster password' }),
      });
      expect(login.status, await login.clone().text()).toBe(200);
      const h = { authorization: `Bearer ${((await login.json()) as { token: string }).token}`, 'content-type': 'application/json' };
      // A token the current release's APIs signed (through the balancer) is good here too: one key, in PostgreSQL.
      expect((await fetch(`${url}/api/v1/me`, { headers: { authorization: f.authorization } })).status).toBe(200);

      const tree = await fetch(`${url}/api/v1/organizations?under=${f.county}&limit=10`, { headers: h });
      expect(tree.status, await tree.clone().text()).toBe(200);
      const codes = ((await tree.json()) as { items: { code: string }[] }).items.map((o) => o.code).sort();
      expect(codes).toEqual([f.county, ...f.villages].sort());
      expect((await fetch(`${url}/api/v1/organizations/${f.villages[0]}`, { headers: h })).status).toBe(200);

      // A process started by the old API runs on the current workers, which write its task into the new schema.
      const started = await fetch(`${url}/api/v1/processes/term-election`, {
        method: 'POST',
        headers: h,
        body: JSON.stringify({ organization: f.villages[0] }),
      });
      expect(started.status, await started.clone().text()).toBe(201);
      const { id } = (await started.json()) as { id: string };
      const taskId = await eventually(
        'the old API to list the task the new worker opened',
        async () => {
          const r = await fetch(`${url}/api/v1/tasks?org=${f.county}&state=open`, { headers: h });
          if (r.status !== 200) throw new Error(`${r.status} ${await r.text()}`);
          const items = ((await r.json()) as { items: { id: number; workflowId?: string; processId?: string }[] }).items;
          return items[0]?.id;
        },
        60_000,
      );
      const [row] = await f.sql<{ workflow_id: string }[]>`select workflow_id from tasks where id = ${taskId}`;
      expect(row!.workflow_id).toBe(id);

      const done = await fetch(`${url}/api/v1/tasks/${taskId}/complete`, {
        method: 'POST',
        headers: { ...h, 'idempotency-key': `previous-release-${taskId}` },
        body: JSON.stringify(requestOutcome()),
      });
      expect(done.status, await done.clone().text()).toBe(200);
      const [task] = await f.sql<{ state: string }[]>`select state from tasks where id = ${taskId}`;
      expect(task!.state).toBe('done');
    }, 120_000);
  });
});
