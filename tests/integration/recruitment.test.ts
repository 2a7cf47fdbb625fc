import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { shanghaiDate } from '../../src/domain/dates.js';

// 发展党员 through the API: the branch secretary records an application (refused by field when it cannot be one),
// which starts the case; the township lists its villages' applicants with what each case waits for; the secretary
// does the first step as a task; the applicant, linked to their user, reads their own case and nobody else's.
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
});
