import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The habits that keep the tree as it is meant to be (docs/habits.md): Biome's lint and format on every file it
// covers (biome.jsonc), and the layering between the top-level folders (.dependency-cruiser.cjs).
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const run = (script: string, args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, script), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
};

describe('habits', () => {
  it('lints and formats clean (npx biome check .)', () => {
    const r = run('node_modules/@biomejs/biome/bin/biome', ['check', '--error-on-warnings', '--colors=off', '--max-diagnostics=50', '.']);
    expect(r.status, r.output).toBe(0);
  }, 60_000);

  it('keeps its layers: the domain imports nothing above it, routes no activity, the product no test (npx depcruise)', () => {
    const r = run('node_modules/dependency-cruiser/bin/dependency-cruise.mjs', [
      '--config',
      '.dependency-cruiser.cjs',
      '--progress',
      'none',
      'src',
      'workflows',
      'activities',
      'bench',
      'tests',
      'scripts',
      'web/src',
    ]);
    expect(r.status, r.output).toBe(0);
  }, 60_000);
});
