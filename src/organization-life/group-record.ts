// The register as a 党小组会's recorder reads it: the group's leader records the group's monthly meeting when their
// user is linked to their member (workflows/organization-life: the task names them), and may hold no role in the
// branch — the attendance picker lists the group's members to them by name, and nothing else of the register.
import type { Sql } from '../db/client.js';
import { allows, type Principal } from '../auth/principal.js';
import { meetingRecord } from '../domain/organization-life/steps.js';
import type { MemberSummary } from '../members/store.js';

/**
 * The organization `code` when the caller may not see it but holds an open 党小组会 record task of its group `group`
 * (named on the task, or claimed by them); undefined otherwise — for one who sees it, the register's own answer.
 */
export async function groupRecordHolderOf(sql: Sql, p: Principal, code: string, group: number): Promise<{ id: number; code: string } | undefined> {
  const [org] = await sql<{ id: number; code: string; path: string }[]>`select id, code, path::text as path from organizations where code = ${code}`;
  if (!org || allows(p, org.path)) return undefined;
  // The branch's open tasks (tasks_inbox), its group's record among them.
  const [held] = await sql`
    select 1 from tasks t
    where t.organization_id = ${org.id} and t.state in ('open', 'claimed', 'escalated')
      and t.process = ${meetingRecord.process} and t.step = ${meetingRecord.step}
      and (t.assignee_person = ${p.username} or t.claimed_by = ${p.username})
      and t.context->'group'->>'id' = ${String(group)}
    limit 1`;
  return held ? { id: org.id, code: org.code } : undefined;
}

/**
 * A member as the recorder of their group's meeting sees them: the name, where they are on the register (the picker
 * leaves out whom the register does not count) and their group — no personal data, none of it to reveal.
 */
export function namesOnly(m: MemberSummary): MemberSummary {
  return {
    id: m.id,
    name: m.name,
    gender: '',
    category: m.category,
    status: m.status,
    statusSince: null,
    joinedOn: '',
    fullOn: null,
    organization: m.organization,
    phone: null,
    idNumber: '',
    occupation: null,
    partyGroup: m.partyGroup,
  };
}
