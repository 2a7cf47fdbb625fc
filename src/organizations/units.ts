// Units without a Party organization (domain.md §4.4): the targets of liaison dispatch, as the API lists them.
import type { Fragment } from 'postgres';
import type { z } from 'zod';
import type { Queryable } from '../db/client.js';
import type { unitSchema } from './schemas.js';

export interface UnitSearch {
  /** The caller's scope over `o`. */
  scope: Fragment;
  /** The ltree path of an organization the caller sees: its subtree only. */
  under?: string | undefined;
  /** Codes after this one: the cursor. */
  afterCode?: string | undefined;
  limit: number;
}

/**
 * Units by code, each with its current liaison officer and whether it should establish a Party organization (three
 * full members or more): at most `limit` rows, and one more when there are more.
 */
export function listUnits(sql: Queryable, s: UnitSearch): Promise<z.infer<typeof unitSchema>[]> {
  const conds = [s.scope, sql`o.type = 'unit'`];
  if (s.under !== undefined) conds.push(sql`o.path <@ ${s.under}::ltree`);
  if (s.afterCode !== undefined) conds.push(sql`o.code > ${s.afterCode}`);
  return sql<z.infer<typeof unitSchema>[]>`
    select o.code, o.name, o.sector, p.code as "parentCode", o.full_members as "fullMembers",
           o.full_members >= 3 as "shouldEstablish",
           (select pe.name from appointments a join people pe on pe.id = a.person_id
            where a.organization_id = o.id and a.role = 'liaison_officer' and a.ends_on is null
            order by a.starts_on desc limit 1) as "liaisonOfficer"
    from organizations o left join organizations p on p.id = o.parent_id
    where ${conds.reduce((a, c) => sql`${a} and ${c}`)} order by o.code limit ${s.limit + 1}`;
}
