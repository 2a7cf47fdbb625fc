import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, eventually, freshDatabase, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { shanghaiDate } from '../../src/domain/dates.js';
import { pairingDeliverables, pairingRuleSets, twoRecommendationsRuleSets } from '../../src/domain/rules.js';

// Property over every write route in the route table: arbitrary JSON bodies and path parameters never get a
// 5xx, and any refusal (4xx) leaves every table exactly as it was.
describe('write endpoints under arbitrary input (fast-check)', () => {
  let s: Stack;
  const root = uniqueCode('PB');
  const county = uniqueCode('PBK');
  const township = uniqueCode('PBT');
  const village = uniqueCode('PBV');
  const partner = uniqueCode('PBG');

  beforeAll(async () => {
    // A database of its own: every task it can name belongs to a workflow this stack's worker runs.
    s = await startStack({ databaseUrl: await freshDatabase('property') });
    await addOrganizations(s.sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(uniqueCode('PBV'), root),
      // The county at the tree's third level (under a prefecture): its township's villages are villages (domain.md §2).
      orgRow(`${county}M`, root, { type: 'committee', sector: 'regional' }),
      orgRow(county, `${county}M`, { type: 'committee', sector: 'regional' }),
      orgRow(township, county, { type: 'committee', sector: 'regional' }),
      orgRow(village, township, {}),
      orgRow(partner, county, { type: 'branch', sector: 'government', term_years: 3 }),
    ]);
  });
  afterAll(async () => s?.close());

  /** Row counts of every table of ours: a refused request must not change any of them. */
  const fingerprint = async () => {
    const tables = await s.sql<{ t: string }[]>`select tablename as t from pg_tables where schemaname = 'public' order by 1`;
    const counts = await Promise.all(tables.map(async ({ t }) => [t, (await s.sql`select count(*)::int as n from ${s.sql(t)}`)[0]!.n]));
    return Object.fromEntries(counts);
  };

  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.dictionary(
      fc.constantFrom('organization', 'username', 'password', 'roles', 'outcome', 'name', 'reason', 'kind', 'ruleSet'),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  );
  const param = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.integer().map(String),
    fc.constantFrom('term-election', 'two-recommendations-one-election', 'pairing'),
  );

  /** Waits until no workflow is still writing (after an accepted request started or changed one). */
  const settle = async () => {
    for (let i = 0; i < 50; i++) {
      const a = JSON.stringify(await fingerprint());
      await new Promise((r) => setTimeout(r, 400));
      if (a === JSON.stringify(await fingerprint())) return;
    }
  };

  // The pairing and selection routes with bodies built around real codes, so that the workflows' own validators
  // (milestones, evidence, start checks) are reached too, not only the schemas.
  it('pairing and selection writes: near-valid input never gets a 5xx, and a refusal writes nothing', async () => {
    const started = await s.app.inject({ method: 'POST', url: '/api/v1/processes/pairing', headers: s.admin, payload: { organization: village, partner } });
    expect(started.statusCode, started.body).toBe(201);
    await eventually(
      'the pairing open',
      async () => (await s.sql`select 1 from process_events where workflow_id = ${`pairing:${village}`} and event_key = 'c1:year-1-waiting'`).length > 0,
    );
    await settle();
    const codes = fc.oneof({ weight: 4, arbitrary: fc.constant(village) }, { weight: 1, arbitrary: fc.constantFrom(partner, township, county, root, 'NOPE') });
    const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 12, arbitrary: a }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) });
    const fields = fc.record(
      {
        organization: maybe(codes),
        partner: maybe(codes),
        ruleSet: maybe(fc.constantFrom(...pairingRuleSets.map((r) => r.id), ...twoRecommendationsRuleSets.map((r) => r.id), 'hubei-2010')),
        // (ruleSet and note are optional: often absent)
        deliverable: maybe(fc.constantFrom(...pairingDeliverables, 'road')),
        milestone: maybe(fc.constantFrom('survey', 'draft', 'adopted', 'opening', '')),
        achievedOn: maybe(fc.constantFrom(shanghaiDate(Date.now()), '2000-01-01', '2099-12-31', '2027-02-30')),
        evidence: maybe(fc.array(fc.uuid(), { maxLength: 3 })),
        filename: maybe(fc.constantFrom('a.pdf', '../x', '', '村规民约.pdf')),
        note: maybe(fc.string({ maxLength: 20 })),
      },
      { requiredKeys: ['organization', 'partner', 'deliverable', 'milestone', 'achievedOn', 'evidence', 'filename'] },
    );
    const routes = [
      { url: '/api/v1/processes/pairing', query: false },
      { url: '/api/v1/processes/two-recommendations-one-election', query: false },
      { url: '/api/v1/pairing/milestones', query: false },
      { url: '/api/v1/pairing/evidence', query: true },
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fields, fc.uint8Array({ maxLength: 64 }), async (route, f, bytes) => {
        const before = await fingerprint();
        const query = new URLSearchParams(Object.entries(f).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
        const res = await s.app.inject({
          method: 'POST',
          url: route.query ? `${route.url}?${query}` : route.url,
          headers: { ...s.admin, 'content-type': route.query ? 'application/octet-stream' : 'application/json' },
          payload: route.query ? Buffer.from(bytes) : JSON.stringify(f),
        });
        expect(res.statusCode, `POST ${route.url} ${JSON.stringify(f)} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
        if (res.statusCode >= 400) {
          expect(res.json().error.code).toEqual(expect.any(String));
          expect(await fingerprint()).toEqual(before);
        } else {
          await settle();
        }
      }),
      { numRuns: Number(process.env.ORGLIFE_PROPERTY_RUNS ?? (process.env.ORGLIFE_HEAVY ? 300 : 80)), seed: 20261125 },
    );
  }, 300_000);

  it('never answers 5xx, and a refusal writes nothing', async () => {
    // Sign-out takes no input and would end the session every later route is fuzzed with: every route after it would
    // answer 401 at once and test nothing.
    const writes = s.app.routeTable.filter(
      (r) => r.url.startsWith('/api/v1') && r.method !== 'GET' && !['/api/v1/auth/login', '/api/v1/auth/logout'].includes(r.url),
    );
    expect(writes.length).toBeGreaterThan(2);
    for (const route of writes) {
      await fc.assert(
        fc.asyncProperty(body, param, async (payload, p) => {
          const before = await fingerprint();
          const url = route.url.replace(/:(\w+)/g, () => encodeURIComponent(p) || 'x');
          const res = await s.app.inject({
            method: route.method as 'POST',
            url,
            headers: { ...s.admin, 'content-type': 'application/json' },
            payload: JSON.stringify(payload),
          });
          expect(res.statusCode, `${route.method} ${url} ${JSON.stringify(payload)} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
          if (res.statusCode >= 400) {
            expect(res.json().error.code).toEqual(expect.any(String));
            expect(await fingerprint()).toEqual(before);
          }
        }),
        { numRuns: Number(process.env.ORGLIFE_PROPERTY_RUNS ?? (process.env.ORGLIFE_HEAVY ? 60 : 40)), seed: 20261125 },
      );
    }
  }, 900_000);
});
