// Messages of the process workflows, declared once: the workflows set their handlers, the API sends them.
// The zod schemas here are shared too: the API validates request bodies with them, and the workflows'
// Update validators parse the same payloads again, so a malformed Update never enters history.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { roles } from '../src/auth/principal.js';
import { isValidIsoDate } from '../src/domain/dates.js';
import { usernameSchema } from '../src/domain/fields.js';
import { escalationActions, type Actor, type EscalationAction, type TaskAction } from '../src/domain/task-rights.js';

export type { Actor } from '../src/domain/task-rights.js';

export const actorSchema = z.object({
  username: usernameSchema,
  grants: z.array(z.object({ role: z.enum(roles), path: z.string().max(2000) })).max(200),
  onBehalfOf: usernameSchema.optional(),
});
/** Why: required on every action that overrides the plan (extend, cancel, escalation actions), for the audit. */
export const reasonSchema = z.string().trim().min(2, 'a reason is required').max(2000);
export const isoDateSchema = z.string().refine(isValidIsoDate, 'expected a date YYYY-MM-DD');
const taskKey = z.string().min(1).max(200);

/** Bodies of the task actions as the API receives them (the caller is added by the API). */
export const taskActionBodies = {
  complete: z.object({ outcome: z.record(z.string(), z.unknown()).default({}), reason: reasonSchema.optional() }),
  claim: z.object({ reason: reasonSchema.optional() }),
  unclaim: z.object({ reason: reasonSchema.optional() }),
  delegate: z.object({ to: usernameSchema, reason: reasonSchema.optional() }),
  reassign: z
    .object({ assigneeRole: z.enum(roles).optional(), assigneePerson: usernameSchema.nullable().optional(), reason: reasonSchema })
    .refine((b) => b.assigneeRole !== undefined || b.assigneePerson !== undefined, 'name assigneeRole or assigneePerson'),
  extend: z.object({ dueOn: isoDateSchema, reason: reasonSchema }),
  cancel: z.object({ reason: reasonSchema }),
} satisfies Record<TaskAction, z.ZodType>;

export const escalationActionBodies = {
  acknowledge: z.object({ reason: reasonSchema.optional() }),
  close: z.object({ reason: reasonSchema }),
  reassign: taskActionBodies.reassign,
  extend: taskActionBodies.extend,
} satisfies Record<EscalationAction, z.ZodType>;

const envelope = z.object({ taskKey, actor: actorSchema });
/** Full Update payloads: body + task + caller. */
export const taskActionInputs = {
  complete: envelope.extend(taskActionBodies.complete.shape),
  claim: envelope.extend(taskActionBodies.claim.shape),
  unclaim: envelope.extend(taskActionBodies.unclaim.shape),
  delegate: envelope.extend(taskActionBodies.delegate.shape),
  reassign: envelope.extend({
    assigneeRole: z.enum(roles).optional(),
    assigneePerson: usernameSchema.nullable().optional(),
    reason: reasonSchema,
  }),
  extend: envelope.extend(taskActionBodies.extend.shape),
  cancel: envelope.extend(taskActionBodies.cancel.shape),
};
export const escalationActionInput = envelope.extend({
  action: z.enum(escalationActions),
  level: z.number().int().min(1).max(3),
  reason: reasonSchema.optional(),
  dueOn: isoDateSchema.optional(),
  assigneeRole: z.enum(roles).optional(),
  assigneePerson: usernameSchema.nullable().optional(),
});

/**
 * A task's plan computed again on a corrected working-day calendar (an admin loaded the holidays of a year the
 * plan reached into without data): the new instants replace the provisional ones, as an extension's do.
 */
const instant = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'expected an ISO instant');
export const taskPlanSchema = z.object({
  dueAt: instant,
  reminders: z.array(z.object({ key: z.string().min(1).max(100), workingDaysBefore: z.number().int(), at: instant })).max(20),
  escalations: z.array(z.object({ level: z.union([z.literal(1), z.literal(2), z.literal(3)]), workingDaysAfter: z.number().int(), at: instant })).max(3),
  provisionalYears: z.array(z.number().int()).max(20).optional(),
  // What the plan was computed from (task-plan.ts PlanInput), kept for the next correction.
  basis: z.unknown().optional(),
});
export const replanTaskInput = envelope.extend({ reason: reasonSchema, plan: taskPlanSchema });
export type ReplanTaskInput = z.input<typeof replanTaskInput>;

