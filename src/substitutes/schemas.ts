// Substitutions as the API answers them. Zod and the domain's words only: the routes validate and document their
// answers with these schemas, and the web UI takes its types from them (`import type` + z.infer, type-checked by
// web/tsconfig.json).
import { z } from 'zod';

/** A substitute named for an absent user over a date range (src/api/substitutes.ts). */
export const substitutionSchema = z.object({
  id: z.number(),
  user: z.string().describe('the absent user'),
  substitute: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  reason: z.string().nullable(),
  namedBy: z.string(),
  active: z.boolean().describe('in force today (Shanghai)'),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
});
