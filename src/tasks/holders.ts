// Who holds a task and who stands in for them, and the working-day calendar as the database keeps it: read by the
// activities that open tasks and record their deadlines, and by the API's nudges. Statements, not a store of their
// own: each is a fragment a caller embeds in its transaction.
import type { Sql } from '../db/client.js';
import { WorkingCalendar } from '../domain/calendar.js';

/**
 * The calendar with the admin table's rows over the package (years the package lacks, late corrections), and the
 * years an admin loaded whole (their holidays are known: a plan reaching into them is final).
 */
export async function loadCalendar(sql: Sql): Promise<WorkingCalendar> {
  const [rows, years] = await Promise.all([
    sql<{ day: string; is_workday: boolean }[]>`select day::text as day, is_workday from calendar_days`,
    sql<{ year: number }[]>`select year from calendar_years`,
  ]);
  return new WorkingCalendar(
    new Map(rows.map((r) => [r.day, r.is_workday])),
    years.map((y) => y.year),
  );
}

/** Substitution `s` is in force on the Shanghai day of `at`. */
const substitutingOn = (sql: Sql, at: string) =>
  sql`s.revoked_at is null and (${at}::timestamptz at time zone 'Asia/Shanghai')::date between s.starts_on and s.ends_on`;

/**
 * The user ids of `people` (a statement answering `id`), and for each of them away on `at` (a Shanghai day) their
 * substitute (migrations/091_substitutes.sql): whoever a task's notice or reminder goes to, it reaches too.
 */
export const andSubstitutes = (sql: Sql, people: ReturnType<Sql>, at: string) => sql`
  with people as (${people})
  select id from people
  union
  select s.substitute_id from substitutions s join people p on p.id = s.user_id
  where ${substitutingOn(sql, at)}`;

/**
 * Who holds each of `taskIds` (rows of task_id, id): its claimant or named person, else everyone with its role at
 * its organization — disabled accounts left out — and, for each of them away on `at`, their substitute. A nudge
 * (src/api/routes/nudges.ts) reads it for a whole list, a task's notice for one task, the deadline sweep for a
 * batch of a thousand.
 *
 * The named person is looked up per task through the username's unique index (a subquery, not a join): joined, a
 * batch's estimate made the planner hash the whole users table — at a province's 60,000 users a quarter of a
 * reminder batch's time, for tasks that mostly name no one.
 */
export const holdersOfTasks = (sql: Sql, taskIds: number[], at: string) => sql`
  with people as (
    select task_id, id from (
      select t.id as task_id, (select u.id from users u where u.username = coalesce(t.claimed_by, t.assignee_person) and not u.disabled) as id
      from tasks t where t.id = any(${taskIds}::bigint[]) and coalesce(t.claimed_by, t.assignee_person) is not null) named
    where id is not null
    union
    select t.id, r.user_id from tasks t join user_roles r on r.organization_id = t.organization_id and r.role = t.assignee_role
    join users u on u.id = r.user_id and not u.disabled
    where t.id = any(${taskIds}::bigint[]) and coalesce(t.claimed_by, t.assignee_person) is null)
  select task_id, id from people
  union
  select p.task_id, s.substitute_id from substitutions s join people p on p.id = s.user_id
  where ${substitutingOn(sql, at)}`;

/** The users who hold a task and their substitutes on `at` (holdersOfTasks for one task). */
export const taskHolders = (sql: Sql, taskId: number, at: string) => sql`select distinct id from (${holdersOfTasks(sql, [taskId], at)}) h`;
