import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import { shanghaiDate } from '../src/domain/dates.js';
import { twoRecommendationsRulesFor, type TwoRecommendationsRules } from '../src/domain/rules.js';

export interface SelectionContext {
  organizationId: number;
  orgPath: string;
  /** The township committee: it publishes the plan, fixes the candidates and approves. */
  townshipId: number;
  /** The county organization department: it dispatches a first secretary when no suitable candidate is found. */
  countyId: number;
  fullMembers: number;
  /** Full and probationary members: those who may take part in the members' recommendation. */
  members: number;
  /**
   * A village's or a community's own organization (organizations.settlement, domain.md §2): a community's is led by
   * a street committee and its round is the residents' (居民会议). Absent in contexts loaded before it was read.
   */
  settlement?: 'village' | 'community';
  rules: TwoRecommendationsRules;
}

export type SelectionState =
  | 'planning'
  | 'recommending'
  | 'reviewing'
  | 'electing'
  | 'approving'
  | 'approved'
  | 'no-suitable-candidate'
  | 'first-secretary-dispatched'
  | 'cancelled';

export interface SelectionRecord {
  workflowId: string;
  /** The organization's n-th selection under this workflow id. */
  selection: number;
  organizationId: number;
  ruleSet: string;
  state: SelectionState;
  at: string;
  seats?: number;
  ranking?: unknown;
  candidates?: string[];
  committee?: string[];
  secretary?: string;
  concurrentHead?: boolean;
  firstSecretary?: string;
  firstSecretaryFrom?: string;
}

/** Two recommendations, one election (domain.md §4.2): context, projection, and the approved secretary on the register. */
export function twoRecommendationsActivities(sql: Sql) {
  return {
    async loadSelectionContext(i: { organization: string; at: string; ruleSet?: string }): Promise<SelectionContext> {
      const [o] = await sql<
        {
          id: number;
          path: string;
          parent_id: number | null;
          type: string;
          sector: string;
          settlement: 'village' | 'community' | null;
          full_members: number;
          probationary_members: number;
          county_id: number;
        }[]
      >`
        select id, path::text as path, parent_id, type, sector, settlement, full_members, probationary_members,
               ltree2text(subpath(path, greatest(0, least(2, nlevel(path) - 2)), 1))::bigint as county_id
        from organizations where code = ${i.organization}`;
      if (!o) throw ApplicationFailure.nonRetryable(`organization ${i.organization} does not exist`, 'NotFound');
      // A village's or community's own organization, by its place in the tree (not a township its import calls 农村).
      if (o.settlement === null)
        throw ApplicationFailure.nonRetryable(
          `${i.organization} is not a village's or community's Party organization under a township or street committee`,
          'NotAVillage',
        );
      return {
        organizationId: Number(o.id),
        orgPath: o.path,
        townshipId: Number(o.parent_id),
        countyId: Number(o.county_id),
        fullMembers: o.full_members,
        members: o.full_members + o.probationary_members,
        settlement: o.settlement,
        rules: twoRecommendationsRulesFor(shanghaiDate(new Date(i.at)), i.ruleSet),
      };
    },

    /** Absolute values keyed by workflow id: a retry writes the same row; fields not given keep their value. */
    async recordSelection(r: SelectionRecord): Promise<void> {
      const j = (v: unknown) => (v === undefined ? null : sql.json(v as never));
      await sql`
        insert into secretary_selections (workflow_id, selection, organization_id, rule_set, state, seats, ranking, candidates, committee, secretary,
                                          concurrent_head, first_secretary, first_secretary_from, updated_at)
        values (${r.workflowId}, ${r.selection}, ${r.organizationId}, ${r.ruleSet}, ${r.state}, ${r.seats ?? null}, ${j(r.ranking)}, ${j(r.candidates)}, ${j(r.committee)},
                ${r.secretary ?? null}, ${r.concurrentHead ?? null}, ${r.firstSecretary ?? null}, ${r.firstSecretaryFrom ?? null}, ${r.at})
        on conflict (workflow_id, selection) do update set state = excluded.state,
          seats = coalesce(excluded.seats, secretary_selections.seats),
          ranking = coalesce(excluded.ranking, secretary_selections.ranking),
          candidates = coalesce(excluded.candidates, secretary_selections.candidates),
          committee = coalesce(excluded.committee, secretary_selections.committee),
          secretary = coalesce(excluded.secretary, secretary_selections.secretary),
          concurrent_head = coalesce(excluded.concurrent_head, secretary_selections.concurrent_head),
          first_secretary = coalesce(excluded.first_secretary, secretary_selections.first_secretary),
          first_secretary_from = coalesce(excluded.first_secretary_from, secretary_selections.first_secretary_from),
          updated_at = excluded.updated_at
        where secretary_selections.updated_at <= excluded.updated_at`;
    },

    /** The township committee approved: the register shows the new secretary (and 一肩挑). Idempotent (absolute values). */
    async appointSecretary(a: { organizationId: number; secretary: string; concurrentHead: boolean; at: string }): Promise<void> {
      await sql`update organizations set secretary_name = ${a.secretary}, concurrent_head = ${a.concurrentHead}, updated_at = ${a.at} where id = ${a.organizationId}`;
    },
  };
}
