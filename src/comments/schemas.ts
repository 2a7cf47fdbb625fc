// Comments on a task or a process as the API answers them. Zod and the domain's words only: the routes validate and
// document their answers with these schemas, and the web UI takes its types from them (`import type` + z.infer,
// type-checked by web/tsconfig.json).
import { z } from 'zod';

/** A comment on a task or its process; it is its own audit row (who, on whose behalf, when). */
export const commentSchema = z.object({
  id: z.number(),
  taskId: z.number().nullable().describe('null: a comment on the whole process'),
  author: z.string(),
  onBehalfOf: z.string().nullable().describe('the absent user the author stood in for (a substitute)'),
  text: z.string(),
  mentions: z.array(z.string()),
  at: z.string(),
});
