// The yearly assessment's results (written by its workflow's activities) as the API reads them.
import type { Fragment } from 'postgres';
import type { z } from 'zod';
import type { Queryable } from '../db/client.js';
import type { assessmentCountySchema, assessmentOrganizationSchema, assessmentRunSchema } from './schemas.js';

/** The finished run of a year's assessment, if any. */
export async function assessmentRun(sql: Queryable, year: number): Promise<z.infer<typeof assessmentRunSchema> | undefined> {
  const [r] = await sql<{ year: number; assessed_on: string; rule_set: string; finished_at: Date }[]>`
    select year, to_char(assessed_on, 'YYYY-MM-DD') as assessed_on, rule_set, finished_at from assessment_runs where year = ${year}`;
  return r && { year: r.year, assessedOn: r.assessed_on, ruleSet: r.rule_set, finishedAt: r.finished_at.toISOString() };
}

/** The year's counties `scope` admits (over `o`), by their province-wide rank. */
export function rankedCounties(sql: Queryable, year: number, scope: Fragment): Promise<z.infer<typeof assessmentCountySchema>[]> {
  return sql<z.infer<typeof assessmentCountySchema>[]>`
    select c.rank, o.code, o.name, c.score::float8 as score, c.organizations, c.mean_score::float8 as "meanScore", c.villages,
           c.concurrent_head_organizations as "concurrentHeadOrganizations", c.concurrent_head_rate::float8 as "concurrentHeadRate", c.units, c.liaison_coverage::float8 as "liaisonCoverage",
           c.paired, c.pairing_coverage::float8 as "pairingCoverage", c.deliverables, c.delivered_rate::float8 as "deliveredRate"
    from assessment_counties c join organizations o on o.id = c.county_id
    where c.year = ${year} and ${scope}
    order by c.rank, o.code`;
}

export interface ScoreSearch {
  /** The caller's scope over `o`. */
  scope: Fragment;
  /** The ltree path of an organization the caller sees: its subtree only. */
  under?: string | undefined;
  sector?: string | undefined;
  limit: number;
  offset: number;
}

/** The year's organization scores the search admits, ranked within their sector, then by score and code. */
export function rankedScores(sql: Queryable, year: number, s: ScoreSearch): Promise<z.infer<typeof assessmentOrganizationSchema>[]> {
  return sql<z.infer<typeof assessmentOrganizationSchema>[]>`
    select o.code, o.name, s.sector, k.code as county, s.score::float8 as score, s.sector_rank as "sectorRank",
           s.term_on_time as "termOnTime", s.secretary_trained as "secretaryTrained", s.no_overdue_tasks as "noOverdueTasks",
           s.return_filed as "returnFiled", s.activists_trained as "activistsTrained", s.reserve_cadres as "reserveCadres",
           s.funding_floor as "fundingFloor", s.member_funding as "memberFunding", s.venue, s.young_committee_member as "youngCommitteeMember",
           s.concurrent_head as "concurrentHead", s.red_periods as "redPeriods",
           s.recruitment_targets as "recruitmentTargets", s.recruitment_plan_met as "recruitmentPlanMet",
           s.meetings_met::float8 as "meetingsMet", s.meetings_on_time::float8 as "meetingsOnTime"
    from assessment_scores s join organizations o on o.id = s.organization_id left join organizations k on k.id = s.county_id
    where s.year = ${year} and ${s.scope}
      ${s.under !== undefined ? sql`and o.path <@ ${s.under}::ltree` : sql``}
      ${s.sector ? sql`and s.sector = ${s.sector}` : sql``}
    order by s.sector_rank nulls last, s.score desc, o.code
    limit ${s.limit} offset ${s.offset}`;
}
