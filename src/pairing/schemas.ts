// Urban–rural pairing (结对共建) as the API answers it: coverage per county. Zod and the domain's words only: the routes
// validate and document their answers with these schemas, and the web UI takes its types from them (`import type` +
// z.infer, type-checked by web/tsconfig.json).
import { z } from 'zod';

/** Urban–rural pairing per county (GET /pairing/coverage): villages paired, deliverables of the current cycles. */
export const pairingCoverageSchema = z.object({
  items: z.array(
    z.object({
      county: z.string(),
      name: z.string(),
      villages: z.number(),
      paired: z.number(),
      coverage: z.number().nullable(),
      deliverables: z.number(),
      delivered: z.number(),
    }),
  ),
});
