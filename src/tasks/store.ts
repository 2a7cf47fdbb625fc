// Tasks as the API reads them from PostgreSQL (the projection the activities write; never Temporal).
import type { Fragment } from 'postgres';
import type { Queryable } from '../db/client.js';
import type { TaskTitle } from '../domain/step.js';

/** Where a task stands: its process, its step and the ltree path of its organization. */
export interface TaskPlace {
  process: string;
  step: string;
  path: string;
}

/** The process, step and organization path of task `id`, if it exists. */
export async function taskPlace(sql: Queryable, id: number): Promise<TaskPlace | undefined> {
  const [t] = await sql<TaskPlace[]>`
    select t.process, t.step, o.path::text as path from tasks t join organizations o on o.id = t.organization_id where t.id = ${id}`;
  return t;
}

/** Overdue live tasks of one organization at one escalation level: how many, and the oldest due time. */
export interface OverdueGroup {
  code: string;
  name: string;
  level: number;
  n: number;
  oldest: Date;
}

/**
 * The overdue question in SQL (bench/overdue.ts times this very statement): aggregate the overdue rows per
 * organization first (the partial index tasks_overdue holds only live tasks), then name the organizations.
 * `scope` is over `organizations o`; `under`, an ltree path, narrows it to a subtree.
 */
export function overdueGroups(sql: Queryable, scope: Fragment, under?: string) {
  return sql<OverdueGroup[]>`
    with agg as (
      select t.organization_id, t.escalation_level as level, count(*)::int as n, min(t.due_at) as oldest
      from tasks t
      where t.state in ('open', 'claimed', 'escalated') and t.due_at < now()
        and t.organization_id in (select o.id from organizations o where ${scope} ${under !== undefined ? sql`and o.path <@ ${under}::ltree` : sql``})
      group by t.organization_id, t.escalation_level)
    select o.code, o.name, a.level, a.n, a.oldest from agg a join organizations o on o.id = a.organization_id`;
}

/** A task row as the inbox and the task's page read it. */
export interface TaskRow {
  id: number;
  workflow_id: string;
  process: string;
  step: string;
  code: string;
  name: string;
  path: string;
  assignee_role: string | null;
  assignee_person: string | null;
  claimed_by: string | null;
  state: 'open' | 'claimed' | 'done' | 'cancelled' | 'escalated';
  opened_at: Date;
  due_at: Date;
  /** `due_at` to the microsecond, as PostgreSQL stores it: a JS Date keeps milliseconds only. */
  due_key: string;
  /** What sets the task apart from its step's others (src/domain/step.ts TaskTitle); null when nothing does. */
  title_parts: TaskTitle | null;
  escalation_level: number;
  provisional_years: number[];
  nudge_count: number;
  /** Of the process's organization (a community's steps are named in its words); absent where not read. */
  settlement?: 'village' | 'community' | null;
}

/**
 * One inbox page: the tasks matching `where` (over `t` and its organization `o`), and `heldOnly` when given (the
 * caller's own: a heldBy condition), by due date, after the cursor, one row more than the page to tell whether
 * another follows. bench/overdue.ts times this very statement.
 */
export function taskPage(sql: Queryable, where: Fragment, after: { dueAt: string; id: number } | null, limit: number, heldOnly?: Fragment) {
  return sql<TaskRow[]>`
    select t.id, t.workflow_id, t.process, t.step, o.code, o.name, o.path::text as path, t.assignee_role, t.assignee_person, t.claimed_by, t.state, t.opened_at, t.due_at,
           to_char(t.due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as due_key, t.escalation_level, t.provisional_years, t.nudge_count, t.title_parts,
           -- One primary-key lookup per row of the page: whose words the step is named in (a community's street committee).
           (select po.settlement from processes p join organizations po on po.id = p.organization_id where p.workflow_id = t.workflow_id) as settlement
    from tasks t join organizations o on o.id = t.organization_id
    where ${where} ${heldOnly ? sql`and ${heldOnly}` : sql``}
      ${after ? sql`and (t.due_at, t.id) > (${after.dueAt}::text::timestamptz, ${after.id})` : sql``}
    order by t.due_at, t.id
    limit ${limit + 1}`;
}

/** Task `id` if `scope` (over its organization `o`) admits it, with its context, key and process. */
export async function taskInScope(sql: Queryable, id: number, scope: Fragment) {
  const [t] = await sql<
    (Omit<TaskRow, 'due_key'> & {
      task_key: string;
      context: Record<string, unknown> | null;
      process_kind: string | null;
      process_status: string | null;
      process_code: string | null;
      process_name: string | null;
      process_path: string | null;
      process_settlement: 'village' | 'community' | null;
    })[]
  >`
    select t.id, t.workflow_id, t.process, t.step, o.code, o.name, o.path::text as path, t.assignee_role, t.assignee_person, t.claimed_by,
           t.state, t.opened_at, t.due_at, t.escalation_level, t.provisional_years, t.nudge_count, t.title_parts, t.context, t.task_key,
           p.kind as process_kind, p.status as process_status, po.code as process_code, po.name as process_name, po.path::text as process_path, po.settlement as process_settlement
    from tasks t join organizations o on o.id = t.organization_id
    left join processes p on p.workflow_id = t.workflow_id left join organizations po on po.id = p.organization_id
    where t.id = ${id} and ${scope}`;
  return t;
}

/** The escalations of a task, by level, with the path of the organization each went to. */
export function escalationsOfTask(sql: Queryable, taskId: number) {
  return sql<{ id: number; level: number; state: 'open' | 'acknowledged' | 'closed'; code: string; path: string }[]>`
    select e.id, e.level, e.state, o.code, o.path::text as path
    from escalations e join organizations o on o.id = e.organization_id where e.task_id = ${taskId} order by e.level`;
}

/** A process's history lines, in order. */
export function processEvents(sql: Queryable, workflowId: string) {
  return sql<{ at: Date; step: string; event_key: string; verb: string | null; round: number | null; run: number | null; detail: Record<string, unknown> }[]>`
    select at, step, event_key, verb, round, run, detail from process_events where workflow_id = ${workflowId} order by at, event_key`;
}

/** The outcomes of the other tasks of the process done before, in order (at most 100). */
export function outcomesBefore(sql: Queryable, workflowId: string, taskId: number) {
  return sql<{ id: number; step: string; outcome: Record<string, unknown>; closed_at: Date }[]>`
    select id, step, outcome, closed_at from tasks
    where workflow_id = ${workflowId} and state = 'done' and id <> ${taskId} and jsonb_typeof(outcome) = 'object' and closed_at is not null
    order by closed_at, id limit 100`;
}

/** The names of the organizations with these codes (unknown codes left out). */
export function organizationNames(sql: Queryable, codes: readonly string[]) {
  return sql<{ code: string; name: string }[]>`select code, name from organizations where code = any(${codes as string[]})`;
}

/** What people did to a task (its events with an actor), in order, at most 500. */
export function taskActs(sql: Queryable, taskId: number) {
  return sql<{ at: Date; kind: string; event_key: string; actor: string; on_behalf_of: string | null; reason: string | null }[]>`
    select at, kind, event_key, actor, on_behalf_of, reason from task_events where task_id = ${taskId} and actor is not null order by at, id limit 500`;
}
