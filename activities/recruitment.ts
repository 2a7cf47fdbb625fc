// I/O of 发展党员 (workflows/recruitment): reading an applicant's case, recording their stage, and the statements by
// which the register follows the case — the 预备党员's row when the higher committee approves them, 转正, a cancelled
// probation. Each write is guarded by the state it changes, so a retried activity does nothing twice; each register
// write recounts the organization in its transaction.
import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import { recountMembers } from '../src/members/store.js';
import type { RecruitmentStage } from '../src/domain/recruitment/rules.js';

export interface ApplicantView {
  id: number;
  name: string;
  organizationId: number;
  orgPath: string;
  /** The higher committee: the branch's parent, which files, pre-reviews and approves. */
  parentId: number;
  parentPath: string;
  /** The committee above the higher one, whose organization department keeps the filing of a new 预备党员 (备案). */
  aboveId: number | null;
  appliedOn: string;
  stage: RecruitmentStage;
  /** The user the applicant signs in as (files their own application to become full), if linked. */
  user: string | null;
  memberId: number | null;
}

export function recruitmentActivities(sql: Sql) {
  const load = async (workflowId: string): Promise<ApplicantView> => {
    const [a] = await sql<ApplicantView[]>`
      select a.id, a.name, o.id as "organizationId", o.path::text as "orgPath", p.id as "parentId", p.path::text as "parentPath",
             case when nlevel(p.path) > 1 then (select q.id from organizations q where q.path = subpath(p.path, 0, nlevel(p.path) - 1)) end as "aboveId",
             to_char(a.applied_on, 'YYYY-MM-DD') as "appliedOn", a.stage,
             (select u.username from users u where u.id = a.user_id and not u.disabled) as user, a.member_id as "memberId"
      from applicants a join organizations o on o.id = a.organization_id
      join organizations p on p.path = subpath(o.path, 0, nlevel(o.path) - 1)
      where a.workflow_id = ${workflowId}`;
    if (!a) throw ApplicationFailure.nonRetryable(`no applicant for ${workflowId}`, 'NotFound');
    return a;
  };
  return {
    async loadApplicant(i: { workflowId: string }): Promise<ApplicantView> {
      return load(i.workflowId);
    },

    /** The applicant's stage from `on` (积极分子, 发展对象, or ended): the process's to write. */
    async recordApplicantStage(i: { workflowId: string; stage: RecruitmentStage; on: string }): Promise<void> {
      await sql`update applicants set stage = ${i.stage}, stage_since = ${i.on} where workflow_id = ${i.workflowId} and stage <> ${i.stage}`;
    },

    /**
     * The higher committee approved: the applicant is a 预备党员 on their branch's register from the meeting's day (入党
     * 时间), with the sealed personal data the branch recorded, linked to the user they sign in as.
     */
    async admitToRegister(i: { workflowId: string; joinedOn: string; actor: string }): Promise<{ memberId: number }> {
      return sql.begin(async (tx) => {
        const [a] = await tx<{ id: number; member_id: number | null; organization_id: number }[]>`
          select id, member_id, organization_id from applicants where workflow_id = ${i.workflowId} for update`;
        if (!a) throw ApplicationFailure.nonRetryable(`no applicant for ${i.workflowId}`, 'NotFound');
        if (a.member_id !== null) return { memberId: a.member_id };
        const [m] = await tx<{ id: number }[]>`
          insert into members (organization_id, name, name_initials, gender, birth_date, id_number_sealed, id_number_digest, id_number_masked,
                               phone_sealed, phone_masked, joined_on, category, status, status_since, placed_by, status_by, user_id)
          select a.organization_id, a.name, a.name_initials, a.gender, a.birth_date, a.id_number_sealed, a.id_number_digest, a.id_number_masked,
                 a.phone_sealed, a.phone_masked, ${i.joinedOn}, 'probationary', 'normal', ${i.joinedOn}, 'orglife', 'orglife',
                 case when exists (select 1 from members x where x.user_id = a.user_id) then null else a.user_id end
          from applicants a where a.id = ${a.id}
          returning id`;
        await tx`update applicants set member_id = ${m!.id}, stage = 'probationary', stage_since = ${i.joinedOn} where id = ${a.id}`;
        await tx`
          insert into member_events (member_id, kind, actor, source, after)
          values (${m!.id}, 'registered', ${i.actor}, 'recruitment', ${tx.json({ category: 'probationary', joinedOn: i.joinedOn })})`;
        await recountMembers(tx as unknown as Sql, [a.organization_id]);
        return { memberId: m!.id };
      });
    },

    /** 转正: a full member from the day the probation ended. */
    async makeFull(i: { workflowId: string; fullOn: string; actor: string }): Promise<void> {
      await sql.begin(async (tx) => {
        const [m] = await tx<{ id: number; organization_id: number }[]>`
          update members m set category = 'full', full_on = ${i.fullOn}, updated_at = now()
          from applicants a where a.workflow_id = ${i.workflowId} and m.id = a.member_id and m.category = 'probationary'
          returning m.id, m.organization_id`;
        if (!m) return;
        await tx`update applicants set stage = 'full', stage_since = ${i.fullOn} where workflow_id = ${i.workflowId}`;
        await tx`
          insert into member_events (member_id, kind, actor, source, before, after)
          values (${m.id}, 'updated', ${i.actor}, 'recruitment', ${tx.json({ category: 'probationary' })}, ${tx.json({ category: 'full', fullOn: i.fullOn })})`;
        await recountMembers(tx as unknown as Sql, [m.organization_id]);
      });
    },

    /** 取消预备党员资格: the member leaves the register's figures; their history stays. */
    async cancelProbation(i: { workflowId: string; on: string; actor: string; reason: string }): Promise<void> {
      await sql.begin(async (tx) => {
        const [m] = await tx<{ id: number; organization_id: number; status: string }[]>`
          select m.id, m.organization_id, m.status from members m join applicants a on a.member_id = m.id
          where a.workflow_id = ${i.workflowId} and m.status <> 'cancelled' for update of m`;
        if (!m) return;
        await tx`update members set status = 'cancelled', status_since = ${i.on}, status_by = 'orglife', updated_at = now() where id = ${m.id}`;
        await tx`update applicants set stage = 'ended', stage_since = ${i.on} where workflow_id = ${i.workflowId}`;
        await tx`
          insert into member_events (member_id, kind, actor, source, reason, before, after)
          values (${m.id}, 'status-changed', ${i.actor}, 'recruitment', ${i.reason}, ${tx.json({ status: m.status })}, ${tx.json({ status: 'cancelled', since: i.on })})`;
        await recountMembers(tx as unknown as Sql, [m.organization_id]);
      });
    },
  };
}
