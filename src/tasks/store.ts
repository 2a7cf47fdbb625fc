// Tasks as the API reads them from PostgreSQL (the projection the activities write; never Temporal).
import type { Fragment } from 'postgres';
import type { Queryable } from '../db/client.js';

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
