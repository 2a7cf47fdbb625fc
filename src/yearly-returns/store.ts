// The yearly return (年报) as the API reads and writes it: the organizations that file one, and their figures.
import type { z } from 'zod';
import type { Queryable, Sql } from '../db/client.js';
import type { yearlyReturnBodySchema, yearlyReturnSchema } from './schemas.js';

/** An organization that may file a return, with what its return depends on. */
export interface Filer {
  id: number;
  path: string;
  type: string;
  sector: string;
  /** Whether it is a village's or community's own organization: a branch under a village's 总支 files no return of its own. */
  settlement: 'village' | 'community' | null;
}

/** The organizations of `codes` that exist, with what their return depends on, by code: one query for a whole file. */
export async function filersByCode(sql: Queryable, codes: string[]): Promise<Map<string, Filer>> {
  const rows = await sql<(Filer & { code: string })[]>`
    select o.code, o.id, o.path::text as path, o.type, o.sector, o.settlement
    from organizations o
    where o.code = any(${codes})`;
  return new Map(rows.map(({ code, ...t }) => [code, t]));
}

/**
 * Returns filed, one row per organization and year, in one transaction: a later submission replaces the figures and
 * who filed them. A few thousand rows a statement (PostgreSQL takes 65,535 parameters at most).
 */
export function writeReturns(
  sql: Sql,
  accepted: { t: Pick<Filer, 'id'>; body: z.infer<typeof yearlyReturnBodySchema> }[],
  y: number,
  by: string,
): Promise<void> {
  const rows = accepted.map(({ t, body: b }) => ({
    organization_id: t.id,
    year: y,
    activists_trained: b.activistsTrained ?? null,
    reserve_cadres: b.reserveCadres ?? null,
    funding_yuan: b.funding ?? null,
    households: b.households ?? null,
    member_funding_yuan: b.memberFunding ?? null,
    student_members: b.studentMembers ?? null,
    venue_sqm: b.venueSqm ?? null,
    central_district: b.centralDistrict ?? null,
    committee_members_under_35: b.committeeMembersUnder35 ?? null,
    updated_by: by,
    updated_at: new Date(),
  }));
  return sql.begin(async (tx) => {
    for (let i = 0; i < rows.length; i += 4000) {
      await tx`
        insert into yearly_returns ${tx(rows.slice(i, i + 4000))}
        on conflict (organization_id, year) do update set
          activists_trained = excluded.activists_trained, reserve_cadres = excluded.reserve_cadres, funding_yuan = excluded.funding_yuan,
          households = excluded.households, member_funding_yuan = excluded.member_funding_yuan, student_members = excluded.student_members,
          venue_sqm = excluded.venue_sqm, central_district = excluded.central_district,
          committee_members_under_35 = excluded.committee_members_under_35, updated_by = excluded.updated_by, updated_at = excluded.updated_at`;
    }
  });
}

/** The return organization `id` (code `code`) filed for year `y`, if any. */
export async function filedReturn(sql: Queryable, id: number, y: number, code: string): Promise<z.infer<typeof yearlyReturnSchema> | undefined> {
  const [r] = await sql<z.infer<typeof yearlyReturnSchema>[]>`
    select ${code} as organization, year, activists_trained as "activistsTrained", reserve_cadres as "reserveCadres",
           funding_yuan as funding, households, member_funding_yuan as "memberFunding", student_members as "studentMembers",
           venue_sqm::float8 as "venueSqm", central_district as "centralDistrict", committee_members_under_35 as "committeeMembersUnder35",
           updated_by as "updatedBy", updated_at as "updatedAt"
    from yearly_returns where organization_id = ${id} and year = ${y}`;
  return r && { ...r, updatedAt: new Date(r.updatedAt).toISOString() };
}
