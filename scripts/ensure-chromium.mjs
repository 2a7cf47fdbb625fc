#!/usr/bin/env node
// The browser tests drive Debian's Chromium through playwright-core. Playwright's own browser download needs the
// internet, which this machine (and CI) does not have, while Debian's package mirror is reachable: so the
// project installs `chromium` with apt-get when /usr/bin/chromium is missing.
// Usage: `node scripts/ensure-chromium.mjs` or `import { ensureChromium } from './ensure-chromium.mjs'`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = process.env.ORGLIFE_CHROMIUM ?? '/usr/bin/chromium';
// A Chinese-first UI needs a CJK font for its screenshots to be readable (a bare Debian has none); WenQuanYi
// Micro Hei is the small one (5 MB against 90 MB for Noto CJK).
const CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
const packages = () => [...(existsSync(CHROMIUM) ? [] : ['chromium']), ...(existsSync(CJK_FONT) ? [] : ['fonts-wqy-microhei'])];

/** @returns {{ path: string } | { skipped: string }} the browser, or why there is none. */
export function ensureChromium(log = (m) => console.error(`[chromium] ${m}`)) {
  const wanted = packages();
  if (wanted.length === 0) return { path: CHROMIUM };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    // Without the font the tests still run; only the browser itself is a must.
    if (existsSync(CHROMIUM)) return { path: CHROMIUM };
    return { skipped: `${CHROMIUM} is missing and installing it needs root: run \`sudo apt-get install -y chromium\`` };
  }
  const apt = (...args) => {
    log(`apt-get ${args.join(' ')}`);
    return spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  };
  const install = () => apt('install', '-y', '--no-install-recommends', ...wanted);
  // A fresh machine may have no package lists yet: update once, then try again.
  if (!install() && !(apt('update') && install())) {
    return existsSync(CHROMIUM) ? { path: CHROMIUM } : { skipped: `apt-get could not install ${wanted.join(' ')}` };
  }
  return existsSync(CHROMIUM) ? { path: CHROMIUM } : { skipped: `chromium installed but ${CHROMIUM} is not there` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = ensureChromium();
  if ('path' in r) console.error(`[chromium] ${r.path}`);
  else console.error(`[chromium] skipped: ${r.skipped}`);
}
