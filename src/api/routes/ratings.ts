// 三色管理: the ratings the recompute keeps (workflows/ratings/), read only here — lists by
// colour, the county × colour matrix, the weekly trend of overdue work, an organization's rating over time. Every
// answer is limited to the caller's subtree (an organization outside it: 404).
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inScope, organizationInScope } from '../scope.js';
import { overdueTrendSchema, ratingHistorySchema, ratingListSchema, ratingMatrixSchema } from '../../ratings/schemas.js';
import { colourCounts, colourMatrix, overdueByWeek, ratedOfColour, ratingHistory, type RatedArea } from '../../ratings/store.js';

const code = z.string().min(1).max(64);

const ratings: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  /** The caller's subtree, narrowed to `under` (404 outside it). */
  const area = async (req: { principal: Parameters<typeof inScope>[1] }, c?: string): Promise<RatedArea> => ({
    scope: inScope(app.sql, req.principal, 'o'),
    under: c ? (await organizationInScope(app.sql, req.principal, c)).path : null,
  });

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
      const within = await area(req, req.query.under);
      const counts = await colourCounts(sql, within);
      const items = await ratedOfColour(sql, within, color, limit);
      const { computed_at, ...c } = counts;
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
      const items = await colourMatrix(sql, inScope(sql, req.principal, 'o'));
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
      const within = await area(req, req.query.under);
      const items = await overdueByWeek(sql, within, req.query.weeks);
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
      const { name, current, changes, periods } = await ratingHistory(sql, org, req.query.limit);
      return { code: org.code, name, current: current ?? null, changes, periods };
    },
  );
};

export default ratings;
