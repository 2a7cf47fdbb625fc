// Processes as the API answers them: a process's state, and what a bulk start answers. Zod and the domain's words
// only: the routes validate and document their answers with these schemas, and the web UI takes its types from them
// (`import type` + z.infer, type-checked by web/tsconfig.json).
import { z } from 'zod';
import { commentSchema } from '../comments/schemas.js';

export const processSchema = z.object({
  id: z.string(),
  kind: z.string(),
  organization: z.string(),
  status: z.string(),
  currentStep: z.string(),
  nextDeadline: z.string().nullable(),
  // provisionalYears: the task's plan reaches into these years without holiday data (see taskSchema.provisional).
  openTasks: z.array(
    z.object({
      id: z.number(),
      step: z.string(),
      state: z.string(),
      dueAt: z.string(),
      assigneeRole: z.string().nullable(),
      provisionalYears: z.array(z.number()),
    }),
  ),
  history: z.array(z.object({ at: z.string(), step: z.string(), event: z.string(), detail: z.record(z.string(), z.unknown()) })),
  comments: z.array(commentSchema),
});

/**
 * A process as its start answers: where its run settled, with its first tasks (the page links the person to theirs).
 * `settled` is false when the run had not settled within the start's wait: it runs, and this is how far it got.
 */
export const processStartedSchema = processSchema.omit({ history: true, comments: true }).extend({
  settled: z.boolean().describe('the run reached its first task or wait before the answer (false: look again with GET /processes/{id})'),
});

/** A bulk request's answer: the organizations done, and each refused one with its status and reason. */
export const bulkResultSchema = z.object({
  done: z.array(z.string()),
  refused: z.array(z.object({ organization: z.string(), status: z.number(), message: z.string() })),
});
