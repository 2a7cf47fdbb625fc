import { readFileSync, rmSync, existsSync } from 'node:fs';

function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function sleepMs(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

function parentPid(pid: number): number | null {
  try {
    // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '', 10);
  } catch {
    return null;
  }
}

/**
 * After `kill -9` of the app its embedded servers live on as orphans holding ports and data files, or a pid
 * file names a process that is gone (or a reused pid). Either way the next start must go ahead: stop the
 * orphan if the pid file still names one of ours (its command line mentions `marker`), then drop the file.
 * A server whose parent is a live node process belongs to a running orglife: the caller shares it.
 */
export async function clearStalePidFile(pidFile: string, marker: string, log: (msg: string) => void): Promise<'cleared' | 'in-use'> {
  if (!existsSync(pidFile)) return 'cleared';
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && alive(pid) && commandLine(pid)?.includes(marker)) {
    // Still the child of a running orglife (npm start, while `npm run migrate` asks): share it.
    const ppid = parentPid(pid);
    if (ppid && ppid !== 1 && commandLine(ppid)?.includes('node')) return 'in-use';
    log(`stopping orphaned ${marker} (pid ${pid}) left by an earlier run`);
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && alive(pid); i++) await sleepMs(100);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && alive(pid); i++) await sleepMs(100);
  }
  rmSync(pidFile, { force: true });
  return 'cleared';
}

/** Retries `probe` until it resolves or `timeoutMs` passes; the last error explains a failure. */
export async function waitUntil<T>(what: string, probe: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await probe();
    } catch (err) {
      last = err;
      await sleepMs(200);
    }
  }
  throw new Error(`${what} did not answer within ${timeoutMs} ms: ${(last as Error)?.message ?? last}`);
}
