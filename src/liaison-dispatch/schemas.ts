// Liaison dispatch (选派党建联络员) as the API answers it: coverage per county. Zod and the domain's words only: the routes
// validate and document their answers with these schemas, and the web UI takes its types from them (`import type` +
// z.infer, type-checked by web/tsconfig.json).
import { z } from 'zod';

export const liaisonCoverageSchema = z.object({
  items: z.array(
    z.object({
      county: z.string(),
      name: z.string(),
      units: z.number(),
      dispatched: z.number(),
      dispatchCoverage: z.number().nullable(),
      eligible: z.number(),
      established: z.number(),
      establishCoverage: z.number().nullable(),
    }),
  ),
});
