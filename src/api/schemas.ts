// Response shapes of the API, in one module that imports nothing but zod: the routes validate and document
// their answers with these schemas, and the web UI derives its types from them (`import type` + z.infer), so
import { ratingColors } from '../domain/ratings.js';
// the browser client cannot drift from the server unnoticed (web/tsconfig.json type-checks it).
import { z } from 'zod';
import { electionBodies, termPlanReasons } from '../domain/rules.js';
import { escalationActions, taskActions } from '../domain/task-rights.js';

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
/** A comment on a task or its process; it is its own audit row (who, on whose behalf, when). */
export const commentSchema = z.object({
  id: z.number(),
  taskId: z.number().nullable().describe('null: a comment on the whole process'),
  author: z.string(),
  onBehalfOf: z.string().nullable().describe('the absent user the author stood in for (a substitute)'),
  text: z.string(),
  mentions: z.array(z.string()),
  at: z.string(),
});

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

export const organizationSchema = z.object({
  code: z.string(),
  parentCode: z.string().nullable(),
  name: z.string(),
  type: z.string(),
  sector: z.string(),
  settlement: z
    .enum(['village', 'community'])
    .nullable()
    .describe("a village's or community's own Party organization (directly under a township or street committee), else null"),
  termYears: z.number().nullable(),
  termStartedOn: z.string().nullable(),
  termEndsOn: z.string().nullable(),
  postponedUntil: z.string().nullable().describe('an approved postponement of the term election: due by this day (YYYY-MM-DD)'),
  secretaryName: z.string().nullable(),
  fullMembers: z.number(),
  probationaryMembers: z.number(),
  electionBody: z
    .enum(electionBodies)
    .nullable()
    .describe('how its committee comes to office: members_meeting, delegates_conference (both elected here), appointed, congress; null for a unit'),
  delegates: z.number().nullable().describe('the delegates of its delegates’ conference, when entered'),
  termOrdinal: z.number().nullable().describe('the organization’s own number of its current term (第n届), when known'),
});

/** One entry of the term register (GET /terms). */
export const termSchema = z.object({
  code: z.string(),
  name: z.string(),
  type: z.string(),
  sector: z.string(),
  termYears: z.number(),
  termStartedOn: z.string(),
  termEndsOn: z.string(),
  /** Written by the term election when the supervisor approves a postponement; cleared by the renewed term. */
  postponedUntil: z.string().nullable().describe('an approved postponement: the election is due by this day (YYYY-MM-DD)'),
  overdue: z.boolean().describe('past the term’s end and past any approved postponement'),
  secretaryName: z.string().nullable(),
});

/** A term due in the plan's year (年度换届计划), under the supervising committee that leads its election. */
export const termPlanItemSchema = z.object({
  code: z.string(),
  name: z.string(),
  type: z.string(),
  sector: z.string(),
  supervisorCode: z.string(),
  supervisorName: z.string(),
  termYears: z.number(),
  termStartedOn: z.string(),
  termEndsOn: z.string(),
  secretaryName: z.string().nullable(),
  /** An approved postponement (换届延期) on the register: the day the election is now due. */
  postponedUntil: z.string().nullable(),
  /** The running term election's current step, if one runs. */
  electionStep: z.string().nullable(),
  /** Why it is in the year's plan: its term ends, its approved postponement ends, or it is overdue from an earlier year. */
  inPlanBecause: z.enum(termPlanReasons),
});
export const termPlanSchema = z.object({ year: z.number(), items: z.array(termPlanItemSchema) });

/** A term past its end with no approved result and no approved postponement still running (未按期换届). */
export const overdueTermSchema = z.object({
  code: z.string(),
  name: z.string(),
  supervisorCode: z.string(),
  supervisorName: z.string(),
  termEndsOn: z.string(),
  daysOverdue: z.number(),
  /** A postponement that has itself run out, or null. */
  postponedUntil: z.string().nullable(),
  secretaryName: z.string().nullable(),
  electionStep: z.string().nullable(),
});
export const overdueReportSchema = z.object({ asOf: z.string(), items: z.array(overdueTermSchema) });

export const escalationSchema = z.object({
  id: z.number(),
  taskId: z.number(),
  level: z.number(),
  organization: z.string(),
  role: z.string(),
  state: z.enum(['open', 'acknowledged', 'closed']),
  openedAt: z.string(),
  taskOrganization: z.string(),
  step: z.string(),
  dueAt: z.string(),
  actions: z.array(z.record(z.string(), z.unknown())),
});

