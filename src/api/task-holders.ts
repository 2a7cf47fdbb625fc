// Whom a task may be handed to — the `to` of a delegation, the `assigneePerson` of a reassignment (one task, each
// item of a batch, an escalation's) — and whom the people picker offers for it (GET /users?holderOf=): one rule
// that both read, so the picker offers exactly whom the actions accept. The new holder is notified and sent a task
// link, so they must be able to open and do the task; and the caller names only people they can see.
import type { Sql } from '../db/client.js';
import { allows, type Principal } from '../auth/principal.js';
import { escalationActionRoles, type EscalationAction, type TaskAction } from '../domain/task-rights.js';
import { HttpError } from './errors.js';
import { inScope } from './scope.js';
import { withSubstitutions } from './substitutes.js';
import { actionRoles } from './task-actions.js';

export interface HeldTask {
  process: string;
  step: string;
  /** ltree path of the task's organization. */
  path: string;
}

/**
 * SQL condition on a role `r` (user_roles) at organization `o` (joined, not left-joined): the role lets its user
 * do the task — one the step's rights let complete it, at the task's organization or above — and lies in the
 * caller's subtree. The bootstrap admin's role of the whole tree has no organization and never qualifies.
 */
export function holdingRole(sql: Sql, caller: Principal, t: HeldTask) {
  return sql`(r.role = any(${[...actionRoles(t.process, t.step, 'complete')]}) and o.path @> ${t.path}::ltree and ${inScope(sql, caller, 'o')})`;
}

/** The username an action's body makes the task's new holder, and the body field naming it. */
function namedHolder(action: TaskAction | EscalationAction, body: object): { key: 'to' | 'assigneePerson'; username: string } | null {
  const b = body as { to?: unknown; assigneePerson?: unknown };
  if (action === 'delegate' && typeof b.to === 'string') return { key: 'to', username: b.to };
  if (action === 'reassign' && typeof b.assigneePerson === 'string') return { key: 'assigneePerson', username: b.assigneePerson };
  return null;
}

/**
 * Refuses (422, naming `<at>.to` or `<at>.assigneePerson`) a delegation or reassignment to someone who could not
 * hold the task: unknown or outside the caller's view (the same answer, as an unknown id is 404), disabled, or
 * without a holding role. Run before the action: a task or escalation the caller does not see, or may not take
 * this action on, is left to the action's own 404 and 403, which come first.
 */
export async function requireNewHolder(
  sql: Sql,
  principal: Principal,
  target: { task: number } | { escalation: number },
  action: TaskAction | EscalationAction,
  body: object,
  at = 'body',
): Promise<void> {
  const named = namedHolder(action, body);
  if (!named) return;
  // The view each action checks: a task's includes whom the caller stands in for, an escalation's does not.
  const caller = 'task' in target ? await withSubstitutions(sql, principal) : principal;
  const [t] =
    'task' in target
      ? await sql<(HeldTask & { steering_path: string })[]>`
          select t.process, t.step, o.path::text as path, o.path::text as steering_path
          from tasks t join organizations o on o.id = t.organization_id where t.id = ${target.task}`
      : await sql<(HeldTask & { steering_path: string })[]>`
          select t.process, t.step, tor.path::text as path, eo.path::text as steering_path
          from escalations e join organizations eo on eo.id = e.organization_id
          join tasks t on t.id = e.task_id join organizations tor on tor.id = t.organization_id where e.id = ${target.escalation}`;
  if (!t || (!allows(caller, t.path) && !allows(caller, t.steering_path))) return;
  const mayAct =
    'task' in target
      ? allows(caller, t.path, actionRoles(t.process, t.step, action as TaskAction))
      : allows(caller, t.steering_path, escalationActionRoles) || allows(caller, t.path, escalationActionRoles);
  if (!mayAct) return;

  const [u] = await sql<{ disabled: boolean; seen: boolean; holds: boolean }[]>`
    select u.disabled, coalesce(bool_or(${inScope(sql, caller, 'o')}), false) as seen, coalesce(bool_or(${holdingRole(sql, caller, t)}), false) as holds
    from users u left join user_roles r on r.user_id = u.id left join organizations o on o.id = r.organization_id
    where u.username = ${named.username} group by u.id`;
  const field = `${at}.${named.key}`;
  const refuse = (message: string) => new HttpError(422, 'invalid_request', `${field}: ${message}`, [{ field, message }]);
  if (!u?.seen) throw refuse(`no user ${named.username}`);
  if (u.disabled) throw refuse(`${named.username} is disabled`);
  if (!u.holds) {
    const roles = actionRoles(t.process, t.step, 'complete').join(', ');
    throw refuse(`${named.username} cannot do this task: it needs one of the roles ${roles} at its organization or above, within your subtree`);
  }
}
