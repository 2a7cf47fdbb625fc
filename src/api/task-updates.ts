import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UpdateDefinition } from '@temporalio/common';
import type { Actor } from '../domain/task-rights.js';
import type { TaskView } from '../../workflows/messages.js';

export { actorOf, UPDATE_DEADLINE_MS } from './gateway.js';
export { taskViewSchema } from './schemas.js';

/** What every task Update carries besides the action's own fields: which task, and who acts (added by the gateway). */
interface TaskUpdateInput {
  taskKey: string;
  actor: Actor;
}

/**
 * Sends a task's Update (a task action, an escalation action, recorded attendance) through the gateway
 * (`app.updateProcess`): answers the task's view; a process that has ended is 409 naming the task's process.
 * Where the action is chosen at run time (a route per action), its fields are the body the route's schema
 * checked, parsed again by the workflow's validator.
 */
export function sendTaskUpdate<Arg extends TaskUpdateInput>(app: FastifyInstance, req: FastifyRequest, workflowId: string, update: UpdateDefinition<TaskView, [Arg]>, arg: NoInfer<Omit<Arg, 'actor'>>): Promise<TaskView> {
  return app.updateProcess(req, workflowId, update, arg, { ended: 'the process of this task has ended' });
}
