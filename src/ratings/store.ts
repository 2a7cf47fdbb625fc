// 三色管理: the ratings the recompute keeps (workflows/ratings/), as the API reads them.
import type { Fragment } from 'postgres';
import type { z } from 'zod';
import type { Queryable } from '../db/client.js';
import type { overdueTrendSchema, ratingHistorySchema, ratingListSchema, ratingMatrixSchema } from './schemas.js';

type RatingItem = z.infer<typeof ratingListSchema>['items'][number];

/** Where a list looks: the caller's scope over `o`, narrowed to the subtree of `under` (an ltree path) when given. */
export interface RatedArea {
  scope: Fragment;
  under: string | null;
}
const within = (sql: Queryable, a: RatedArea) => sql`${a.scope} and ${a.under === null ? sql`true` : sql`o.path <@ ${a.under}::ltree`}`;

/** The count of each colour among the rated organizations of the area, and when they were last computed. */
export async function colourCounts(sql: Queryable, area: RatedArea) {
  const [counts] = await sql<{ green: number; yellow: number; red: number; computed_at: string | null }[]>`
    select count(*) filter (where r.color = 'green')::int as green, count(*) filter (where r.color = 'yellow')::int as yellow,
           count(*) filter (where r.color = 'red')::int as red,
           to_char(max(r.computed_at) at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as computed_at
    from ratings r join organizations o on o.id = r.organization_id where ${within(sql, area)}`;
  return counts!;
}

/** The organizations of one colour in the area, longest in it first, with the reasons. */
export function ratedOfColour(sql: Queryable, area: RatedArea, color: string, limit: number): Promise<RatingItem[]> {
  return sql<RatingItem[]>`
    select o.code, o.name, p.name as "parentName", r.color, r.reasons, to_char(r.since at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as since, r.rule_set as "ruleSet"
    from ratings r join organizations o on o.id = r.organization_id left join organizations p on p.id = o.parent_id
    where r.color = ${color} and ${within(sql, area)}
    order by r.since, o.code limit ${limit}`;
}

/** Per county (the third level of the tree, as the assessment counts it) of `scope`, its organizations by colour. */
export function colourMatrix(sql: Queryable, scope: Fragment): Promise<z.infer<typeof ratingMatrixSchema>['items']> {
  return sql<z.infer<typeof ratingMatrixSchema>['items']>`
    select k.code, k.name, count(*) filter (where r.color = 'green')::int as green,
           count(*) filter (where r.color = 'yellow')::int as yellow, count(*) filter (where r.color = 'red')::int as red
    from ratings r join organizations o on o.id = r.organization_id
    join organizations k on k.path = subpath(o.path, 0, 3)
    where nlevel(o.path) >= 3 and ${scope}
    group by k.code, k.name order by k.code`;
}

/**
 * The tasks of the area that were overdue at the end of each of the last `weeks` weeks (Monday, Shanghai; the
 * current week: now), from the task rows themselves: opened, past due and not yet closed at that instant.
 */
export function overdueByWeek(sql: Queryable, area: RatedArea, weeks: number): Promise<z.infer<typeof overdueTrendSchema>['items']> {
  return sql<z.infer<typeof overdueTrendSchema>['items']>`
    with weeks as (
      select (date_trunc('week', now() at time zone 'Asia/Shanghai') - make_interval(weeks => g))::date as week_start
      from generate_series(0, ${weeks - 1}::int) g
    ), points as (
      select week_start, least((week_start + 7)::timestamp at time zone 'Asia/Shanghai', now()) as at from weeks
    )
    select to_char(p.week_start, 'YYYY-MM-DD') as "weekStart",
           (select count(*)::int from tasks t join organizations o on o.id = t.organization_id
            where ${within(sql, area)} and t.opened_at <= p.at and t.due_at < p.at and (t.closed_at is null or t.closed_at > p.at)) as overdue
    from points p order by p.week_start`;
}

/** An organization's rating over time: its names, the rating now, the latest `limit` changes and periods. */
export async function ratingHistory(sql: Queryable, org: { id: number; code: string }, limit: number) {
  const [o] = await sql<{ name: string; parent_name: string | null }[]>`
    select o.name, p.name as parent_name from organizations o left join organizations p on p.id = o.parent_id where o.id = ${org.id}`;
  const [current] = await sql<RatingItem[]>`
    select ${org.code} as code, ${o!.name} as name, ${o!.parent_name} as "parentName", r.color, r.reasons,
           to_char(r.since at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as since, r.rule_set as "ruleSet"
    from ratings r where r.organization_id = ${org.id}`;
  const changes = await sql<z.infer<typeof ratingHistorySchema>['changes']>`
    select to_char(c.at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as at, c.color, c.previous, c.reasons, c.rule_set as "ruleSet"
    from rating_changes c where c.organization_id = ${org.id} order by c.at desc, c.id desc limit ${limit}`;
  const periods = await sql<z.infer<typeof ratingHistorySchema>['periods']>`
    select to_char(p.period, 'YYYY-MM') as period, p.color from rating_periods p
    where p.organization_id = ${org.id} order by p.period desc limit ${limit}`;
  return { name: o!.name, current, changes, periods };
}