/** GET /overdue: counts per organization and escalation level, most overdue organization first. */
export const overdueSchema = z.object({
  total: z.number(),
  organizations: z.array(
    z.object({
      organization: z.string(),
      name: z.string(),
      total: z.number(),
      levels: z.array(z.object({ level: z.number(), count: z.number(), oldestDueAt: z.string() })),
    }),
  ),
});

export const importRowErrorSchema = z.object({ row: z.number(), column: z.string(), message: z.string() });
/** A row whose process-owned fields went to the running process as a correction; `failed` carries its refusal. */
export const importRoutedRowSchema = z.object({
  row: z.number(),
  code: z.string(),
  workflowId: z.string(),
  columns: z.array(z.string()),
  status: z.enum(['applied', 'failed']),
  message: z.string().optional(),
});
export const importResultSchema = z.object({
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  /** Rows sent to the process that owns their changed fields (term corrections to a running term election). */
  routed: z.array(importRoutedRowSchema),
  /** Process-owned fields not written, by row and column, with why; the rest of those rows was written. */
  refused: z.array(importRowErrorSchema),
  /** Villages and communities as the tree's shape decides them (domain.md §2), and the rows whose sector word disagrees: warnings, the rows were written. */
  inferred: z
    .object({
      villages: z.number(),
      communities: z.number(),
      warnings: z.array(
        importRowErrorSchema.extend({
          sector: z.string().optional().describe('the row’s sector word (rural or community)'),
          level: z.number().optional().describe('its level in the tree: the root 1, a township or street 4, a village or community 5'),
        }),
      ),
    })
    .describe(
      "the file's villages and communities, decided by their place in the tree (directly under a township or street committee), and rows whose sector 农村/社区 disagrees with it (written; counted by their place)",
    ),
});
export const importJobSchema = z.object({
  jobId: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'rejected', 'failed']),
  progress: z.object({ bytesRead: z.number(), bytesTotal: z.number().nullable(), rows: z.number() }),
  result: importResultSchema.nullable(),
  error: z.object({ status: z.number(), code: z.string(), message: z.string(), details: z.array(importRowErrorSchema) }).nullable(),
});

export const processSchema = z.object({
  id: z.string(),
  kind: z.string(),
  organization: z.string(),
  status: z.string(),
  currentStep: z.string(),
  nextDeadline: z.string().nullable(),
  // provisionalYears: the task's plan reaches into these years without holiday data (see taskSchema.provisional).
  openTasks: z.array(
    z.object({
      id: z.number(),
      step: z.string(),
      state: z.string(),
      dueAt: z.string(),
      assigneeRole: z.string().nullable(),
      provisionalYears: z.array(z.number()),
    }),
  ),
  history: z.array(z.object({ at: z.string(), step: z.string(), event: z.string(), detail: z.record(z.string(), z.unknown()) })),
  comments: z.array(commentSchema),
});

export const meSchema = z.object({
  username: z.string(),
  roles: z.array(z.object({ role: z.string(), org: z.string().nullable() })),
  /** A session opened by a task link reaches only this task (src/auth/task-links.ts); null for a signed-in session. */
  onlyTask: z.number().nullable(),
});

/** A bulk request's answer: the organizations done, and each refused one with its status and reason. */
export const bulkResultSchema = z.object({
  done: z.array(z.string()),
  refused: z.array(z.object({ organization: z.string(), status: z.number(), message: z.string() })),
});

export const trainingCoverageSchema = z.object({
  items: z.array(z.object({ county: z.string(), name: z.string(), secretaries: z.number(), trained: z.number(), coverage: z.number().nullable() })),
});

export const liaisonCoverageSchema = z.object({
  items: z.array(
    z.object({
      county: z.string(),
      name: z.string(),
      units: z.number(),
      dispatched: z.number(),
      dispatchCoverage: z.number().nullable(),
      eligible: z.number(),
      established: z.number(),
      establishCoverage: z.number().nullable(),
    }),
  ),
});

/** Urban–rural pairing per county (GET /pairing/coverage): villages paired, deliverables of the current cycles. */
export const pairingCoverageSchema = z.object({
  items: z.array(
    z.object({
      county: z.string(),
      name: z.string(),
      villages: z.number(),
      paired: z.number(),
      coverage: z.number().nullable(),
      deliverables: z.number(),
      delivered: z.number(),
    }),
  ),
});

/** A unit without a Party organization (GET /units): the target of liaison dispatch. */
export const unitSchema = z.object({
  code: z.string(),
  name: z.string(),
  sector: z.string(),
  parentCode: z.string().nullable(),
  fullMembers: z.number(),
  shouldEstablish: z.boolean().describe('≥3 full members: must set up its own organization (应建尽建)'),
  liaisonOfficer: z.string().nullable(),
});

