import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Principal } from '../auth/principal.js';
import type { Actor } from '../domain/task-rights.js';
import type { TaskView } from '../../workflows/messages.js';
import { HttpError } from './errors.js';

export { taskViewSchema } from './schemas.js';

/** The caller as the workflow's validators see it: name and grants (role + subtree path), resolved here. */
export const actorOf = (p: Principal): Actor => ({ username: p.username, grants: p.grants.map((g) => ({ role: g.role, path: g.path })) });

/**
 * How long an action waits for its workflow. With no worker polling (all stopped, or a deploy in progress) an
 * Update would wait forever; the caller gets 503 and may retry (with the same Idempotency-Key, the same
 * Update id: it is applied once).
 */
export const UPDATE_DEADLINE_MS = 15_000;

/** Sends a task Update; a validator's refusal (nothing entered history) becomes 409 with its reason. */
export async function sendTaskUpdate(client: Client, workflowId: string, update: UpdateDefinition<TaskView, [unknown]>, arg: unknown, updateId?: string): Promise<TaskView> {
  try {
    return await client.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
      client.workflow.getHandle(workflowId).executeUpdate(update, { args: [arg], ...(updateId ? { updateId } : {}) }),
    );
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw refusal(err);
    if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'conflict', 'the process of this task has ended');
    if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isDeadlineExceeded(err)) {
      throw new HttpError(503, 'process_unavailable', `the process did not answer within ${UPDATE_DEADLINE_MS / 1000} s; try again`);
    }
    throw err;
  }
}

function isDeadlineExceeded(err: unknown): boolean {
  // gRPC status 4 (DEADLINE_EXCEEDED), possibly wrapped by the client in a ServiceError.
  for (let e = err as { code?: number; cause?: unknown } | undefined; e; e = e.cause as typeof e) if (e.code === 4) return true;
  return false;
}

/**
 * A validator's refusal as an HTTP error: an outcome the step's rules forbid (RuleViolation) or that does not
 * match the step's schema (InvalidOutcome) is 422 naming the rule or fields; any other refusal (state, rights,
 * a concurrent change) is 409.
 */
export function refusal(err: WorkflowUpdateFailedError): HttpError {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type === 'RuleViolation') {
    return new HttpError(422, 'rule_violation', cause.message, cause.details?.[0]);
  }
  if (cause instanceof ApplicationFailure && cause.type === 'InvalidOutcome') {
    return new HttpError(422, 'invalid_outcome', cause.message, cause.details?.[0]);
  }
  return new HttpError(409, 'conflict', cause?.message ?? err.message);
}
