import type { Sql } from '../db/client.js';
import { allows, scopeRoots, type Principal, type Role } from '../auth/principal.js';
import { HttpError, notFound } from './errors.js';
import { getMember, type Member } from '../members/store.js';
import { registerKeepers } from '../domain/members.js';

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
 * Member `id`, for a change by someone who keeps their register (src/domain/members.ts registerKeepers): 404 outside
 * the caller's subtree (as for an unknown id), 403 without the role there.
 */
export async function memberKeptBy(sql: Sql, p: Principal, id: number): Promise<Member> {
  const m = await getMember(sql, id);
  if (!m || !allows(p, m.path)) throw notFound(`member ${id}`);
  requireRole(p, m.path, registerKeepers);
  return m;
}
