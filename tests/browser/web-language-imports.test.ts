import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, signIn } from '../helpers/browser.js';
import { browser, webUi, webUiTitle, PASSWORD } from './web-ui.js';

describe.skipIf('skip' in browser)(webUiTitle('English, a wrong password, and the organization imports'), () => {
  const ui = webUi();
  const { root, importRoot, open } = ui;
  let s: Stack;
  beforeAll(() => {
    ({ s } = ui);
  });

  it('switches to English, keeps it, reports a wrong password, and shows import errors by row', async () => {
    const organizer = await s.userWith([{ role: 'organizer', org: root }]);
    const b = await open();
    const { page } = b;
    await page.goto('/login');
    await page.getByTestId('lang').click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.getByLabel('Username').fill(organizer.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByTestId('login-error').textContent()).toContain('Wrong username or password');
    await b.shot('en-1-login-error');
    expect(await a11yViolations(page)).toEqual([]);

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My tasks' }).waitFor();
    await page.getByRole('link', { name: 'Import' }).click();
    await page.getByRole('heading', { name: 'Import organizations' }).waitFor();
    await page.getByRole('button', { name: 'Upload and import' }).click();
    expect(await page.locator('#import-file-error').textContent()).toContain('Choose a file first');
    // A file with a row the importer must refuse (a parent that does not exist).
    const csv = `code,parent_code,name,type,sector,term_years,term_started_on,secretary_name,secretary_phone,full_members,probationary_members\n${uniqueCode('X')},NO-SUCH-PARENT,坏行,branch,rural,5,2024-01-01,王芳,13800000000,5,0\n`;
    await page.getByLabel(/File \(CSV/).setInputFiles({ name: 'orgs.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    // For an organizer an unknown parent is refused like one outside the subtree (404), with the row named.
    const errors = page.getByTestId('import-errors');
    await errors.waitFor();
    const cells = await errors.locator('tbody tr').first().locator('td').allTextContents();
    expect(cells[0]).toBe('2'); // the data row, after the header
    expect(cells[1]).toBe('parent_code');
    expect(cells[2]).toContain('NO-SUCH-PARENT');
    expect(await page.locator('.notice.error').count()).toBe(1); // the row table, not a generic error box as well
    await b.shot('en-2-import');
    expect(await a11yViolations(page)).toEqual([]);

    // The choice survives a reload; switching back gives Chinese.
    await page.reload();
    await page.getByRole('heading', { name: 'Import organizations' }).waitFor();
    await page.getByTestId('lang').click();
    await page.getByRole('heading', { name: '组织导入' }).waitFor();
    expect(b.errors).toEqual([]);
  });

  it('an import names the villages it found by the tree and the rows whose sector word disagrees (a township called 农村)', async () => {
    const organizer = await s.userWith([{ role: 'organizer', org: root }]);
    const [town, village] = [uniqueCode('WX'), uniqueCode('WV')];
    const header = 'code,parent_code,name,type,sector,term_years,term_started_on,secretary_name,secretary_phone,full_members,probationary_members\n';
    const csv =
      header +
      `${town},${root},中共新河乡委员会${town},committee,农村,5,2024-01-01,王芳,13800000000,40,0\n` +
      `${village},${town},中共新河乡东湾村支部委员会${village},branch,农村,5,2024-01-01,李明,13800000001,20,1\n`;
    const b = await open();
    const { page } = b;
    await signIn(page, organizer.username, PASSWORD);
    await page.getByRole('link', { name: '组织导入' }).click();
    await page.getByLabel(/选择文件/).setInputFiles({ name: 'township.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: '上传并导入' }).click();
    const result = page.getByTestId('import-result');
    await result.waitFor();
    // The village under the township is counted; the township is not a village, whatever its sector says.
    expect(await result.textContent()).toContain('行政村 1 个，社区 0 个');
    const warnings = page.getByTestId('import-sector-warnings');
    await warnings.waitFor();
    const rows = await warnings.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent)));
    expect(rows.map((r) => [r[0], r[1]])).toEqual([['2', 'sector']]);
    // In the page's words: the sector as the file says it and the township's level.
    expect(rows[0]![2]).toContain('领域为“农村”，但该组织位于组织树第 4 级');
    await b.shot('import-sector-warnings');
    expect(await a11yViolations(page)).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('imports a large file as a background job with a progress bar and reports the result', async () => {
    const organizer = await s.userWith([{ role: 'organizer', org: importRoot }]);
    const header = 'code,parent_code,name,type,sector,term_years,term_started_on,secretary_name,secretary_phone,full_members,probationary_members\n';
    const prefix = uniqueCode('I');
    const rows: string[] = [];
    let size = header.length;
    // Over 512 kB: the page sends it with ?async=true and follows the job.
    for (let i = 0; size < 600 * 1024; i++) {
      const row = `${prefix}-${i},${importRoot},导入测试村党支部第${i}号,branch,rural,5,2024-01-01,王芳,13800000000,5,0\n`;
      rows.push(row);
      size += Buffer.byteLength(row);
    }
    const b = await open();
    const { page } = b;
    await signIn(page, organizer.username, PASSWORD);
    await page.getByRole('link', { name: '组织导入' }).click();
    await page.getByLabel(/选择文件/).setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(header + rows.join('')) });
    // The bar shows while the file uploads and the job runs; the job may be quick, so a watcher records it.
    await page.evaluate(() => {
      const w = window as unknown as { sawProgress: string[] };
      w.sawProgress = [];
      new MutationObserver(() => {
        const bar = document.getElementById('import-progress') as HTMLProgressElement | null;
        if (bar) w.sawProgress.push(`${bar.value}/${bar.max}`);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByRole('button', { name: '上传并导入' }).click();
    const result = page.getByTestId('import-result');
    await result.waitFor({ timeout: 120_000 });
    // What the import read from the tree: every row directly under the township is a village (domain.md §2).
    expect(await result.textContent()).toBe(
      `导入完成：新增 ${rows.length}，更新 0，未变 0。 按组织隶属关系认定：行政村 ${rows.length} 个，社区 0 个（乡镇、街道党（工）委直接领导的村、社区党组织）。`,
    );
    expect(await page.getByTestId('import-sector-warnings').count()).toBe(0);
    expect((await page.evaluate(() => (window as unknown as { sawProgress: string[] }).sawProgress)).length).toBeGreaterThan(0);
    expect(await page.locator('#import-progress').count()).toBe(0); // gone once done
    const [job] = await s.sql<{ status: string; rows_read: number }[]>`select status, rows_read from import_jobs where created_by = ${organizer.username}`;
    expect(job).toEqual({ status: 'succeeded', rows_read: rows.length });
    expect((await s.sql`select count(*)::int as n from organizations where code like ${`${prefix}-%`}`)[0]!.n).toBe(rows.length);
    await b.shot('organizer-6-big-import');
    expect(await a11yViolations(page)).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});
