import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { addOrganizations, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { freePort } from '../../src/runtime/ports.js';
import type { Failpoint } from '../../src/runtime/failpoints.js';

// The API process killed (SIGKILL, by a failpoint) after a task action took effect and before the client
// heard of it: the client retries with the same Idempotency-Key and gets the action's result, applied once.
describe('the API killed between acting and answering', () => {
  let s: Stack;
  const dir = mkdtempSync(join(resolve('.test-data'), 'api-crash-'));
  const children: ChildProcess[] = [];
  const root = uniqueCode('AC');

  /** `npm run api` against the suite's servers, with the given failpoints armed; resolves once it is ready. */
  const api = async (failpoints: Failpoint[]) => {
    const port = await freePort();
    const out = openSync(join(dir, 'api.log'), 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'api'], {
      env: {
        ...process.env,
        DATABASE_URL: inject('databaseUrl'),
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        PORT: String(port),
        LOG_LEVEL: 'warn',
        ORGLIFE_FAILPOINTS: failpoints.join(','),
      },
      stdio: ['ignore', out, out],
      detached: true,
    });
    children.push(child);
    const base = `http://127.0.0.1:${port}`;
    await eventually('the API to be ready', async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, 90_000);
    return { base, child };
  };

  /** A village whose election request is open, its secretary, and the request's task id. */
  const openRequest = async () => {
    const code = uniqueCode('ACV');
    await addOrganizations(s.sql, [orgRow(code, root, { term_years: 5, term_started_on: addMonths(shanghaiDate(Date.now()), -56) })]);
    const r = await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/processes/term-election', payload: { organization: code } });
    expect(r.statusCode).toBe(201);
    const taskId = await eventually(`the election request of ${code}`, async () => {
      const [t] = await s.sql<
        { id: number }[]
      >`select t.id from tasks t join organizations o on o.id = t.organization_id where o.code = ${code} and t.state = 'open'`;
      return t?.id;
    });
    return { taskId, secretary: await s.userWith([{ role: 'secretary', org: code }]) };
  };

  const complete = (base: string, taskId: number, authorization: string, key: string) =>
    fetch(`${base}/api/v1/tasks/${taskId}/complete`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ outcome: { electionDate: addMonths(shanghaiDate(Date.now()), 2), seats: 5, nominationMethod: 'combined' } }),
    });

  const completions = async (taskId: number) =>
    (await s.sql<{ n: number }[]>`select count(*)::int as n from task_events where task_id = ${taskId} and kind = 'completed'`)[0]!.n;
  const exited = (c: ChildProcess) =>
    new Promise<string | null>((r) => (c.signalCode !== null ? r(c.signalCode) : c.once('exit', (_code, signal) => r(signal))));

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [orgRow(root, '', { type: 'committee', sector: 'regional' })]);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, 'SIGKILL');
    await s?.close();
    if (!process.env.ORGLIFE_KEEP_TEST_DATA) rmSync(dir, { recursive: true, force: true });
  });

  it('killed after the answer was stored: the retry replays it, and the task was completed once', async () => {
    const { taskId, secretary } = await openRequest();
    const key = randomUUID();
    const doomed = await api(['action-before-reply']);
    await expect(complete(doomed.base, taskId, secretary.authorization, key)).rejects.toThrow(); // the connection dies
    expect(await exited(doomed.child)).toBe('SIGKILL');
    // It had acted: the task is done and the answer is stored under the key.
    expect((await s.sql`select state from tasks where id = ${taskId}`)[0]!.state).toBe('done');
    const [stored] = await s.sql<
      { status: number; response: { id: number; state: string } }[]
    >`select status, response from idempotency_keys where key = ${key}`;
    expect(stored?.status).toBe(200);

    const again = await api([]);
    const retry = await complete(again.base, taskId, secretary.authorization, key);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual(stored!.response);
    expect(stored!.response).toMatchObject({ id: taskId, state: 'done' });
    expect(await completions(taskId)).toBe(1);
    process.kill(-again.child.pid!, 'SIGKILL');
  }, 240_000);

  it('killed before the answer was stored: the retry is told to wait, then takes the key over and gets the first result', async () => {
    const { taskId, secretary } = await openRequest();
    const key = randomUUID();
    const doomed = await api(['action-before-store']);
    await expect(complete(doomed.base, taskId, secretary.authorization, key)).rejects.toThrow();
    expect(await exited(doomed.child)).toBe('SIGKILL');
    expect((await s.sql`select state from tasks where id = ${taskId}`)[0]!.state).toBe('done');
    expect((await s.sql`select status from idempotency_keys where key = ${key}`)[0]!.status).toBeNull();

    const again = await api([]);
    // Too soon to tell a dead attempt from a slow one: 409, and nothing runs.
    const soon = await complete(again.base, taskId, secretary.authorization, key);
    expect(soon.status).toBe(409);
    // Once the attempt is older than any action may take, the retry takes the key over. The Temporal update id
    // derived from the key makes the workflow answer with its first application instead of refusing a second.
    const retry = await eventually(
      'the retry to take the key over',
      async () => {
        const r = await complete(again.base, taskId, secretary.authorization, key);
        return r.status === 409 ? undefined : r;
      },
      60_000,
    );
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ id: taskId, state: 'done' });
    expect(await completions(taskId)).toBe(1);
    const replay = await complete(again.base, taskId, secretary.authorization, key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await completions(taskId)).toBe(1);
    process.kill(-again.child.pid!, 'SIGKILL');
  }, 240_000);
});
