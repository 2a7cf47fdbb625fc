import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freshDatabase, quietLog, startStack, type Stack } from '../helpers/context.js';
import { seedDemoIfEmpty } from '../../src/demo/seed.js';

// `npm start` on an empty database seeds a demo province where every process has instances in several states
// (issue 5), driven by the real worker through the workflows' own Updates; and this year's assessment.
describe('the demo province', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ databaseUrl: await freshDatabase('demo') });
    await seedDemoIfEmpty(s.sql, s.client, { ...s.config, ORGLIFE_DEMO_ADVANCE: true }, quietLog);
  });
  afterAll(async () => s?.close());

  it('has every process in several states, and a ranking', async () => {
    const kinds = ['term-election', 'two-recommendations-one-election', 'rotation-training', 'liaison-dispatch', 'pairing'];
    const states = await eventually('every kind in at least two states, and the assessment', async () => {
      const rows = await s.sql<{ kind: string; states: number }[]>`
        select kind, count(distinct status || ':' || current_step)::int as states from processes group by kind`;
      const [run] = await s.sql`select 1 from assessment_runs`;
      const by = Object.fromEntries(rows.map((r) => [r.kind, r.states]));
      return run && kinds.every((k) => (by[k] ?? 0) >= 2) ? by : undefined;
    }, 150_000);
    expect(Object.keys(states).sort()).toEqual(expect.arrayContaining(kinds));
    // The ranking shows this year's returns: most villages and communities filed, some missed a floor, a few did not file.
    const [r] = await s.sql<{ filed: number; missing: number; missed: number; paired: number }[]>`
      select count(*) filter (where return_filed)::int as filed, count(*) filter (where not return_filed)::int as missing,
             count(*) filter (where return_filed and not (coalesce(activists_trained, true) and coalesce(reserve_cadres, true) and funding_floor
                                                          and coalesce(member_funding, true) and coalesce(venue, true) and coalesce(young_committee_member, true)))::int as missed,
             (select coalesce(sum(paired), 0)::int from assessment_counties) as paired
      from assessment_scores`;
    expect(r!.filed).toBeGreaterThan(r!.missing);
    expect(r!.missing).toBeGreaterThan(0);
    expect(r!.missed).toBeGreaterThan(0);
    expect(r!.paired).toBeGreaterThan(0);
    // A second start on the same database seeds nothing more.
    const [before] = await s.sql<{ n: number }[]>`select count(*)::int as n from organizations`;
    await seedDemoIfEmpty(s.sql, s.client, s.config, quietLog);
    expect((await s.sql<{ n: number }[]>`select count(*)::int as n from organizations`)[0]!.n).toBe(before!.n);
  }, 240_000);
});
