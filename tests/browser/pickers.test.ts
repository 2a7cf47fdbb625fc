import { beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, countyChain, eventually, orgRow, uniqueCode, uniqueCodes, type Stack } from '../helpers/context.js';
import { a11yViolations, prepareBrowser, signIn, browserStack } from '../helpers/browser.js';
import { taskProcess } from '../../workflows/task-process.js';
import { addDays, addMonths, shanghaiDate } from '../../src/domain/dates.js';

// "Pickers, not codes" and "what a person decides on is on the page", in Chromium against the real
// stack: each person holds only the role the screen needs, picks an organization, a person or a training session
// by its Chinese name or pinyin initials, never by a code; and each approval step's page of a real term election
// states the request, the candidates and their margin, the ballot counts and the result in words.
const browser = prepareBrowser();
const PASSWORD = 'correct horse battery';
const phone = { width: 390, height: 844 };

describe.skipIf('skip' in browser)(`pickers and approval pages in Chromium${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  const executablePath = 'executablePath' in browser ? browser.executablePath : '';
  let s: Stack;
  const { sessions } = browserStack(executablePath, (started) => (s = started));
  const tag = `${Date.now()}`.slice(-5);
  const [county, township, red, green, otherCounty, otherRed] = uniqueCodes('PK', 'PT', 'PR', 'PG', 'PO', 'PX');
  const redName = `红白村党支部${tag}`;
  const greenName = `青山村党支部${tag}`;
  const open = (viewport?: { width: number; height: number }) => sessions.open(viewport);
  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const r = await s.app.inject({ method, url, headers: s.admin, payload: payload as Record<string, unknown> });
    expect(r.statusCode, `${method} ${url}: ${r.body}`).toBeLessThan(300);
    return r.json();
  };
  const openTask = (workflowId: string, step: string) =>
    eventually(
      `the ${step} task of ${workflowId}`,
      async () => {
        const [t] = await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${workflowId} and step = ${step} and state in ('open', 'claimed')`;
        return t?.id;
      },
      60_000,
    );

  beforeAll(async () => {
    await addOrganizations(s.sql, [
      // The county at the tree's third level: its township's villages are villages (domain.md §2).
      ...countyChain(county, { name: `甲县委${tag}` }).rows,
      orgRow(township, county, { ...committee, name: `平安镇党委${tag}` }),
      // Terms ending in four months: the election's request is asked for at once.
      orgRow(red, township, { name: redName, term_years: 5, term_started_on: addMonths(shanghaiDate(Date.now()), -56) }),
      orgRow(green, township, { name: greenName, term_years: 5, term_started_on: addMonths(shanghaiDate(Date.now()), -56) }),
      // Another county with a village of the same name: never offered to county A's people.
      ...countyChain(otherCounty, { name: `乙县委${tag}` }).rows,
      orgRow(otherRed, otherCounty, { name: redName }),
    ]);
  });

  it('an organizer starts term elections by picking the organization by Chinese name and by pinyin initials', async () => {
    const organizer = await s.userWith([{ role: 'organizer', org: county }]);
    const b = await open();
    const { page } = b;
    await signIn(page, organizer.username, PASSWORD);
    await page.getByRole('link', { name: '工作看板' }).click();
    const start = page.getByTestId('start-process');
    const box = start.getByRole('combobox', { name: /党组织/ });
    await box.fill('红白村');
    const list = start.getByRole('listbox');
    await list.getByRole('option').first().waitFor();
    // Only the village of the organizer's own county, named in words; the other county's namesake is not offered.
    expect(await list.getByRole('option').allTextContents()).toEqual([`${redName}${red}`]);
    expect(await box.getAttribute('aria-expanded')).toBe('true');
    await b.shot('pickers-1-org-by-name');
    expect(await a11yViolations(page)).toEqual([]);
    // Picked by keyboard: ↓ then Enter.
    await box.press('ArrowDown');
    expect(await box.getAttribute('aria-activedescendant')).toBe('start-org-opt-0');
    await box.press('Enter');
    expect(await box.inputValue()).toBe(redName);
    expect(await box.getAttribute('data-value')).toBe(red);
    await start.getByRole('button', { name: '发起', exact: true }).click();
    await start.getByText(`已发起：term-election:${red}`).waitFor();

    // Pinyin initials (upper or lower case) find 青山村党支部: "qscdzb".
    await box.fill('QSCDZB');
    await list.getByRole('option', { name: new RegExp(greenName) }).waitFor();
    expect(await list.getByRole('option').count()).toBe(1);
    await b.shot('pickers-2-org-by-initials');
    expect(await a11yViolations(page)).toEqual([]);
    await list.getByRole('option', { name: new RegExp(greenName) }).click();
    await start.getByRole('button', { name: '发起', exact: true }).click();
    await start.getByText(`已发起：term-election:${green}`).waitFor();
    const rows = await s.sql<
      { workflow_id: string }[]
    >`select workflow_id from processes where workflow_id in ${s.sql([`term-election:${red}`, `term-election:${green}`])} order by workflow_id`;
    expect(rows.length).toBe(2);
    expect(b.errors).toEqual([]);
  });

  it('a supervisor reassigns a task by picking a person by name; an organizer assigns a liaison officer the same way', async () => {
    const secretary = await s.userWith([{ role: 'secretary', org: green }]);
    const officer = await s.userWith([{ role: 'liaison_officer', org: township }]);
    const outsider = await s.userWith([{ role: 'liaison_officer', org: otherCounty }]);
    await s.sql`update users set display_name = ${'黄秉承'} where username = ${secretary.username}`;
    await s.sql`update users set display_name = ${'李明'} where username in ${s.sql([officer.username, outsider.username])}`;
    const taskId = await openTask(`term-election:${green}`, 'election-request');

    const supervisor = await s.userWith([{ role: 'supervisor', org: county }]);
    const b = await open(phone);
    const { page } = b;
    await signIn(page, supervisor.username, PASSWORD);
    await page.goto(`/tasks/${taskId}`);
    const actions = page.getByTestId(`actions-${taskId}`);
    await actions.getByRole('button', { name: '改派' }).click();
    const who = actions.getByRole('combobox', { name: /改派给/ });
    await who.fill('hbc');
    const option = actions.getByRole('option', { name: new RegExp(`黄秉承（${secretary.username}）`) });
    await option.waitFor();
    expect(await option.textContent()).toContain(greenName);
    await b.shot('pickers-3-person-phone');
    expect(await a11yViolations(page)).toEqual([]);
    await option.click();
    await actions.getByLabel('理由').fill('由新任书记办理');
    await actions.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('action-notice').waitFor();
    await expect.poll(async () => (await s.sql`select assignee_person from tasks where id = ${taskId}`)[0]!.assignee_person).toBe(secretary.username);
    expect(b.errors).toEqual([]);

    // The assign-officer step: its field is a person picker offering liaison officers of the organizer's subtree.
    const workflowId = `pickers-${uniqueCode('a')}`;
    const [townshipRow] = await s.sql<{ id: number }[]>`select id from organizations where code = ${township}`;
    const handle = await s.client.workflow.start(taskProcess, {
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [
        {
          task: {
            key: 'assign-officer',
            process: 'liaison-dispatch',
            step: 'assign-officer',
            organizationId: townshipRow!.id,
            assigneeRole: 'organizer',
            due: { workingDays: 5 },
            context: {},
          },
        },
      ],
    });
    const assignId = await openTask(workflowId, 'assign-officer');
    const organizer = await s.userWith([{ role: 'organizer', org: county }]);
    const o = await open();
    await signIn(o.page, organizer.username, PASSWORD);
    await o.page.goto(`/tasks/${assignId}`);
    const field = o.page.getByTestId('task-form').getByRole('combobox', { name: /联络员/ });
    await field.fill('李明');
    await o.page.getByRole('option').first().waitFor();
    // Only the officer of this county: the other county's 李明 is not offered.
    expect(await o.page.getByRole('option').allTextContents()).toEqual([expect.stringContaining(`李明（${officer.username}）`)]);
    await o.shot('pickers-4-officer');
    expect(await a11yViolations(o.page)).toEqual([]);
    await field.press('ArrowDown');
    await field.press('Enter');
    await o.page.getByTestId('task-form').getByRole('button', { name: '提交' }).click();
    await o.page.getByTestId('task-done').waitFor();
    expect((await handle.result()).outcome).toEqual({ officer: officer.username });
    expect(o.errors).toEqual([]);
  });

  it("the session's organizer on a phone picks the training session a secretary is enrolled in by its initials", async () => {
    const session = uniqueCode('S');
    const title = `村书记轮训班${tag}`;
    const today = shanghaiDate(Date.now());
    // It began today: its attendance may be recorded (on or after its first day, by its organizer).
    await api('POST', '/api/v1/training-sessions', { code: session, organization: county, title, startsOn: today, endsOn: addDays(today, 4) });
    await api('POST', '/api/v1/processes/rotation-training', { organization: red, secretary: '王芳' });
    const workflowId = await eventually(
      'the training cycle',
      async () =>
        (
          await s.sql<
            { workflow_id: string }[]
          >`select workflow_id from tasks where step = 'training' and workflow_id like ${`rotation-training:${red}%`} and state = 'open'`
        )[0]?.workflow_id,
      60_000,
    );
    const enrol = await api('POST', `/api/v1/training-sessions/${session}/enrolments`, { organizations: [red] });
    expect(enrol.done).toEqual([red]);
    const taskId = await openTask(workflowId, 'training');
    await eventually(
      'the enrolment in the task context',
      async () =>
        ((await s.sql<{ context: { enrolled: string[] } }[]>`select context from tasks where id = ${taskId}`)[0]?.context.enrolled ?? []).includes(session),
      60_000,
    );

    const organizer = await s.userWith([{ role: 'organizer', org: county }]);
    const b = await open(phone);
    const { page } = b;
    await signIn(page, organizer.username, PASSWORD);
    await page.goto(`/tasks/${taskId}`);
    // The session enrolled in is named by its title, not only its code.
    await expect.poll(() => page.getByTestId('decides-on').textContent()).toContain(`${title}（${session}`);
    const form = page.getByTestId('task-form');
    const box = form.getByRole('combobox', { name: /培训班/ });
    await box.fill('sjlxb');
    const option = form.getByRole('option', { name: new RegExp(title) });
    await option.waitFor();
    expect(await option.textContent()).toContain(`甲县委${tag}`);
    await b.shot('pickers-5-session-phone');
    expect(await a11yViolations(page)).toEqual([]);
    await option.click();
    expect(await box.getAttribute('data-value')).toBe(session);
    await form.getByLabel('已参加培训').check();
    await form.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('task-done').waitFor();
    const [done] = await s.sql<{ outcome: Record<string, unknown> }[]>`select outcome from tasks where id = ${taskId}`;
    expect(done!.outcome).toMatchObject({ session, attended: true });
    expect(b.errors).toEqual([]);
  });

  it('each approval step of a real term election states what is decided on, in words, on desktop and phone', async () => {
    const wf = `term-election:${red}`;
    const supervisor = await s.userWith([{ role: 'supervisor', org: county }]);
    const desk = await open();
    const mobile = await open(phone);
    for (const b of [desk, mobile]) await signIn(b.page, supervisor.username, PASSWORD);
    const complete = async (step: string, outcome: Record<string, unknown>) => api('POST', `/api/v1/tasks/${await openTask(wf, step)}/complete`, { outcome });
    const look = async (step: string, name: string, expected: (string | RegExp)[]) => {
      const id = await openTask(wf, step);
      for (const [i, b] of [desk, mobile].entries()) {
        await b.page.goto(`/tasks/${id}`);
        await b.page.getByTestId('decides-on').waitFor();
        await b.page.getByTestId('history').waitFor();
        const text = (await b.page.textContent('main'))!;
        for (const e of expected) expect(text, `${step}: ${e}`).toMatch(e);
        // No JSON, no keys: the facts are in words.
        expect(text, step).not.toMatch(/[{}"]|electionDate|nominationMethod|ballotsIssued|ruleSet/);
        await b.shot(`decides-${name}${i ? '-phone' : ''}`);
        expect(await a11yViolations(b.page), `${step} a11y`).toEqual([]);
      }
    };

    await complete('election-request', { electionDate: '2027-01-10', seats: 3, nominationMethod: 'combined', note: '按期换届' });
    await look('election-reply', 'reply', ['所批复的请示', '拟选举日期', '2027年1月10日', '委员职数', '3', '党员推荐与组织推荐相结合', '按期换届', '换届请示']);
    await complete('election-reply', { decision: 'approve' });
    await complete('candidates', { seats: 3, candidates: ['甲', '乙', '丙', '丁'] });
    await look('candidates-review', 'candidates', ['候选人', '甲', '丁', '差额要求', '应选 3 名，候选人 4 名，至少应有 4 名', '符合差额要求']);
    await complete('candidates-review', { decision: 'agree' });
    await complete('members-meeting', {
      meetingDate: shanghaiDate(Date.now()),
      entitled: 30,
      present: 26,
      ballotsIssued: 26,
      ballotsReturned: 26,
      votes: { 甲: 20, 乙: 18, 丙: 15, 丁: 3 },
    });
    await complete('secretary-election', { secretary: '甲' });
    await complete('result-report', { note: '选举结果已报告' });
    await look('result-approval', 'result', ['已当选委员', '书记', '甲', '乙', '丙', '党员大会选举', '26', '选举书记', '选举结果已报告']);
    for (const b of [desk, mobile]) expect(b.errors).toEqual([]);
  });

  it('a pairing deliverable’s page lists its evidence files, each downloadable', async () => {
    const partner = uniqueCode('PP');
    await addOrganizations(s.sql, [orgRow(partner, county, { type: 'branch', sector: 'government', name: `县农业农村局党支部${tag}` })]);
    const started = await api('POST', '/api/v1/processes/pairing', { organization: green, partner });
    const wf = started.id as string;
    const taskId = await eventually(
      'the plan deliverable',
      async () =>
        (
          await s.sql<{ id: number }[]>`
      select id from tasks where workflow_id = ${wf} and step = 'pairing-deliverable' and context->>'deliverable' = 'plan' and state = 'open'`
        )[0]?.id,
      60_000,
    );
    const upload = await s.app.inject({
      method: 'POST',
      url: `/api/v1/pairing/evidence?organization=${green}&deliverable=plan&filename=${encodeURIComponent('三年发展规划.pdf')}`,
      headers: { ...s.admin, 'content-type': 'application/pdf' },
      payload: Buffer.from('%PDF-1.4 三年发展规划'),
    });
    expect(upload.statusCode, upload.body).toBe(201);
    // The workflow takes the file, and its activity marks it attached: only then is it the pairing's evidence.
    await eventually(
      'the evidence attached',
      async () => (await s.sql<{ attached: boolean }[]>`select attached from evidence_files where id = ${upload.json().id}`)[0]?.attached,
      60_000,
    );
    // The secretary of the organization the deliverable's task is assigned at.
    const [taskOrg] = await s.sql<{ code: string }[]>`select o.code from tasks t join organizations o on o.id = t.organization_id where t.id = ${taskId}`;
    const secretary = await s.userWith([{ role: 'secretary', org: taskOrg!.code }]);
    const b = await open(phone);
    const { page } = b;
    await signIn(page, secretary.username, PASSWORD);
    await page.goto(`/tasks/${taskId}`);
    const evidence = page.getByTestId('evidence');
    await evidence.getByText('三年发展规划.pdf').waitFor();
    expect(await evidence.textContent()).toContain('制定一个好规划'); // the seed's words for the plan (二(三))
    expect(await page.getByTestId('decides-on').textContent()).toContain(`县农业农村局党支部${tag}`);
    await b.shot('decides-evidence-phone');
    expect(await a11yViolations(page)).toEqual([]);
    const [file] = await Promise.all([page.waitForEvent('download'), evidence.getByRole('button', { name: '下载 三年发展规划.pdf' }).click()]);
    expect(file.suggestedFilename()).toBe('三年发展规划.pdf');
    expect(b.errors).toEqual([]);
  });
});
