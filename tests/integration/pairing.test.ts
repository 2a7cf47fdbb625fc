import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { addDays, addMonths, shanghaiDate } from '../../src/domain/dates.js';

// Urban–rural pairing (domain.md §4.5) through the API against the dev server and PostgreSQL: the start body,
// evidence uploads (size limit before the body is read, checksum, fields named), milestones and a delivered
// deliverable, coverage of the county's villages, cancellation.
describe('pairing through the API', () => {
  let s: Stack;
  const { city, county, rows: chain } = countyChain();
  const other = uniqueCode('K');
  const organs = uniqueCode('G');
  const partner = uniqueCode('GB');
  const farPartner = uniqueCode('GB');
  const township = uniqueCode('T');
  const village = uniqueCode('V');
  const unpaired = uniqueCode('V');
  const community = uniqueCode('Q');
  let countyOrganizer: { username: string; authorization: string };
  let outsider: { username: string; authorization: string };

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      ...chain,
      orgRow(other, city, { type: 'committee', sector: 'regional' }),
      orgRow(organs, county, { type: 'committee', sector: 'government' }),
      orgRow(partner, organs, { type: 'branch', sector: 'government', term_years: 3 }),
      orgRow(farPartner, other, { type: 'branch', sector: 'soe', term_years: 3 }),
      orgRow(township, county, { type: 'committee', sector: 'regional' }),
      orgRow(village, township, {}),
      orgRow(unpaired, township, {}),
      orgRow(community, township, { sector: 'community' }),
    ]);
    countyOrganizer = await s.userWith([{ role: 'organizer', org: county }]);
    outsider = await s.userWith([{ role: 'organizer', org: other }]);
  });
  afterAll(async () => s?.close());

  const id = `pairing:${village}`;
  const post = (url: string, payload: Record<string, unknown>, auth = s.admin) =>
    s.app.inject({ headers: auth, method: 'POST', url: `/api/v1${url}`, payload });
  const processState = async () => (await s.app.inject({ headers: s.admin, url: `/api/v1/processes/${encodeURIComponent(id)}` })).json();
  const upload = (query: Record<string, string>, body: Buffer | Readable, auth = countyOrganizer, headers: Record<string, string> = {}) =>
    s.app.inject({
      method: 'POST',
      url: `/api/v1/pairing/evidence?${new URLSearchParams(query)}`,
      headers: { ...auth, 'content-type': 'application/pdf', ...headers },
      payload: body,
    });
  const fields = (r: { json(): { error: { details: { field: string }[] } } }) =>
    r
      .json()
      .error.details.map((d) => d.field)
      .sort();

  it('documents the routes and the start body in the OpenAPI document', async () => {
    const doc = (await s.app.inject({ headers: s.admin, url: '/docs/json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/pairing/evidence', '/api/v1/pairing/evidence/{id}', '/api/v1/pairing/milestones', '/api/v1/pairing/coverage']),
    );
    const start = doc.paths['/api/v1/processes/{kind}'].post;
    expect(start.parameters.find((p: { name: string }) => p.name === 'kind').schema.enum).toEqual(
      expect.arrayContaining(['pairing', 'two-recommendations-one-election']),
    );
    expect(Object.keys(start.requestBody.content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['organization', 'partner', 'ruleSet']),
    );
    expect(Object.keys(doc.paths['/api/v1/pairing/evidence'].post.responses)).toEqual(expect.arrayContaining(['201', '400', '413']));
  });

  it("refuses bad start bodies with 400 naming the field, and partners outside the caller's subtree", async () => {
    const noPartner = await post('/processes/pairing', { organization: village }, countyOrganizer);
    expect(noPartner.statusCode).toBe(400);
    expect(fields(noPartner)).toEqual(['body.partner']);
    const rural = await post('/processes/pairing', { organization: village, partner: unpaired }, countyOrganizer);
    expect(rural.statusCode).toBe(400);
    expect(fields(rural)).toEqual(['body.partner']);
    const notVillage = await post('/processes/pairing', { organization: community, partner }, countyOrganizer);
    expect(notVillage.statusCode).toBe(400);
    expect(fields(notVillage)).toEqual(['body.organization']);
    const types = await post('/processes/pairing', { organization: 7, partner: ['x'] }, countyOrganizer);
    expect(types.statusCode).toBe(400);
    expect(fields(types)).toEqual(['body.organization', 'body.partner']);
    expect((await post('/processes/pairing', { organization: village, partner: farPartner }, countyOrganizer)).statusCode).toBe(404);
    expect((await post('/processes/pairing', { organization: village, partner }, outsider)).statusCode).toBe(404);
    // A pairing registered after it began: not a day to come, not more than a cycle and a month ago, a real date.
    const today = shanghaiDate(Date.now());
    for (const startsOn of [addDays(today, 1), addMonths(today, -38), '2026-02-30']) {
      const r = await post('/processes/pairing', { organization: village, partner, startsOn }, countyOrganizer);
      expect([r.statusCode, fields(r)], startsOn).toEqual([400, ['body.startsOn']]);
    }
    const notPairing = await post('/processes/term-election', { organization: village, startsOn: today }, countyOrganizer);
    expect([notPairing.statusCode, fields(notPairing)]).toEqual([400, ['body.startsOn']]);
  });

  it('pairs, takes evidence with its checksum, records milestones, delivers, and counts coverage', async () => {
    const started = await post('/processes/pairing', { organization: village, partner }, countyOrganizer);
    expect(started.statusCode, started.body).toBe(201);
    // The start answers once the run waits on its five deliverables: they are in the answer, and on the rows.
    const answer = started.json();
    expect(answer).toMatchObject({ id, settled: true, currentStep: 'delivering' });
    expect(answer.openTasks).toHaveLength(5);
    const proc = await processState();
    expect(proc.openTasks.map((t: { id: number }) => t.id).sort()).toEqual(answer.openTasks.map((t: { id: number }) => t.id).sort());
    expect(proc).toMatchObject({ kind: 'pairing', organization: village, status: 'running' });
    expect(proc.openTasks.every((t: { step: string; assigneeRole: string }) => t.step === 'pairing-deliverable' && t.assigneeRole === 'secretary')).toBe(true);

    // Over the limit by its declared length: 413 before the body is read; nothing stored.
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 1);
    const tooBig = await upload({ organization: village, deliverable: 'plan', filename: 'big.pdf' }, big);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().error.code).toBe('too_large');
    // Without a declared length (chunked), reading stops at the limit.
    const streamed = await upload(
      { organization: village, deliverable: 'plan', filename: 'big.pdf' },
      Readable.from([big.subarray(0, 6e6), big.subarray(6e6)]),
      countyOrganizer,
      { 'transfer-encoding': 'chunked' },
    );
    expect(streamed.statusCode).toBe(413);
    // Fields named: the query's deliverable and file name; an empty body.
    const badQuery = await upload({ organization: village, deliverable: 'road' }, Buffer.from('x'));
    expect(badQuery.statusCode).toBe(400);
    expect(fields(badQuery)).toEqual(['querystring.deliverable', 'querystring.filename']);
    // NUL characters (PostgreSQL text cannot hold them) in the query: 400 naming the field, for the upload and coverage.
    const nul = await upload({ organization: `${village}\u0000`, deliverable: 'plan', filename: 'a\u0000.pdf' }, Buffer.from('x'));
    expect(nul.statusCode).toBe(400);
    expect(fields(nul)).toContain('querystring.organization');
    const nulCoverage = await s.app.inject({ headers: countyOrganizer, url: '/api/v1/pairing/coverage?org=%00%C3%A1' });
    expect(nulCoverage.statusCode).toBe(400);
    expect(fields(nulCoverage)).toEqual(['querystring.org']);
    // The global guard walks parsed query strings too (fastify's are null-prototype objects): found by schemathesis
    // once these routes changed its examples, as a 500 from PostgreSQL on GET /people.
    const people = await s.app.inject({ headers: countyOrganizer, url: '/api/v1/people?under=F%00L&role=secretary' });
    expect(people.statusCode).toBe(400);
    expect(fields(people)).toEqual(['querystring.under']);
    const badName = await upload({ organization: village, deliverable: 'plan', filename: '../../etc/passwd' }, Buffer.from('x'));
    expect(fields(badName)).toEqual(['querystring.filename']);
    const empty = await upload({ organization: village, deliverable: 'plan', filename: 'a.pdf' }, Buffer.alloc(0));
    expect(empty.statusCode).toBe(400);
    expect(fields(empty)).toEqual(['body']);
    expect((await upload({ organization: village, deliverable: 'plan', filename: 'a.pdf' }, Buffer.from('x'), outsider)).statusCode).toBe(404);
    expect((await upload({ organization: unpaired, deliverable: 'plan', filename: 'a.pdf' }, Buffer.from('x'))).statusCode).toBe(409);
    const [none] = await s.sql<{ n: number }[]>`select count(*)::int as n from evidence_files where workflow_id = ${id}`;
    expect(none!.n).toBe(0);

    // The partner's secretary uploads; the file comes back byte for byte with its SHA-256.
    const partnerSecretary = await s.userWith([{ role: 'secretary', org: partner }]);
    const ids: string[] = [];
    for (const [i, text] of ['村情调查报告', '规划草案', '村民代表会议决议'].entries()) {
      const bytes = Buffer.from(`%PDF-1.4 ${text}`);
      const r = await upload({ organization: village, deliverable: 'plan', filename: `规划-${i + 1}.pdf` }, bytes, partnerSecretary);
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, deliverable: 'plan' });
      ids.push(r.json().id);
    }
    const file = await s.app.inject({ headers: countyOrganizer, url: `/api/v1/pairing/evidence/${ids[0]}` });
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(Buffer.from('%PDF-1.4 村情调查报告'))).toBe(true);
    expect(file.headers['x-checksum-sha256']).toBe(createHash('sha256').update(file.rawPayload).digest('hex'));
    expect(file.headers['content-type']).toBe('application/pdf');
    expect((await s.app.inject({ headers: outsider, url: `/api/v1/pairing/evidence/${ids[0]}` })).statusCode).toBe(404);

    const today = shanghaiDate(Date.now());
    const milestone = (m: string, evidence: string[], auth = partnerSecretary) =>
      post('/pairing/milestones', { organization: village, deliverable: 'plan', milestone: m, achievedOn: today, evidence }, auth);
    const outOfOrder = await milestone('adopted', [ids[2]!]);
    expect(outOfOrder.statusCode).toBe(422);
    expect(outOfOrder.json().error.details).toEqual({ rule: 'milestone-order' });
    const badBody = await post(
      '/pairing/milestones',
      { organization: village, deliverable: 'plan', milestone: 'survey', achievedOn: '2027-02-30', evidence: ['x'] },
      partnerSecretary,
    );
    expect(badBody.statusCode).toBe(400);
    expect(fields(badBody)).toEqual(['body.achievedOn', 'body.evidence.0']);
    expect((await milestone('survey', [ids[0]!], outsider)).statusCode).toBe(404);
    for (const [i, m] of ['survey', 'draft', 'adopted'].entries()) expect((await milestone(m, [ids[i]!])).statusCode).toBe(200);

    const [task] = await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${id} and task_key = 'c1:deliverable-plan'`;
    const rulesTask = await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${id} and task_key = 'c1:deliverable-rules'`;
    // The task page reads the milestones of the task's cycle, and whether the caller may record more now.
    const planTask = async () => (await s.app.inject({ headers: partnerSecretary, url: `/api/v1/tasks/${task!.id}` })).json();
    const before = await planTask();
    expect(before.pairing).toMatchObject({ cycle: 1, mayRecord: true });
    expect(
      before.pairing.milestones.map((m: { milestone: string; achievedOn: string; evidence: string[] }) => [m.milestone, m.achievedOn, m.evidence]),
    ).toEqual(['survey', 'draft', 'adopted'].map((m, i) => [m, today, [ids[i]]]));
    expect((await s.app.inject({ headers: partnerSecretary, url: `/api/v1/tasks/${rulesTask[0]!.id}` })).json().pairing).toMatchObject({
      mayRecord: true,
      milestones: [],
    });
    const early = await post(`/tasks/${rulesTask[0]!.id}/complete`, { outcome: { summary: '制度已建立' } }, partnerSecretary);
    expect(early.statusCode).toBe(422);
    expect(early.json().error.details).toEqual({ rule: 'milestones-missing' });
    expect((await post(`/tasks/${task!.id}/complete`, { outcome: { summary: '规划经村民代表会议通过' } }, partnerSecretary)).statusCode).toBe(200);
    await eventually('the plan delivered', async () => {
      const [d] = await s.sql`select state from pairing_deliverables where workflow_id = ${id} and deliverable = 'plan'`;
      return d?.state === 'delivered';
    });
    // A delivered deliverable takes no more records.
    expect((await planTask()).pairing).toMatchObject({ mayRecord: false });

    const cov = (await s.app.inject({ headers: countyOrganizer, url: `/api/v1/pairing/coverage?org=${county}` })).json();
    expect(cov.items).toEqual([{ county, name: expect.any(String), villages: 2, paired: 1, coverage: 50, deliverables: 5, delivered: 1 }]);
    // Scoped: the other county's organizer sees none of it.
    const theirs = (await s.app.inject({ headers: outsider, url: '/api/v1/pairing/coverage' })).json();
    expect(JSON.stringify(theirs)).not.toContain(county);

    // Cancelled with a reason: the open deliverables close, the village counts as unpaired again.
    const cancel = await post(`/processes/${encodeURIComponent(id)}/cancel`, { reason: '帮扶单位撤并' }, countyOrganizer);
    expect(cancel.statusCode, cancel.body).toBe(200);
    const [p] = await s.sql`select state from pairings where workflow_id = ${id}`;
    expect(p!.state).toBe('cancelled');
    const after = (await s.app.inject({ headers: countyOrganizer, url: `/api/v1/pairing/coverage?org=${county}` })).json();
    expect(after.items[0]).toMatchObject({ villages: 2, paired: 0, coverage: 0 });
    expect((await processState()).status).toBe('cancelled');

    // Paired again (here with the same partner): the cycles number on, the new deliverables are the second cycle's.
    // The projection says 'cancelled' a moment before the run closes in Temporal; until it has, a start is a 409.
    await s.client.workflow
      .getHandle(id)
      .result()
      .catch(() => undefined);
    expect((await post('/processes/pairing', { organization: village, partner }, countyOrganizer)).statusCode).toBe(201);
    await eventually('the new cycle', async () => {
      const rows = await s.sql`select task_key from tasks where workflow_id = ${id} and task_key like 'c2:deliverable-%' and state = 'open'`;
      return rows.length === 5;
    });
    const cycles = await s.sql`select cycle, state from pairings where workflow_id = ${id} order by cycle`;
    expect(cycles.map((c) => [c.cycle, c.state])).toEqual([
      [1, 'cancelled'],
      [2, 'active'],
    ]);
  });
});
