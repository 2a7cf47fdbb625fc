import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, eventually, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';

// Generated from the route table: every /api/v1 route needs a caller (but the few public ones named here),
// and every route has a probe showing that a caller scoped to county A cannot read or write county B through
// it. A new route without a probe fails this test.
const PUBLIC = new Set(['POST /api/v1/auth/login']);

interface Fixture {
  outsideVillage: string;
  outsideCounty: string;
  outsideTaskId: number;
  outsideProcessId: string;
}

type Probe = (f: Fixture) => {
  method: 'GET' | 'POST';
  url: string;
  payload?: Record<string, unknown>;
  /** The answer must be one of these; for lists, `leaks` finds an item of county B in the body. */
  expect: number[];
  leaks?: (body: any) => boolean;
};

const PROBES: Record<string, Probe | 'self'> = {
  'GET /api/v1/me': 'self',
  'POST /api/v1/tokens': 'self',
  'POST /api/v1/users': (f) => ({
    method: 'POST',
    url: '/api/v1/users',
    payload: { username: `probe-${f.outsideTaskId}`, password: 'long enough pw', roles: [{ role: 'secretary', org: f.outsideVillage }] },
    expect: [400, 404],
  }),
  'GET /api/v1/organizations/:code': (f) => ({ method: 'GET', url: `/api/v1/organizations/${f.outsideVillage}`, expect: [404] }),
  'GET /api/v1/organizations/:code/children': (f) => ({ method: 'GET', url: `/api/v1/organizations/${f.outsideCounty}/children`, expect: [404] }),
  'POST /api/v1/processes/:kind': (f) => ({
    method: 'POST',
    url: '/api/v1/processes/term-election',
    payload: { organization: f.outsideVillage },
    expect: [404],
  }),
  'GET /api/v1/processes/:id': (f) => ({ method: 'GET', url: `/api/v1/processes/${f.outsideProcessId}`, expect: [404] }),
  'GET /api/v1/tasks': (f) => ({
    method: 'GET',
    url: '/api/v1/tasks?limit=500',
    expect: [200],
    leaks: (b) => b.items.some((t: { id: number }) => t.id === f.outsideTaskId),
  }),
  'POST /api/v1/tasks/:id/complete': (f) => ({ method: 'POST', url: `/api/v1/tasks/${f.outsideTaskId}/complete`, payload: {}, expect: [404] }),
};

describe('route table: authentication and scope on every route', () => {
  let s: Stack;
  let f: Fixture;
  let insider: { authorization: string };

  beforeAll(async () => {
    s = await startStack();
    const root = uniqueCode('R');
    const a = uniqueCode('A');
    const b = uniqueCode('B');
    const va = uniqueCode('VA');
    const vb = uniqueCode('VB');
    const soon = addMonths(shanghaiDate(Date.now()), -56);
    await addOrganizations(s.sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(a, root, { type: 'committee', sector: 'regional' }),
      orgRow(b, root, { type: 'committee', sector: 'regional' }),
      orgRow(va, a, { term_started_on: soon }),
      orgRow(vb, b, { term_started_on: soon }),
    ]);
    const started = await s.app.inject({ method: 'POST', url: '/api/v1/processes/term-election', headers: s.admin, payload: { organization: vb } });
    const processId = started.json().id as string;
    const [task] = await eventually('the task in county B', async () => {
      const rows = await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${processId}`;
      return rows.length ? rows : null;
    });
    f = { outsideVillage: vb, outsideCounty: b, outsideTaskId: task!.id, outsideProcessId: processId };
    // Every role there is, at county A.
    insider = await s.userWith(['admin', 'organizer', 'supervisor', 'secretary', 'liaison_officer'].map((role) => ({ role: role as never, org: a })));
  });
  afterAll(async () => s?.close());

  const apiRoutes = () => s.app.routeTable.filter((r) => r.url.startsWith('/api/v1'));

  it('refuses every non-public route without a token', async () => {
    expect(apiRoutes().length).toBeGreaterThan(5);
    for (const r of apiRoutes()) {
      if (PUBLIC.has(`${r.method} ${r.url}`)) continue;
      const url = r.url.replace(/:(\w+)/g, '1');
      const res = await s.app.inject({ method: r.method as 'GET', url, payload: r.method === 'GET' ? undefined : {} });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
    }
  });

  it('has a scope probe for every route, and no probe reaches county B', async () => {
    const missing = apiRoutes()
      .map((r) => `${r.method} ${r.url}`)
      .filter((k) => !PUBLIC.has(k) && !(k in PROBES));
    expect(missing, 'routes without a scope probe in tests/integration/route-scope.test.ts').toEqual([]);
    for (const [key, probe] of Object.entries(PROBES)) {
      if (probe === 'self') continue;
      const p = probe(f);
      const res = await s.app.inject({ method: p.method, url: p.url, payload: p.payload, headers: insider });
      expect(p.expect, `${key} answered ${res.statusCode}: ${res.body.slice(0, 200)}`).toContain(res.statusCode);
      if (p.leaks) expect(p.leaks(res.json()), `${key} shows county B`).toBe(false);
    }
    // Nothing of county B changed through any probe.
    const [t] = await s.sql`select state from tasks where id = ${f.outsideTaskId}`;
    expect(t!.state).toBe('open');
  });
});
