import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import { shanghaiDate } from '../src/domain/dates.js';
import { liaisonRulesFor, termRulesFor, termYearsOf, type LiaisonRules } from '../src/domain/rules.js';

export interface LiaisonContext {
  organizationId: number;
  orgPath: string;
  /** The committee the unit sits under: its organizers approve the establishment. */
  parentId: number;
  /**
   * The county above the unit (domain.md §4.4: the county organization department assigns the officer and meets its
   * officers). Absent in runs that read their context before it was named.
   */
  countyId?: number;
  /** The county's code and path: its half-yearly meeting with the officers is a process of its own. */
  countyCode?: string;
  countyPath?: string;
  fullMembers: number;
  rules: LiaisonRules;
}

export type DispatchState = 'unassigned' | 'assigned' | 'acknowledged' | 'establishing' | 'established' | 'ended';

/** Liaison dispatch (domain.md §4.4): context, the coverage projection, and the establishment of the organization. */
export function liaisonDispatchActivities(sql: Sql) {
  return {
    async loadLiaisonContext(i: { organization: string; at: string; ruleSet?: string }): Promise<LiaisonContext> {
      // The county is the ancestor at depth 3 (province → city → county), as escalation level 3 finds it (tasks.ts).
      const [o] = await sql<
        {
          id: number;
          path: string;
          parent_id: number | null;
          type: string;
          full_members: number;
          county_id: number;
          county_code: string;
          county_path: string;
        }[]
      >`
        select o.id, o.path::text as path, o.parent_id, o.type, o.full_members, k.id as county_id, k.code as county_code, k.path::text as county_path
        from organizations o
        join organizations k on k.id = ltree2text(subpath(o.path, greatest(0, least(2, nlevel(o.path) - 2)), 1))::bigint
        where o.code = ${i.organization}`;
      if (!o) throw ApplicationFailure.nonRetryable(`organization ${i.organization} does not exist`, 'NotFound');
      if (o.type !== 'unit' || o.parent_id === null)
        throw ApplicationFailure.nonRetryable(`${i.organization} is not a unit without a Party organization`, 'NotAUnit');
      return {
        organizationId: o.id,
        orgPath: o.path,
        parentId: Number(o.parent_id),
        countyId: Number(o.county_id),
        countyCode: o.county_code,
        countyPath: o.county_path,
        fullMembers: o.full_members,
        rules: liaisonRulesFor(shanghaiDate(new Date(i.at)), i.ruleSet),
      };
    },

    async recordDispatch(d: {
      workflowId: string;
      organizationId: number;
      officer: string | null;
      state: DispatchState;
      fullMembers?: number;
      at: string;
    }): Promise<void> {
      await sql`
        insert into liaison_dispatches (workflow_id, organization_id, officer, state, full_members, acknowledged_at, established_at, updated_at)
        values (${d.workflowId}, ${d.organizationId}, ${d.officer}, ${d.state}, ${d.fullMembers ?? null},
                ${d.state === 'acknowledged' ? d.at : null}, ${d.state === 'established' ? d.at : null}, ${d.at})
        on conflict (workflow_id) do update set officer = excluded.officer, state = excluded.state,
          full_members = coalesce(excluded.full_members, liaison_dispatches.full_members),
          acknowledged_at = coalesce(liaison_dispatches.acknowledged_at, excluded.acknowledged_at),
          established_at = coalesce(liaison_dispatches.established_at, excluded.established_at), updated_at = excluded.updated_at`;
      if (d.fullMembers !== undefined)
        await sql`update organizations set full_members = ${d.fullMembers}, updated_at = ${d.at} where id = ${d.organizationId} and type = 'unit'`;
    },

    /**
     * The founding meeting: the unit becomes a branch in the tree, with its secretary, members and a first term
     * starting on the meeting's day (`foundedOn`; the day of entry for meetings recorded before it was asked for),
     * its length from the term rule set in force that day. Idempotent: a unit already established is left as it is.
     */
    async establishOrganization(e: {
      organizationId: number;
      secretary: string;
      fullMembers: number;
      foundedOn?: string;
      at: string;
    }): Promise<{ code: string }> {
      const startedOn = e.foundedOn ?? shanghaiDate(new Date(e.at));
      return sql.begin(async (tx) => {
        const [o] = await tx<{ code: string; name: string; type: string; sector: string; secretary_name: string; full_members: number }[]>`
          select code, name, type, sector, secretary_name, full_members from organizations where id = ${e.organizationId} for update`;
        if (!o) throw ApplicationFailure.nonRetryable(`organization ${e.organizationId} does not exist`, 'NotFound');
        // A retried activity finds the branch already founded: nothing to write twice.
        if (o.type !== 'unit') return { code: o.code };
        const years = termYearsOf(termRulesFor(startedOn), 'branch', o.sector);
        const before = { type: o.type, name: o.name, secretary_name: o.secretary_name, full_members: o.full_members };
        // The branch is the firm's Party branch (XX公司党支部), not the firm: the tree and the register name it so.
        const after = {
          type: 'branch',
          name: branchName(o.name),
          secretary_name: e.secretary,
          full_members: e.fullMembers,
          term_started_on: startedOn,
          term_years: years,
        };
        await tx`
          update organizations set type = 'branch', name = ${after.name}, term_started_on = ${startedOn}, term_years = ${years}, secretary_name = ${e.secretary},
            full_members = ${e.fullMembers}, updated_at = ${e.at}
          where id = ${e.organizationId}`;
        await tx`
          insert into organization_changes (organization_id, code, changed_by, changed_at, source, before, after)
          values (${e.organizationId}, ${o.code}, 'liaison-dispatch', ${e.at}, 'founding-meeting', ${tx.json(before)}, ${tx.json(after)})`;
        return { code: o.code };
      });
    },
  };
}

/** The name of a unit's newly founded branch: the unit's name with 党支部, unless it already names a Party body. */
export function branchName(unitName: string): string {
  return /(党支部|党总支|党委|党组)$/.test(unitName) ? unitName : `${unitName}党支部`;
}
