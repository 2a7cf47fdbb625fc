// Organizations as the API answers them: the register, units without a Party organization, the register's import, an
// organization's life. Zod and the domain's words only: the routes validate and document their answers with these
// schemas, and the web UI takes its types from them (`import type` + z.infer, type-checked by web/tsconfig.json).
import { z } from 'zod';
import { electionBodies } from '../domain/rules.js';
import { importRowErrorSchema } from '../api/schemas.js';

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
