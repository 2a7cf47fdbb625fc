import type { Sql } from '../db/client.js';
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
