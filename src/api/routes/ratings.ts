// 三色管理: the ratings the recompute keeps (workflows/ratings/), read only here — lists by
// colour, the county × colour matrix, the weekly trend of overdue work, an organization's rating over time. Every
// answer is limited to the caller's subtree (an organization outside it: 404).
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inScope, organizationInScope } from '../scope.js';
import { overdueTrendSchema, ratingHistorySchema, ratingListSchema, ratingMatrixSchema } from '../schemas.js';

const code = z.string().min(1).max(64);

const ratings: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  /** The caller's subtree, narrowed to `under` (404 outside it). A fragment: returned in an object, never awaited. */
  const within_ = async (req: { principal: Parameters<typeof inScope>[1] }, c?: string) => {
    const root = c ? (await organizationInScope(app.sql, req.principal, c)).path : null;
    return { where: app.sql`${inScope(app.sql, req.principal, 'o')} and ${root === null ? app.sql`true` : app.sql`o.path <@ ${root}::ltree`}` };
  };

  app.get(
    '/ratings',
    {
      schema: {
        tags: ['ratings'],
        summary: '表扬 / 提醒 / 预警: the organizations of one colour in the caller’s subtree',
        description: 'Green (表扬), yellow (提醒) or red (预警), longest in that colour first, with the reasons; the counts of every colour.',
        querystring: z.object({
          color: z.enum(['green', 'yellow', 'red']).default('red'),
          under: code.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
        response: { 200: ratingListSchema },
      },
    },
    async (req) => {
      const sql = app.sql;
      const { color, limit } = req.query;
      const { where: within } = await within_(req, req.query.under);
      const [counts] = await sql<{ green: number; yellow: number; red: number; computed_at: string | null }[]>`
        select count(*) filter (where r.color = 'green')::int as green, count(*) filter (where r.color = 'yellow')::int as yellow,
               count(*) filter (where r.color = 'red')::int as red,
               to_char(max(r.computed_at) at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as computed_at
        from ratings r join organizations o on o.id = r.organization_id where ${within}`;
      const items = await sql<z.infer<typeof ratingListSchema>['items']>`
        select o.code, o.name, p.name as "parentName", r.color, r.reasons, to_char(r.since at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as since, r.rule_set as "ruleSet"
        from ratings r join organizations o on o.id = r.organization_id left join organizations p on p.id = o.parent_id
        where r.color = ${color} and ${within}
        order by r.since, o.code limit ${limit}`;
      const { computed_at, ...c } = counts!;
      return { computedAt: computed_at, counts: c, items };
    },
  );

  app.get(
    '/ratings/matrix',
    {
      schema: {
        tags: ['ratings'],
        summary: 'County × colour: how many organizations of each county in the caller’s subtree are green, yellow, red',
        response: { 200: ratingMatrixSchema },
      },
    },
    async (req) => {
      const sql = app.sql;
      // A county is the third level of the tree (province → prefecture → county), as the assessment counts it.
      const items = await sql<z.infer<typeof ratingMatrixSchema>['items']>`
        select k.code, k.name, count(*) filter (where r.color = 'green')::int as green,
               count(*) filter (where r.color = 'yellow')::int as yellow, count(*) filter (where r.color = 'red')::int as red
        from ratings r join organizations o on o.id = r.organization_id
        join organizations k on k.path = subpath(o.path, 0, 3)
        where nlevel(o.path) >= 3 and ${inScope(sql, req.principal, 'o')}
        group by k.code, k.name order by k.code`;
      return { items };
    },
  );

  app.get(
    '/ratings/overdue-trend',
    {
      schema: {
        tags: ['ratings'],
        summary: 'Overdue work in the caller’s subtree at the end of each of the last weeks',
        description:
          'From the task rows themselves (opened, due and closed instants): a task counts at an instant when it had opened, ' +
          'was past due and was not yet done or cancelled. Weeks start on Monday (Shanghai); the current week counts now.',
        querystring: z.object({ weeks: z.coerce.number().int().min(1).max(104).default(12), under: code.optional() }),
        response: { 200: overdueTrendSchema },
      },
    },
    async (req) => {
      const sql = app.sql;
      const { where: within } = await within_(req, req.query.under);
      const items = await sql<z.infer<typeof overdueTrendSchema>['items']>`
        with weeks as (
          select (date_trunc('week', now() at time zone 'Asia/Shanghai') - make_interval(weeks => g))::date as week_start
          from generate_series(0, ${req.query.weeks - 1}::int) g
        ), points as (
          select week_start, least((week_start + 7)::timestamp at time zone 'Asia/Shanghai', now()) as at from weeks
        )
        select to_char(p.week_start, 'YYYY-MM-DD') as "weekStart",
               (select count(*)::int from tasks t join organizations o on o.id = t.organization_id
                where ${within} and t.opened_at <= p.at and t.due_at < p.at and (t.closed_at is null or t.closed_at > p.at)) as overdue
        from points p order by p.week_start`;
      return { items };
    },
  );

  app.get(
    '/organizations/:code/ratings',
    {
      schema: {
        tags: ['ratings'],
        summary: 'An organization’s rating over time: now, every change with its reasons, and its colour per period',
        params: z.object({ code }),
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
        response: { 200: ratingHistorySchema },
      },
    },
    async (req) => {
      const sql = app.sql;
      const org = await organizationInScope(sql, req.principal, req.params.code);
      const [o] = await sql<{ name: string; parent_name: string | null }[]>`
        select o.name, p.name as parent_name from organizations o left join organizations p on p.id = o.parent_id where o.id = ${org.id}`;
      const [current] = await sql<z.infer<typeof ratingListSchema>['items']>`
        select ${org.code} as code, ${o!.name} as name, ${o!.parent_name} as "parentName", r.color, r.reasons,
               to_char(r.since at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as since, r.rule_set as "ruleSet"
        from ratings r where r.organization_id = ${org.id}`;
      const changes = await sql<z.infer<typeof ratingHistorySchema>['changes']>`
        select to_char(c.at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as at, c.color, c.previous, c.reasons, c.rule_set as "ruleSet"
        from rating_changes c where c.organization_id = ${org.id} order by c.at desc, c.id desc limit ${req.query.limit}`;
      const periods = await sql<z.infer<typeof ratingHistorySchema>['periods']>`
        select to_char(p.period, 'YYYY-MM') as period, p.color from rating_periods p
        where p.organization_id = ${org.id} order by p.period desc limit ${req.query.limit}`;
      return { code: org.code, name: o!.name, current: current ?? null, changes, periods };
    },
  );
};

export default ratings;
