import type { Fragment } from 'postgres';
import type { z } from 'zod';
import type { Queryable, Sql } from '../db/client.js';
import type { userPicksSchema } from './schemas.js';
import { mentionableRoles } from '../domain/task-rights.js';
import { hashPassword } from './passwords.js';
import { assertPasswordAllowed, PasswordRefused } from './password-policy.js';
import type { Role } from './principal.js';

export interface NewUser {
  username: string;
  password: string;
  displayName?: string;
  /** organizationId null: the whole tree (admin only). */
  roles: { role: Role; organizationId: number | null }[];
}

/** Creates a user; throws PasswordRefused when the password policy (src/auth/password-policy.ts) refuses the password. */
export async function createUser(sql: Sql, u: NewUser): Promise<number> {
  await assertPasswordAllowed(u.password, u.username);
  const passwordHash = await hashPassword(u.password);
  return sql.begin(async (tx) => {
    const [row] = await tx<{ id: number }[]>`
      insert into users (username, password_hash, display_name) values (${u.username}, ${passwordHash}, ${u.displayName ?? null})
      returning id`;
    for (const r of u.roles) {
      await tx`insert into user_roles (user_id, role, organization_id) values (${row!.id}, ${r.role}, ${r.organizationId})`;
    }
    return row!.id;
  });
}

/**
 * Sets a user's password through the policy. Writing password_hash moves the user's token_version on (a trigger of
 * migrations/094_credentials.sql), so every session signed before ends; answers the new version, for a fresh session.
 */
export async function setPassword(sql: Sql, user: { id: number; username: string }, password: string): Promise<number> {
  await assertPasswordAllowed(password, user.username);
  const passwordHash = await hashPassword(password);
  const [row] = await sql<{ token_version: number }[]>`
    update users set password_hash = ${passwordHash} where id = ${user.id} returning token_version`;
  if (!row) throw new Error(`no user ${user.id}`);
  return row.token_version;
}

/** ORGLIFE_ADMIN_PASSWORD: on start, user `admin` (admin of the whole tree) if no user exists yet. */
export async function bootstrapAdmin(sql: Sql, password: string | undefined): Promise<boolean> {
  if (!password) return false;
  const [any] = await sql`select 1 from users limit 1`;
  if (any) return false;
  try {
    await createUser(sql, { username: 'admin', password, roles: [{ role: 'admin', organizationId: null }] });
    return true;
  } catch (err) {
    // Another process bootstrapped at the same moment.
    if ((err as { code?: string }).code === '23505') return false;
    if (err instanceof PasswordRefused) throw new Error(`ORGLIFE_ADMIN_PASSWORD ${err.problem.message}`);
    throw err;
  }
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * SQL condition on a role `r` at organization `o`: its user sees the organization at `path` (a role there or above)
 * and may be mentioned in a comment there.
 */
export const mentionableAt = (sql: Queryable, path: string) => sql`o.path @> ${path}::ltree and r.role = any(${mentionableRoles as Role[]}) and not u.disabled`;

export interface UserPickSearch {
  /** Which roles count, over user_roles `r` at organizations `o` of users `u`: the caller's scope, or a task's holders. */
  who: Fragment;
  /** The ltree path of an organization the caller sees: roles in its subtree only. */
  under?: string | undefined;
  role?: Role | undefined;
  /** Part of the username or display name; with `initials`, the name's pinyin initials too (filled beforehand). */
  q?: string | undefined;
  initials?: string | null | undefined;
  limit: number;
}

/** Enabled users with a role that counts, each with those roles, by username. */
export function pickUsers(sql: Queryable, s: UserPickSearch): Promise<z.infer<typeof userPicksSchema>['items']> {
  const conds = [sql`not u.disabled`, s.who];
  if (s.under !== undefined) conds.push(sql`o.path <@ ${s.under}::ltree`);
  if (s.role) conds.push(sql`r.role = ${s.role}`);
  if (s.q) {
    const like = likePattern(s.q);
    conds.push(sql`(u.username ilike ${like} or u.display_name like ${like} ${s.initials ? sql`or u.name_initials like ${likePattern(s.initials)}` : sql``})`);
  }
  return sql<z.infer<typeof userPicksSchema>['items']>`
    select u.username, u.display_name as "displayName",
           json_agg(json_build_object('role', r.role, 'org', o.code, 'orgName', o.name) order by o.code, r.role) as roles
    from users u join user_roles r on r.user_id = u.id join organizations o on o.id = r.organization_id
    where ${conds.reduce((a, c) => sql`${a} and ${c}`)}
    group by u.id order by u.username limit ${s.limit}`;
}

/** A user with the ltree paths of the organizations of their roles ('' for a role of the whole tree; none: no role). */
export async function userWithRolePaths(sql: Queryable, username: string) {
  const [target] = await sql<{ id: number; username: string; disabled: boolean; paths: string[] }[]>`
    select u.id, u.username, u.disabled,
           coalesce(array_agg(coalesce(o.path::text, '')) filter (where r.id is not null), '{}') as paths
    from users u left join user_roles r on r.user_id = u.id left join organizations o on o.id = r.organization_id
    where u.username = ${username} group by u.id`;
  return target;
}

/**
 * Disables a user (every machine API token revoked with it: answers how many) or enables them again (their sign-in
 * lockout, the row under `throttleKey`, lifted; answers 0), in one transaction.
 */
export function writeDisabled(sql: Sql, userId: number, disabled: boolean, throttleKey: string): Promise<number> {
  return sql.begin(async (tx) => {
    await tx`update users set disabled = ${disabled} where id = ${userId}`;
    if (!disabled) {
      await tx`delete from login_throttle where key = ${throttleKey}`;
      return 0;
    }
    const tokens = await tx`update api_tokens set revoked_at = now() where user_id = ${userId} and revoked_at is null returning id`;
    return tokens.length;
  });
}

/** Stores a machine API token (its SHA-256 digest) for the user; answers its id. */
export async function addApiToken(sql: Queryable, userId: number, name: string, digest: string): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    insert into api_tokens (user_id, name, token_sha256) values (${userId}, ${name}, ${digest})
    returning id`;
  return row!.id;
}
