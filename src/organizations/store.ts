import type { Sql } from '../db/client.js';
import type { OrganizationRow } from '../demo/province.js';

const CHUNK = 5000;

/** Depth of every row in the tree the rows describe (parents among the rows or already stored at depth 0). */
function depths(rows: readonly OrganizationRow[]): Map<string, number> {
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const depth = new Map<string, number>();
  const walk = (code: string, seen: Set<string>): number => {
    const known = depth.get(code);
    if (known !== undefined) return known;
    const row = byCode.get(code);
    if (!row?.parent_code || !byCode.has(row.parent_code) || seen.has(code)) return 0;
    seen.add(code);
    const d = walk(row.parent_code, seen) + 1;
    depth.set(code, d);
    return d;
  };
  for (const r of rows) depth.set(r.code, walk(r.code, new Set()));
  return depth;
}

/**
 * Inserts validated rows, parents before children: a row's path is built from its parent's stored path, so
 * each level goes in its own statement, in chunks.
 */
export async function insertOrganizations(sql: Sql, rows: readonly OrganizationRow[]): Promise<void> {
  const depth = depths(rows);
  const levels: OrganizationRow[][] = [];
  for (const r of rows) {
    const d = depth.get(r.code)!;
    levels[d] ??= [];
    levels[d].push(r);
  }
  await sql.begin(async (tx) => {
    for (const level of levels) {
      for (let i = 0; i < (level?.length ?? 0); i += CHUNK) {
        const chunk = level!.slice(i, i + CHUNK);
        await tx`
          insert into organizations (code, parent_id, name, type, sector, term_years, term_started_on,
                                     secretary_name, secretary_phone, full_members, probationary_members)
          select r.code, p.id, r.name, r.type, r.sector, r.term_years, r.term_started_on,
                 nullif(r.secretary_name, ''), nullif(r.secretary_phone, ''), r.full_members, r.probationary_members
          from jsonb_to_recordset(${tx.json(chunk as never)}) as r(
            code text, parent_code text, name text, type text, sector text, term_years int, term_started_on date,
            secretary_name text, secretary_phone text, full_members int, probationary_members int)
          left join organizations p on p.code = nullif(r.parent_code, '')`;
      }
    }
  });
}

/**
 * A new secretary on the register from a change of secretary (书记变更: resignation, transfer, an appointment between
 * elections), under the row's lock, with an audit row in organization_changes naming who, why and what it was.
 * Nothing is written (and false answered) when the register already names them, so a retried request audits once.
 */
export function writeSecretary(sql: Sql, c: { organization: string; secretary: string; actor: string; source: string }): Promise<boolean> {
  return sql.begin(async (tx) => {
    const [o] = await tx<
      { id: number; secretary_name: string | null }[]
    >`select id, secretary_name from organizations where code = ${c.organization} for update`;
    if (!o || o.secretary_name === c.secretary) return false;
    await tx`update organizations set secretary_name = ${c.secretary}, updated_at = now() where id = ${o.id}`;
    await tx`
      insert into organization_changes (organization_id, code, changed_by, changed_at, source, before, after)
      values (${o.id}, ${c.organization}, ${c.actor}, now(), ${c.source}, ${tx.json({ secretary_name: o.secretary_name })}, ${tx.json({ secretary_name: c.secretary })})`;
    return true;
  });
}
