import type { Sql } from '../db/client.js';
import { hashPassword } from './passwords.js';
import type { Role } from './principal.js';

export interface NewUser {
  username: string;
  password: string;
  displayName?: string;
  /** organizationId null: the whole tree (admin only). */
  roles: { role: Role; organizationId: number | null }[];
}

export async function createUser(sql: Sql, u: NewUser): Promise<number> {
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
    throw err;
  }
}
