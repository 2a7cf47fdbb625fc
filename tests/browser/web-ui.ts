// Shared by the web UI journeys in tests/browser/web-*.test.ts: the web UI in a real Chromium against the real stack
// (API + worker, PostgreSQL, Temporal dev server), where each role signs in through the login form and finishes a
// real flow. Every file starts its own stack with the same county: a township of four villages (three whose terms
// end in four months, so their election requests open at once) and two units, beside a township of its own for the
// imports. Screenshots land in tests/artifacts/.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { AddressInfo } from 'node:net';
import { addOrganizations, countyChain, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { openBrowser, prepareBrowser, type Session } from '../helpers/browser.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';

export const browser = prepareBrowser();
export const PASSWORD = 'correct horse battery'; // what startStack().userWith gives every user
export const phone = { width: 390, height: 844 };
/** The title of a file's describe block: skipped, with the reason, where Chromium is missing. */
export const webUiTitle = (journey: string) => `web UI in Chromium: ${journey}${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`;

export interface WebUi {
  /** The stack and the address the browsers open, once beforeAll has run. */
  s: Stack;
  baseURL: string;
  /** The county (third level of the tree) and its township. */
  root: string;
  township: string;
  /** The township's villages: v1–v3 with terms ending in four months, v4 with a term of its own. */
  v1: string;
  v2: string;
  v3: string;
  v4: string;
  /** The township's two units (one full member each). */
  u1: string;
  u2: string;
  /** A township of its own county for the imports, apart from the other flows. */
  importRoot: string;
  importCounty: ReturnType<typeof countyChain>;
  /** A browser of the current test (closed after the file; its page dumped when the test fails). */
  open(viewport?: { width: number; height: number }): Promise<Session>;
  /** Starts a term election through the API and waits for its election-request task; returns the task id. */
  electionTask(org: string): Promise<number>;
}

/** Registers the file's hooks (stack, organizations, browsers, failure dumps) and answers what its tests share. */
export function webUi(): WebUi {
  const executablePath = 'executablePath' in browser ? browser.executablePath : '';
  const sessions: Session[] = [];
  let current: Session[] = [];
  const ui: WebUi = {
    s: undefined as unknown as Stack,
    baseURL: '',
    root: uniqueCode('W'),
    township: uniqueCode('WT'),
    v1: uniqueCode('WA'),
    v2: uniqueCode('WB'),
    v3: uniqueCode('WC'),
    v4: uniqueCode('WD'),
    u1: uniqueCode('WU'),
    u2: uniqueCode('WV'),
    importRoot: uniqueCode('WI'),
    importCounty: countyChain(),
    async open(viewport) {
      const b = await openBrowser(executablePath, ui.baseURL, viewport);
      sessions.push(b);
      current.push(b);
      return b;
    },
    async electionTask(org) {
      const r = await ui.s.app.inject({ headers: ui.s.admin, method: 'POST', url: '/api/v1/processes/term-election', payload: { organization: org } });
      expect(r.statusCode).toBe(201);
      return eventually(`the election-request task of ${org}`, async () => {
        const [row] = await ui.s.sql<{ id: number }[]>`
          select t.id from tasks t join organizations o on o.id = t.organization_id where o.code = ${org} and t.state = 'open'`;
        return row?.id;
      });
    },
  };
  beforeEach(() => {
    current = [];
  });
  // A failed step says where the page was and what it showed, and leaves a FAILED-*.png beside the screenshots.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    for (const [i, b] of current.entries()) {
      const text = await b.page.textContent('body', { timeout: 5_000 }).catch((e: Error) => `(no text: ${e.message})`);
      console.error(`[${ctx.task.name}] page ${i}: ${b.page.url()}\n${text}\nerrors: ${JSON.stringify(b.errors)}`);
      await b.shot(`FAILED-${ctx.task.name.replace(/[^\w]+/g, '-').slice(0, 60)}-${i}`).catch(() => {});
    }
  });

  beforeAll(async () => {
    const s = await startStack();
    ui.s = s;
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    ui.baseURL = `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
    const { root, township, v1, v2, v3, v4, u1, u2, importRoot, importCounty } = ui;
    const today = shanghaiDate(Date.now());
    // Villages whose 5-year term ends in 4 months: their election request opens at once.
    const ending = { term_years: 5, term_started_on: addMonths(today, -56) };
    await addOrganizations(s.sql, [
      // A township of its own county: the imported branches under it are villages, and the page counts them.
      ...importCounty.rows,
      orgRow(importRoot, importCounty.county, { type: 'committee', sector: 'regional', name: `导入测试镇党委${importRoot}` }),
      // The county at the tree's third level: its township's villages are villages (domain.md §2).
      ...countyChain(root, { name: `测试县委${root}` }).rows,
      orgRow(township, root, { type: 'committee', sector: 'regional', name: `测试镇党委${township}` }),
      orgRow(v1, township, { ...ending, name: `东湾村党支部${v1}` }),
      orgRow(v2, township, { ...ending, name: `西岭村党支部${v2}` }),
      orgRow(v3, township, { ...ending, name: `南塘村党支部${v3}` }),
      orgRow(v4, township, { name: `北坡村党支部${v4}` }),
      ...[u1, u2].map((u, i) =>
        orgRow(u, township, {
          type: 'unit',
          sector: 'nonpublic',
          name: `${['宏达', '新兴'][i]}科技有限公司${u}`,
          term_years: null,
          term_started_on: null,
          full_members: 1,
          probationary_members: 0,
        }),
      ),
    ]);
  });

  afterAll(async () => {
    for (const b of sessions) await b.close().catch(() => {});
    await ui.s?.close();
  });
  return ui;
}
