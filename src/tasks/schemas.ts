// Tasks as the API answers them: the inbox's items, a task's page, what an action answers, the filter over tasks and
// overdue work, saved views, batches and nudges. Zod and the domain's words only: the routes validate and document
// their answers with these schemas, and the web UI takes its types from them (`import type` + z.infer, type-checked
// by web/tsconfig.json).
import { z } from 'zod';
import { escalationActions, taskActions } from '../domain/task-rights.js';
import { commentSchema } from '../comments/schemas.js';
import { ratingColor } from '../ratings/schemas.js';

export const taskStateSchema = z.enum(['open', 'claimed', 'done', 'cancelled', 'escalated']);

export const taskActionSchema = z.enum(taskActions);

/** A task as GET /tasks lists it. */
export const taskSchema = z.object({
  id: z.number(),
  workflowId: z.string(),
  process: z.string(),
  step: z.string(),
  organization: z.string(),
  organizationName: z.string(),
  settlement: z
    .enum(['village', 'community'])
    .nullable()
    .optional()
    .describe("the process's organization is a village's or a community's own (domain.md §2): a community's steps are named in its words (街道党工委审批)"),
  assigneeRole: z.string().nullable(),
  assigneePerson: z.string().nullable(),
  claimedBy: z.string().nullable(),
  state: taskStateSchema,
  openedAt: z.string(),
  dueAt: z.string(),
  overdue: z.boolean(),
  escalationLevel: z.number(),
  /**
   * The plan reaches into a year without holiday data (`provisionalYears`): its due date and escalations counted
   * every Monday to Friday there as a workday, and move when an admin loads the year.
   */
  provisional: z.boolean(),
  provisionalYears: z.array(z.number()),
  titleParts: z
    .object({ variant: z.string().optional(), about: z.string().optional(), part: z.string().optional() })
    .nullable()
    .optional()
    .describe('what sets the task apart from its step’s others: what it is about (a member, a deliverable) and which part of the process (a quarter)'),
  /** How many times the task was nudged (一键催办). */
  nudges: z.number(),
});

/** A task in the list (GET /tasks): with the actions the caller may take on it now (its step's rights, its state). */
export const taskListItemSchema = taskSchema.extend({ actions: z.array(taskActionSchema) });

const escalationActionSchema = z.enum(escalationActions);

/**
 * GET /tasks/{id}: the task, its step as the catalog defines it (src/domain/steps.ts; null for a step it does not
 * name), the context the workflow opened it with, what the caller may do to it now, and its process's history.
 */
