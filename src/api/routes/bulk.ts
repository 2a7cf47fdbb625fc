import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { auditAction } from '../../audit/store.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../errors.js';
import { escalationActionBodies, taskActionBodies } from '../../../workflows/messages.js';
import type { EscalationAction, TaskAction } from '../../domain/task-rights.js';
import { idempotencyKeyHeader, idempotent } from '../idempotency.js';
import { actOnEscalation, actOnTask } from '../task-updates.js';
import { requireNewHolder } from '../task-holders.js';
import { batchResultSchema, type taskViewSchema } from '../../tasks/schemas.js';

/**
 * Bulk actions (the overdue page, the task lists): the single-item action (actOnTask / actOnEscalation) applied to
 * each item in turn. Each item is all-or-nothing — one workflow Update, which its validator accepts whole or
 * refuses before it enters history — but the batch is not one transaction: the items live in different
 * workflows, and Temporal has no transaction across workflows. So each item's result is answered (done, or
 * refused and why), and a retry with the same Idempotency-Key replays the first answer.
 */
export const BULK_MAX = 100;

const bulkTaskActions = ['claim', 'reassign', 'extend'] as const satisfies readonly TaskAction[];
const bulkEscalationActions = ['acknowledge', 'close'] as const satisfies readonly EscalationAction[];

const idsSchema = z
  .array(z.number().int().positive())
  .min(1)
  .max(BULK_MAX)
  .refine((ids) => new Set(ids).size === ids.length, 'each id at most once')
  .describe(`at most ${BULK_MAX} ids; each is acted on by itself`);

type BulkResult = z.infer<typeof batchResultSchema>;

/** Runs `act` on each id in order; a refusal is that item's answer, never the batch's. */
async function eachItem(req: FastifyRequest, ids: number[], act: (id: number) => Promise<z.infer<typeof taskViewSchema>>): Promise<BulkResult> {
  const results: BulkResult['results'] = [];
  for (const id of ids) {
    try {
      results.push({ id, result: 'done', status: 200, task: await act(id) });
    } catch (err) {
      if (err instanceof HttpError && err.statusCode < 500) {
        results.push({ id, result: 'refused', status: err.statusCode, error: { code: err.code, message: err.message } });
      } else if (err instanceof HttpError) {
        results.push({ id, result: 'failed', status: err.statusCode, error: { code: err.code, message: err.message } });
      } else {
        req.log.error({ err, id }, 'bulk item failed');
        results.push({ id, result: 'failed', status: 500, error: { code: 'internal', message: 'internal error' } });
      }
    }
  }
  const count = (r: string) => results.filter((x) => x.result === r).length;
  return { results, done: count('done'), refused: count('refused'), failed: count('failed') };
}

const bulk: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  for (const action of bulkTaskActions) {
    app.post(
      `/tasks/bulk/${action}`,
      {
        schema: {
          tags: ['tasks'],
          summary: `${action} many tasks: each item done or refused by itself (one reason for all)`,
          headers: idempotencyKeyHeader,
          body: z.object({
            ids: idsSchema,
            input: z.preprocess((v) => v ?? {}, taskActionBodies[action] as z.ZodType).describe('the fields of the single action, the same for every item'),
          }),
          response: { 200: batchResultSchema },
        },
      },
      async (req, reply) =>
        idempotent(sql, req, reply, async () => {
          const { ids, input } = req.body as { ids: number[]; input: object };
          const body = await eachItem(req, ids, async (id) => {
            await requireNewHolder(sql, req.principal, { task: id }, action, input, 'body.input');
            return actOnTask(app, req, id, action, input, { inBatch: true });
          });
          await audit(sql, req, `tasks.bulk.${action}`, ids, body);
          return { status: 200, body };
        }),
    );
  }

  for (const action of bulkEscalationActions) {
    app.post(
      `/escalations/bulk/${action}`,
      {
        schema: {
          tags: ['escalations'],
          summary: `${action} many escalations: each item done or refused by itself`,
          headers: idempotencyKeyHeader,
          body: z.object({ ids: idsSchema, input: z.preprocess((v) => v ?? {}, escalationActionBodies[action] as z.ZodType) }),
          response: { 200: batchResultSchema },
        },
      },
      async (req, reply) =>
        idempotent(sql, req, reply, async () => {
          const { ids, input } = req.body as { ids: number[]; input: object };
          const body = await eachItem(req, ids, (id) => actOnEscalation(app, req, id, action, input, { inBatch: true }));
          await audit(sql, req, `escalations.bulk.${action}`, ids, body);
          return { status: 200, body };
        }),
    );
  }
};

/** The batch itself (who sent it, what each item answered); each done item is audited by its workflow too. */
async function audit(sql: import('../../db/client.js').Sql, req: FastifyRequest, action: string, ids: number[], r: BulkResult) {
  const detail = { ids, results: r.results.map(({ id, result, error }) => ({ id, result, ...(error ? { error: error.code } : {}) })) };
  await auditAction(sql, { actor: req.principal.username, action, subject: `${ids.length} items`, detail });
}

export default bulk;
