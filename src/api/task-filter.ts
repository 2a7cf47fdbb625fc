// One definition of "a filter over tasks and overdue work": the task list (GET /tasks), a nudge (POST /nudges)
// and a saved view (/views) read the same schema and turn it into SQL here, so a saved view opened as a list
// and a nudge sent from that list reach exactly the same tasks.
import { z } from 'zod';
import type { Sql } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import { HttpError } from './errors.js';
import { inScope, organizationInScope } from './scope.js';
import { ratings, taskFilterSchema } from './schemas.js';

export { ratings, taskFilterSchema };

export type TaskFilter = z.infer<typeof taskFilterSchema>;

/** The task states that still wait for someone. */
export const liveStates = ['open', 'claimed', 'escalated'] as const;

/**
 * The SQL condition over task `t` and its organization `o` for a filter, inside the caller's subtree. An
 * organization outside it is 404, as everywhere. Wrapped in an object: a query fragment is thenable, and an async
 * function returning it bare would run it.
 */
export async function taskFilterWhere(sql: Sql, p: Principal, f: TaskFilter) {
  if (f.rating) await ratingsAvailable(sql);
  let subtree = sql``;
  if (f.org) {
    const org = await organizationInScope(sql, p, f.org);
    subtree = sql`and o.path <@ ${org.path}::ltree`;
  }
  const where = sql`${inScope(sql, p)} ${subtree}
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

/**
 * The rating filter: the one place it meets the ratings (三色管理, branch `ratings`, migration 080: table
 * `ratings`, one row per organization with its current `color`). On a server without that table (this branch
 * before the merge) a filter by rating is refused (422) rather than silently ignored.
 * TODO(lead, merge of branch ratings): once 080_ratings is on main the probe always passes; drop it then.
 */
async function ratingsAvailable(sql: Sql) {
  const [probe] = await sql<{ t: string | null }[]>`select to_regclass('ratings')::text as t`;
  if (!probe?.t) {
    throw new HttpError(422, 'invalid_request', 'rating: ratings are not available on this server yet', [{ field: 'rating', message: 'ratings are not available on this server yet' }]);
  }
}
function ratingCondition(sql: Sql, rating: (typeof ratings)[number]) {
  return sql`and exists (select 1 from ratings r where r.organization_id = o.id and r.color = ${rating})`;
}
