// Substitutes while away. Between a substitution's first and last day (Shanghai dates) the
// substitute holds the absent user's roles — never admin — for the task routes and comments: they see the absent
// user's tasks, find them in their inbox, and may act on them; each such action carries `onBehalfOf` to the
// workflow, which records it in task_events. Notifications, reminders and escalation notices reach them too
// (andSubstitutes in src/tasks/holders.ts). The lent grants are the absent user's own: a substitute's substitute gets nothing.
import type { Fragment } from 'postgres';
import type { Sql } from '../db/client.js';
import { allows, type Grant, type Principal, type Role } from '../auth/principal.js';

/** SQL condition: substitution `s` is in force on today's Shanghai date. */
export const activeToday = (sql: Sql, alias = 's') =>
  sql`${sql(alias)}.revoked_at is null and (now() at time zone 'Asia/Shanghai')::date between ${sql(alias)}.starts_on and ${sql(alias)}.ends_on`;

/** SQL condition: task `t` is held by the user with id/name `id`/`name` (claimed, delegated, or their role there). */
const heldByOne = (sql: Sql, id: unknown, name: unknown) =>
  sql`(t.claimed_by = ${name as string} or (t.claimed_by is null and t.assignee_person = ${name as string})
    or (t.claimed_by is null and t.assignee_person is null and exists (
      select 1 from user_roles r where r.user_id = ${id as number} and r.organization_id = t.organization_id and r.role = t.assignee_role)))`;

/** SQL condition: task `t` is held by the user, or by someone they stand in for today. */
export function heldBy(sql: Sql, userId: number | Fragment, username: string | Fragment) {
  return sql`(${heldByOne(sql, userId, username)} or exists (
    select 1 from substitutions s join users u on u.id = s.user_id
    where s.substitute_id = ${userId} and ${activeToday(sql)} and ${heldByOne(sql, sql`u.id`, sql`u.username`)}))`;
}

/** The grants lent to `userId` today by the users they stand in for (never admin), each marked with whose it is. */
export async function lentGrants(sql: Sql, userId: number): Promise<Grant[]> {
  const lent = await sql<{ username: string; role: Role; path: string | null; code: string | null; organization_id: number | null }[]>`
    select u.username, r.role, o.path::text as path, o.code, r.organization_id
    from substitutions s join users u on u.id = s.user_id and not u.disabled
    join user_roles r on r.user_id = s.user_id left join organizations o on o.id = r.organization_id
    where s.substitute_id = ${userId} and ${activeToday(sql)} and r.role <> 'admin'`;
  return lent.map((g) => ({ role: g.role, organizationId: g.organization_id, code: g.code, path: g.path ?? '', onBehalfOf: g.username }));
}

/**
 * The caller's own grants plus the grants lent to them today. An API request's principal carries them already (read
 * and cached with it by the auth plugin), so the inbox pays no query for them.
 */
export async function withSubstitutions(sql: Sql, p: Principal): Promise<Principal> {
  const borrowed = p.lent ?? (await lentGrants(sql, p.userId));
  return borrowed.length ? { ...p, grants: [...p.grants, ...borrowed] } : p;
}

/** The users `p` stands in for today (from withSubstitutions' lent grants). */
export const absentees = (p: Principal): string[] => [...new Set(p.grants.flatMap((g) => (g.onBehalfOf ? [g.onBehalfOf] : [])))];

/**
 * Whom the caller acts as for something at `path` needing `wanted`: themself when their own grants allow it and
 * the thing is not held by someone they stand in for; else the absent user whose lent grants allow it (the
 * principal then has the caller's grants plus that user's, and `onBehalfOf`); null when neither allows it.
 */
export function actingPrincipal(p: Principal, path: string, wanted: readonly Role[], heldBy: string | null = null): Principal | null {
  const own = p.grants.filter((g) => !g.onBehalfOf);
  const self: Principal = { userId: p.userId, username: p.username, grants: own };
  const candidates = absentees(p);
  const forAbsent = (who: string): Principal => ({
    ...self,
    grants: [...own, ...p.grants.filter((g) => g.onBehalfOf === who).map(({ onBehalfOf: _, ...g }) => g)],
    onBehalfOf: who,
  });
  if (heldBy && candidates.includes(heldBy)) {
    const q = forAbsent(heldBy);
    if (allows(q, path, wanted)) return q;
  }
  if (allows(self, path, wanted)) return self;
  for (const who of candidates) {
    const q = forAbsent(who);
    if (allows(q, path, wanted)) return q;
  }
  return null;
}
