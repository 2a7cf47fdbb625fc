import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from './client.js';

export const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');

// Any constant shared by every orglife process: the advisory lock that serializes concurrent migrators.
const MIGRATION_LOCK = 7_311_042;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function readMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number.parseInt(f, 10), name: f, sql: readFileSync(join(dir, f), 'utf8') }));
}

/**
 * Applies pending migrations, each in its own transaction together with its row in schema_migrations.
 * A session advisory lock makes a second migrator (two starts at once) wait and then find nothing to do.
 */
export async function migrate(sql: Sql, log: (m: string) => void = () => {}, dir = migrationsDir): Promise<string[]> {
  const applied: string[] = [];
  await sql.reserve().then(async (conn) => {
    try {
      await conn`select pg_advisory_lock(${MIGRATION_LOCK})`;
      await conn`create table if not exists schema_migrations (
        version int primary key, name text not null, applied_at timestamptz not null default now())`;
      const done = new Set((await conn<{ version: number }[]>`select version from schema_migrations`).map((r) => r.version));
      for (const m of readMigrations(dir)) {
        if (done.has(m.version)) continue;
        await conn.unsafe('begin');
        try {
          await conn.unsafe(m.sql);
          await conn`insert into schema_migrations (version, name) values (${m.version}, ${m.name})`;
          await conn.unsafe('commit');
        } catch (err) {
          await conn.unsafe('rollback');
          throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
        }
        applied.push(m.name);
        log(`applied migration ${m.name}`);
      }
    } finally {
      await conn`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
      conn.release();
    }
  });
  return applied;
}
