import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, eventually, orgRow, uniqueCode } from '../../helpers/context.js';
import { a11yViolations, openBrowser, prepareBrowser, type Session } from '../../helpers/browser.js';
import { addDays, addMonths, shanghaiDate } from '../../../src/domain/dates.js';
import { taskLinkFor } from '../../../src/auth/task-links.js';
import { journeyArtifacts, phone, startJourney, type Journey, type Person } from './journey.js';

// From a message to the finished task on a phone: a village secretary holding the election
// request gets the link every message carries (taskLinkFor, the function the channels call), opens it, and is on the
// task's page signed in as herself; she fills the form and sends it: done, in three taps and no password. Then the
// same link again (used), an expired link and a link to a task reassigned away are each refused with a page saying
// which case it is and offering the ordinary sign-in. Every screen is checked with axe and photographed.
const browser = prepareBrowser();

describe.skipIf('skip' in browser)(`journey: task link${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  let j: Journey;
  const sessions: Session[] = [];
  const [county, township, va, vb] = [uniqueCode('LK'), uniqueCode('LT'), uniqueCode('LA'), uniqueCode('LB')];
  const today = shanghaiDate(Date.now());

  /** A phone with nobody signed in: the link is all the person has. */
  const phoneBrowser = async () => {
    const b = await openBrowser('executablePath' in browser ? browser.executablePath : '', j.baseURL, phone);
    sessions.push(b);
    return b;
  };
  const screen = async (b: Session, name: string) => {
    await b.page.waitForLoadState('networkidle').catch(() => {});
    await b.page.screenshot({ path: join(journeyArtifacts, `task-link-${name}.png`), fullPage: true });
    expect(await a11yViolations(b.page), `${name}: axe WCAG 2.1 A/AA`).toEqual([]);
    expect(b.errors, `${name}: page errors`).toEqual([]);
  };
  const userId = async (username: string) => (await j.s.sql<{ id: number }[]>`select id from users where username = ${username}`)[0]!.id;
  const refusedWith = async (b: Session, link: string, reason: string, words: string, shot: string) => {
    await b.page.goto(link);
    const refused = b.page.getByTestId('task-link-refused');
    await refused.waitFor();
    expect(await refused.getAttribute('data-reason')).toBe(reason);
    await b.page.getByRole('heading', { name: '此链接无法使用' }).waitFor();
    expect(await refused.getByRole('alert').textContent()).toContain(words);
    await screen(b, shot);
  };

  beforeAll(async () => {
    j = await startJourney('executablePath' in browser ? browser.executablePath : '', 'task-link');
    // Terms already over: each village's election request opens at once, for its secretary.
    const ended = { term_years: 5, term_started_on: addDays(addMonths(today, -58), -21) };
    await addOrganizations(j.s.sql, [
      orgRow(county, '', { type: 'committee', sector: 'regional', name: `清河县委${county}` }),
      orgRow(township, county, { type: 'committee', sector: 'regional', name: `柳镇党委${township}` }),
      orgRow(va, township, { ...ended, name: `东湾村党支部${va}` }),
      orgRow(vb, township, { ...ended, name: `西岭村党支部${vb}` }),
    ]);
    for (const v of [va, vb]) {
      const r = await j.s.app.inject({ headers: j.s.admin, method: 'POST', url: '/api/v1/processes/term-election', payload: { organization: v } });
      expect(r.statusCode, r.body).toBe(201);
    }
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    for (const [i, b] of sessions.entries()) {
      console.error(`[${ctx.task.name}] ${b.page.url()}\n${await b.page.textContent('body').catch(() => '')}\nerrors: ${JSON.stringify(b.errors)}`);
      await b.page.screenshot({ path: join(journeyArtifacts, `FAILED-task-link-${i}.png`), fullPage: true }).catch(() => {});
    }
  });
  afterAll(async () => {
    for (const b of sessions) await b.close().catch(() => {});
    await j?.close();
  });

  it('opens the task from the link and completes it in three taps; the link then, an expired one and a moved task are refused', async () => {
    const secretary = await j.s.userWith([{ role: 'secretary', org: va }]);
    const taskA = await j.openTask(`term-election:${va}`, 'election-request');
    const link = await taskLinkFor(j.s.sql, { userId: await userId(secretary.username), taskId: taskA });
    expect(link).toMatch(/^\/t\//);

    // Tap 1: the link. The task's page, signed in as the secretary, told it reaches this task only.
    const b = await phoneBrowser();
    await b.page.goto(link);
    await b.page.waitForURL((u) => u.pathname === `/tasks/${taskA}`);
    await b.page.getByRole('heading', { name: /办理任务/ }).waitFor();
    await b.page.getByTestId('task-form').waitFor();
    await b.page.getByTestId('task-link-scope').waitFor();
    expect(await b.page.locator('.who').textContent()).toContain(secretary.username);
    expect(await b.page.getByRole('navigation', { name: '主导航' }).count()).toBe(0);
    await screen(b, '01-opened-from-link');

    // Tap 2: the form, filled and sent. Tap 3 is the page saying it is done.
    const me = { page: b.page } as Person;
    await j.fill(me, 'term-election', 'election-request', { electionDate: addMonths(today, 1), seats: '5', nominationMethod: 'combined' });
    await screen(b, '02-filled');
    await j.submit(me);
    await screen(b, '03-done');
    const [row] = await j.s.sql<{ state: string }[]>`select state from tasks where id = ${taskA}`;
    expect(row?.state).toBe('done');
    const audit = await j.s.sql<
      { kind: string; actor: string }[]
    >`select kind, actor from task_events where task_id = ${taskA} and kind in ('link-redeemed', 'completed') order by id`;
    expect(audit).toEqual([
      { kind: 'link-redeemed', actor: secretary.username },
      { kind: 'completed', actor: secretary.username },
    ]);
    // Anywhere else this session goes, the page says it reaches this task only.
    await b.page.goto('/tasks');
    await b.page.getByText('通过消息链接登录的会话只能办理该链接对应的任务。').waitFor();
    await screen(b, '04-outside-the-task');

    // The same link again (forwarded, or opened twice): used.
    const again = await phoneBrowser();
    await refusedWith(again, link, 'used', '已经使用过', '05-refused-used');
    // The ordinary sign-in is offered.
    await again.page.getByRole('link', { name: '使用账号密码登录' }).click();
    await again.page.getByRole('heading', { name: '登录' }).waitFor();

    // An expired link to village B's request.
    const secB = await j.s.userWith([{ role: 'secretary', org: vb }]);
    const taskB = await j.openTask(`term-election:${vb}`, 'election-request');
    const expired = await taskLinkFor(j.s.sql, { userId: await userId(secB.username), taskId: taskB });
    await j.s.sql`update task_links set expires_at = now() - interval '1 minute' where token_sha256 is not null and task_id = ${taskB}`;
    await refusedWith(await phoneBrowser(), expired, 'expired', '已过期', '06-refused-expired');

    // A fresh link, then the township reassigns the request to the village's new secretary: it moved away.
    const fresh = await taskLinkFor(j.s.sql, { userId: await userId(secB.username), taskId: taskB });
    const newSec = await j.s.userWith([{ role: 'secretary', org: vb }]);
    const supervisor = await j.s.userWith([{ role: 'supervisor', org: township }]);
    const moved = await j.s.app.inject({
      method: 'POST',
      url: `/api/v1/tasks/${taskB}/reassign`,
      headers: { authorization: supervisor.authorization },
      payload: { assigneePerson: newSec.username, reason: '原书记调离' },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    await eventually(
      'the reassignment on the task row',
      async () => (await j.s.sql`select 1 from tasks where id = ${taskB} and assignee_person = ${newSec.username}`).length > 0,
    );
    await refusedWith(await phoneBrowser(), fresh, 'reassigned', '已改由他人办理', '07-refused-reassigned');
  });
});
