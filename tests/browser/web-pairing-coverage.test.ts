import { beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, eventually, orgRow, uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, signIn } from '../helpers/browser.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { browser, webUi, webUiTitle, PASSWORD } from './web-ui.js';

describe.skipIf('skip' in browser)(webUiTitle('urban–rural pairing coverage'), () => {
  const ui = webUi();
  const { root, township, open } = ui;
  let s: Stack;
  beforeAll(() => {
    ({ s } = ui);
  });

  it('an organizer reads urban–rural pairing coverage per county on the dashboard', async () => {
    const today = shanghaiDate(Date.now());
    const [village, partner] = [uniqueCode('WP'), uniqueCode('WG')];
    await addOrganizations(s.sql, [
      orgRow(village, township, { term_years: 5, term_started_on: addMonths(today, -12), name: `柳林村党支部${village}` }),
      orgRow(partner, root, { sector: 'government', term_years: 3, term_started_on: addMonths(today, -12), name: `县财政局机关党支部${partner}` }),
    ]);
    const started = await s.app.inject({ headers: s.admin, method: 'POST', url: '/api/v1/processes/pairing', payload: { organization: village, partner } });
    expect(started.statusCode, started.body).toBe(201);
    await eventually('the pairing and its five deliverables', async () => {
      const [row] = await s.sql<{ n: number }[]>`select count(*)::int as n from pairing_deliverables where workflow_id = ${`pairing:${village}`}`;
      return row!.n === 5;
    });
    type Coverage = { county: string; villages: number; paired: number; coverage: number | null; deliverables: number; delivered: number };
    const api = await s.app.inject({ headers: s.admin, url: `/api/v1/pairing/coverage?org=${root}` });
    expect(api.statusCode, api.body).toBe(200);
    const county = (api.json().items as Coverage[]).find((x) => x.county === root)!;
    // One village of the county's several paired, none of its five goods delivered yet.
    expect(county).toMatchObject({ paired: 1, deliverables: 5, delivered: 0 });
    expect(county.villages).toBeGreaterThan(1);

    const organizer = await s.userWith([{ role: 'organizer', org: root }]);
    const b = await open();
    const { page } = b;
    await signIn(page, organizer.username, PASSWORD);
    await page.getByRole('link', { name: '工作看板' }).click();
    await page.getByRole('heading', { name: '城乡结对共建覆盖（按县）' }).waitFor();
    const paired = page.getByTestId('pairing-coverage').locator(`tr[data-county="${root}"]`);
    await paired.waitFor();
    expect(await paired.getByRole('rowheader').textContent()).toBe(`测试县委${root}`);
    expect(await paired.textContent()).toContain(`${county.coverage}% （1/${county.villages} 个村）`);
    const delivered = page.getByTestId('pairing-deliverables').locator(`tr[data-county="${root}"]`);
    expect(await delivered.textContent()).toContain('0% （0/5 项）');
    // Training and liaison coverage stay beside it.
    await page.getByRole('heading', { name: '书记轮训覆盖率（按县）' }).waitFor();
    await page.getByRole('heading', { name: '党建联络员覆盖（按县）' }).waitFor();
    await b.shot('organizer-7-pairing-coverage');
    expect(await a11yViolations(page)).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});
