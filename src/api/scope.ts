import type { Sql } from '../db/client.js';
import { allows, scopeRoots, type Principal, type Role } from '../auth/principal.js';
import { HttpError, notFound } from './errors.js';
import { getMember, type Member } from '../members/store.js';
import { registerKeepers } from '../domain/members.js';
import { personStepIds } from '../domain/steps.js';

export interface ScopedOrganization {
  id: number;
  code: string;
  path: string;
}

/**
 * The organization `code` if the caller may see it. Outside the caller's subtree it does not exist for them:
 * 404, the same answer as for a code that exists nowhere.
 */
export async function organizationInScope(sql: Sql, p: Principal, code: string): Promise<ScopedOrganization> {
  const [org] = await sql<ScopedOrganization[]>`select id, code, path::text as path from organizations where code = ${code}`;
  if (!org || !allows(p, org.path)) throw notFound(`organization ${code}`);
  return org;
}

/** Refuses (403) an action in scope that needs a role the caller lacks there. */
export function requireRole(p: Principal, path: string, wanted: readonly Role[]): void {
  if (!allows(p, path, wanted)) {
    throw new HttpError(403, 'forbidden', `this needs the role ${wanted.join(' or ')} at this organization or above`);
  }
}

/** SQL condition: the organization aliased `o` lies in the caller's subtrees. */
export function inScope(sql: Sql, p: Principal, alias = 'o') {
  const roots = scopeRoots(p);
  if (roots.includes('')) return sql`true`;
  if (roots.length === 0) return sql`false`;
  return sql`${sql(alias)}.path <@ ${sql.array(roots)}::ltree[]`;
}

/**
 * SQL condition over task `t`: a step of the person's own (StepDef.byPerson, a member's yearly report) that names the
 * caller — theirs to see wherever its organization lies, with no role there.
 */
export function ownTasks(sql: Sql, p: Pick<Principal, 'username'>) {
  return sql`(t.assignee_person = ${p.username} and t.process || ':' || t.step = any(${personStepIds as string[]}))`;
}

/**
 * SQL condition over task `t` and its organization `o`: the caller sees the task — in their subtrees, or their own.
 * Those who never had a task of their own (nearly everyone who holds a role) get the subtree condition alone, so the
 * inbox's plan stays the subtree's (one index probe decides). Wrapped in an object: a fragment is thenable.
 */
export async function taskScope(sql: Sql, p: Principal): Promise<{ scope: ReturnType<typeof inScope> }> {
  const [own] = await sql`select 1 from tasks t where ${ownTasks(sql, p)} limit 1`;
  return { scope: own ? sql`(${inScope(sql, p)} or ${ownTasks(sql, p)})` : inScope(sql, p) };
}

/**
 * Member `id`, for a change by someone who keeps their register (src/domain/members.ts registerKeepers): 404 outside
 * the caller's subtree (as for an unknown id), 403 without the role there.
 */
export async function memberKeptBy(sql: Sql, p: Principal, id: number): Promise<Member> {
  const m = await getMember(sql, id);
  if (!m || !allows(p, m.path)) throw notFound(`member ${id}`);
  requireRole(p, m.path, registerKeepers);
  return m;
}
