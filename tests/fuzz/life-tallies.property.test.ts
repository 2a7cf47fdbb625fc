import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, freshDatabase, orgRow } from '../helpers/context.js';
import { createSql, type Sql } from '../../src/db/client.js';
import { completenessByChild, type Completeness } from '../../src/organization-life/store.js';

// The completeness table read from the kept tallies (migrations/119_life_tallies.sql) under arbitrary sequences of
// the writes organization life makes (fast-check): a year's obligations planned, records (one obligation or several
// at once), waivers, obligations dropped, a set-based load, and branches moved to another committee. After each
// sequence:
//  - every tally equals its count from the obligations themselves (no drift, whichever statement wrote them);
//  - the table of every organization of the tree — the province, the county (with a branch directly under it), the
//    townships, a general branch (总支) that owes meetings itself and holds branches, a branch — equals the table
//    counted obligation by obligation from the rows as they are (by the organization directly under the one read,
//    the branch itself when it is the one read).

const runs = (n: number) => Number(process.env.ORGLIFE_PROPERTY_RUNS ?? (process.env.ORGLIFE_HEAVY ? n * 4 : n));
const KINDS = ['branch-committee', 'theme-day', 'members-meeting', 'party-lecture'] as const;
const PERIODS = ['2027-01', '2027-02', '2027-Q1'] as const;
// Due days on both sides of `TODAY`: an unmet obligation is missing or still open.
const DUE = { '2027-01': '2027-02-08', '2027-02': '2027-03-08', '2027-Q1': '2027-04-08' } as const;
const TODAY = '2027-03-01';

type Write =
  | { op: 'plan'; branch: number; period: (typeof PERIODS)[number]; kinds: number }
  | { op: 'record'; branch: number; period: (typeof PERIODS)[number]; late: boolean; all: boolean }
  | { op: 'waive'; branch: number; period: (typeof PERIODS)[number] }
  | { op: 'drop'; branch: number; period: (typeof PERIODS)[number] }
  | { op: 'load'; period: (typeof PERIODS)[number] }
  | { op: 'move'; branch: number; to: number };

