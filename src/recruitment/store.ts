// The applicants of 发展党员 (migrations/110_recruitment.sql): an application recorded by the branch, checked before
// its case starts. The stages and the register rows that follow are the process's (activities/recruitment.ts).
import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/client.js';
import { initialsOf } from '../api/initials.js';
import { idNumberBirthDate, idNumberProblem, isMobile, normalizeIdNumber, type Gender } from '../domain/members.js';
import { oldEnough, recruitmentRulesFor, type RecruitmentStage } from '../domain/recruitment/rules.js';
import { sealPersonalData, type PersonalDataKey } from '../members/personal-data.js';
import { recruitmentId } from '../../workflows/recruitment/workflow.js';

export interface Application {
  organizationId: number;
  name: string;
  gender: Gender;
  idNumber: string;
  phone: string | null;
  appliedOn: string;
  actor: string;
}

/** A refusal of an application, by the field it concerns (the API answers 422 with `body.<field>`). */
export interface ApplicationRefusal {
  field: 'idNumber' | 'phone' | 'appliedOn';
  message: string;
}

/**
 * Records an application and names its case's workflow: refused (by field) when the 身份证号 is none, the applicant
 * is under the rule set's age on the day of the application, already on the register, or has a case under way.
 */
export async function recordApplication(
  sql: Sql,
  key: PersonalDataKey,
  a: Application,
): Promise<{ id: number; workflowId: string } | { refused: ApplicationRefusal[] }> {
  const id = normalizeIdNumber(a.idNumber);
  const problem = idNumberProblem(id);
  if (problem) return { refused: [{ field: 'idNumber', message: problem }] };
  const refused: ApplicationRefusal[] = [];
  const birth = idNumberBirthDate(id)!;
  const rules = recruitmentRulesFor(a.appliedOn);
  if (!oldEnough(birth, a.appliedOn, rules)) refused.push({ field: 'appliedOn', message: `an applicant is ${rules.minAge} or older on the day they apply` });
  if (a.phone && !isMobile(a.phone)) refused.push({ field: 'phone', message: 'a mobile number of 11 digits' });
  if (refused.length) return { refused };
  const sealed = sealPersonalData(key, id, a.phone);
  return sql.begin(async (tx) => {
    const [member] = await tx`select 1 from members where id_number_digest = ${sealed.id_number_digest} and status not in ('cancelled')`;
    if (member) return { refused: [{ field: 'idNumber' as const, message: 'a member on the register already' }] };
    const [open] = await tx`select 1 from applicants where id_number_digest = ${sealed.id_number_digest} and stage not in ('full', 'ended')`;
    if (open) return { refused: [{ field: 'idNumber' as const, message: 'an application of this person is under way' }] };
    const workflowId = recruitmentId(randomUUID());
    const [row] = await tx<{ id: number }[]>`
      insert into applicants ${tx({
        workflow_id: workflowId,
        organization_id: a.organizationId,
        name: a.name,
        name_initials: initialsOf(a.name),
        gender: a.gender,
        birth_date: birth,
        ...sealed,
        applied_on: a.appliedOn,
        stage_since: a.appliedOn,
        recorded_by: a.actor,
      })} returning id`;
    return { id: row!.id, workflowId };
  });
}

/** Links an applicant to the user they sign in as (null unlinks). */
export async function linkApplicantUser(sql: Sql, applicantId: number, userId: number | null): Promise<void> {
  await sql`update applicants set user_id = ${userId} where id = ${applicantId}`;
}

export interface ApplicantItem {
  id: number;
  workflowId: string;
  name: string;
  gender: Gender;
  idNumber: string;
  appliedOn: string;
  stage: RecruitmentStage;
  stageSince: string;
  organization: string;
  organizationName: string;
  linkedUser: string | null;
  /** The case's open task, if any: what it waits for now. */
  waitingFor: { taskId: number; step: string; dueAt: string; escalationLevel: number } | null;
}

const item = (sql: Sql) => sql`
  a.id, a.workflow_id as "workflowId", a.name, a.gender, a.id_number_masked as "idNumber", to_char(a.applied_on, 'YYYY-MM-DD') as "appliedOn",
  a.stage, to_char(a.stage_since, 'YYYY-MM-DD') as "stageSince", o.code as organization, o.name as "organizationName",
  (select u.username from users u where u.id = a.user_id) as "linkedUser",
  (select json_build_object('taskId', t.id, 'step', t.step, 'dueAt', to_json(t.due_at)#>>'{}', 'escalationLevel', t.escalation_level)
   from tasks t where t.workflow_id = a.workflow_id and t.state in ('open', 'claimed', 'escalated') order by t.id desc limit 1) as "waitingFor"`;

/** The applicants of an organization's subtree (a branch's, a township's villages'), open cases first, newest first. */
export function applicantsUnder(sql: Sql, path: string, stage?: RecruitmentStage): Promise<ApplicantItem[]> {
  return sql<ApplicantItem[]>`
    select ${item(sql)} from applicants a join organizations o on o.id = a.organization_id
    where o.path <@ ${path}::ltree ${stage ? sql`and a.stage = ${stage}` : sql``}
    order by a.stage in ('full', 'ended'), a.applied_on desc, a.id desc limit 500`;
}

/** One applicant, with the organization path their case is scoped by. */
export async function applicant(sql: Sql, id: number): Promise<(ApplicantItem & { path: string }) | undefined> {
  const [a] = await sql<(ApplicantItem & { path: string })[]>`
    select ${item(sql)}, o.path::text as path from applicants a join organizations o on o.id = a.organization_id where a.id = ${id}`;
  return a;
}

/** The applicant a user signs in as, if any (their latest case). */
export async function applicantOfUser(sql: Sql, userId: number): Promise<(ApplicantItem & { path: string }) | undefined> {
  const [a] = await sql<(ApplicantItem & { path: string })[]>`
    select ${item(sql)}, o.path::text as path from applicants a join organizations o on o.id = a.organization_id
    where a.user_id = ${userId} order by a.id desc limit 1`;
  return a;
}
