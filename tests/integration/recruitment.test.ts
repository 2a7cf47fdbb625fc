import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { addDays, addMonths, shanghaiDate, type IsoDate } from '../../src/domain/dates.js';
import { advanceApplicant, PATH } from '../../src/demo/recruitment.js';

// 发展党员 through the API: the branch secretary records an application (refused by field when it cannot be one),
// which starts the case; the township lists its villages' applicants with what each case waits for; the secretary
// does the first step as a task; the applicant, linked to their user, reads their own case and nobody else's. A
// 发展对象 whose pre-review has passed fills in their 入党志愿书 themselves, signed in with no role.
describe('recruitment through the API', () => {
  let s: Stack;
  const township = uniqueCode('T');
  const [branch, other] = [uniqueCode('B'), uniqueCode('O')];
  let secretary: { authorization: string; username: string };
  let organizer: { authorization: string; username: string };
  let stranger: { authorization: string; username: string };
  let applicantUser: { authorization: string; username: string };
  const call = (who: { authorization: string }, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: who.authorization }, ...(payload ? { payload } : {}) });
  const idNumber = withCheckDigit(`42010219990909${String(Date.now() % 1000).padStart(3, '0')}`);

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [orgRow(township, '', committee), orgRow(branch, township), orgRow(other, '', committee)]);
    secretary = await s.userWith([{ role: 'secretary', org: branch }]);
    organizer = await s.userWith([{ role: 'organizer', org: township }]);
    stranger = await s.userWith([{ role: 'organizer', org: other }]);
    applicantUser = await s.userWith([]);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('records an application, starts the case, and lets the applicant read it', async () => {
    const young = withCheckDigit(`42010220${String(new Date().getFullYear() - 2000 - 17).padStart(2, '0')}0101002`);
    const refused = await call(secretary, 'POST', `/organizations/${branch}/applicants`, { name: '少年', gender: 'male', idNumber: young });
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().error.details).toEqual([{ field: 'body.appliedOn', message: 'an applicant is 18 or older on the day they apply' }]);
    const badId = await call(secretary, 'POST', `/organizations/${branch}/applicants`, {
      name: '陈晓',
      gender: 'female',
      idNumber: `${idNumber.slice(0, 17)}0` === idNumber ? `${idNumber.slice(0, 17)}1` : `${idNumber.slice(0, 17)}0`,
    });
    expect(badId.statusCode).toBe(422);
    expect(badId.json().error.details[0].field).toBe('body.idNumber');
    const future = await call(secretary, 'POST', `/organizations/${branch}/applicants`, { name: '陈晓', gender: 'female', idNumber, appliedOn: '2099-01-01' });
    expect(future.statusCode).toBe(422);
    expect((await call(stranger, 'POST', `/organizations/${branch}/applicants`, { name: '陈晓', gender: 'female', idNumber })).statusCode).toBe(404);
    // At the township, not a branch: refused by the path's code.
    const atTownship = await call(organizer, 'POST', `/organizations/${township}/applicants`, { name: '陈晓', gender: 'female', idNumber });
    expect(atTownship.statusCode, atTownship.body).toBe(422);
    expect(atTownship.json().error.details).toEqual([{ field: 'params.code', message: 'not a branch' }]);

    const created = await call(secretary, 'POST', `/organizations/${branch}/applicants`, { name: '陈晓', gender: 'female', idNumber, phone: '13900000002' });
    expect(created.statusCode, created.body).toBe(201);
    const { id, workflowId } = created.json() as { id: number; workflowId: string };
    expect(workflowId).toMatch(/^recruitment:[0-9a-f-]{36}$/);
    // One case per person at a time.
    const twice = await call(secretary, 'POST', `/organizations/${branch}/applicants`, { name: '陈晓', gender: 'female', idNumber });
    expect(twice.statusCode).toBe(422);
    expect(twice.json().error.details).toEqual([{ field: 'body.idNumber', message: 'an application of this person is under way' }]);

    // The township sees its villages' applicants and what each waits for: the talk, due within a month.
    const listed = await eventually('the talk opened', async () => {
      const items = (await call(organizer, 'GET', `/organizations/${township}/applicants`)).json().items as {
        id: number;
        waitingFor: { step: string; taskId: number } | null;
      }[];
      const mine = items.find((x) => x.id === id);
      return mine?.waitingFor ? mine : undefined;
    });
    expect(listed).toMatchObject({
      name: '陈晓',
      stage: 'applicant',
      idNumber: `${idNumber.slice(0, 4)}**********${idNumber.slice(-4)}`,
      waitingFor: { step: 'talk' },
    });
    expect((await call(stranger, 'GET', `/organizations/${township}/applicants`)).statusCode).toBe(404);

    const talk = await call(secretary, 'POST', `/tasks/${listed.waitingFor!.taskId}/complete`, {
      outcome: { talkedOn: shanghaiDate(Date.now()), talkedBy: '支部书记' },
    });
    expect(talk.statusCode, talk.body).toBe(200);

    // The applicant's own case, once linked; nobody else has one.
    expect((await call(applicantUser, 'GET', '/me/application')).statusCode).toBe(404);
    expect((await call(stranger, 'PUT', `/applicants/${id}/user`, { username: applicantUser.username })).statusCode).toBe(404);
    const linked = await call(secretary, 'PUT', `/applicants/${id}/user`, { username: applicantUser.username });
    expect(linked.statusCode, linked.body).toBe(200);
    const own = await eventually('the activist step opened', async () => {
      const r = (await call(applicantUser, 'GET', '/me/application')).json();
      return r.waitingFor?.step === 'activist' ? r : undefined;
    });
    expect(own).toMatchObject({ name: '陈晓', stage: 'applicant', linkedUser: applicantUser.username });
    expect((own.history as { eventKey: string }[]).map((h) => h.eventKey)).toEqual(expect.arrayContaining(['applied', 'talk-opened', 'activist-opened']));
  });

  it('lets the 发展对象 fill in their own 入党志愿书 once the pre-review has issued it, and the meeting knows its day', async () => {
    // A written application of two and a half years ago, so that every wait of the 细则 has passed; the steps up to
    // the pre-review recorded through the workflow's Update on the days the demo's path gives them.
    const appliedOn = addMonths(shanghaiDate(Date.now()), -30);
    const own = withCheckDigit(`42010219970707${String((Date.now() + 500) % 1000).padStart(3, '0')}`);
    const created = await call(secretary, 'POST', `/organizations/${branch}/applicants`, { name: '周明', gender: 'male', idNumber: own, appliedOn });
    expect(created.statusCode, created.body).toBe(201);
    const { id, workflowId } = created.json() as { id: number; workflowId: string };
    const person = await s.userWith([]);
    expect((await call(secretary, 'PUT', `/applicants/${id}/user`, { username: person.username })).statusCode).toBe(200);
    const [o] = await s.sql<{ id: number }[]>`select id from organizations where code = ${branch}`;
    const upTo = PATH.findIndex(([key]) => key === 'application-form');
    await advanceApplicant(s.sql, s.client, { workflowId, organizationId: o!.id, appliedOn, steps: PATH.slice(0, upTo) });
    const preReviewedOn = (await PATH.find(([key]) => key === 'pre-review')![1](appliedOn, async () => 0)).reviewedOn as IsoDate;

    // Theirs: in their own tasks, and what their case waits for.
    const mine = await eventually('the 入党志愿书 in their tasks', async () => {
      const items = (await call(person, 'GET', '/tasks?mine=true')).json().items as { id: number; step: string; process: string }[];
      return items.find((t) => t.process === 'recruitment' && t.step === 'application-form');
    });
    expect((await call(person, 'GET', '/me/application')).json().waitingFor).toMatchObject({ step: 'application-form', taskId: mine.id });
    // Nobody else without a role: to a user the task does not name, it does not exist.
    const other = await s.userWith([]);
    const outcome = { filledOn: addDays(preReviewedOn, 5), introducerOpinion: '赵德胜、钱玉兰：该同志入党动机端正，同意介绍其入党' };
    const stranger = await call(other, 'POST', `/tasks/${mine.id}/complete`, { outcome });
    expect(stranger.statusCode, stranger.body).toBe(404);
    // Not on a day before the pre-review.
    const early = await call(person, 'POST', `/tasks/${mine.id}/complete`, { outcome: { ...outcome, filledOn: addDays(preReviewedOn, -1) } });
    expect(early.statusCode, early.body).toBe(422);
    expect(early.json().error.details).toMatchObject({ rule: 'filled-on' });
    const done = await call(person, 'POST', `/tasks/${mine.id}/complete`, { outcome });
    expect(done.statusCode, done.body).toBe(200);

    // The members' meeting is the secretary's next, and its task knows the form's day.
    const meeting = await eventually('the admission meeting opened', async () => {
      const [t] = await s.sql<{ id: number; context: { formFilledOn?: string } }[]>`
        select id, context from tasks where workflow_id = ${workflowId} and task_key = 'admission-meeting'`;
      return t;
    });
    expect(meeting.context.formFilledOn).toBe(outcome.filledOn);
    const [by] = await s.sql<{ actor: string }[]>`
      select e.actor from task_events e where e.task_id = ${mine.id} and e.kind = 'completed'`;
    expect(by).toEqual({ actor: person.username });
  });
});