export type CompleteTaskInput = z.input<typeof taskActionInputs.complete>;
export type ClaimTaskInput = z.input<typeof taskActionInputs.claim>;
export type DelegateTaskInput = z.input<typeof taskActionInputs.delegate>;
export type ReassignTaskInput = z.input<typeof taskActionInputs.reassign>;
export type ExtendTaskInput = z.input<typeof taskActionInputs.extend>;
export type CancelTaskInput = z.input<typeof taskActionInputs.cancel>;
export type EscalationActionInput = z.input<typeof escalationActionInput>;

export type TaskState = 'open' | 'claimed' | 'done' | 'cancelled' | 'escalated';

export interface TaskView {
  taskKey: string;
  step: string;
  state: TaskState;
  dueAt: string;
  assigneeRole?: string;
  assigneePerson?: string | null;
  claimedBy?: string | null;
  escalationLevel?: number;
  /** A task planned to open later: the instant the deadline sweep opens it (until then it refuses every action). */
  opensAt?: string;
}

export interface ProcessView {
  kind: string;
  organization: string;
  step: string;
  nextDeadline: string | null;
  tasks: TaskView[];
}

export const completeTaskUpdate = defineUpdate<TaskView, [CompleteTaskInput]>('completeTask');
export const claimTaskUpdate = defineUpdate<TaskView, [ClaimTaskInput]>('claimTask');
export const unclaimTaskUpdate = defineUpdate<TaskView, [ClaimTaskInput]>('unclaimTask');
export const delegateTaskUpdate = defineUpdate<TaskView, [DelegateTaskInput]>('delegateTask');
export const reassignTaskUpdate = defineUpdate<TaskView, [ReassignTaskInput]>('reassignTask');
export const extendTaskUpdate = defineUpdate<TaskView, [ExtendTaskInput]>('extendTask');
export const cancelTaskUpdate = defineUpdate<TaskView, [CancelTaskInput]>('cancelTask');
export const escalationActionUpdate = defineUpdate<TaskView, [EscalationActionInput]>('escalationAction');
export const replanTaskUpdate = defineUpdate<TaskView, [ReplanTaskInput]>('replanTask');

/** The Update each task action is sent as. */
export const taskActionUpdates = {
  complete: completeTaskUpdate,
  claim: claimTaskUpdate,
  unclaim: unclaimTaskUpdate,
  delegate: delegateTaskUpdate,
  reassign: reassignTaskUpdate,
  extend: extendTaskUpdate,
  cancel: cancelTaskUpdate,
} as const;

export const processStateQuery = defineQuery<ProcessView>('processState');
/**
 * Answered once a run has settled after its start: its first step recorded and none of its own activities in
 * flight — a task open for a person, or a wait. Sent with the start (Update-with-Start: src/processes/start.ts), so
 * that starting a process answers with its first task and neither the web nor a script polls for it.
 */
export const processSettledUpdate = defineUpdate<ProcessView, []>('processSettled');
export const tasksQuery = defineQuery<TaskView[]>('tasks');

export type { Actor as TaskActor };
export const machineActor = (username: string): Actor => ({ username, grants: [{ role: 'admin', path: '' }] });

/**
 * A correction of the term register sent to a running term election (the register's owner while it runs): a
 * re-import whose row carries a newer term start, with who and why. The workflow writes the register, records
 * the correction and re-plans its reminders and the request's due date; it refuses once the election is under
 * way (the request filed).
 */
export const correctTermInput = z.object({
  actor: actorSchema,
  reason: reasonSchema,
  startedOn: isoDateSchema,
  termYears: z.number().int().min(1).max(10),
  /** The secretary the corrected row names; absent: unchanged. */
  secretary: z.string().trim().min(1).max(100).optional(),
  /** Where the correction came from (import job or request, file row), for the organization's audit. */
  source: z.string().min(1).max(300),
});
export type CorrectTermInput = z.input<typeof correctTermInput>;
export const correctTermUpdate = defineUpdate<{ termEndsOn: string }, [CorrectTermInput]>('correctTerm');

/**
 * A member's period away ended (their status changed, or their membership moved to where they are): sent to the
 * period's workflow (workflows/member-away) by the API and by a completed transfer; it reads the register and ends.
 */
export const memberBackSignal = defineSignal<[{ actor: string }]>('memberBack');
