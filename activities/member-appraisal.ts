// I/O of a branch's yearly 民主评议党员 (workflows/member-appraisal): the plan as it reached the branch, the days its
// steps were held, the grades of everyone on the register of the meeting's day once the township approves them, and
// the branch's decision on a member's time to improve — each one statement or one transaction, so a retried activity
// writes nothing twice.
import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import type { IsoDate } from '../src/domain/dates.js';
import { appraisalRulesFor, type AppraisalRating, type AppraisalResult, type improvementDecisions } from '../src/domain/member-appraisal/rules.js';
import { registerOn } from '../src/members/store.js';

export interface AppraisalYear {
  organizationId: number;
  orgPath: string;
  name: string;
  /** The committee above the branch: it reviews the result. */
  parentId: number;
  ruleSet: string;
  plannedOn: IsoDate;
  reportBy: IsoDate;
}

export interface AppraisalCounts {
  onRegister: number;
  excellent: number;
  qualified: number;
  basic: number;
  unqualified: number;
}

export function memberAppraisalActivities(sql: Sql) {
  return {
    /** The year's plan at the branch, under the rule set in force on the day it arrived: written once, read back. */
    async planAppraisalYear(i: { workflowId: string; organization: string; year: number; reportBy: IsoDate; plannedOn: IsoDate }): Promise<AppraisalYear> {
      const [o] = await sql<{ id: number; path: string; name: string; parentId: number | null }[]>`
        select o.id::int as id, o.path::text as path, o.name, p.id::int as "parentId"
        from organizations o left join organizations p on p.path = subpath(o.path, 0, nlevel(o.path) - 1) and nlevel(o.path) > 1
        where o.code = ${i.organization}`;
      if (!o) throw ApplicationFailure.nonRetryable(`no organization ${i.organization}`, 'NotFound');
      const r = appraisalRulesFor(i.plannedOn);
      const [y] = await sql<{ ruleSet: string; plannedOn: IsoDate; reportBy: IsoDate }[]>`
        with ins as (
          insert into member_appraisal_years (organization_id, year, workflow_id, rule_set, planned_on, report_by)
          values (${o.id}, ${i.year}, ${i.workflowId}, ${r.id}, ${i.plannedOn}, ${i.reportBy})
          on conflict do nothing
          returning rule_set, planned_on, report_by
        )
        select rule_set as "ruleSet", to_char(planned_on, 'YYYY-MM-DD') as "plannedOn", to_char(report_by, 'YYYY-MM-DD') as "reportBy" from ins
        union all
        select rule_set, to_char(planned_on, 'YYYY-MM-DD'), to_char(report_by, 'YYYY-MM-DD')
        from member_appraisal_years where workflow_id = ${i.workflowId}`;
      if (!y) throw ApplicationFailure.nonRetryable(`${i.organization} has another appraisal of ${i.year}`, 'Conflict');
      return { organizationId: o.id, orgPath: o.path, name: o.name, parentId: o.parentId ?? o.id, ...y };
    },

    /** A step's day kept with the year: the talks', the meeting's. */
    async recordAppraisalDay(i: { workflowId: string; talksOn?: IsoDate; meetingOn?: IsoDate }): Promise<void> {
      await sql`
        update member_appraisal_years set talks_on = coalesce(${i.talksOn ?? null}::date, talks_on), meeting_on = coalesce(${i.meetingOn ?? null}::date, meeting_on)
        where workflow_id = ${i.workflowId}`;
    },

    /**
     * The approved result: a grade for everyone on the register of the meeting's day — the one the result names, else
     * 合格 — and for each 不合格 member the end of their time to improve. Answers the counts and the 不合格 members.
     * A retry finds the rows written and answers the same.
     */
    async recordAppraisal(i: {
      workflowId: string;
      organizationId: number;
      year: number;
      meetingOn: IsoDate;
      result: AppraisalResult;
      improvementDue: IsoDate;
      approvedAt: string;
    }): Promise<{ counts: AppraisalCounts; unqualified: { memberId: number; name: string }[] }> {
      const register = await registerOn(sql, i.organizationId, i.meetingOn);
      const named = new Map((i.result.rated ?? []).map((r) => [r.memberId, r]));
      const rows = register.map((m) => {
        const r = named.get(m.id);
        const rating: AppraisalRating = r?.rating ?? 'qualified';
        return {
          member_id: m.id,
          year: i.year,
          organization_id: i.organizationId,
          rating,
          votes: r?.votes ? sql.json(r.votes) : null,
          workflow_id: i.workflowId,
          improvement_due: rating === 'unqualified' ? i.improvementDue : null,
        };
      });
      await sql.begin(async (tx) => {
        if (rows.length) await tx`insert into member_appraisals ${tx(rows)} on conflict (member_id, year) do nothing`;
        await tx`update member_appraisal_years set voters = ${i.result.voters}, approved_at = coalesce(approved_at, ${i.approvedAt}) where workflow_id = ${i.workflowId}`;
      });
      const kept = await sql<{ memberId: number; name: string; rating: AppraisalRating }[]>`
        select a.member_id::int as "memberId", m.name, a.rating from member_appraisals a join members m on m.id = a.member_id
        where a.workflow_id = ${i.workflowId} order by a.member_id`;
      const counts: AppraisalCounts = { onRegister: kept.length, excellent: 0, qualified: 0, basic: 0, unqualified: 0 };
      for (const k of kept) counts[k.rating]++;
      return { counts, unqualified: kept.filter((k) => k.rating === 'unqualified').map(({ memberId, name }) => ({ memberId, name })) };
    },

    /** The branch's decision at the end of a member's time to improve (the decision only: what follows is a process of its own). */
    async recordImprovement(i: {
      workflowId: string;
      memberId: number;
      decision: (typeof improvementDecisions)[number];
      decidedOn: IsoDate;
      note: string;
    }): Promise<void> {
      await sql`
        update member_appraisals set improvement_decision = ${i.decision}, improvement_decided_on = ${i.decidedOn}, improvement_note = ${i.note}
        where workflow_id = ${i.workflowId} and member_id = ${i.memberId} and improvement_decision is null`;
    },
  };
}
