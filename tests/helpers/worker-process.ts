import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';

/**
 * `npm run worker` as its own process group against the suite's servers, for tests that kill it with SIGKILL the way a
 * power cut or the OOM killer would. Each `start` is a new process on the same task queue; its output goes to
 * `worker.log` in a directory of its own. `stop` kills whatever still runs and removes the directory.
 */
export function workerProcesses(taskQueue: string, name: string) {
  const dir = mkdtempSync(join(resolve('.test-data'), `${name}-`));
  const children: ChildProcess[] = [];
  const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
  return {
    start(): ChildProcess {
      const out = openSync(join(dir, 'worker.log'), 'a');
      const c = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
        env: {
          ...process.env,
          DATABASE_URL: inject('databaseUrl'),
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          TEMPORAL_TASK_QUEUE: taskQueue,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', out, out],
        detached: true,
      });
      children.push(c);
      return c;
    },
    /** SIGKILL to the process's group; resolves once it has exited. */
    async kill(c: ChildProcess): Promise<void> {
      const exited = new Promise<void>((r) => (alive(c) ? c.once('exit', () => r()) : r()));
      if (alive(c)) process.kill(-c.pid!, 'SIGKILL');
      await exited;
    },
    stop(): void {
      for (const c of children) if (alive(c)) process.kill(-c.pid!, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
