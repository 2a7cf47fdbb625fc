// Pinyin initials for the pickers' search: "hbc" finds 红白村. pinyin-pro (a maintained library with
// its own dictionary, polyphones read in context) computes them; PostgreSQL keeps them in a column per table that
// its triggers set to null whenever the name changes (migrations/060_name_initials.sql), and the searches fill
// the null rows here before they read. Filling is idempotent: two searches filling at once write the same values.
import { pinyin } from 'pinyin-pro';
import type { Sql } from '../db/client.js';

/** "红白村党支部" → "hbcdzb"; letters and digits of other scripts kept, lowercased; the rest dropped. */
export function initialsOf(name: string): string {
  return pinyin(name, { pattern: 'first', toneType: 'none', type: 'array' })
    .join('')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** A query that reads as pinyin initials (letters only): searched against the initials too. */
export const initialsQuery = (q: string): string | null => (/^[A-Za-z]{1,32}$/.test(q) ? q.toLowerCase() : null);

const tables = {
  organizations: { column: 'name_initials', name: 'name' },
  users: { column: 'name_initials', name: "coalesce(nullif(display_name, ''), username)" },
  training_sessions: { column: 'title_initials', name: 'title' },
} as const;

const BATCH = 5000;

/** Fills the initials of every row of `table` whose name is new or changed; returns how many were filled. */
export async function fillInitials(sql: Sql, table: keyof typeof tables): Promise<number> {
  const t = tables[table];
  let filled = 0;
  for (;;) {
    const rows = await sql.unsafe<{ id: number; name: string }[]>(
      `select id, ${t.name} as name from ${table} where ${t.column} is null order by id limit ${BATCH}`,
    );
    if (rows.length === 0) return filled;
    const ids = rows.map((r) => r.id);
    const values = rows.map((r) => initialsOf(r.name));
    // The name may change between the read and the write: the trigger has then nulled it again, and the
    // `is null` keeps this write from overwriting that (the next search fills it).
    await sql.unsafe(
      `update ${table} x set ${t.column} = v.initials
       from unnest($1::bigint[], $2::text[]) as v(id, initials)
       where x.id = v.id and x.${t.column} is null`,
      [ids as never, values as never],
    );
    filled += rows.length;
    if (rows.length < BATCH) return filled;
  }
}
