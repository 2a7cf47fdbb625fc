import type { Fragment } from 'postgres';
import type { z } from 'zod';
import type { Queryable, Sql } from '../db/client.js';
import type { organizationSchema } from './schemas.js';
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

/** An organization on the register, as the API answers it (organizationSchema). */
export type OrganizationEntry = z.infer<typeof organizationSchema>;

// The register's columns, as organizationSchema names them (one list for the one and the many), over
// `organizations o left join organizations p on p.id = o.parent_id`.
const registerColumns = (sql: Queryable) => sql`
  o.code, p.code as "parentCode", o.name, o.type, o.sector, o.settlement, o.term_years as "termYears",
  to_char(o.term_started_on, 'YYYY-MM-DD') as "termStartedOn", to_char(o.term_ends_on, 'YYYY-MM-DD') as "termEndsOn",
  to_char(o.term_postponed_until, 'YYYY-MM-DD') as "postponedUntil",
  o.secretary_name as "secretaryName", o.full_members as "fullMembers", o.probationary_members as "probationaryMembers",
  o.election_body as "electionBody", o.delegates, o.term_ordinal as "termOrdinal"`;

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export interface OrganizationSearch {
  /** The caller's scope over `o`. */
  scope: Fragment;
  /** The ltree path of an organization the caller sees: its subtree instead of the whole scope. */
  under?: string | undefined;
  /** The scope is the whole tree (and no `under`): the code index serves the order. */
  wholeTree: boolean;
  /** Part of the name; with `initials`, its pinyin initials or the code too (the initials filled beforehand). */
  q?: string | undefined;
  initials?: string | null | undefined;
  type?: string | undefined;
  sector?: string | undefined;
  /** Codes after this one (the cursor). */
  afterCode?: string | undefined;
  limit: number;
}

/** The organizations a search finds, ordered by code: at most `limit` rows, and one more when there are more. */
export function searchOrganizations(sql: Queryable, s: OrganizationSearch): Promise<OrganizationEntry[]> {
  // Left to itself, the planner walks the code index in order and filters by path, which reads most of a
  // 200,000-row table for a county late in code order; a subtree is better found through path (GiST).
  const scope = s.under !== undefined ? sql`o.path <@ ${s.under}::ltree` : s.scope;
  const conds = [sql`true`];
  if (s.q) {
    // Two or more characters: the bigram index narrows, LIKE decides. One character: LIKE over the
    // (path-restricted) subtree, which the bigram index cannot serve.
    const chars = [...s.q];
    const byName =
      chars.length >= 2
        ? sql`(o.name_bigrams @> ${[...new Set(chars.slice(0, -1).map((c, i) => c + chars[i + 1]))]}::text[] and o.name like ${likePattern(s.q)})`
        : sql`o.name like ${likePattern(s.q)}`;
    // Latin letters may be pinyin initials ("hbc" → 红白村) or part of the code.
    conds.push(s.initials ? sql`(${byName} or o.name_initials like ${likePattern(s.initials)} or o.code = ${s.q})` : byName);
  }
  if (s.type) conds.push(sql`o.type = ${s.type}`);
  if (s.sector) conds.push(sql`o.sector = ${s.sector}`);
  const where = conds.reduce((a, c) => sql`${a} and ${c}`);
  // `code || ''` is not the indexed expression: the planner then finds the subtree through path and sorts it.
  const key = s.wholeTree ? sql`o.code` : sql`(o.code || '')`;
  return sql<OrganizationEntry[]>`
    select ${registerColumns(sql)}
    from organizations o left join organizations p on p.id = o.parent_id
    where ${scope} and ${where} ${s.afterCode !== undefined ? sql`and ${key} > ${s.afterCode}` : sql``}
    order by ${key} limit ${s.limit + 1}`;
}

/** The organization with this id, on the register. */
export async function organizationById(sql: Queryable, id: number): Promise<OrganizationEntry | undefined> {
  const [row] = await sql<OrganizationEntry[]>`
    select ${registerColumns(sql)}
    from organizations o left join organizations p on p.id = o.parent_id
    where o.id = ${id}`;
  return row;
}

/** The organizations directly under this one, by code. */
export function childrenOf(sql: Queryable, parentId: number): Promise<OrganizationEntry[]> {
  return sql<OrganizationEntry[]>`
    select ${registerColumns(sql)}
    from organizations o left join organizations p on p.id = o.parent_id
    where o.parent_id = ${parentId} order by o.code`;
}

/** The ltree path of the organization with this code, if it exists. */
export async function organizationPath(sql: Queryable, code: string): Promise<string | undefined> {
  const [o] = await sql<{ path: string }[]>`select path::text as path from organizations where code = ${code}`;
  return o?.path;
}