export const taskDetailSchema = z.object({
  task: taskSchema,
  process: z
    .object({
      id: z.string(),
      kind: z.string(),
      status: z.string().describe('running, completed or cancelled'),
      organization: z.string().describe('the organization the process is about (a reply is given by the committee above it)'),
      organizationName: z.string(),
      settlement: z
        .enum(['village', 'community'])
        .nullable()
        .optional()
        .describe(
          "whether that organization is a village's or a community's own (domain.md §2): a community's is led by a street committee (街道党工委) and its residents' committee (居委会)",
        ),
    })
    .nullable(),
  step: z
    .object({
      id: z.string().describe('process:step, the catalog entry'),
      role: z.string().describe('who does it; those who steer above may do it too'),
      words: z.object({ 'zh-CN': z.string(), en: z.string() }),
    })
    .nullable(),
  context: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('what the step decides on and its rule needs, written by the workflow when it opened the task'),
  actions: z.array(taskActionSchema).describe('the actions the caller may take on the task now (rights and state)'),
  escalations: z.array(
    z.object({
      id: z.number(),
      level: z.number(),
      state: z.enum(['open', 'acknowledged', 'closed']),
      organization: z.string(),
      actions: z.array(escalationActionSchema),
    }),
  ),
  comments: z.array(commentSchema).describe("this task's comments and its process's, oldest first: they belong to the history"),
  mayComment: z.boolean().describe('whether the caller may comment on this task'),
  actionLog: z
    .array(z.object({ at: z.string(), kind: z.string(), actor: z.string(), onBehalfOf: z.string().nullable(), reason: z.string().nullable() }))
    .describe("what people did to this task (its audit's actions and comments), oldest first: a substitute's lines name whom they acted for"),
  history: z.array(
    z.object({
      at: z.string(),
      step: z.string(),
      event: z.string(),
      verb: z.string().nullable(),
      round: z.number().nullable(),
      run: z.number().nullable(),
      detail: z.record(z.string(), z.unknown()),
    }),
  ),
  contextNames: z
    .record(z.string(), z.string())
    .describe(
      'names of the organizations the task’s context names by code (a pairing’s partner), whether or not they are in the caller’s subtree: they are part of what the task decides on',
    ),
  earlier: z
    .array(z.object({ id: z.number(), step: z.string(), outcome: z.record(z.string(), z.unknown()), doneAt: z.string() }))
    .describe('what was decided earlier in the process: the outcomes of its done tasks, oldest first (the request replied to, the ballot approved…)'),
  evidence: z
    .array(z.object({ id: z.string(), deliverable: z.string(), filename: z.string(), sizeBytes: z.number(), uploadedAt: z.string() }))
    .describe('a pairing’s evidence files (GET /pairing/evidence/{id} downloads one)'),
  pairing: z
    .object({
      cycle: z.number(),
      mayRecord: z.boolean().describe('whether the caller may upload evidence and record milestones now (POST /pairing/evidence, /pairing/milestones)'),
      milestones: z.array(
        z.object({
          deliverable: z.string(),
          milestone: z.string(),
          achievedOn: z.string(),
          note: z.string().nullable(),
          evidence: z.array(z.string()),
          recordedBy: z.string(),
          recordedAt: z.string(),
        }),
      ),
    })
    .nullable()
    .describe('a pairing deliverable’s cycle and its recorded milestones; null for other tasks'),
});

/** A task as a task or escalation action answers it (the workflow's view after the change). */
export const taskViewSchema = z.object({
  id: z.number(),
  taskKey: z.string(),
  step: z.string(),
  state: z.string(),
  dueAt: z.string(),
  assigneeRole: z.string().optional(),
  assigneePerson: z.string().nullable().optional(),
  claimedBy: z.string().nullable().optional(),
  escalationLevel: z.number().optional(),
});

const filterDate = z.iso.datetime({ offset: true }).or(z.iso.date());

export const taskFilterSchema = z
  .object({
    org: z.string().min(1).max(64).optional().describe('organization code: tasks in its subtree'),
    process: z.string().min(1).max(64).optional(),
    step: z.string().min(1).max(100).optional(),
    state: taskStateSchema.optional(),
    overdue: z.boolean().optional().describe('only live tasks past their due date (true) or none of them (false)'),
    dueAfter: filterDate.optional(),
    dueBefore: filterDate.optional(),
    escalationLevel: z.number().int().min(0).max(3).optional().describe('at least this escalation level'),
    rating: ratingColor.optional().describe('the organization’s current rating (三色管理)'),
  })
  .strict();

/** A batch of task or escalation actions (POST /tasks/bulk/…, /escalations/bulk/…): each item's own answer. */
export const batchResultSchema = z.object({
  results: z.array(
    z.object({
      id: z.number(),
      result: z.enum(['done', 'refused', 'failed']).describe('failed: the outcome is unknown (the process did not answer); try that item again'),
      status: z.number(),
      error: z.object({ code: z.string(), message: z.string() }).optional(),
      task: taskViewSchema.optional(),
    }),
  ),
  done: z.number(),
  refused: z.number(),
  failed: z.number(),
});

/** A saved view (/views): a named filter, the caller's own or shared with an organization they hold a role under. */
export const savedViewSchema = z.object({
  id: z.number(),
  name: z.string(),
  filter: taskFilterSchema,
  owner: z.string(),
  mine: z.boolean(),
  sharedWith: z.string().nullable().describe('organization code, or null: private'),
  updatedAt: z.string(),
});

export const nudgeResultSchema = z.object({
  id: z.number(),
  tasks: z.number().describe('live tasks the filter reached in the caller’s subtree; each is recorded and counted'),
  people: z.number().describe('people who received one message each'),
  unreached: z.array(z.number()).describe('tasks nobody holds (no user holds the assigned role there)'),
});
