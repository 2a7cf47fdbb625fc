import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, withLock } from '../../src/runtime/cache.js';

export const SCHEMATHESIS_VERSION = '4.32.5';

/** schemathesis from PyPI in a virtualenv in the per-user cache, installed once. */
export async function ensureSchemathesis(): Promise<string> {
  const dir = cacheDir(`schemathesis-${SCHEMATHESIS_VERSION}`);
  const bin = join(dir, 'venv', 'bin', 'schemathesis');
  if (existsSync(bin)) return bin;
  return withLock(dir, async () => {
    if (existsSync(bin)) return bin;
    await run('python3', ['-m', 'venv', join(dir, 'venv')]);
    await run(join(dir, 'venv', 'bin', 'pip'), ['install', '-q', `schemathesis==${SCHEMATHESIS_VERSION}`]);
    return bin;
  });
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}
