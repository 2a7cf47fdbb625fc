// Substitutions (a substitute named for an absent user over a date range) as the API reads and writes them; what a
// substitute may do is src/api/substitutes.ts's.
import type { z } from 'zod';
import type { Queryable, Sql } from '../db/client.js';
import type { substitutionSchema } from './schemas.js';

export type Substitution = z.infer<typeof substitutionSchema>;

interface Row {
  id: number;
  user: string;
  substitute: string;
  starts_on: string;
  ends_on: string;
  reason: string | null;
  named_by: string;
  active: boolean;
  revoked_at: Date | null;
  revoked_by: string | null;
}
const item = (r: Row): Substitution => ({
  id: r.id,
  user: r.user,
  substitute: r.substitute,
  startsOn: r.starts_on,
  endsOn: r.ends_on,
  reason: r.reason,
  namedBy: r.named_by,
  active: r.active,
  revokedAt: r.revoked_at?.toISOString() ?? null,
  revokedBy: r.revoked_by,
});

// A substitution with its users' names; active: in force on today's Shanghai date.
const select = (sql: Queryable) => sql`
  select s.id, a.username as user, b.username as substitute, s.starts_on::text, s.ends_on::text, s.reason, s.named_by,
         (s.revoked_at is null and (now() at time zone 'Asia/Shanghai')::date between s.starts_on and s.ends_on) as active, s.revoked_at, s.revoked_by
  from substitutions s join users a on a.id = s.user_id join users b on b.id = s.substitute_id`;

/** The roles of an enabled user, each with the user's id and the organization's path ('' for the whole tree). */
export function rolesOfUser(sql: Queryable, username: string) {
  return sql<{ id: number; role: string; path: string }[]>`
    select u.id, r.role, coalesce(o.path::text, '') as path from users u join user_roles r on r.user_id = u.id
    left join organizations o on o.id = r.organization_id where u.username = ${username} and not u.disabled`;
}

/**
 * Substitutions not over for more than 30 days that the user is part of (absent or substitute), or whose absent user
 * holds a role inside `organized` (ltree paths; '' the whole tree): by first day, at most 500.
 */
export async function substitutionsAround(sql: Queryable, userId: number, organized: readonly string[]): Promise<Substitution[]> {
  const rows = await sql<Row[]>`${select(sql)}
    where s.ends_on >= (now() at time zone 'Asia/Shanghai')::date - 30
      and (s.user_id = ${userId} or s.substitute_id = ${userId}
           ${
             organized.length
               ? sql`or exists (select 1 from user_roles r join organizations o on o.id = r.organization_id
             where r.user_id = s.user_id and (${organized.includes('') ? sql`true` : sql`o.path <@ ${sql.array(organized as string[])}::ltree[]`}))`
               : sql``
           })
    order by s.starts_on, s.id limit 500`;
  return rows.map(item);
}

/** Substitution `id`, with whether it was revoked and by whom. */
export async function substitutionById(sql: Queryable, id: number): Promise<Substitution | undefined> {
  const [r] = await sql<Row[]>`${select(sql)} where s.id = ${id}`;
  return r && item(r);
}

/**
 * Names a substitute, one per absent user and day: under a lock on the absent user, a range overlapping one in force
 * is refused (its id answered as `clash`) and nothing written.
 */
export function addSubstitution(
  sql: Sql,
  n: { userId: number; substituteId: number; startsOn: string; endsOn: string; namedBy: string; reason: string | null },
): Promise<{ added: Substitution } | { clash: number }> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('substitutions'), ${n.userId}::int)`;
    const [clash] = await tx<{ id: number }[]>`
      select id from substitutions where user_id = ${n.userId} and revoked_at is null and starts_on <= ${n.endsOn} and ends_on >= ${n.startsOn}`;
    if (clash) return { clash: clash.id };
    const [ins] = await tx<{ id: number }[]>`
      insert into substitutions (user_id, substitute_id, starts_on, ends_on, named_by, reason)
      values (${n.userId}, ${n.substituteId}, ${n.startsOn}, ${n.endsOn}, ${n.namedBy}, ${n.reason}) returning id`;
    const [r] = await tx<Row[]>`${select(tx)} where s.id = ${ins!.id}`;
    return { added: item(r!) };
  });
}

/** Ends substitution `id` now (a revoked one stays as it was); answers it as it is after. */
export async function revokeSubstitution(sql: Queryable, id: number, by: string): Promise<Substitution> {
  await sql`update substitutions set revoked_at = now(), revoked_by = ${by} where id = ${id} and revoked_at is null`;
  return (await substitutionById(sql, id))!;
}
