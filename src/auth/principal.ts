import type { Sql } from '../db/client.js';

import type { Role } from '../domain/roles.js';
export { roles, type Role } from '../domain/roles.js';

export interface Grant {
  role: Role;
  /** null: the whole tree. */
  organizationId: number | null;
  code: string | null;
  /** ltree path of the organization: the grant covers everything `<@` it; '' covers the whole tree. */
  path: string;
  /** A grant lent by an absent user to their substitute (src/api/substitutes.ts): that user's name. */
  onBehalfOf?: string;
}

/** Who is calling: a user with the roles granted at organizations. */
export interface Principal {
  userId: number;
  username: string;
  grants: Grant[];
  /** Set on the principal a substitute acts as: the absent user the action is recorded for. */
  onBehalfOf?: string;
  /** Set when the caller signed in through a task link: the one task this session may touch (src/auth/task-links.ts). */
  onlyTask?: number;
  /**
   * The grants lent to the caller today by the users they stand in for (src/api/substitutes.ts), read with the
   * principal and cached with it; absent where nobody read them yet.
   */
  lent?: Grant[];
}

export async function loadPrincipal(sql: Sql, userId: number): Promise<Principal | null> {
  return (await loadSessionPrincipal(sql, userId))?.principal ?? null;
}

/** A principal with what decides whether one of its user's sessions still holds (src/api/plugins/auth.ts). */
export interface SessionPrincipal {
  principal: Principal;
  /** A session signed with another version is over (a new password, a disabled user, a sign-out of all sessions). */
  tokenVersion: number;
  /** Ids (jti) of the user's sessions signed out one by one and not yet expired. */
  revoked: ReadonlySet<string>;
}

export async function loadSessionPrincipal(sql: Sql, userId: number): Promise<SessionPrincipal | null> {
  const rows = await sql<
    {
      username: string;
      token_version: number;
      revoked: string[];
      role: Role | null;
      organization_id: number | null;
      code: string | null;
      path: string | null;
    }[]
  >`
    select u.username, u.token_version, rs.revoked, r.role, r.organization_id, o.code, o.path::text as path
    from users u
    cross join lateral (
      select coalesce(array_agg(s.jti), '{}') as revoked from revoked_sessions s where s.user_id = u.id and s.expires_at > now()
    ) rs
    left join user_roles r on r.user_id = u.id
    left join organizations o on o.id = r.organization_id
    where u.id = ${userId} and not u.disabled`;
  const first = rows[0];
  if (!first) return null;
  return {
    principal: {
      userId,
      username: first.username,
      grants: rows.filter((r) => r.role !== null).map((r) => ({ role: r.role!, organizationId: r.organization_id, code: r.code, path: r.path ?? '' })),
    },
    tokenVersion: first.token_version,
    revoked: new Set(first.revoked),
  };
}

function covers(grantPath: string, path: string): boolean {
  return grantPath === '' || path === grantPath || path.startsWith(`${grantPath}.`);
}

/** Does the principal hold any of `wanted` (any role when omitted) at `path` or above it? */
export function allows(p: Principal, path: string, wanted?: readonly Role[]): boolean {
  return p.grants.some((g) => (!wanted || wanted.includes(g.role)) && covers(g.path, path));
}

/** The subtree roots a principal may read (optionally only through some roles). */
export function scopeRoots(p: Principal, wanted?: readonly Role[]): string[] {
  return p.grants.filter((g) => !wanted || wanted.includes(g.role)).map((g) => g.path);
}
