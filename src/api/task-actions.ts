// What a caller may do to a task now, as the API answers it (GET /tasks, GET /tasks/{id}) and checks it before an
// Update (POST /tasks/{id}/{action}): the workflow's validator (workflows/human-task.ts checkAction and the
// escalation Update's validator) asked as a question instead of raised as a refusal. Pure.
import type { Role } from '../auth/principal.js';
import { personMay, stepActionRoles, stepCompletionRoles, stepDef } from '../domain/steps.js';
import {
  actorAllows,
  actorSteers,
  escalationActionRoles,
  escalationActions,
  taskActionRoles,
  taskActions,
  type Actor,
  type EscalationAction,
  type TaskAction,
} from '../domain/task-rights.js';

/** The roles that may take `action` on a task of (process, step): its catalog entry's, else the generic ones. */
export function actionRoles(process: string, step: string, action: TaskAction): readonly Role[] {
  const def = stepDef(process, step);
  return def ? stepActionRoles(def, action) : taskActionRoles[action];
}

/**
 * The roles that may do `action` now: as actionRoles, except that completing a step whose outcome others certify
 * (attendance at a training) is its recorders' (stepCompletionRoles). Holding the task, a comment and the holder
 * picker still follow actionRoles(…, 'complete'): the secretary attends, the session's organizer records it.
 */
export function actingRoles(process: string, step: string, action: TaskAction): readonly Role[] {
  const def = stepDef(process, step);
  return def && action === 'complete' ? stepCompletionRoles(def) : actionRoles(process, step, action);
}

export interface TaskFacts {
  process: string;
  step: string;
  /** ltree path of the task's organization. */
  path: string;
  state: 'open' | 'claimed' | 'done' | 'cancelled' | 'escalated';
  claimedBy: string | null;
  /** The person the task names: on a step of the person's own (StepDef.byPerson) they act without a role. */
  assigneePerson?: string | null;
}

/** Does the task name the actor as the person who does its step themselves (a member's own report)? */
export function ownTask(actor: Pick<Actor, 'username'>, t: Pick<TaskFacts, 'process' | 'step' | 'assigneePerson'>, action: TaskAction = 'complete'): boolean {
  return personMay(stepDef(t.process, t.step), t.assigneePerson ?? null, actor.username, action);
}

/** The actions the actor may take on the task now: the step's rights at the task's organization, then its state. */
export function actionsNow(actor: Actor, t: TaskFacts, standsFor: readonly string[] = []): TaskAction[] {
  if (t.state === 'done' || t.state === 'cancelled') return [];
  const steers = actorSteers(actor, t.path);
  // Held by someone else: only those who steer may act on it (claim it over, release it, complete it for them).
  // A substitute holds the claims of whom they stand in for (src/api/substitutes.ts).
  const byOther = t.claimedBy !== null && t.claimedBy !== actor.username && !standsFor.includes(t.claimedBy) && !steers;
  return taskActions.filter((a) => {
    if (!actorAllows(actor, t.path, actingRoles(t.process, t.step, a)) && !ownTask(actor, t, a)) return false;
    if (a === 'claim') return t.claimedBy !== actor.username && !standsFor.includes(t.claimedBy ?? '') && !byOther;
    if (a === 'unclaim') return t.claimedBy !== null && !byOther;
    if (a === 'complete' || a === 'delegate') return !byOther;
    return true;
  });
}

/** An escalation's actions: the committee it went to or those who steer above the task; none once closed. */
export function escalationActionsNow(actor: Actor, e: { state: string; path: string }, taskPath: string): EscalationAction[] {
  if (e.state === 'closed') return [];
  if (!actorAllows(actor, e.path, escalationActionRoles) && !actorSteers(actor, taskPath)) return [];
  return escalationActions.filter((a) => a !== 'acknowledge' || e.state === 'open');
}

/** Who may comment on a task: those who may complete it (its step's role there, and those who steer above). */
export function mayComment(actor: Actor, t: Pick<TaskFacts, 'process' | 'step' | 'path' | 'assigneePerson'>): boolean {
  return actorAllows(actor, t.path, actionRoles(t.process, t.step, 'complete')) || ownTask(actor, t);
}
