#!/usr/bin/env node
// Builds the web UI (web/ → web/dist) with Vite when the build is missing or older than any of its sources, so
// `npm start` and `npm test` serve a current UI with no extra step, and a second start costs one stat walk.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'web', 'dist', 'index.html');
// Everything the bundle is made of: the UI's sources and config, the pure code it shares with the server
// (src/domain: the step catalog, src/domain/<process>/steps.ts, and the rules it checks) and the contract's
// sector list. From workflows/ the UI names types only (workflows/messages.ts), which put nothing in the bundle.
const sources = [
  'web/src',
  'web/index.html',
  'web/vite.config.ts',
  'web/tsconfig.json',
  'src/domain',
  'src/organizations/import/columns.ts',
  'package-lock.json',
];

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newest(join(path, n))));
}

export function webIsStale() {
  if (!existsSync(built)) return true;
  const out = statSync(built).mtimeMs;
  return sources.some((s) => newest(join(root, s)) > out);
}

/** Runs `vite build` when stale; throws if the build fails. */
export function buildWebIfStale(log = (m) => console.error(`[web] ${m}`)) {
  if (!webIsStale()) return false;
  log('building the web UI (vite) ...');
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', join(root, 'web', 'vite.config.ts'), '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status})`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildWebIfStale();
