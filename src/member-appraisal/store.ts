// Reads and starts of 民主评议党员 (domain.md §4.9) over what the `member-appraisal` process writes (migrations/
// 115_member_appraisal.sql): the branches a county's plan starts, and a member's grades year by year.
import type { Client } from '@temporalio/client';
import type { Queryable, Sql } from '../db/client.js';
import type { IsoDate } from '../domain/dates.js';
import { appraisalRulesFor, type AppraisalRating, type improvementDecisions } from '../domain/member-appraisal/rules.js';
import { startEach } from '../processes/start.js';
import { KIND, memberAppraisal, memberAppraisalId } from '../../workflows/member-appraisal/workflow.js';

/** The branches under `path` that hold the appraisal (the rule set's types) and have none for the year yet. */
export function branchesWithoutAppraisal(sql: Queryable, p: { path: string; types: readonly string[]; year: number }) {
  return sql<{ id: number; code: string }[]>`
    select o.id::int as id, o.code from organizations o
    where o.path <@ ${p.path}::ltree and o.type = any(${p.types as string[]})
      and not exists (select 1 from member_appraisal_years y where y.organization_id = o.id and y.year = ${p.year})
    order by o.id`;
}

/**
 * The county's plan: one workflow for each branch under `path` that has none for the year, started with bounded
 * concurrency; a branch whose workflow is already running (started, not yet planned) is counted, not started again.
 */
export async function startAppraisals(
  sql: Sql,
  client: Client,
  taskQueue: string,
  p: { path: string; year: number; reportBy: IsoDate; today: IsoDate },
  concurrency = 16,
): Promise<{ started: number; running: number }> {
  const r = appraisalRulesFor(p.today);
  const orgs = await branchesWithoutAppraisal(sql, { path: p.path, types: r.heldBy, year: p.year });
  return startEach(
    sql,
    client,
    taskQueue,
    orgs,
    { kind: KIND, workflow: memberAppraisal },
    (o) => ({
      input: { organization: o.code, year: p.year, reportBy: p.reportBy },
      workflowId: memberAppraisalId(o.code, p.year),
    }),
    concurrency,
  );
}

export interface MemberAppraisalRow {
  year: number;
  rating: AppraisalRating;
  votes: Partial<Record<AppraisalRating, number>> | null;
  organization: { code: string; name: string };
  /** A 不合格 member's time to improve: its end, and the branch's decision once taken. */
  improvement: { dueOn: string; decision: (typeof improvementDecisions)[number] | null; decidedOn: string | null } | null;
}

/** A member's grades, newest year first. */
export function appraisalsOf(sql: Queryable, memberId: number) {
  return sql<MemberAppraisalRow[]>`
    select a.year, a.rating, a.votes, json_build_object('code', o.code, 'name', o.name) as organization,
           case when a.improvement_due is null then null else json_build_object(
             'dueOn', to_char(a.improvement_due, 'YYYY-MM-DD'), 'decision', a.improvement_decision,
             'decidedOn', to_char(a.improvement_decided_on, 'YYYY-MM-DD')) end as improvement
    from member_appraisals a join organizations o on o.id = a.organization_id
    where a.member_id = ${memberId}
    order by a.year desc`;
}
