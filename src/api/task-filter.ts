// One definition of "a filter over tasks and overdue work": the task list (GET /tasks), a nudge (POST /nudges)
// and a saved view (/views) read the same schema and turn it into SQL here, so a saved view opened as a list
// and a nudge sent from that list reach exactly the same tasks.
import type { z } from 'zod';
import type { Sql } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import { inScope, organizationInScope, taskScope } from './scope.js';
import { taskFilterSchema } from '../tasks/schemas.js';
import { ratingColors, type RatingColor } from '../domain/ratings.js';

export { ratingColors as ratings, taskFilterSchema };

export type TaskFilter = z.infer<typeof taskFilterSchema>;

/** The task states that still wait for someone. */
export const liveStates = ['open', 'claimed', 'escalated'] as const;

/**
 * The SQL condition over task `t` and its organization `o` for a filter, inside the caller's subtree. An
 * organization outside it is 404, as everywhere. Wrapped in an object: a query fragment is thenable, and an async
 * function returning it bare would run it.
 */
export async function taskFilterWhere(sql: Sql, p: Principal, f: TaskFilter, opts: { own?: boolean } = {}) {
  let subtree = sql``;
  if (f.org) {
    const org = await organizationInScope(sql, p, f.org);
    subtree = sql`and o.path <@ ${org.path}::ltree`;
  }
  // `own`: the caller's own steps too (a member's report), wherever they lie — what the caller's inbox lists.
  const scope = opts.own ? (await taskScope(sql, p)).scope : inScope(sql, p);
  const where = sql`${scope} ${subtree}
    ${f.state ? sql`and t.state = ${f.state}` : sql``}
    ${f.process ? sql`and t.process = ${f.process}` : sql``}
    ${f.step ? sql`and t.step = ${f.step}` : sql``}
    ${f.overdue === true ? sql`and t.state in ('open', 'claimed', 'escalated') and t.due_at < now()` : sql``}
    ${f.overdue === false ? sql`and not (t.state in ('open', 'claimed', 'escalated') and t.due_at < now())` : sql``}
    ${f.dueAfter ? sql`and t.due_at >= ${f.dueAfter}` : sql``}
    ${f.dueBefore ? sql`and t.due_at < ${f.dueBefore}` : sql``}
    ${f.escalationLevel !== undefined ? sql`and t.escalation_level >= ${f.escalationLevel}` : sql``}
    ${f.rating ? ratingCondition(sql, f.rating) : sql``}`;
  return { where };
}

/** The rating filter: the one place a task list meets the ratings (三色管理, src/domain/ratings.ts: table `ratings`). */
function ratingCondition(sql: Sql, rating: RatingColor) {
  return sql`and exists (select 1 from ratings r where r.organization_id = o.id and r.color = ${rating})`;
}
