import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, freshDatabase, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';

// Property over every write route in the route table: arbitrary JSON bodies and path parameters never get a
// 5xx, and any refusal (4xx) leaves every table exactly as it was.
describe('write endpoints under arbitrary input (fast-check)', () => {
  let s: Stack;

  beforeAll(async () => {
    // A database of its own: every task it can name belongs to a workflow this stack's worker runs.
    s = await startStack({ databaseUrl: await freshDatabase('property') });
    const root = uniqueCode('PB');
    await addOrganizations(s.sql, [orgRow(root, '', { type: 'committee', sector: 'regional' }), orgRow(uniqueCode('PBV'), root)]);
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
    fc.dictionary(fc.constantFrom('organization', 'username', 'password', 'roles', 'outcome', 'name', 'reason', 'kind', 'ruleSet'), fc.jsonValue({ maxDepth: 2 })),
  );
  const param = fc.oneof(fc.string({ maxLength: 40 }), fc.integer().map(String), fc.constant('term-election'));

  it('never answers 5xx, and a refusal writes nothing', async () => {
    const writes = s.app.routeTable.filter((r) => r.url.startsWith('/api/v1') && r.method !== 'GET' && r.url !== '/api/v1/auth/login');
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
        { numRuns: Number(process.env.ORGLIFE_PROPERTY_RUNS ?? (process.env.ORGLIFE_HEAVY ? 150 : 40)), seed: 20261125 },
      );
    }
  }, 300_000);
});
