// Who may do what to a human task (domain.md §3). Pure: the API checks it before sending an Update, and the
// workflow's Update validators check it again against the grants the API resolved, so a refused action never
// enters history even if a client talks to Temporal directly.
import { roles, steeringRoles, type Role } from './roles.js';

export interface ActorGrant {
  role: Role;
  /** ltree path of the granting organization; '' is the whole tree. */
  path: string;
}

export interface Actor {
  username: string;
  grants: ActorGrant[];
  /** A substitute acting for an absent user (src/api/substitutes.ts): the absent user's name, recorded with the action. */
  onBehalfOf?: string;
}

export const taskActions = ['complete', 'claim', 'unclaim', 'delegate', 'reassign', 'extend', 'cancel'] as const;
export type TaskAction = (typeof taskActions)[number];
export const escalationActions = ['acknowledge', 'reassign', 'extend', 'close'] as const;
export type EscalationAction = (typeof escalationActions)[number];

/** The actions of doing the work (the rest steer it: change who, when, or whether). */
export const doingActions = ['complete', 'claim', 'unclaim', 'delegate'] as const satisfies readonly TaskAction[];
/** Doing the work: the assignee's roles and everyone above who may step in. */
const doers: readonly Role[] = roles;
const steerers = steeringRoles;

export const taskActionRoles: Record<TaskAction, readonly Role[]> = {
  complete: doers,
  claim: doers,
  unclaim: doers,
  delegate: doers,
  reassign: steerers,
  extend: steerers,
  cancel: steerers,
};

/** Escalation actions belong to the committee the escalation went to (or anyone above it). */
export const escalationActionRoles: readonly Role[] = steerers;

/**
 * Whom a comment may mention, and whom its picker lists: the people who work an organization's processes. An admin
 * (the system's operator) sees every task but takes no part in it, and a village secretary has no business
 * listing the province's operators.
 */
export const mentionableRoles: readonly Role[] = ['organizer', 'supervisor', 'secretary', 'liaison_officer'];

function covers(grantPath: string, path: string): boolean {
  return grantPath === '' || path === grantPath || path.startsWith(`${grantPath}.`);
}

/** Does the actor hold one of `wanted` at `path` or above it? */
export function actorAllows(actor: Actor, path: string, wanted: readonly Role[]): boolean {
  return actor.grants.some((g) => wanted.includes(g.role) && covers(g.path, path));
}

/** May the actor steer (override a claim, act for someone else) at `path`? */
export function actorSteers(actor: Actor, path: string): boolean {
  return actorAllows(actor, path, steerers);
}
