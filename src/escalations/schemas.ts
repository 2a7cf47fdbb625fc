// Escalations and the overdue dashboard as the API answers them. Zod and the domain's words only: the routes validate
// and document their answers with these schemas, and the web UI takes its types from them (`import type` + z.infer,
// type-checked by web/tsconfig.json).
import { z } from 'zod';

export const escalationSchema = z.object({
  id: z.number(),
  taskId: z.number(),
  level: z.number(),
  organization: z.string(),
  role: z.string(),
  state: z.enum(['open', 'acknowledged', 'closed']),
  openedAt: z.string(),
  taskOrganization: z.string(),
  step: z.string(),
  dueAt: z.string(),
  actions: z.array(z.record(z.string(), z.unknown())),
});

/** GET /overdue: counts per organization and escalation level, most overdue organization first. */
export const overdueSchema = z.object({
  total: z.number(),
  organizations: z.array(
    z.object({
      organization: z.string(),
      name: z.string(),
      total: z.number(),
      levels: z.array(z.object({ level: z.number(), count: z.number(), oldestDueAt: z.string() })),
    }),
  ),
});
