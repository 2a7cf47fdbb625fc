import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { chmodSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../src/runtime/ports.js';
import { eventually } from '../helpers/context.js';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { postgresDataDir } from '../../src/runtime/postgres.js';

// `npm start` as a user runs it (embedded PostgreSQL, dev server, demo data), killed hard and started again.
describe('the app process survives kill -9', () => {
  const dataDir = mkdtempSync(join(resolve('.test-data'), 'app-'));
  chmodSync(dataDir, 0o755); // the postgres user must reach its data (see pgDataDir)
  let env: NodeJS.ProcessEnv;
  let child: ChildProcess | undefined;

  const start = () => {
    const out = openSync(join(dataDir, 'app.log'), 'a');
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'all'], { env, stdio: ['ignore', out, out], detached: true });
    return child;
  };
  const url = (path: string) => `http://127.0.0.1:${env.PORT}${path}`;
  const ready = () => eventually('/readyz', async () => (await fetch(url('/readyz')).catch(() => null))?.status === 200, 90_000);
  // One session for the whole test: the JWT key lives in PostgreSQL, so the token outlives restarts (and
  // polling does not run into the login rate limit).
  let token: string | undefined;
  const tasks = async () => {
    if (!token) {
      const login = await fetch(url('/api/v1/auth/login'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'demo-admin', password: DEMO_PASSWORD }),
      });
      token = ((await login.json()) as { token: string }).token;
    }
    // The term elections' tasks, all opened as the demo starts: a list that new work opening after a restart (a
    // branch's periods of 三会一课, due before them) does not push past the page.
    const r = await fetch(url('/api/v1/tasks?limit=500&process=term-election'), { headers: { authorization: `Bearer ${token}` } });
    if (r.status !== 200) throw new Error(`GET /api/v1/tasks: ${r.status} ${await r.text()}`);
    return ((await r.json()) as { items: { id: number; workflowId: string; step: string; titleParts?: unknown }[] }).items;
  };
  /**
   * Every task seen before is still there, and no workflow opened a task twice (replayed activities): a workflow may
   * hold several open tasks (a branch's month of meetings), each its own step or part of it.
   */
  const keptAll = (before: { id: number; workflowId: string }[]) =>
    eventually(
      'the tasks from before the kill',
      async () => {
        const after = await tasks();
        const ids = new Set(after.map((t) => t.id));
        expect(new Set(after.map((t) => `${t.workflowId} ${t.step} ${JSON.stringify(t.titleParts ?? null)}`)).size).toBe(after.length);
        return before.every((t) => ids.has(t.id));
      },
      60_000,
    );
  const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

  afterAll(async () => {
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    if (process.env.ORGLIFE_KEEP_TEST_DATA) return;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps started workflows and their task rows across kill -9 of the app, then of everything', async () => {
    env = {
      ...process.env,
      ORGLIFE_DATA_DIR: dataDir,
      PORT: String(await freePort()),
      ORGLIFE_PG_PORT: String(await freePort()),
      ORGLIFE_TEMPORAL_PORT: String(await freePort()),
      ORGLIFE_TEMPORAL_UI_PORT: String(await freePort()),
      ORGLIFE_DEMO: 'true',
      // The task list must stand still between kills: no demo processes moving along in the background.
      ORGLIFE_DEMO_ADVANCE: 'false',
      LOG_LEVEL: 'warn',
    };
    start();
    await ready();
    // Killed while the demo's workflows are still opening their tasks: mid-flight is the point.
    const before = await eventually(
      'demo tasks',
      async () => {
        const t = await tasks();
        return t.length > 0 ? t : null;
      },
      60_000,
    );
    const workflowId = before[0]!.workflowId;

    // 1. Only the node process dies: PostgreSQL and Temporal live on as orphans holding ports and files.
    let c = child!;
    process.kill(c.pid!, 'SIGKILL');
    await exited(c);
    start();
    await ready();
    await keptAll(before);

    // 2. Everything dies at once: stale postmaster.pid, temporal.pid and SQLite journal on disk.
    c = child!;
    process.kill(-c.pid!, 'SIGKILL');
    await exited(c);
    start();
    await ready();
    await keptAll(before);
    const client = new Client({ connection: await Connection.connect({ address: `127.0.0.1:${env.ORGLIFE_TEMPORAL_PORT}` }) });
    const described = await client.workflow.getHandle(workflowId).describe();
    expect(described.status.name).toBe('RUNNING');
    await client.connection.close();

    // 3. SIGTERM drains the worker, closes the API and stops the embedded servers, even with a request in flight
    // that would never end by itself: an upload whose body stops arriving half-way.
    const stalled = request(url('/api/v1/organizations/import'), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
    });
    stalled.on('error', () => {});
    stalled.write('code,parent_code,name,type,sector\n');
    await new Promise((r) => setTimeout(r, 500));
    c = child!;
    const t0 = Date.now();
    process.kill(c.pid!, 'SIGTERM');
    await exited(c);
    expect(Date.now() - t0).toBeLessThan(60_000);
    stalled.destroy();
    expect(c.exitCode).toBe(0);
    expect(existsSync(join(dataDir, 'temporal', 'temporal.pid'))).toBe(false);
    // The cluster is where the postgres user can reach it: under the data dir, or /var/lib/orglife for a private clone as root.
    const pgdata = postgresDataDir(join(dataDir, 'postgres'));
    expect(existsSync(join(pgdata, 'postmaster.pid'))).toBe(false);
    expect(readFileSync(join(pgdata, 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
  }, 300_000);
});
