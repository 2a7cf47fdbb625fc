// 三色管理 as the API answers it (src/domain/ratings.ts holds the colours, reasons and rules). Zod and the domain's words
// only: the routes validate and document their answers with these schemas, and the web UI takes its types from them
// (`import type` + z.infer, type-checked by web/tsconfig.json).
import { z } from 'zod';
import { ratingColors } from '../domain/ratings.js';

export const ratingColor = z.enum(ratingColors);

/** An organization's current rating, with the reasons of the rule set that gave it. */
export const ratingItemSchema = z.object({
  code: z.string(),
  name: z.string(),
  parentName: z.string().nullable(),
  color: ratingColor,
  reasons: z.array(z.string()),
  since: z.string(),
  ruleSet: z.string(),
});

/** GET /ratings: one colour's list (表扬 / 提醒 / 预警) in the caller's subtree, and the count of each colour. */
export const ratingListSchema = z.object({
  computedAt: z.string().nullable().describe('the last recompute, Shanghai time (YYYY-MM-DD HH:MM)'),
  counts: z.object({ green: z.number(), yellow: z.number(), red: z.number() }),
  items: z.array(ratingItemSchema),
});

/** GET /ratings/matrix: per county of the caller's subtree, its organizations by colour. */
export const ratingMatrixSchema = z.object({
  items: z.array(z.object({ code: z.string(), name: z.string(), green: z.number(), yellow: z.number(), red: z.number() })),
});

/** GET /ratings/overdue-trend: open work past due at the end of each week (the current week: now). */
export const overdueTrendSchema = z.object({
  items: z.array(z.object({ weekStart: z.string(), overdue: z.number() })),
});

/** GET /organizations/{code}/ratings: the rating now, each change with its reasons, and the colour per period. */
export const ratingHistorySchema = z.object({
  code: z.string(),
  name: z.string(),
  current: ratingItemSchema.nullable(),
  changes: z.array(z.object({ at: z.string(), color: ratingColor, previous: ratingColor.nullable(), reasons: z.array(z.string()), ruleSet: z.string() })),
  periods: z.array(z.object({ period: z.string(), color: ratingColor })),
});