// ---- yearly assessment (GET /assessments/{year}/counties and /organizations) ----

/** The run a ranking comes from: the day assessed, the rule set in force, when it finished. */
export const assessmentRunSchema = z.object({ year: z.number(), assessedOn: z.string(), ruleSet: z.string(), finishedAt: z.string() });

/** A county's rank (province-wide) and the figures its score comes from. */
export const assessmentCountySchema = z.object({
  rank: z.number(),
  code: z.string(),
  name: z.string(),
  score: z.number(),
  organizations: z.number(),
  meanScore: z.number().nullable(),
  villages: z.number(),
  concurrentHeadOrganizations: z
    .number()
    .describe('the organizations 一肩挑 is counted over: villages (rule sets before 2026), villages and communities (from 2026)'),
  concurrentHeadRate: z.number().nullable().describe("percent of those whose secretary also heads the villagers' or residents' committee (一肩挑)"),
  units: z.number(),
  liaisonCoverage: z.number().nullable().describe('percent of units without an organization that have an acknowledged officer'),
  paired: z.number().describe('villages in an active urban–rural pairing'),
  pairingCoverage: z.number().nullable().describe('percent of villages in an active urban–rural pairing'),
  deliverables: z.number().describe('deliverables of those pairings due by the day assessed, or delivered already'),
  deliveredRate: z.number().nullable().describe('percent of those deliverables delivered'),
});

/** An organization's score and indicators (null: the indicator does not apply); sectorRank for the sectors ranked by sector. */
export const assessmentOrganizationSchema = z.object({
  code: z.string(),
  name: z.string(),
  sector: z.string(),
  county: z.string().nullable(),
  score: z.number(),
  sectorRank: z.number().nullable(),
  /** Null: not applicable — a committee not elected here (an appointed 工委, a county committee) has no term to renew. */
  termOnTime: z.boolean().nullable(),
  secretaryTrained: z.boolean().nullable(),
  noOverdueTasks: z.boolean(),
  // From the yearly return (rule sets from 2026); null also for the years before.
  returnFiled: z.boolean().nullable().describe('a yearly return was on file when the year was scored (null: the organization files none)'),
  activistsTrained: z.boolean().nullable(),
  reserveCadres: z.boolean().nullable(),
  fundingFloor: z.boolean().nullable(),
  memberFunding: z.boolean().nullable(),
  venue: z.boolean().nullable(),
  youngCommitteeMember: z.boolean().nullable(),
  concurrentHead: z
    .boolean()
    .nullable()
    .describe(
      "the secretary also heads the villagers' or residents' committee (一肩挑); shown, not weighed in the score (null: not counted for this organization)",
    ),
  redPeriods: z
    .number()
    .nullable()
    .describe('months of the year up to the day assessed whose last rating (三色管理) was red; shown, not weighed (null: assessed before ratings were kept)'),
});

export const assessmentCountiesSchema = z.object({ run: assessmentRunSchema, items: z.array(assessmentCountySchema) });
export const assessmentOrganizationsSchema = z.object({ run: assessmentRunSchema, items: z.array(assessmentOrganizationSchema) });

// ---- yearly return 年报 (PUT/GET /organizations/{code}/returns/{year}) ----

const count = (max: number) => z.number().int().min(0).max(max);
const yuan = z.number().int().min(0).max(1_000_000_000).describe('yuan for the year');

/**
 * A yearly return as filed: the figures of the organization's kind (village: activistsTrained, reserveCadres,
 * funding; community: funding, households, memberFunding, venueSqm, centralDistrict, committeeMembersUnder35;
 * university branch: studentMembers, memberFunding). The route requires those of the kind and refuses the others.
 */
export const yearlyReturnBodySchema = z.strictObject({
  activistsTrained: count(10_000).nullish().describe('入党积极分子 trained during the year'),
  reserveCadres: count(10_000).nullish().describe('后备干部人选 on record'),
  funding: yuan.nullish().describe('village: 村办公经费 + 党组织活动经费; community: 社区工作经费 (yuan for the year)'),
  households: count(1_000_000).nullish().describe('households (户) of the community'),
  memberFunding: yuan.nullish().describe('党员活动经费 (community) or 学生党支部活动经费 (university branch), yuan for the year'),
  studentMembers: count(100_000).nullish().describe('student Party members of a university branch'),
  venueSqm: z.number().min(0).max(1_000_000).nullish().describe('office and activity venue, square metres (kept to 0.1 m²)'),
  centralDistrict: z.boolean().nullish().describe('the community lies in a central district (中心城区)'),
  committeeMembersUnder35: count(1_000).nullish().describe('community committee members under 35'),
});

