// Users as the API answers them: the caller (GET /me) and the people pickers. Zod and the domain's words only: the
// routes validate and document their answers with these schemas, and the web UI takes its types from them (`import
// type` + z.infer, type-checked by web/tsconfig.json).
import { z } from 'zod';

export const meSchema = z.object({
  username: z.string(),
  roles: z.array(z.object({ role: z.string(), org: z.string().nullable() })),
  /** A session opened by a task link reaches only this task (src/auth/task-links.ts); null for a signed-in session. */
  onlyTask: z.number().nullable(),
});

/** GET /users: a person the pickers offer (a user with a role in the caller's subtree). */
export const userPickSchema = z.object({
  username: z.string(),
  displayName: z.string().nullable(),
  roles: z.array(z.object({ role: z.string(), org: z.string(), orgName: z.string() })),
});

export const userPicksSchema = z.object({ items: z.array(userPickSchema) });
