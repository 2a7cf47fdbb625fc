// Liaison dispatch (选派党建联络员) as the API reads it: coverage per county.
import type { Fragment } from 'postgres';
import type { Queryable } from '../db/client.js';

/**
 * Per county (the third level of the tree, or the level above a shallower unit) of the units `scope` admits (over
 * `o`; narrowed to the subtree of `under`, an ltree path): its units without a Party organization and those that set
 * one up, how many have an officer dispatched, how many must establish one and how many did.
 */
export function dispatchByCounty(sql: Queryable, scope: Fragment, under?: string) {
  return sql<{ county: string; name: string; units: number; dispatched: number; eligible: number; established: number }[]>`
    with u as (
      select o.id, o.path, o.full_members, d.state
      from organizations o left join liaison_dispatches d on d.organization_id = o.id
      where (o.type = 'unit' or d.state = 'established') and ${scope} ${under !== undefined ? sql`and o.path <@ ${under}::ltree` : sql``}
    )
    select k.code as county, k.name, count(*)::int as units,
           count(*) filter (where u.state in ('acknowledged', 'establishing', 'established'))::int as dispatched,
           count(*) filter (where u.full_members >= 3 or u.state = 'established')::int as eligible,
           count(*) filter (where u.state = 'established')::int as established
    from u join organizations k on k.id = ltree2text(subpath(u.path, greatest(0, least(2, nlevel(u.path) - 2)), 1))::bigint
    group by k.code, k.name order by k.code`;
}