export const yearlyReturnSchema = z.object({
  organization: z.string(),
  year: z.number(),
  activistsTrained: z.number().nullable(),
  reserveCadres: z.number().nullable(),
  funding: z.number().nullable(),
  households: z.number().nullable(),
  memberFunding: z.number().nullable(),
  studentMembers: z.number().nullable(),
  venueSqm: z.number().nullable(),
  centralDistrict: z.boolean().nullable(),
  committeeMembersUnder35: z.number().nullable(),
  updatedBy: z.string(),
  updatedAt: z.string(),
});

/** GET /calendar/years: which years have holiday data, and the open tasks planned provisionally for each. */
export const calendarYearsSchema = z.object({
  items: z.array(
    z.object({
      year: z.number(),
      hasHolidayData: z.boolean(),
      /** 'package': chinese-days holds it; 'loaded': an admin loaded the State Council's notice; null: missing. */
      source: z.enum(['package', 'loaded']).nullable(),
      note: z.string().nullable(),
      days: z.number().nullable(),
      loadedBy: z.string().nullable(),
      loadedAt: z.string().nullable(),
      provisionalTasks: z.number(),
      /** The re-plan of the year's provisional tasks after a load (workflow calendar-replan:<year>) is running. */
      replanRunning: z.boolean(),
    }),
  ),
  missing: z.array(z.number()),
  /** A year announced to the admins as missing (from 1 November of the year before) that still has no holiday data. */
  notice: z.number().nullable(),
  /** First and last year of the chinese-days package's data. */
  packageYears: z.tuple([z.number(), z.number()]),
});

/** A year's holidays loaded: how many days, and how many open provisional tasks are queued for re-planning. */
export const holidayLoadSchema = z.object({
  year: z.number(),
  days: z.number(),
  holidays: z.number(),
  workdays: z.number(),
  /** Open tasks planned provisionally into the year, queued for re-planning in the background. */
  replanned: z.number(),
  /** Kept for clients of the synchronous load; the background re-plan leaves failed tasks provisional instead. */
  failed: z.array(z.object({ taskId: z.number(), message: z.string() })),
  /** The background re-plan (null when no task was queued). */
  replanWorkflowId: z.string().nullable(),
});

/** GET /users: a person the pickers offer (a user with a role in the caller's subtree). */
export const userPickSchema = z.object({
  username: z.string(),
  displayName: z.string().nullable(),
  roles: z.array(z.object({ role: z.string(), org: z.string(), orgName: z.string() })),
});
export const userPicksSchema = z.object({ items: z.array(userPickSchema) });
/** GET /training-sessions: a session the pickers offer (held in the caller's subtree, or one it is enrolled in). */
export const sessionPickSchema = z.object({
  code: z.string(),
  title: z.string(),
  organization: z.string(),
  organizationName: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
});
export const sessionPicksSchema = z.object({ items: z.array(sessionPickSchema) });

// ---- ratings 三色管理 (src/domain/ratings.ts holds the colours, reasons and rules) ----
const ratingColor = z.enum(ratingColors);
/** An organization's current rating, with the reasons of the rule set that gave it. */
export const ratingItemSchema = z.object({
  code: z.string(),
  name: z.string(),
  parentName: z.string().nullable(),
  color: ratingColor,
  reasons: z.array(z.string()),
  since: z.string(),
  ruleSet: z.string(),
});
/** GET /ratings: one colour's list (表扬 / 提醒 / 预警) in the caller's subtree, and the count of each colour. */
export const ratingListSchema = z.object({
  computedAt: z.string().nullable().describe('the last recompute, Shanghai time (YYYY-MM-DD HH:MM)'),
  counts: z.object({ green: z.number(), yellow: z.number(), red: z.number() }),
  items: z.array(ratingItemSchema),
});
/** GET /ratings/matrix: per county of the caller's subtree, its organizations by colour. */
export const ratingMatrixSchema = z.object({
  items: z.array(z.object({ code: z.string(), name: z.string(), green: z.number(), yellow: z.number(), red: z.number() })),
});
/** GET /ratings/overdue-trend: open work past due at the end of each week (the current week: now). */
export const overdueTrendSchema = z.object({
  items: z.array(z.object({ weekStart: z.string(), overdue: z.number() })),
});
/** GET /organizations/{code}/ratings: the rating now, each change with its reasons, and the colour per period. */
export const ratingHistorySchema = z.object({
  code: z.string(),
  name: z.string(),
  current: ratingItemSchema.nullable(),
  changes: z.array(z.object({ at: z.string(), color: ratingColor, previous: ratingColor.nullable(), reasons: z.array(z.string()), ruleSet: z.string() })),
  periods: z.array(z.object({ period: z.string(), color: ratingColor })),
});
/** A substitute named for an absent user over a date range (src/api/substitutes.ts). */
export const substitutionSchema = z.object({
  id: z.number(),
  user: z.string().describe('the absent user'),
  substitute: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  reason: z.string().nullable(),
  namedBy: z.string(),
  active: z.boolean().describe('in force today (Shanghai)'),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
});

