#!/usr/bin/env node
// Entry point of every npm script. Runs with nothing installed: it brings node_modules up to the lockfile
// first (npm ci), then hands over to the TypeScript entry points through tsx.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...rest] = process.argv.slice(2);

function depsAreCurrent() {
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(installed)) return false;
  return statSync(installed).mtimeMs >= statSync(join(root, 'package-lock.json')).mtimeMs;
}

if (!depsAreCurrent()) {
  console.error('orglife: installing dependencies (npm ci) ...');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// The web UI is served by the API process: build it first when its sources changed (scripts/build-web.mjs).
if (['start', 'api', 'test', 'cluster'].includes(command)) (await import('./build-web.mjs')).buildWebIfStale();

const entries = {
  start: ['src/main.ts', 'all'],
  worker: ['src/main.ts', 'worker'],
  api: ['src/main.ts', 'api'],
  migrate: ['src/cli/index.ts', 'migrate'],
  cli: ['src/cli/index.ts'],
  test: ['scripts/test.ts'],
  bench: ['bench/index.ts'],
  cluster: ['src/cluster.ts'],
};
const entry = entries[command];
if (!entry) {
  console.error(`orglife: unknown command "${command}"; one of ${Object.keys(entries).join(', ')}`);
  process.exit(2);
}
const child = spawn(process.execPath, ['--import', 'tsx', ...entry, ...rest], { cwd: root, stdio: 'inherit' });
// Forward termination so the app can drain the worker and stop the embedded servers.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
