import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The browser code has its own tsconfig (DOM, Preact JSX), which the root `tsc --noEmit` does not cover:
// checked here so `npm test` fails on a type error in web/ too.
describe('web UI', () => {
  it('typechecks under web/tsconfig.json', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', 'web/tsconfig.json'], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);
});
