import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import {
  ApplicationFailure,
  WorkflowNotFoundError,
  type Client,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Principal } from '../auth/principal.js';
import type { Actor } from '../domain/task-rights.js';
import { HttpError } from './errors.js';
import { insideIdempotent, updateIdFor } from './idempotency.js';

// The one way from an HTTP request to a workflow's Update. Every route that sends one calls `app.updateProcess`
// inside `idempotent(...)` (src/api/idempotency.ts), and gets the same deadline, the same refusals and the same
// Idempotency-Key semantics: the key's first answer is replayed, and the Temporal update id derived from it makes
// a retry after a crash get the first application's result instead of acting twice.

export interface UpdateOptions {
  /** The 409 message when the workflow is gone (ended, never started); default "the process has ended". */
  ended?: string;
  /**
   * One item of a batch (POST /tasks/bulk/...): the batch's one Idempotency-Key covers several Updates, possibly
   * to the same workflow; the item's name keeps their Temporal update ids apart.
   */
  item?: string;
  /** Who acts, when not the caller as signed in: a substitute acting for an absent user (src/api/substitutes.ts). */
  as?: Principal;
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Sends `update` to workflow `workflowId` on behalf of the request's caller (added to the argument as
     * `actor`; the workflow's validator checks the caller's rights again) and answers its result. Refusals:
     * 422 `rule_violation` / `invalid_outcome` (with the rule or fields as details), 409 `conflict` for any other
     * refusal of the validator or a workflow that is gone (`opts.ended`), 503 `process_unavailable` when the
     * workflow does not answer within UPDATE_DEADLINE_MS. Must run inside `idempotent(...)`.
     */
    updateProcess<Ret, Arg extends { actor: Actor }>(
      req: FastifyRequest,
      workflowId: string,
      update: UpdateDefinition<Ret, [Arg]>,
      arg: NoInfer<Omit<Arg, 'actor'>>,
      opts?: UpdateOptions,
    ): Promise<Ret>;
    /**
     * The same for work that outlives its request (an import job routing its rows): the caller as resolved when
     * the work began, and the update id the work derives from its own identity (import + row), so a resend is
     * applied once. Refusals as for updateProcess.
     */
    updateProcessAs<Ret, Arg extends { actor: Actor }>(
      principal: Principal,
      workflowId: string,
      update: UpdateDefinition<Ret, [Arg]>,
      arg: NoInfer<Omit<Arg, 'actor'>>,
      updateId: string,
      opts?: UpdateOptions,
    ): Promise<Ret>;
  }
}

/** The caller as the workflow's validators see it: name and grants (role + subtree path), resolved here. */
export const actorOf = (p: Principal): Actor => ({
  username: p.username,
  grants: p.grants.map((g) => ({ role: g.role, path: g.path })),
  ...(p.onBehalfOf ? { onBehalfOf: p.onBehalfOf } : {}),
});

/**
 * How long an Update waits for its workflow. With no worker polling (all stopped, or a deploy in progress) an
 * Update would wait forever; the caller gets 503 and may retry (with the same Idempotency-Key, the same
 * Update id: it is applied once).
 */
export const UPDATE_DEADLINE_MS = 15_000;

export default fp(
  async (app) => {
    const client = app.temporal;
    app.decorate('updateProcess', async function updateProcess<
      Ret,
      Arg extends { actor: Actor },
    >(req: FastifyRequest, workflowId: string, update: UpdateDefinition<Ret, [Arg]>, arg: Omit<Arg, 'actor'>, opts: UpdateOptions = {}): Promise<Ret> {
      // A route that forgot `idempotent(...)` would act twice on a retry: caught by the first test that calls it.
      if (!insideIdempotent(req)) throw new Error(`${req.method} ${req.routeOptions.url} sends the Update ${update.name} outside idempotent()`);
      const updateId = updateIdFor(req, `${update.name}:${workflowId}${opts.item ? `:${opts.item}` : ''}`);
      const args = [{ ...arg, actor: actorOf(opts.as ?? req.principal) } as Arg] as [Arg];
      try {
        return await client.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
          client.workflow.getHandle(workflowId).executeUpdate(update, { args, ...(updateId ? { updateId } : {}) }),
        );
      } catch (err) {
        throw await asHttpError(client, workflowId, err, opts.ended ?? 'the process has ended');
      }
    });
    app.decorate('updateProcessAs', async function updateProcessAs<
      Ret,
      Arg extends { actor: Actor },
    >(principal: Principal, workflowId: string, update: UpdateDefinition<Ret, [Arg]>, arg: Omit<Arg, 'actor'>, updateId: string, opts: UpdateOptions = {}): Promise<Ret> {
      const args = [{ ...arg, actor: actorOf(principal) } as Arg] as [Arg];
      try {
        return await client.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
          client.workflow.getHandle(workflowId).executeUpdate(update, { args, updateId }),
        );
      } catch (err) {
        throw await asHttpError(client, workflowId, err, opts.ended ?? 'the process has ended');
      }
    });
  },
  { name: 'update-gateway', decorators: { fastify: ['temporal'] } },
);

/**
 * What a failed Update means to the caller; anything not listed stays a server error.
 * Temporal answers "not found" both for a workflow that is gone and for an Update it no longer knows: an Update not
 * yet accepted lives only in the server's memory, and is dropped when the worker that held it dies (kill -9 in
 * tests/cluster/kill9.test.ts). The second is an unknown outcome, not a refusal: 503, so that the key is freed and
 * the retry sends the Update again (its id still stops a double application). Stored as a 409 refusal, every retry
 * with the same Idempotency-Key would be answered "ended" while the process waits for the action.
 */
export async function asHttpError(client: Client, workflowId: string, err: unknown, ended: string): Promise<unknown> {
  if (err instanceof WorkflowUpdateFailedError) return refusal(err);
  if (err instanceof WorkflowNotFoundError) {
    const running = await client.workflow
      .getHandle(workflowId)
      .describe()
      .then((d) => d.status.name === 'RUNNING')
      .catch(() => false);
    return running ? unavailable() : new HttpError(409, 'conflict', ended);
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isDeadlineExceeded(err)) return unavailable();
  return err;
}

const unavailable = () => new HttpError(503, 'process_unavailable', `the process did not answer within ${UPDATE_DEADLINE_MS / 1000} s; try again`);

function isDeadlineExceeded(err: unknown): boolean {
  // gRPC status 4 (DEADLINE_EXCEEDED), possibly wrapped by the client in a ServiceError.
  for (let e = err as { code?: number; cause?: unknown } | undefined; e; e = e.cause as typeof e) if (e.code === 4) return true;
  return false;
}

/**
 * A validator's refusal as an HTTP error: an outcome the step's rules forbid (RuleViolation) or that does not
 * match the step's schema (InvalidOutcome) is 422 naming the rule or fields; a right the workflow's state decides
 * (Forbidden) is 403; any other refusal (state, rights the API checked already, a concurrent change) is 409.
 */
function refusal(err: WorkflowUpdateFailedError): HttpError {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type === 'RuleViolation') {
    return new HttpError(422, 'rule_violation', cause.message, cause.details?.[0]);
  }
  if (cause instanceof ApplicationFailure && cause.type === 'InvalidOutcome') {
    return new HttpError(422, 'invalid_outcome', cause.message, cause.details?.[0]);
  }
  // A right only the workflow's state can tell (who held the training session whose attendance is recorded).
  if (cause instanceof ApplicationFailure && cause.type === 'Forbidden') return new HttpError(403, 'forbidden', cause.message);
  return new HttpError(409, 'conflict', cause?.message ?? err.message);
}