/** GET /organizations/{code}/life: one step of a process's timeline. */
export const lifeStepSchema = z.object({
  step: z.string(),
  state: z.enum(['done', 'current', 'cancelled', 'next']),
  taskId: z.number().nullable(),
  at: z.string().nullable().describe('done: when; current: when it opened'),
  dueAt: z.string().nullable(),
  by: z.string().nullable(),
  onBehalfOf: z.string().nullable(),
  overdue: z.boolean(),
});

export const organizationLifeSchema = z.object({
  organization: z.object({
    code: z.string(),
    name: z.string(),
    type: z.string(),
    sector: z.string().nullable(),
    settlement: z.enum(['village', 'community']).nullable().describe("a village's or community's own organization: a community's steps are named in its words"),
    secretaryName: z.string().nullable(),
  }),
  term: z.object({
    startedOn: z.string().nullable(),
    years: z.number().nullable(),
    endsOn: z.string().nullable(),
    postponedUntil: z.string().nullable(),
    late: z.boolean(),
  }),
  processes: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      status: z.string(),
      currentStep: z.string(),
      startedAt: z.string(),
      steps: z.array(lifeStepSchema),
      comments: z.number().int().describe("the process's own comments (GET /processes/{id}/comments), not its tasks'"),
      mayComment: z.boolean().describe('whether the caller may comment on the whole process (POST /processes/{id}/comments)'),
    }),
  ),
  training: z.array(
    z.object({
      cycle: z.number(),
      secretaryName: z.string().nullable(),
      startsOn: z.string(),
      endsOn: z.string(),
      state: z.string(),
      trainedOn: z.string().nullable(),
    }),
  ),
  pairings: z.array(
    z.object({
      cycle: z.number(),
      village: z.string(),
      villageName: z.string(),
      partner: z.string(),
      partnerName: z.string(),
      startsOn: z.string(),
      endsOn: z.string(),
      state: z.string(),
    }),
  ),
  liaison: z.array(
    z.object({
      officer: z.string().nullable(),
      state: z.string(),
      fullMembers: z.number().nullable(),
      acknowledgedAt: z.string().nullable(),
      establishedAt: z.string().nullable(),
    }),
  ),
  assessments: z.array(
    z.object({
      year: z.number(),
      score: z.number(),
      termOnTime: z.boolean().nullable(),
      secretaryTrained: z.boolean().nullable(),
      noOverdueTasks: z.boolean(),
      sectorRank: z.number().nullable(),
    }),
  ),
});

// ---- a filter over tasks and overdue work (task-filter.ts), saved views, batches ----

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

export const missingReturnsSchema = z.object({
  year: z.number(),
  dueOn: z.string().describe('the day the return is due (Shanghai date)'),
  overdue: z.boolean().describe('the due day has passed'),
  items: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      kind: z.enum(['village', 'community', 'university-branch']),
      secretaries: z.array(z.string()).describe('users holding the secretary role there: whom a 催报 reaches'),
      nudges: z.number().describe('催报 sent for this year'),
      lastNudgedAt: z.string().nullable(),
    }),
  ),
});
export const returnNudgeResultSchema = z.object({
  id: z.number(),
  organizations: z.number().describe('organizations on the list, each recorded and counted'),
  people: z.number().describe('secretaries who received one message each'),
  unreached: z.array(z.string()).describe('organizations with no user holding the secretary role'),
});
export const nudgeResultSchema = z.object({
  id: z.number(),
  tasks: z.number().describe('live tasks the filter reached in the caller’s subtree; each is recorded and counted'),
  people: z.number().describe('people who received one message each'),
  unreached: z.array(z.number()).describe('tasks nobody holds (no user holds the assigned role there)'),
});
