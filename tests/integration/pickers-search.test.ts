import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { initialsOf } from '../../src/api/initials.js';

// The pickers' searches: organizations, people and training sessions by Chinese name and by pinyin
// initials, inside the caller's subtree only; a bad query is a 400 naming its field.
describe('picker searches', () => {
  let s: Stack;
  const [a, b, villageA, villageB] = [uniqueCode('KA'), uniqueCode('KB'), uniqueCode('VA'), uniqueCode('VB')];
  // Names unique to this run, so other tests' rows cannot answer for them.
  const tag = `${Date.now()}`.slice(-5);
  const sessionA = uniqueCode('SA');
  const sessionB = uniqueCode('SB');
  let organizerA: { username: string; authorization: string };
  let secretaryA: { username: string; authorization: string };
  let officerA: { username: string };
  let officerB: { username: string };

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      orgRow(a, '', { ...committee, name: `甲县委${tag}` }),
      orgRow(b, '', { ...committee, name: `乙县委${tag}` }),
      orgRow(villageA, a, { name: `红白村党支部${tag}` }),
      orgRow(villageB, b, { name: `红白村党支部${tag}` }),
    ]);
    organizerA = await s.userWith([{ role: 'organizer', org: a }]);
    secretaryA = await s.userWith([{ role: 'secretary', org: villageA }]);
    officerA = await s.userWith([{ role: 'liaison_officer', org: a }]);
    officerB = await s.userWith([{ role: 'liaison_officer', org: b }]);
    await s.sql`update users set display_name = ${'黄秉承'} where username in ${s.sql([officerA.username, officerB.username])}`;
    for (const [code, org] of [
      [sessionA, a],
      [sessionB, b],
    ] as const) {
      const r = await s.app.inject({
        method: 'POST',
        url: '/api/v1/training-sessions',
        headers: s.admin,
        payload: { code, organization: org, title: `村书记轮训班${tag}`, startsOn: '2027-03-01', endsOn: '2027-03-05' },
      });
      expect(r.statusCode, r.body).toBe(201);
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  const get = async (who: { authorization: string }, url: string) => {
    const r = await s.app.inject({ method: 'GET', url, headers: { authorization: who.authorization } });
    return { status: r.statusCode, body: r.json() };
  };

  it('computes pinyin initials with pinyin-pro', () => {
    expect(initialsOf('红白村党支部')).toBe('hbcdzb');
    expect(initialsOf('重庆')).toBe('cq'); // a polyphone read in context
    expect(initialsOf('A村3组')).toBe('ac3z');
  });

  it('finds an organization by Chinese name and by pinyin initials, in the caller’s subtree only', async () => {
    const byName = await get(organizerA, `/api/v1/organizations?q=${encodeURIComponent(`红白村党支部${tag}`)}`);
    expect(byName.status).toBe(200);
    expect(byName.body.items.map((o: { code: string }) => o.code)).toEqual([villageA]);
    const byInitials = await get(organizerA, '/api/v1/organizations?q=HBCDZB&limit=500');
    expect(byInitials.status).toBe(200);
    const codes = byInitials.body.items.map((o: { code: string }) => o.code);
    expect(codes).toContain(villageA);
    expect(codes).not.toContain(villageB);
    // The admin of the whole tree finds both.
    const all = (await get(s.admin, '/api/v1/organizations?q=hbc&limit=500')).body.items.map((o: { code: string }) => o.code);
    expect(all).toEqual(expect.arrayContaining([villageA, villageB]));
  });

  it('a renamed organization is found by its new initials', async () => {
    await s.sql`update organizations set name = ${`青山村党支部${tag}`} where code = ${villageB}`;
    expect((await s.sql`select name_initials from organizations where code = ${villageB}`)[0]!.name_initials).toBeNull();
    const found = (await get(s.admin, '/api/v1/organizations?q=qscdzb&limit=500')).body.items.map((o: { code: string }) => o.code);
    expect(found).toContain(villageB);
    await s.sql`update organizations set name = ${`红白村党支部${tag}`} where code = ${villageB}`;
  });

  it('finds people by name, initials and username in the caller’s subtree, by role', async () => {
    const byName = await get(organizerA, `/api/v1/users?q=${encodeURIComponent('黄秉承')}`);
    expect(byName.status).toBe(200);
    const names = byName.body.items.map((u: { username: string }) => u.username);
    expect(names).toContain(officerA.username);
    expect(names).not.toContain(officerB.username);
    const byInitials = (await get(organizerA, '/api/v1/users?q=hbc&role=liaison_officer&limit=100')).body.items;
    expect(byInitials.map((u: { username: string }) => u.username)).toEqual([officerA.username]);
    expect(byInitials[0]).toMatchObject({ displayName: '黄秉承', roles: [{ role: 'liaison_officer', org: a, orgName: `甲县委${tag}` }] });
    const byUsername = (await get(organizerA, `/api/v1/users?q=${officerB.username}`)).body.items;
    expect(byUsername).toEqual([]);
    // A secretary of a village sees only the people of the village.
    const fromVillage = (await get(secretaryA, '/api/v1/users?limit=100')).body.items.map((u: { username: string }) => u.username);
    expect(fromVillage).toEqual([secretaryA.username]);
  });

  it('finds training sessions held in the subtree, and those the caller’s organizations are enrolled in', async () => {
    const mine = (await get(organizerA, `/api/v1/training-sessions?q=sjlxb`)).body.items.map((x: { code: string }) => x.code);
    expect(mine).toContain(sessionA);
    expect(mine).not.toContain(sessionB);
    const byTitle = (await get(organizerA, `/api/v1/training-sessions?q=${encodeURIComponent(`轮训班${tag}`)}`)).body.items;
    expect(byTitle.map((x: { code: string }) => x.code)).toEqual([sessionA]);
    expect(byTitle[0]).toMatchObject({ title: `村书记轮训班${tag}`, organization: a, organizationName: `甲县委${tag}`, startsOn: '2027-03-01' });
    // The village's secretary is outside the county's session until the village is enrolled in it.
    expect((await get(secretaryA, '/api/v1/training-sessions')).body.items).toEqual([]);
    const [org] = await s.sql<{ id: number }[]>`select id from organizations where code = ${villageA}`;
    const [sess] = await s.sql<{ id: number }[]>`select id from training_sessions where code = ${sessionA}`;
    await s.sql`insert into training_enrolments (session_id, workflow_id, cycle, organization_id, enrolled_at, enrolled_by)
                values (${sess!.id}, ${`rotation-training:${villageA}`}, 1, ${org!.id}, now(), 'test')`;
    expect((await get(secretaryA, '/api/v1/training-sessions?q=CSJLXB')).body.items.map((x: { code: string }) => x.code)).toEqual([sessionA]);
  });

  it('refuses a bad query with 400 naming the field', async () => {
    for (const url of [
      `/api/v1/users?q=${'x'.repeat(101)}`,
      '/api/v1/users?limit=0',
      '/api/v1/users?role=king',
      '/api/v1/training-sessions?limit=abc',
      `/api/v1/training-sessions?q=${'测'.repeat(101)}`,
      `/api/v1/organizations?q=${'x'.repeat(101)}`,
    ]) {
      const r = await get(organizerA, url);
      expect(r.status, url).toBe(400);
      const field = new URL(url, 'http://x').searchParams.keys().next().value;
      expect(
        r.body.error.details.map((d: { field: string }) => d.field),
        url,
      ).toContain(`querystring.${field}`);
    }
    // An `under` outside the subtree does not exist for the caller.
    expect((await get(organizerA, `/api/v1/users?under=${b}`)).status).toBe(404);
  });
});
