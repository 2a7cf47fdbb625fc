import { beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, countyChain, orgRow, uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, prepareBrowser, signIn, browserStack } from '../helpers/browser.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { recordApplication } from '../../src/recruitment/store.js';
import { loadPersonalDataKey } from '../../src/members/personal-data.js';
import { recruitment } from '../../workflows/recruitment/workflow.js';
import { advanceApplicant, PATH } from '../../src/demo/recruitment.js';

// 发展党员计划 on the dashboard: the county's organizer enters the year's plan by township and sector; the township's
// organizer allocates its share to its villages — refused beside the total when it exceeds the share, saved when it
// does not — and reads each village against the seed's targets (an activist made through a real case counts), the
// villages that recruited no one for years, and nudges those behind with one click. Screenshots in tests/artifacts/.
const browser = prepareBrowser();
const PASSWORD = 'correct horse battery';

describe.skipIf('skip' in browser)(
  `the recruitment plan and targets on the dashboard in Chromium${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`,
  () => {
    const executablePath = 'executablePath' in browser ? browser.executablePath : '';
    let s: Stack;
    const { sessions } = browserStack(executablePath, (started) => (s = started));
    const tag = `${Date.now()}`.slice(-5);
    const chain = countyChain(uniqueCode('PK'));
    const base = uniqueCode('PT');
    const [township, organs, v1, v2] = [`${base}1`, `${base}2`, `${base}1001`, `${base}1002`];
    const [townshipName, organsName, v1Name, v2Name] = [`青山镇党委${tag}`, `县直机关工委${tag}`, `青山村党支部${tag}`, `石桥村党支部${tag}`];
    let countyOrganizer: { username: string };
    let townOrganizer: { username: string };
    const today = shanghaiDate(Date.now());
    const year = Number(today.slice(0, 4));

    beforeAll(async () => {
      await addOrganizations(s.sql, [
        ...chain.rows,
        orgRow(township, chain.county, { ...committee, name: townshipName }),
        orgRow(organs, chain.county, { type: 'committee', sector: 'government', name: organsName }),
        orgRow(v1, township, { name: v1Name }),
        orgRow(v2, township, { name: v2Name }),
      ]);
      countyOrganizer = await s.userWith([{ role: 'organizer', org: chain.county }]);
      townOrganizer = await s.userWith([{ role: 'organizer', org: township }]);
      await s.userWith([{ role: 'secretary', org: v1 }]);
      // A case at the first village made an activist (a month after its application) through the workflow.
      const [org] = await s.sql<{ id: number }[]>`select id from organizations where code = ${v1}`;
      const appliedOn = addMonths(today, -2);
      const r = await recordApplication(s.sql, loadPersonalDataKey(s.config), {
        organizationId: org!.id,
        name: `林小雨${tag.slice(-2)}`,
        gender: 'female',
        idNumber: withCheckDigit(`110105199805050${tag.slice(-2)}`),
        phone: null,
        appliedOn,
        actor: 'secretary',
      });
      if ('refused' in r) throw new Error(JSON.stringify(r.refused));
      await s.client.workflow.start(recruitment, { workflowId: r.workflowId, taskQueue: s.config.TEMPORAL_TASK_QUEUE, args: [{ applicant: r.id }] });
      await advanceApplicant(s.sql, s.client, { workflowId: r.workflowId, organizationId: org!.id, appliedOn, steps: PATH.slice(0, 2) });
    });

    it('the county enters the plan, the township allocates it, and the dashboard shows the targets with a nudge sent', async () => {
      const county = await sessions.open();
      await signIn(county.page, countyOrganizer.username, PASSWORD);
      await county.page.getByRole('link', { name: '工作看板' }).click();
      const card = county.page.getByTestId('recruitment-plan');
      await card.getByRole('heading', { name: '录入本县发展党员计划（按乡镇、系统）' }).waitFor();
      await card.getByLabel(`${townshipName} 计划数`).fill('3');
      await card.getByLabel(`${organsName} 计划数`).fill('1');
      await card.getByRole('button', { name: '保存计划' }).click();
      await expect.poll(() => card.getByTestId('plan-summary').textContent(), { timeout: 30_000 }).toContain('已下达 4 名');
      expect(await card.getByTestId('rplan-notice').textContent()).toBe('计划已保存。');
      expect(await card.locator(`tr[data-code="${organs}"]`).textContent()).toContain('机关');
      // The plan by sector: the township's share under 地方党委, the organs' under 机关.
      expect(await card.getByTestId('plan-by-sector').textContent()).toBe('按系统：地方党委 3 名（已发展 0 名）；机关 1 名（已发展 0 名）');
      await county.shot('recruitment-plan-1-county-enters');
      expect(await a11yViolations(county.page)).toEqual([]);

      const town = await sessions.open();
      await signIn(town.page, townOrganizer.username, PASSWORD);
      await town.page.getByRole('link', { name: '工作看板' }).click();
      const tcard = town.page.getByTestId('recruitment-plan');
      await tcard.getByTestId('plan-summary').getByText('上级下达 3 名').waitFor();
      // More than the township's share: refused, said in words, nothing saved.
      await tcard.getByLabel(`${v1Name} 计划数`).fill('2');
      await tcard.getByLabel(`${v2Name} 计划数`).fill('2');
      await tcard.getByRole('button', { name: '保存计划' }).click();
      await tcard.getByText('未保存：各组织计划数合计超过上级下达的 3 名').waitFor();
      await town.shot('recruitment-plan-2-over-allocated');
      const [{ n }] =
        (await s.sql`select count(*)::int as n from recruitment_plans where given_by = (select id from organizations where code = ${township})`) as [
          { n: number },
        ];
      expect(n).toBe(0);
      await tcard.getByLabel(`${v2Name} 计划数`).fill('1');
      await tcard.getByRole('button', { name: '保存计划' }).click();
      await expect.poll(() => tcard.getByTestId('plan-summary').textContent(), { timeout: 30_000 }).toContain('已分解 3 名');

      // The villages against the seed's targets: the first has the activist its case made (this year's, unless it was
      // made last December); the second has recruited no one as far as anyone knows.
      const activists = addMonths(addMonths(today, -2), 1).startsWith(`${year}-`) ? 1 : 0;
      const targets = tcard.getByTestId('targets-table');
      expect(await targets.locator(`tr[data-code="${v1}"]`).textContent()).toContain(`${activists} / 3`);
      expect(await targets.locator(`tr[data-code="${v1}"]`).textContent()).toContain('未达标');
      expect(await tcard.getByTestId('quiet-villages').textContent()).toContain(v2Name);
      await tcard.getByRole('button', { name: '一键催办未达标的村' }).click();
      await expect.poll(() => tcard.getByTestId('rplan-notice').textContent(), { timeout: 30_000 }).toBe('已催办 2 个组织，通知 1 人。');
      await expect.poll(() => targets.locator(`tr[data-code="${v1}"]`).textContent(), { timeout: 30_000 }).toContain('已催办 1 次');
      const [note] = await s.sql<{ title: string }[]>`
      select n.title from notifications n join user_roles r on r.user_id = n.user_id join organizations o on o.id = r.organization_id
      where o.code = ${v1} and n.kind = 'nudge'`;
      expect(note!.title).toContain('发展党员未达目标');
      await town.shot('recruitment-plan-3-targets-nudged');
      expect(await a11yViolations(town.page)).toEqual([]);
      expect(town.errors).toEqual([]);
      expect(county.errors).toEqual([]);
    });

    it('a county with more villages than a page reads its targets a page at a time, the summary over all of them', async () => {
      // A third township with 101 villages: the county's list holds 103, a page 100.
      const third = `${base}3`;
      const many = Array.from({ length: 101 }, (_, i) => orgRow(`${third}${String(i).padStart(3, '0')}`, third, { name: `第${i + 1}村党支部${tag}` }));
      await addOrganizations(s.sql, [orgRow(third, chain.county, { ...committee, name: `白石镇党委${tag}` }), ...many]);
      const county = await sessions.open();
      await signIn(county.page, countyOrganizer.username, PASSWORD);
      await county.page.getByRole('link', { name: '工作看板' }).click();
      const card = county.page.getByTestId('recruitment-plan');
      const rows = card.getByTestId('targets-table').locator('tbody tr');
      await expect.poll(() => card.getByTestId('targets-summary').textContent(), { timeout: 30_000 }).toMatch(/^103 个村中 \d+ 个达标。$/);
      expect(await rows.count()).toBe(100);
      // The quiet villages are counted over all 103; the list names the first twenty and says how many more.
      expect(await card.getByTestId('quiet-villages').textContent()).toMatch(/年以上未发展党员的村（10[23] 个）.* 等，另有 8[23] 个$/);
      // Clicked twice in a row: the next page is appended once.
      await card.getByRole('button', { name: '显示更多村（已显示 100 / 103）' }).dblclick();
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(103);
      await county.page.waitForLoadState('networkidle');
      expect(await rows.count()).toBe(103);
      expect(await card.getByTestId('targets-more').count()).toBe(0);
      expect(await rows.last().getAttribute('data-code')).toBe(`${third}100`);
      await county.shot('recruitment-plan-4-targets-paged');
      expect(await a11yViolations(county.page)).toEqual([]);
      expect(county.errors).toEqual([]);
    });
  },
);
