import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, orgRow, uniqueCode } from '../helpers/context.js';
import { prepareBrowser } from '../helpers/browser.js';
import { addDays, addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { startJourney, type Journey, pick, phone, desktop } from './journeys/journey.js';
import { ratingActivities } from '../../activities/ratings.js';

// Comments, substitutes and an organization's life in Chromium against the real stack, each step by a person holding only that step's role:
// a secretary comments on her task mentioning the township's supervisor, who is told; she names the village's
// liaison officer her substitute, who finds her task and completes it, recorded on her behalf; the supervisor reads
// the village's life on one page, on a desktop and on a phone, and comments there on the whole election, mentioning
// the secretary, who is told. axe-core WCAG 2.1 A/AA on every screen.
const browser = prepareBrowser();

describe.skipIf('skip' in browser)(`comments, substitutes and an organization's life${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  let j: Journey;
  const [county, township, village, other] = [uniqueCode('LK'), uniqueCode('LT'), uniqueCode('LV'), uniqueCode('LO')];
  const villageName = `柳树村党支部${village}`;
  const wf = `term-election:${village}`;
  const today = shanghaiDate(Date.now());
  let taskId: number;

  beforeAll(async () => {
    j = await startJourney('executablePath' in browser ? browser.executablePath : '', 'life');
    await addOrganizations(j.s.sql, [
      orgRow(county, '', { type: 'committee', sector: 'regional', name: `清河县委${county}` }),
      orgRow(township, county, { type: 'committee', sector: 'regional', name: `柳镇党委${township}` }),
      orgRow(village, township, { name: villageName, term_years: 5, term_started_on: addMonths(today, -56), full_members: 30 }),
      orgRow(other, township, { name: `杨树村党支部${other}` }),
    ]);
    const started = await j.s.app.inject({ method: 'POST', url: '/api/v1/processes/term-election', headers: j.s.admin, payload: { organization: village } });
    expect(started.statusCode, started.body).toBe(201);
    taskId = await j.openTask(wf, 'election-request');
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await j.dumpOnFailure(ctx.task.name);
  });
  afterAll(async () => {
    await j?.close();
  });

  let sup: Awaited<ReturnType<Journey['person']>>;
  let sec: Awaited<ReturnType<Journey['person']>>;

  it('a secretary comments on her task mentioning the township supervisor, who is told and reads it', async () => {
    sec = await j.person('secretary', village);
    sup = await j.person('supervisor', township);
    const { page } = sec;
    await page.goto(`/tasks/${taskId}`);
    await page.getByRole('heading', { name: '评论' }).waitFor();
    await page.locator('#comment-text').fill('请督导确认选举日期，谢谢');
    // The picker offers those who can see the task: the township's supervisor, above the secretary's own subtree.
    await pick(page, '#comment-mention', sup.username, sup.username);
    await page.getByRole('button', { name: '添加提及' }).click();
    await page.getByTestId('mentions').getByText(`@${sup.username}`).waitFor();
    await j.screen(sec, '01-secretary-comment-mention');
    await page.getByRole('button', { name: '发表评论' }).click();
    await page.getByText('评论已发表。').waitFor();
    const comments = page.getByTestId('comments');
    await comments.getByText('请督导确认选举日期，谢谢').waitFor();
    expect(await comments.textContent()).toContain(`@${sup.username}`);
    await j.screen(sec, '02-secretary-commented');
    const [note] = await j.s.sql<{ title: string }[]>`
      select n.title from notifications n join users u on u.id = n.user_id where u.username = ${sup.username} and n.kind = 'mention' and n.task_id = ${taskId}`;
    expect(note?.title).toContain(sec.username);

    // The supervisor opens the task and reads the comment in its history.
    await sup.page.goto(`/tasks/${taskId}`);
    await sup.page.getByTestId('comments').getByText('请督导确认选举日期，谢谢').waitFor();
    await j.screen(sup, '03-supervisor-reads-comment');

    // She names the liaison officer her substitute while she is away (only a colleague of her village may be named).
    const liaison = await j.person('liaison_officer', village);
    await page.goto('/away');
    await page.getByRole('heading', { name: '代理人（外出期间）' }).waitFor();
    await pick(page, '#away-substitute', liaison.username, liaison.username);
    await page.locator('#away-startsOn').fill(today);
    await page.locator('#away-endsOn').fill(addDays(today, 7));
    await page.locator('#away-reason').fill('外出学习');
    await page.getByRole('button', { name: '指定代理人' }).click();
    await page.getByText(`已指定 ${liaison.username}`).waitFor();
    await page.getByTestId('away-list').getByText('生效中').waitFor();
    await j.screen(sec, '04-secretary-names-substitute');

    // The liaison officer finds her task in his inbox and completes it; the page says he acted on her behalf.
    await j.complete(liaison, taskId, { electionDate: addMonths(today, 2), seats: '5', nominationMethod: 'combined' }, '05-substitute-completes');
    const [row] = await j.s.sql<
      { actor: string; on_behalf_of: string | null }[]
    >`select actor, on_behalf_of from task_events where task_id = ${taskId} and kind = 'completed'`;
    expect(row).toEqual({ actor: liaison.username, on_behalf_of: sec.username });
    await liaison.page.reload();
    const log = liaison.page.getByTestId('action-log');
    await log.getByText(`${liaison.username}（代 ${sec.username}） 办结了任务`).waitFor();
    await j.screen(liaison, '06-substitute-action-log');
  });

  it('the township supervisor reads the village’s life on one page, on a desktop and on a phone', async () => {
    const { page } = sup;
    // The ratings' recompute (a Temporal Schedule in production) run once for this village: its colour is on the page.
    const rated = await ratingActivities(j.s.sql).recomputeRatings({ at: new Date().toISOString(), under: village });
    expect(rated.rated).toBe(1);
    const [colour] = await j.s.sql<
      { color: string }[]
    >`select r.color from ratings r join organizations o on o.id = r.organization_id where o.code = ${village}`;
    await page.goto(`/orgs/${village}`);
    await page.getByRole('link', { name: '查看组织全生命周期' }).click();
    await page.getByRole('heading', { name: `${villageName}：组织全生命周期` }).waitFor();
    const proc = page.locator(`[data-process="${wf}"]`);
    await proc.locator('[data-state="current"]').waitFor();
    const done = proc.locator('[data-state="done"]').first();
    expect(await done.textContent()).toContain('换届请示');
    expect(await done.textContent()).toMatch(/（代 /);
    expect(await proc.locator('[data-state="current"]').textContent()).toContain('截止');
    expect(await proc.locator('[data-state="next"]').count()).toBeGreaterThan(2);
    const rating = page.getByTestId('rating-history');
    await rating.getByText('当前：').waitFor();
    expect(await rating.textContent()).toContain({ green: '绿色', yellow: '黄色', red: '红色' }[colour!.color as 'green']);
    await j.screen(sup, '07-supervisor-life');
    await page.setViewportSize(phone);
    await page.reload();
    await proc.locator('[data-state="current"]').waitFor();
    // Nothing wider than the phone's screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    await j.screen(sup, '08-supervisor-life-phone');
  });

  it('the township supervisor comments on the whole election from the life page, mentioning the secretary, who is told', async () => {
    const { page } = sup;
    const text = '请村党支部按期完成换届各环节';
    await page.setViewportSize(desktop);
    await page.goto(`/orgs/${village}/life`);
    const proc = page.locator(`[data-process="${wf}"]`);
    const box = proc.locator('details.process-comments');
    // Folded behind its count, so the timeline stays readable; opened by its summary.
    await box.locator('summary').getByText('流程评论（0）').waitFor();
    expect(await box.evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
    await box.locator('summary').click();
    await box.getByText('还没有评论。').waitFor();
    await box.getByLabel('评论内容').fill(text);
    // The picker offers those who can see the process (the village's secretary), as the API's mention check does.
    await pick(box, '[role="combobox"]', sec.username, sec.username);
    await box.getByRole('button', { name: '添加提及' }).click();
    await box.getByTestId('mentions').getByText(`@${sec.username}`).waitFor();
    await j.screen(sup, '09-supervisor-process-comment');
    await box.getByRole('button', { name: '发表评论' }).click();
    await box.getByText('评论已发表。').waitFor();
    await box.getByTestId('comments').getByText(text).waitFor();
    await box.locator('summary').getByText('流程评论（1）').waitFor();
    expect(await box.getByTestId('comments').textContent()).toContain(`@${sec.username}`);
    await j.screen(sup, '10-supervisor-process-commented');
    const [row] = await j.s.sql<{ task_id: number | null; author: string; mentions: string[] }[]>`
      select task_id, author, mentions from comments where workflow_id = ${wf} and body = ${text}`;
    expect(row).toEqual({ task_id: null, author: sup.username, mentions: [sec.username] });
    const [note] = await j.s.sql<{ title: string; body: string; task_id: number | null }[]>`
      select n.title, n.body, n.task_id from notifications n join users u on u.id = n.user_id
      where u.username = ${sec.username} and n.kind = 'mention' and n.body = ${text}`;
    expect(note?.task_id).toBeNull();
    expect(note?.title).toContain(sup.username);

    // The picker and the API agree: a secretary of the neighbouring village cannot see this process, so the
    // picker does not offer her and the API refuses her mention.
    const stranger = await j.s.userWith([{ role: 'secretary', org: other }]);
    const auth = await j.s.userWith([{ role: 'supervisor', org: township }]);
    const offered = (
      await j.s.app.inject({ method: 'GET', url: `/api/v1/users?process=${encodeURIComponent(wf)}&limit=100`, headers: { authorization: auth.authorization } })
    ).json();
    const names = offered.items.map((u: { username: string }) => u.username);
    expect(names).toEqual(expect.arrayContaining([sec.username, sup.username]));
    expect(names).not.toContain(stranger.username);
    const refused = await j.s.app.inject({
      method: 'POST',
      url: `/api/v1/processes/${encodeURIComponent(wf)}/comments`,
      headers: { authorization: auth.authorization },
      payload: { text: '探针', mentions: [stranger.username] },
    });
    expect(refused.statusCode).toBe(422);

    // On a phone, the page opened at #comments-<process id> shows the comments open, and the form fits the screen.
    await page.setViewportSize(phone);
    await page.goto(`/orgs/${village}/life#comments-${wf}`);
    await page.reload(); // a load of that address, not a move within the page
    await box.getByTestId('comments').getByText(text).waitFor();
    expect(await box.evaluate((d: HTMLDetailsElement) => d.open)).toBe(true);
    await box.getByLabel('评论内容').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
    await j.screen(sup, '11-supervisor-process-comments-phone');

    // A liaison officer of the township sees the village but does none of the election's steps: the list, no form.
    const reader = await j.person('liaison_officer', township);
    await reader.page.goto(`/orgs/${village}/life#comments-${wf}`);
    const theirs = reader.page.locator(`[data-process="${wf}"] details.process-comments`);
    await theirs.getByTestId('comments').getByText(text).waitFor();
    await theirs.getByText('您可以查看评论；发表评论需由办理此流程某一步骤或上级督导的人员进行。').waitFor();
    expect(await theirs.locator('textarea').count()).toBe(0);
    await j.screen(reader, '12-reader-process-comments-phone');
  });
});
