import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, countyChain, eventually, orgRow, startBareTask, startStack, uniqueCode, type Stack, apiOf } from '../helpers/context.js';
import { addDays, shanghaiDate } from '../../src/domain/dates.js';
import type { TaskPlan } from '../../src/domain/task-plan.js';

// A task handed only to someone who could do it, and a training session used only inside its own subtree, through
// the API against the real servers. Delegation, reassignment (one task, a batch, an escalation) refuse a new holder
// who does not exist, is disabled, is outside the caller's view or holds no role that may do the step there — before
// the workflow's Update, so the task, its audit and the would-be holder's notifications are untouched — and the
// people picker offers exactly whom they accept. Another county's session is unknown (404) to enrolment and
// attendance.
describe('hostile task holders and training sessions', () => {
  let s: Stack;
  const { province, city, county: k1, rows: chain } = countyChain();
  const [k2, t1, t2] = [uniqueCode('K'), uniqueCode('T'), uniqueCode('T')];
  const [v1, v1b, v1c, v2] = [uniqueCode('V'), uniqueCode('V'), uniqueCode('V'), uniqueCode('V')];
  const today = shanghaiDate(Date.now());
  type Who = { username: string; authorization: string };
  let secV1: Who, sec2V1: Who, liaisonV1: Who, disabledV1: Who, secV1b: Who, orgT1: Who, supT1: Who, orgK1: Who, provAdmin: Who, liaisonK2: Who, secK2: Who;
  let everyone: Who[];
  let trainingV1: number;

  const api = apiOf(() => s);
  const orgId = async (code: string) => (await s.sql<{ id: number }[]>`select id from organizations where code = ${code}`)[0]!.id;
  const taskRow = async (id: number) =>
    (
      await s.sql<
        { state: string; claimed_by: string | null; assignee_person: string | null }[]
      >`select state, claimed_by, assignee_person from tasks where id = ${id}`
    )[0]!;
  const handedOver = async (id: number) =>
    (
      await s.sql<
        { n: number }[]
      >`select count(*)::int as n from task_events where task_id = ${id} and kind in ('delegated', 'reassigned', 'escalation-reassign')`
    )[0]!.n;
  const notificationsOf = async (who: Who) =>
    (await s.sql<{ n: number }[]>`select count(*)::int as n from notifications n join users u on u.id = n.user_id where u.username = ${who.username}`)[0]!.n;
  const trainingTask = (org: string) =>
    eventually(
      `the training task of ${org}`,
      async () =>
        (await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${`rotation-training:${org}`} and step = 'training' and state = 'open'`)[0]?.id,
    );
  const refusal = (r: { statusCode: number; body: string; json: () => { error: { details: unknown } } }, field: string, message: RegExp) => {
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().error.details).toEqual([{ field, message: expect.stringMatching(message) }]);
  };

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      ...chain,
      orgRow(k2, city, committee),
      orgRow(t1, k1, committee),
      orgRow(t2, k2, committee),
      ...[v1, v1b, v1c].map((v) => orgRow(v, t1, { sector: 'rural' })),
      orgRow(v2, t2, { sector: 'rural' }),
    ]);
    secV1 = await s.userWith([{ role: 'secretary', org: v1 }]);
    sec2V1 = await s.userWith([{ role: 'secretary', org: v1 }]);
    liaisonV1 = await s.userWith([{ role: 'liaison_officer', org: v1 }]);
    disabledV1 = await s.userWith([{ role: 'secretary', org: v1 }]);
    await s.sql`update users set disabled = true where username = ${disabledV1.username}`;
    secV1b = await s.userWith([{ role: 'secretary', org: v1b }]);
    orgT1 = await s.userWith([{ role: 'organizer', org: t1 }]);
    supT1 = await s.userWith([{ role: 'supervisor', org: t1 }]);
    orgK1 = await s.userWith([{ role: 'organizer', org: k1 }]);
    provAdmin = await s.userWith([{ role: 'admin', org: province }]);
    liaisonK2 = await s.userWith([{ role: 'liaison_officer', org: v2 }]);
    secK2 = await s.userWith([{ role: 'secretary', org: v2 }]);
    everyone = [secV1, sec2V1, liaisonV1, disabledV1, secV1b, orgT1, supT1, orgK1, provAdmin, liaisonK2, secK2];
    for (const org of [v1, v1b, v1c]) expect((await api(s.admin, 'POST', '/processes/rotation-training', { organization: org })).statusCode).toBe(201);
    trainingV1 = await trainingTask(v1);
  });
  afterAll(async () => s?.close());

  it("lists no admin to a secretary's mention picker, and a comment cannot mention one", async () => {
    const picks = await api(secV1, 'GET', `/users?task=${trainingV1}&limit=100`);
    expect(picks.statusCode, picks.body).toBe(200);
    const names = (picks.json().items as { username: string; roles: { role: string }[] }[]).map((u) => u.username);
    // The people who work the village's processes above it are listed; the province's operator and a disabled user not.
    expect(names).toEqual(expect.arrayContaining([secV1.username, orgT1.username, supT1.username, orgK1.username]));
    expect(names).not.toContain(provAdmin.username);
    expect(names).not.toContain(disabledV1.username);
    expect((picks.json().items as { roles: { role: string }[] }[]).flatMap((u) => u.roles.map((r) => r.role))).not.toContain('admin');
    const mention = await api(secV1, 'POST', `/tasks/${trainingV1}/comments`, { text: '请协助', mentions: [provAdmin.username] });
    refusal(mention, 'body.mentions.0', /cannot see this task/);
    expect((await api(secV1, 'POST', `/tasks/${trainingV1}/comments`, { text: '请协助', mentions: [orgT1.username] })).statusCode).toBe(201);
  });

  it('refuses a delegation to anyone who could not do the task, before the Update; a colleague who could gets it', async () => {
    const before = await taskRow(trainingV1);
    const quietBefore = await notificationsOf(liaisonK2);
    // Another county's liaison officer, a name nobody has, the province's admin above the secretary's view: no such
    // user for this secretary. A disabled colleague, and a colleague whose role does not do the secretary's step.
    const cases: [Who | string, RegExp][] = [
      [liaisonK2, /^no user /],
      ['no-such-user', /^no user no-such-user$/],
      [provAdmin, /^no user /],
      [disabledV1, /is disabled$/],
      [liaisonV1, /cannot do this task: it needs one of the roles secretary, admin, organizer, supervisor/],
    ];
    for (const [who, message] of cases) {
      const to = typeof who === 'string' ? who : who.username;
      refusal(await api(secV1, 'POST', `/tasks/${trainingV1}/delegate`, { to, reason: '外出学习' }), 'body.to', message);
    }
    expect(await taskRow(trainingV1)).toEqual(before);
    expect(await handedOver(trainingV1)).toBe(0);
    expect(await notificationsOf(liaisonK2)).toBe(quietBefore);
    // Refused or not, the 404 of a task the caller does not see comes first.
    expect((await api(secK2, 'POST', `/tasks/${trainingV1}/delegate`, { to: 'no-such-user', reason: '外出学习' })).statusCode).toBe(404);

    const ok = await api(secV1, 'POST', `/tasks/${trainingV1}/delegate`, { to: sec2V1.username, reason: '外出学习' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ claimedBy: sec2V1.username, assigneePerson: sec2V1.username });
  });

  it('refuses a reassignment to a stranger or to someone who cannot do the step; the 403 of a caller who may not reassign comes first', async () => {
    const before = await taskRow(trainingV1);
    const events = await handedOver(trainingV1);
    expect((await api(secV1, 'POST', `/tasks/${trainingV1}/reassign`, { assigneePerson: 'no-such-user', reason: '工作调整' })).statusCode).toBe(403);
    refusal(
      await api(orgT1, 'POST', `/tasks/${trainingV1}/reassign`, { assigneePerson: liaisonK2.username, reason: '工作调整' }),
      'body.assigneePerson',
      /^no user /,
    );
    refusal(
      await api(orgT1, 'POST', `/tasks/${trainingV1}/reassign`, { assigneePerson: 'no-such-user', reason: '工作调整' }),
      'body.assigneePerson',
      /^no user /,
    );
    // The secretary of the next village, in the township's view but no holder of this village's step.
    refusal(
      await api(orgT1, 'POST', `/tasks/${trainingV1}/reassign`, { assigneePerson: secV1b.username, reason: '工作调整' }),
      'body.assigneePerson',
      /cannot do this task/,
    );
    // The county's organizer above the township could do it, but is outside the township organizer's view.
    refusal(
      await api(orgT1, 'POST', `/tasks/${trainingV1}/reassign`, { assigneePerson: orgK1.username, reason: '工作调整' }),
      'body.assigneePerson',
      /^no user /,
    );
    expect(await taskRow(trainingV1)).toEqual(before);
    expect(await handedOver(trainingV1)).toBe(events);
    // Naming a role only (no person) is not a new holder: unchanged.
    expect(
      (await api(orgT1, 'POST', `/tasks/${trainingV1}/reassign`, { assigneeRole: 'secretary', assigneePerson: null, reason: '工作调整' })).statusCode,
    ).toBe(200);
  });

  it('the picker offers exactly whom the check accepts, only inside the caller’s view', async () => {
    const picked = async (who: Who, taskId: number) => {
      const r = await api(who, 'GET', `/users?holderOf=${taskId}&limit=100`);
      expect(r.statusCode, r.body).toBe(200);
      return r.json().items as { username: string; roles: { org: string }[] }[];
    };
    const names = (items: { username: string }[]) => items.map((u) => u.username).sort();
    expect(names(await picked(secV1, trainingV1))).toEqual([secV1.username, sec2V1.username].sort());
    const township = await picked(orgT1, trainingV1);
    expect(names(township)).toEqual([secV1.username, sec2V1.username, orgT1.username, supT1.username].sort());
    // Only the holding roles are shown, none outside the caller's view.
    expect(township.flatMap((u) => u.roles.map((r) => r.org)).every((o) => o === v1 || o === t1)).toBe(true);
    expect(names(await picked(orgK1, trainingV1))).toEqual([secV1.username, sec2V1.username, orgT1.username, supT1.username, orgK1.username].sort());
    // A task outside the caller's view is unknown.
    expect((await api(liaisonK2, 'GET', `/users?holderOf=${trainingV1}`)).statusCode).toBe(404);

    // Every user of the test, named to the township organizer's reassignment: accepted exactly when picked.
    const offered = new Set(names(township));
    for (const who of everyone) {
      const r = await api(orgT1, 'POST', `/tasks/${trainingV1}/reassign`, { assigneePerson: who.username, reason: '逐一核对' });
      expect([who.username, r.statusCode], r.body).toEqual([who.username, offered.has(who.username) ? 200 : 422]);
    }
  });

  it('refuses a bulk reassignment item by item and an escalation’s reassignment the same way', async () => {
    const [a, b] = [await trainingTask(v1b), await trainingTask(v1c)];
    const re = await api(orgT1, 'POST', '/tasks/bulk/reassign', { ids: [a, b], input: { assigneePerson: secV1b.username, reason: '工作调整' } });
    expect(re.statusCode, re.body).toBe(200);
    expect(re.json()).toMatchObject({ done: 1, refused: 1 });
    expect(re.json().results[0]).toMatchObject({ id: a, result: 'done', status: 200 });
    expect(re.json().results[1]).toMatchObject({
      id: b,
      result: 'refused',
      status: 422,
      error: { code: 'invalid_request', message: expect.stringMatching(/^body\.input\.assigneePerson: .* cannot do this task/) },
    });
    expect((await taskRow(b)).assignee_person).toBeNull();
    const stranger = await api(orgT1, 'POST', '/tasks/bulk/reassign', { ids: [a], input: { assigneePerson: liaisonK2.username, reason: '工作调整' } });
    expect(stranger.json().results[0]).toMatchObject({
      result: 'refused',
      status: 422,
      error: { message: expect.stringMatching(/^body\.input\.assigneePerson: no user /) },
    });
    expect((await taskRow(a)).assignee_person).toBe(secV1b.username);

    // An overdue bare task at the village, escalated: the county's organizer steers it.
    const now = Date.now();
    const plan: TaskPlan = {
      dueAt: new Date(now - 3_600_000).toISOString(),
      reminders: [],
      escalations: [
        { level: 1, workingDaysAfter: 3, at: new Date(now + 300).toISOString() },
        { level: 2, workingDaysAfter: 10, at: new Date(now + 400 * 86_400_000).toISOString() },
        { level: 3, workingDaysAfter: 20, at: new Date(now + 800 * 86_400_000).toISOString() },
      ],
    };
    const task = await startBareTask(s, `hostile-${uniqueCode('E')}`, await orgId(v1), plan);
    const escalation = await eventually(
      'the escalation',
      async () => (await s.sql<{ id: number }[]>`select id from escalations where task_id = ${task}`)[0]?.id,
    );
    const quiet = await notificationsOf(liaisonK2);
    refusal(
      await api(orgK1, 'POST', `/escalations/${escalation}/reassign`, { assigneePerson: liaisonK2.username, reason: '改派督办' }),
      'body.assigneePerson',
      /^no user /,
    );
    refusal(
      await api(orgK1, 'POST', `/escalations/${escalation}/reassign`, { assigneePerson: 'no-such-user', reason: '改派督办' }),
      'body.assigneePerson',
      /^no user /,
    );
    expect(await handedOver(task)).toBe(0);
    expect(await notificationsOf(liaisonK2)).toBe(quiet);
    const ok = await api(orgK1, 'POST', `/escalations/${escalation}/reassign`, { assigneePerson: sec2V1.username, reason: '改派督办' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await taskRow(task)).assignee_person).toBe(sec2V1.username);
  });

  it('does not let another county’s training session be used for enrolment or attendance', async () => {
    const session = async (code: string, org: string) =>
      expect(
        (await api(s.admin, 'POST', '/training-sessions', { code, organization: org, title: '村党组织书记轮训班', startsOn: today, endsOn: addDays(today, 4) }))
          .statusCode,
      ).toBe(201);
    const [own, others] = [uniqueCode('S'), uniqueCode('S')];
    await session(own, k1);
    await session(others, k2);
    const enrolments = async (code: string) =>
      (
        await s.sql<
          { n: number }[]
        >`select count(*)::int as n from training_enrolments e join training_sessions t on t.id = e.session_id where t.code = ${code}`
      )[0]!.n;

    // County 1's organizer enrols its secretary in county 2's session: unknown to them, nothing written.
    const enrol = await api(orgK1, 'POST', `/training-sessions/${others}/enrolments`, { organizations: [v1] });
    expect(enrol.statusCode, enrol.body).toBe(404);
    expect(enrol.json().error.message).toBe(`training session ${others} not found`);
    expect(await enrolments(others)).toBe(0);

    // Enrolled there by the province, a village of township 1 still cannot have its attendance recorded there by
    // the township's organizer: its training task stays open.
    const v1bTask = await trainingTask(v1b);
    const byProvince = await api(s.admin, 'POST', `/training-sessions/${others}/enrolments`, { organizations: [v1b] });
    expect(byProvince.json()).toMatchObject({ done: [v1b] });
    const attend = await api(orgT1, 'POST', `/training-sessions/${others}/attendance`, { organizations: [v1b] });
    expect(attend.statusCode, attend.body).toBe(404);
    expect((await taskRow(v1bTask)).state).toBe('open');

    // The county's own session: enrolment and attendance by its organizer go through.
    const v1cTask = await trainingTask(v1c);
    expect((await api(orgK1, 'POST', `/training-sessions/${own}/enrolments`, { organizations: [v1c] })).json()).toMatchObject({ done: [v1c], refused: [] });
    await eventually('the enrolment in the workflow', async () => (await enrolments(own)) === 1);
    const attended = await api(orgK1, 'POST', `/training-sessions/${own}/attendance`, { organizations: [v1c] });
    expect(attended.json(), attended.body).toMatchObject({ done: [v1c], refused: [] });
    expect((await taskRow(v1cTask)).state).toBe('done');
  });
});
