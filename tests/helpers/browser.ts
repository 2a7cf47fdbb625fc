import { readFileSync } from 'node:fs';
// Real-browser helpers: Debian's Chromium driven by playwright-core, against the real stack on a real port.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ensureChromium } from '../../scripts/ensure-chromium.mjs';
import { buildWebIfStale } from '../../scripts/build-web.mjs';
import { startStack, type Stack } from './context.js';

export const artifacts = join(process.cwd(), 'tests', 'artifacts');

/** Installs Chromium if it can and builds the UI if stale; the reason to skip when there is no browser. */
export function prepareBrowser(): { executablePath: string } | { skip: string } {
  buildWebIfStale();
  mkdirSync(artifacts, { recursive: true });
  const c = ensureChromium();
  return 'path' in c ? { executablePath: c.path } : { skip: c.skipped };
}

// The machine has no internet: everything that phones home is off, or Chromium stalls on refused connections.
const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Session {
  page: Page;
  context: BrowserContext;
  /** Uncaught page errors and console errors seen so far: a page that throws fails its test. */
  errors: string[];
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** A browser with a fresh, empty profile (one per role, so no session leaks between them). */
export async function openBrowser(executablePath: string, baseURL: string, viewport = { width: 1280, height: 900 }): Promise<Session> {
  const profile = mkdtempSync(join(tmpdir(), 'orglife-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: flags,
    baseURL,
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  // Generous: a workflow step under a loaded 2-core machine can take many seconds to show.
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // 4xx answers the UI handles (a refused import, a wrong password) show up as console errors: not page bugs.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return {
    page,
    context,
    errors,
    shot: async (name) => {
      await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form, as a person would. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/');
  await page.waitForURL(/\/login/);
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/密码|Password/).fill(password);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/**
 * WCAG 2 A/AA checks by axe-core in the page (labels, names, contrast, ARIA use): the violations, as
 * "rule: selector" lines, so a failing assertion says what and where.
 */
export async function a11yViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    // Evaluated through the DevTools protocol: the app's CSP (script-src 'self') rightly refuses an inline tag.
    await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  }
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.targets.slice(0, 3).join(', ')}`);
}

/** After a failed test: where the page was, what it showed and its errors on stderr, and a FAILED-*.png beside the screenshots. */
export async function reportFailure(testName: string, session: Session): Promise<void> {
  const text = await session.page.textContent('body', { timeout: 5_000 }).catch((e: Error) => `(no text: ${e.message})`);
  console.error(`[${testName}] ${session.page.url()}\n${text}\nerrors: ${JSON.stringify(session.errors)}`);
  await session.shot(`FAILED-${testName.replace(/[^\w]+/g, '-').slice(0, 60)}`).catch(() => {});
}

/**
 * The browsers one test file opens: `open` one per person, `onFailure` (in afterEach) prints the page's text and
 * errors and screenshots it when the test failed, `closeAll` in afterAll.
 */
export function browserSessions(executablePath: string, baseURL: () => string) {
  const sessions: Session[] = [];
  let current: Session | undefined;
  return {
    async open(viewport?: { width: number; height: number }): Promise<Session> {
      current = await openBrowser(executablePath, baseURL(), viewport);
      sessions.push(current);
      return current;
    },
    async onFailure(ctx: { task: { name: string; result?: { state?: string } } }): Promise<void> {
      if (ctx.task.result?.state === 'fail' && current) await reportFailure(ctx.task.name, current);
    },
    async closeAll(): Promise<void> {
      for (const b of sessions) await b.close().catch(() => {});
    },
  };
}

/**
 * The stack a browser test file walks and the browsers it opens, for a call inside `describe`: before the file's
 * tests the stack starts and listens on a port of its own (`started` receives it, ahead of the file's own
 * `beforeAll`); after each failed test its page is dumped; after the file the browsers close and the stack stops.
 * `options` gives startStack's when the stack starts (a database of the file's own).
 */
export function browserStack(executablePath: string, started: (s: Stack) => void, options?: () => Promise<Parameters<typeof startStack>[0]>) {
  let s: Stack | undefined;
  let baseURL = '';
  const sessions = browserSessions(executablePath, () => baseURL);
  beforeAll(async () => {
    s = await startStack(await options?.());
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    baseURL = `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
    started(s);
  });
  afterEach((ctx) => sessions.onFailure(ctx));
  afterAll(async () => {
    await sessions.closeAll();
    await s?.close();
  });
  return { sessions, baseURL: () => baseURL };
}
