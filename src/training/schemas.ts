// Rotation training (轮训) as the API answers it: coverage per county and the session pickers. Zod and the domain's
// words only: the routes validate and document their answers with these schemas, and the web UI takes its types from
// them (`import type` + z.infer, type-checked by web/tsconfig.json).
import { z } from 'zod';

export const trainingCoverageSchema = z.object({
  items: z.array(z.object({ county: z.string(), name: z.string(), secretaries: z.number(), trained: z.number(), coverage: z.number().nullable() })),
});

/** GET /training-sessions: a session the pickers offer (held in the caller's subtree, or one it is enrolled in). */
export const sessionPickSchema = z.object({
  code: z.string(),
  title: z.string(),
  organization: z.string(),
  organizationName: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
});

export const sessionPicksSchema = z.object({ items: z.array(sessionPickSchema) });
