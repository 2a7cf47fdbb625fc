import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UpdateDefinition } from '@temporalio/common';
import type { Actor, EscalationAction, TaskAction } from '../domain/task-rights.js';
import { escalationActionRoles } from '../domain/task-rights.js';
import { escalationActionUpdate, taskActionUpdates, type TaskView } from '../../workflows/messages.js';
import { allows } from '../auth/principal.js';
import { notFound } from './errors.js';
import { requireRole } from './scope.js';
import { actingRoles, ownTask } from './task-actions.js';
import { actingPrincipal, withSubstitutions } from './substitutes.js';
import type { UpdateOptions } from './gateway.js';

export { actorOf, UPDATE_DEADLINE_MS } from './gateway.js';
export { taskViewSchema } from '../tasks/schemas.js';

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
export function sendTaskUpdate<Arg extends TaskUpdateInput>(
  app: FastifyInstance,
  req: FastifyRequest,
  workflowId: string,
  update: UpdateDefinition<TaskView, [Arg]>,
  arg: NoInfer<Omit<Arg, 'actor'>>,
  opts: Omit<UpdateOptions, 'ended'> = {},
): Promise<TaskView> {
  return app.updateProcess(req, workflowId, update, arg, { ...opts, ended: 'the process of this task has ended' });
}

/**
 * One task action (POST /tasks/{id}/{action}, and each item of POST /tasks/bulk/{action}): scope (404), the
 * step's role (403), then the workflow's Update, whose validator refuses what the task's state forbids (409)
 * before it enters history; the Update's handler writes the task row and its audit entry. All or nothing per task.
 */
export async function actOnTask(app: FastifyInstance, req: FastifyRequest, id: number, action: TaskAction, body: object, opts: { inBatch?: boolean } = {}) {
  const [task] = await app.sql<
    { workflow_id: string; task_key: string; path: string; process: string; step: string; holder: string | null; assigneePerson: string | null }[]
  >`
    select t.workflow_id, t.task_key, o.path::text as path, t.process, t.step, coalesce(t.claimed_by, t.assignee_person) as holder,
           t.assignee_person as "assigneePerson"
    from tasks t join organizations o on o.id = t.organization_id where t.id = ${id}`;
  // A substitute sees and acts on the tasks of whom they stand in for.
  const p = await withSubstitutions(app.sql, req.principal);
  if (!task || (!allows(p, task.path) && !ownTask(p, task))) throw notFound(`task ${id}`);
  // A catalog step's rights follow its role (steps.ts), as the workflow's validator checks them; a substitute acts
  // with the absent user's roles, and the workflow records on whose behalf. The person a step of their own names
  // acts as themself, with no role (a substitute never files a member's own report).
  const roles = actingRoles(task.process, task.step, action);
  const acting = ownTask(p, task, action) ? { ...p, grants: p.grants.filter((g) => !g.onBehalfOf) } : actingPrincipal(p, task.path, roles, task.holder);
  if (!acting) requireRole(p, task.path, roles);
  const args = { ...body, taskKey: task.task_key };
  const view = await sendTaskUpdate(app, req, task.workflow_id, taskActionUpdates[action], args as never, {
    ...(opts.inBatch ? { item: `task-${id}` } : {}),
    as: acting!,
  });
  return { id, ...view };
}

/**
 * One escalation action (POST /escalations/{id}/{action}, and each item of POST /escalations/bulk/{action}):
 * visible to whoever sees the committee it went to or the organization whose task it is; acted on by the
 * committee's steerers or those who steer above the task.
 */
export async function actOnEscalation(
  app: FastifyInstance,
  req: FastifyRequest,
  id: number,
  action: EscalationAction,
  body: object,
  opts: { inBatch?: boolean } = {},
) {
  const [e] = await app.sql<{ level: number; path: string; task_path: string; workflow_id: string; task_key: string; task_id: number }[]>`
    select e.level, o.path::text as path, tor.path::text as task_path, t.workflow_id, t.task_key, t.id as task_id
    from escalations e join organizations o on o.id = e.organization_id
    join tasks t on t.id = e.task_id join organizations tor on tor.id = t.organization_id
    where e.id = ${id}`;
  if (!e || (!allows(req.principal, e.path) && !allows(req.principal, e.task_path))) throw notFound(`escalation ${id}`);
  if (!allows(req.principal, e.path, escalationActionRoles)) requireRole(req.principal, e.task_path, escalationActionRoles);
  const args = { ...body, action, level: e.level, taskKey: e.task_key };
  const view = await sendTaskUpdate(app, req, e.workflow_id, escalationActionUpdate, args as never, opts.inBatch ? { item: `escalation-${id}` } : {});
  return { id: e.task_id, ...view };
}
