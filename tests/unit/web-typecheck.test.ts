import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// tsx runs the code without checking its types: `npm test` fails on a type error (or an unused name) here.
// The browser code has its own tsconfig (DOM, Preact JSX), which the root one does not cover.
const tsc = (project: string) => {
  const r = spawnSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '--noEmit', '-p', project], { encoding: 'utf8' });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
};

describe('types', () => {
  it('typechecks under web/tsconfig.json', () => tsc('web/tsconfig.json'), 120_000);
  it('typechecks the server, workflows, activities, tests and benchmarks under tsconfig.json', () => tsc('tsconfig.json'), 180_000);
});
