import { homedir } from 'node:os';
import { join } from 'node:path';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { sleepMs } from './stale.js';

/** Per-user cache outside the clone, so a fresh clone and CI reuse binaries built once. */
export function cacheDir(...parts: string[]): string {
  const base = process.env.ORGLIFE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'orglife');
  const dir = join(base, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Holds a directory lock while `fn` runs, so two processes never build the same cached artefact at once. */
export async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, '.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than an hour belongs to a build that was killed.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 3_600_000) rmSync(lock, { recursive: true, force: true });
      } catch {}
      await sleepMs(1000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