describe('completeness from the kept tallies (fast-check)', () => {
  let sql: Sql;
  const codes = { province: 'TP', county: 'TC', townships: ['TT1', 'TT2'], general: 'TG', branches: ['TB1', 'TB2', 'TB3', 'TB4', 'TB5', 'TB0'] };
  let ids: Record<string, number>;
  let meetingId: number;

  beforeAll(async () => {
    sql = createSql(await freshDatabase('life_tallies'), { max: 2 });
    await addOrganizations(sql, [
      orgRow(codes.province, '', committee),
      orgRow(codes.county, codes.province, committee),
      orgRow('TT1', codes.county, committee),
      orgRow('TT2', codes.county, committee),
      // A general branch under a township: it owes meetings itself and holds two branches.
      orgRow(codes.general, 'TT1', { type: 'general_branch' }),
      orgRow('TB1', 'TT1'),
      orgRow('TB2', 'TT1'),
      orgRow('TB3', 'TT2'),
      orgRow('TB4', codes.general),
      orgRow('TB5', codes.general),
      // A branch directly under the county: a row of the county's table of its own.
      orgRow('TB0', codes.county),
    ]);
    ids = Object.fromEntries((await sql<{ code: string; id: number }[]>`select code, id from organizations`).map((r) => [r.code, r.id]));
    const [m] = await sql<{ id: number }[]>`
      insert into meetings (organization_id, workflow_id, task_key, held_on, kinds, topic, minutes, on_register, present, recorded_by, recorded_at)
      values (${ids.TB1!}, 'organization-life:TB1:2027', 'x', '2027-01-20', array['branch-committee'], '学习', '记录', 10, 9, 'test', now())
      returning id`;
    meetingId = m!.id;
  });
  afterAll(async () => {
    await sql?.end();
  });

  // Branches that owe meetings: the general branch and the five below committees, and the one under the county.
  const owing = () => [codes.general, ...codes.branches];
  const write = async (w: Write) => {
    const code = 'branch' in w ? owing()[w.branch % owing().length]! : '';
    const org = ids[code]!;
    switch (w.op) {
      case 'plan': {
        const kinds = KINDS.filter((_, i) => w.kinds & (1 << i));
        if (!kinds.length) return;
        await sql`
          insert into life_obligations (organization_id, year, period, kind, starts_on, ends_on, due_on, workflow_id)
          select ${org}, 2027, ${w.period}, k, '2027-01-01', '2027-01-31', ${DUE[w.period]}, ${`organization-life:${code}:2027`}
          from unnest(${kinds as unknown as string[]}::text[]) k
          on conflict do nothing`;
        return;
      }
      case 'record':
        await sql`
          update life_obligations set meeting_id = ${meetingId}, recorded_at = now(), late = ${w.late}
          where (organization_id, period, kind) in (
            select organization_id, period, kind from life_obligations
            where organization_id = ${org} and period = ${w.period} and meeting_id is null and waived_reason is null
            order by kind limit ${w.all ? 4 : 1})`;
        return;
      case 'waive':
        await sql`
          update life_obligations set waived_reason = '支部撤并'
          where organization_id = ${org} and period = ${w.period} and meeting_id is null and kind = (
            select min(kind) from life_obligations where organization_id = ${org} and period = ${w.period} and meeting_id is null)`;
        return;
      case 'drop':
        await sql`delete from life_obligations where organization_id = ${org} and period = ${w.period}`;
        return;
      case 'load':
        // Set-based, as a load of several branches' plans in one statement.
        await sql`
          insert into life_obligations (organization_id, year, period, kind, starts_on, ends_on, due_on, workflow_id, meeting_id, recorded_at, late)
          select o.id, 2027, ${w.period}, 'branch-committee', '2027-01-01', '2027-01-31', ${DUE[w.period]}, 'organization-life:' || o.code || ':2027',
                 case when o.id % 2 = 0 then ${meetingId}::bigint end, case when o.id % 2 = 0 then now() end, case when o.id % 2 = 0 then o.id % 3 = 0 end
          from organizations o where o.code = any(${owing()})
          on conflict do nothing`;
        return;
      case 'move': {
        // A branch under a committee moves to another committee (or to the general branch); the general branch itself
        // moves between the townships.
        const targets = [...codes.townships, codes.general, codes.county];
        const to = targets[w.to % targets.length]!;
        if (to === code) return;
        await sql`update organizations set parent_id = ${ids[to]!} where id = ${org}`;
        // The branches under a moved general branch take its new path, as the organization import recomputes them.
        await sql`update organizations set parent_id = parent_id where parent_id = ${org}`;
        return;
      }
    }
  };

  const byCode = (rows: Completeness[]) => [...rows].sort((a, b) => a.code.localeCompare(b.code));

  /** The table counted obligation by obligation, from the rows as they are. */
  const counted = async (path: string, period: string): Promise<Completeness[]> => {
    const rows = await sql<{ path: string; late: boolean | null; meeting: boolean; waived: boolean; due_on: string }[]>`
      select b.path::text as path, l.late, l.meeting_id is not null as meeting, l.waived_reason is not null as waived, to_char(l.due_on, 'YYYY-MM-DD') as due_on
      from life_obligations l join organizations b on b.id = l.organization_id
      where l.period = ${period} and b.path <@ ${path}::ltree`;
    const orgs = new Map(
      (await sql<{ at: string; code: string; name: string; type: string }[]>`select path::text as at, code, name, type from organizations`).map(
        ({ at, ...o }) => [at, o],
      ),
    );
    const depth = path.split('.').length;
    const out = new Map<string, Completeness & { seen: Set<string> }>();
    for (const r of rows) {
      const child = r.path
        .split('.')
        .slice(0, depth + 1)
        .join('.');
      const c = out.get(child) ?? { ...orgs.get(child)!, branches: 0, held: 0, late: 0, missing: 0, open: 0, waived: 0, seen: new Set<string>() };
      c.seen.add(r.path);
      c.branches = c.seen.size;
      if (r.late === false) c.held++;
      if (r.late === true) c.late++;
      if (r.waived) c.waived++;
      if (!r.meeting && !r.waived) r.due_on < TODAY ? c.missing++ : c.open++;
      out.set(child, c);
    }
    return [...out.values()].map(({ seen: _, ...c }) => c);
  };

  const write$: fc.Arbitrary<Write> = fc.oneof(
    fc.record({ op: fc.constant('plan' as const), branch: fc.nat(20), period: fc.constantFrom(...PERIODS), kinds: fc.integer({ min: 1, max: 15 }) }),
    fc.record({ op: fc.constant('record' as const), branch: fc.nat(20), period: fc.constantFrom(...PERIODS), late: fc.boolean(), all: fc.boolean() }),
    fc.record({ op: fc.constant('waive' as const), branch: fc.nat(20), period: fc.constantFrom(...PERIODS) }),
    fc.record({ op: fc.constant('drop' as const), branch: fc.nat(20), period: fc.constantFrom(...PERIODS) }),
    fc.record({ op: fc.constant('load' as const), period: fc.constantFrom(...PERIODS) }),
    fc.record({ op: fc.constant('move' as const), branch: fc.nat(20), to: fc.nat(20) }),
  );

  it('keeps every tally equal to its obligations, and reads every table as the obligations count it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(write$, { minLength: 1, maxLength: 25 }), async (writes) => {
        // Each sequence starts from the tree as it was and no obligations.
        await sql`delete from life_obligations`;
        await sql`update organizations set parent_id = ${ids.TT1!} where code in ('TB1', 'TB2', 'TG')`;
        await sql`update organizations set parent_id = ${ids.TT2!} where code = 'TB3'`;
        await sql`update organizations set parent_id = ${ids.TG!} where code in ('TB4', 'TB5')`;
        await sql`update organizations set parent_id = ${ids.TC!} where code = 'TB0'`;
        for (const w of writes) await write(w);

        const drift = await sql`
          with recount as (
            select l.period, coalesce(b.parent_id, b.id) as unit_id, l.due_on, count(distinct l.organization_id)::int as branches,
                   count(*) filter (where l.late = false)::int as held, count(*) filter (where l.late)::int as late,
                   count(*) filter (where l.waived_reason is not null)::int as waived,
                   count(*) filter (where l.meeting_id is null and l.waived_reason is null)::int as unmet
            from life_obligations l join organizations b on b.id = l.organization_id group by 1, 2, 3),
          kept as (select * from life_tallies where (branches, held, late, waived, unmet) <> (0, 0, 0, 0, 0))
          (select 'recount' as side, * from recount except select 'recount', * from kept)
          union all
          (select 'kept', * from kept except select 'kept', * from recount)`;
        expect(drift).toEqual([]);

        const paths = await sql<{ code: string; path: string }[]>`select code, path::text as path from organizations`;
        for (const { path } of paths) {
          for (const period of PERIODS) {
            const read = await completenessByChild(sql, { path, period, today: TODAY });
            expect(byCode(read)).toEqual(byCode(await counted(path, period)));
          }
        }
      }),
      { numRuns: runs(40), seed: 20261207 },
    );
  });
});
