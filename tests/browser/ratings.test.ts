import { beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { addOrganizations, orgRow, uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, prepareBrowser, signIn, type Session, browserStack } from '../helpers/browser.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { ratingsRecompute } from '../../workflows/ratings/workflow.js';

// 三色管理 in a real Chromium against the real stack: a county supervisor (holding nothing else) opens the lists
// 预警 / 提醒 / 表扬 one click apart, an organization's rating history under its row, and the two pictures (county ×
// colour, overdue work by week), each a drawn canvas with its table. Screenshots: tests/artifacts/ratings-*.png.
const browser = prepareBrowser();
const PASSWORD = 'correct horse battery';
const DAY = 86_400_000;

describe.skipIf('skip' in browser)(`ratings in Chromium${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  const executablePath = 'executablePath' in browser ? browser.executablePath : '';
  let s: Stack;
  const { sessions } = browserStack(executablePath, (started) => (s = started));
  let current: Session | undefined;
  const [province, city, county, town] = [uniqueCode('RP'), uniqueCode('RC'), uniqueCode('RK'), uniqueCode('RT')];
  const [late, plain, firm] = [uniqueCode('RL'), uniqueCode('RY'), uniqueCode('RG')];
  const countyName = `测试县委${county}`;

  beforeAll(async () => {
    const today = shanghaiDate(Date.now());
    // Province → city → county (the third level: the matrix's county) → township → its organizations.
    await addOrganizations(s.sql, [
      orgRow(province, '', { type: 'committee', sector: 'regional', name: `测试省委${province}` }),
      orgRow(city, province, { type: 'committee', sector: 'regional', name: `测试市委${city}` }),
      orgRow(county, city, { type: 'committee', sector: 'regional', name: countyName }),
      orgRow(town, county, { type: 'committee', sector: 'regional', name: `测试镇党委${town}` }),
      // Term over for two years, no renewal: red.
      orgRow(late, town, { name: `白沙村党支部${late}`, term_started_on: addMonths(today, -84) }),
      // On time, but no yearly return and no pairing on record: yellow.
      orgRow(plain, town, { name: `青石村党支部${plain}`, term_started_on: addMonths(today, -12) }),
      // A firm's branch with nothing against it: green.
      orgRow(firm, town, { name: `鑫达公司党支部${firm}`, sector: 'nonpublic', term_years: 3, term_started_on: addMonths(today, -12) }),
    ]);
    // Two tasks of the township, as the task block projects them: one past due four weeks ago and done six days
    // ago, one past due since twenty days and still open (the township is yellow for it). Both were overdue for
    // exactly fourteen days, which hold two week-ends (Monday 00:00); one is now.
    const [t] = await s.sql<{ id: number }[]>`select id from organizations where code = ${town}`;
    const now = Date.now();
    const at = (days: number) => new Date(now - days * DAY).toISOString();
    await s.sql`
      insert into tasks (workflow_id, task_key, process, step, organization_id, assignee_role, state, opened_at, due_at, closed_at)
      values (${`probe-${randomUUID()}`}, 'a', 'term-election', 'election-reply', ${t!.id}, 'supervisor', 'done', ${at(42)}, ${at(28)}, ${at(6)}),
             (${`probe-${randomUUID()}`}, 'b', 'term-election', 'election-reply', ${t!.id}, 'supervisor', 'open', ${at(30)}, ${at(20)}, null)`;
    await s.client.workflow.execute(ratingsRecompute, {
      workflowId: `ratings-${randomUUID()}`,
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      args: [{ under: province }],
    });
  });

  /** Pixels of the canvas drawn in `rgb` (exactly), counted in the page. */
  const pixelsOf = (session: Session, testId: string, rgb: [number, number, number]) =>
    session.page.getByTestId(testId).evaluate((c: HTMLCanvasElement, [r, g, b]) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] === r && d[i + 1] === g && d[i + 2] === b && d[i + 3] === 255) n++;
      return n;
    }, rgb);

  /** A fresh browser signed in as a supervisor of the county, holding no other role. */
  const asCountySupervisor = async () => {
    const supervisor = await s.userWith([{ role: 'supervisor', org: county }]);
    current = await sessions.open();
    await signIn(current.page, supervisor.username, PASSWORD);
    return current;
  };

  it('a county supervisor opens 预警 / 提醒 / 表扬 one click apart, with the reasons, and an organization’s rating history', async () => {
    const { page } = await asCountySupervisor();
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '三色管理' }).click();
    await page.getByRole('heading', { name: '三色管理', level: 1 }).waitFor();
    const list = page.getByTestId('rating-list');
    /** The row of an organization by its own name (the first cell; its name is also another row's committee). */
    const rowOf = (name: string) => list.locator('tbody tr').filter({ has: page.locator('td:first-child', { hasText: name }) });
    const lateRow = rowOf(`白沙村党支部${late}`);
    await lateRow.waitFor();
    expect(await lateRow.textContent()).toContain('未按期换届');
    expect(await page.getByTestId('rating-tab-red').getAttribute('aria-pressed')).toBe('true');
    // The time of the last recompute in Shanghai, as every time on the page.
    const [rated] = await s.sql<{ at: string }[]>`
      select to_char(r.computed_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as at from ratings r join organizations o on o.id = r.organization_id where o.code = ${late}`;
    expect(await page.getByText(/评定时间：/).textContent()).toContain(`评定时间：${rated!.at}`);
    expect(await page.getByTestId('rating-tab-red').textContent()).toBe('预警（红） 1');
    expect(await list.locator('tbody tr').count()).toBe(1);
    await current!.shot('ratings-1-red');
    expect(await a11yViolations(page)).toEqual([]);

    await page.getByTestId('rating-tab-yellow').click();
    await page.waitForURL(/color=yellow/);
    await rowOf(`青石村党支部${plain}`).waitFor();
    const townRow = rowOf(`测试镇党委${town}`);
    expect(await townRow.textContent()).toContain('有逾期任务');
    expect(await list.locator('tbody tr').count()).toBe(2);
    expect(await rowOf(`青石村党支部${plain}`).textContent()).toContain('年报未报、村未结对共建');

    await page.getByTestId('rating-tab-green').click();
    await rowOf(`鑫达公司党支部${firm}`).waitFor();
    expect(await list.locator('tbody tr').count()).toBe(2);
    await page.getByTestId('rating-tab-red').click();
    await lateRow.getByRole('button', { name: /查看评定记录/ }).click();
    const history = page.getByTestId('rating-history');
    await history.getByRole('heading', { name: `白沙村党支部${late} 的评定记录` }).waitFor();
    expect(await history.textContent()).toContain('当前：红色');
    expect(await history.locator('table tbody tr').count()).toBe(1);
    expect(await history.locator('.rating-strip li').allTextContents()).toEqual([`${shanghaiDate(Date.now()).slice(0, 7)} 红色`]);
    expect(page.url()).toContain(`org=${late}`);
    await current!.shot('ratings-2-history');
    expect(await a11yViolations(page)).toEqual([]);
    expect(current!.errors).toEqual([]);
  });

  it('the county × colour matrix and the weekly overdue trend are drawn with data, each with its table', async () => {
    const { page } = await asCountySupervisor();
    await page.goto('/ratings');
    const matrix = page.getByTestId('rating-matrix');
    await matrix.waitFor();
    // Only the caller's county: green the county committee and the firm; yellow the township (its overdue task)
    // and the on-time village; red the late village.
    expect(await matrix.locator('tbody tr').allTextContents()).toEqual([`${countyName}221`]);
    expect(await page.getByRole('img', { name: '各县红黄绿党组织数量堆叠柱状图' }).count()).toBe(1);
    const trend = page.getByTestId('overdue-trend');
    await trend.waitFor();
    const counts = (await trend.locator('tbody td').allTextContents()).map(Number);
    expect(counts).toHaveLength(12);
    expect(counts[0]).toBe(0);
    expect(counts[11]).toBe(1);
    expect(counts.filter((n) => n === 2)).toHaveLength(2);
    await page.getByTestId('overdue-trend-chart').scrollIntoViewIfNeeded();
    await current!.shot('ratings-3-pictures');
    // The bars and the line are drawn in the ratings' colours (a legend swatch alone is a few hundred pixels).
    expect(await pixelsOf(current!, 'rating-matrix-chart', [0xa4, 0x16, 0x1a])).toBeGreaterThan(1500);
    expect(await pixelsOf(current!, 'rating-matrix-chart', [0x1d, 0x6b, 0x34])).toBeGreaterThan(1500);
    expect(await pixelsOf(current!, 'overdue-trend-chart', [0xa4, 0x16, 0x1a])).toBeGreaterThan(600);
    expect(await a11yViolations(page)).toEqual([]);
    expect(current!.errors).toEqual([]);
  });
});
