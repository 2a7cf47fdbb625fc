// The bench's peer engine: Flowable 7.1 (bench/flowable/, a Spring Boot main with Flowable's process REST API),
// built with Maven into the per-user cache once per source version and started as its own JVM on the bench's
// PostgreSQL server, in a database of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { cacheDir, withLock } from '../src/runtime/cache.js';
import { run } from '../src/runtime/temporal-binaries.js';
import { freePort } from '../src/runtime/ports.js';

const SOURCE = resolve('bench', 'flowable');
export const FLOWABLE_VERSION = '7.1.0';

/** Every file Maven reads (pom, Java, BPMN, properties): the cache key, so an edited peer is rebuilt. */
function sourceHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (name === 'target') continue;
      if (statSync(path).isDirectory()) walk(path);
      else h.update(relative(SOURCE, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  walk(SOURCE);
  return h.digest('hex').slice(0, 16);
}

/** The peer's executable jar; built with `mvn package` on first use (Maven downloads into ~/.m2 then). */
export async function ensureFlowablePeer(log: (m: string) => void): Promise<string> {
  const dir = cacheDir(`flowable-peer-${FLOWABLE_VERSION}-${sourceHash()}`);
  const jar = join(dir, 'flowable-peer.jar');
  if (existsSync(jar)) return jar;
  return withLock(dir, async () => {
    if (existsSync(jar)) return jar;
    log(`building the Flowable ${FLOWABLE_VERSION} peer with Maven (first run only; about a minute with an empty ~/.m2) ...`);
    const started = Date.now();
    await run('mvn', ['-q', '-B', '-DskipTests', 'package'], { cwd: SOURCE }, log);
    copyFileSync(join(SOURCE, 'target', 'flowable-peer.jar'), jar);
    log(`built the Flowable peer in ${Math.round((Date.now() - started) / 1000)} s: ${jar}`);
    return jar;
  });
}

export interface FlowablePeer {
  /** Base of Flowable's process REST API, e.g. http://127.0.0.1:PORT/process-api */
  api: string;
  /** The JVM's process id (its RSS is the engine's memory). */
  pid: number;
  /** JDBC-side URL of the peer's own database (for counting its records). */
  databaseUrl: string;
  stop(): Promise<void>;
}

/**
 * Flowable's async executor as configured: `default` is the Spring Boot starter's own (8 job threads, a queue of
 * 100, 512 timer jobs per acquisition, a Hikari pool of 10); `tuned` is 24 threads and 2,048 jobs per
 * acquisition (the issue's figure), with a queue and a connection pool big enough for them.
 */
export type ExecutorProfile = 'default' | 'tuned';

/** Starts the peer on `databaseUrl`'s server in a new database `name`, and waits for its REST API and BPMN. */
export async function startFlowablePeer(opts: {
  databaseUrl: string;
  database: string;
  executor: ExecutorProfile;
  log: (m: string) => void;
  createDatabase(name: string): Promise<void>;
}): Promise<FlowablePeer> {
  const jar = await ensureFlowablePeer(opts.log);
  await opts.createDatabase(opts.database);
  const u = new URL(opts.databaseUrl);
  const port = await freePort();
  const tuned =
    opts.executor === 'tuned'
      ? [
          '--peer.executor.threads=24',
          '--peer.executor.queue=2048',
          '--flowable.process.async.executor.max-timer-jobs-per-acquisition=2048',
          '--flowable.process.async.executor.max-async-jobs-due-per-acquisition=2048',
          '--spring.datasource.hikari.maximum-pool-size=32',
        ]
      : [];
  const child: ChildProcess = spawn(
    'java',
    [
      '-jar',
      jar,
      `--server.port=${port}`,
      '--server.address=127.0.0.1',
      `--spring.datasource.url=jdbc:postgresql://${u.hostname}:${u.port || 5432}/${opts.database}`,
      `--spring.datasource.username=${decodeURIComponent(u.username)}`,
      `--spring.datasource.password=${decodeURIComponent(u.password)}`,
      ...tuned,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let tail = '';
  const keep = (b: Buffer) => (tail = (tail + b.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  const api = `http://127.0.0.1:${port}/process-api`;
  const stop = async () => {
    if (exited !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(timer);
  };
  const until = Date.now() + 180_000;
  for (;;) {
    if (exited !== null) throw new Error(`the Flowable peer exited with ${exited} before answering:\n${tail}`);
    try {
      const r = await fetch(`${api}/repository/process-definitions?key=orglifeTask`);
      if (r.ok && ((await r.json()) as { total: number }).total >= 1) break;
    } catch {}
    if (Date.now() > until) {
      await stop();
      throw new Error(`the Flowable peer did not answer within 3 minutes:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const db = new URL(opts.databaseUrl);
  db.pathname = `/${opts.database}`;
  opts.log(`Flowable ${FLOWABLE_VERSION} peer (${opts.executor} async executor) answering at ${api}`);
  return { api, pid: child.pid!, databaseUrl: db.toString(), stop };
}

/** Resident set size of a process, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** The client side of the peer's REST API the benchmarks and the test use (Flowable's documented resources). */
export function flowableClient(api: string) {
  const json = { 'content-type': 'application/json' };
  const call = async <T>(method: string, path: string, body: unknown, expect: number): Promise<T> => {
    const r = await fetch(`${api}${path}`, { method, headers: json, body: body === undefined ? undefined : JSON.stringify(body) });
    if (r.status !== expect) throw new Error(`Flowable ${method} ${path}: ${r.status} ${await r.text()}`);
    // Actions (claim, complete) answer 200 with an empty body.
    const text = await r.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    /** One human task: its assignee, the reminder's and the first escalation's instants. */
    start: (v: { assignee: string; remindAt: string; escalateAt: string }) =>
      call<{ id: string }>(
        'POST',
        '/runtime/process-instances',
        { processDefinitionKey: 'orglifeTask', variables: Object.entries(v).map(([name, value]) => ({ name, value })) },
        201,
      ),
    /** The assignee's task list, as their inbox would ask for it. */
    tasksOf: (assignee: string, processInstanceId?: string) =>
      call<{ data: { id: string; processInstanceId: string }[] }>(
        'GET',
        `/runtime/tasks?assignee=${encodeURIComponent(assignee)}${processInstanceId ? `&processInstanceId=${processInstanceId}` : ''}`,
        undefined,
        200,
      ),
    complete: (taskId: string) => call<void>('POST', `/runtime/tasks/${taskId}`, { action: 'complete' }, 200),
    /** Claim (`assignee` a user) or give back (`null`): the same kind of action as orglife's probe Update. */
    claim: (taskId: string, assignee: string | null) => call<void>('POST', `/runtime/tasks/${taskId}`, { action: 'claim', assignee }, 200),
  };
}
