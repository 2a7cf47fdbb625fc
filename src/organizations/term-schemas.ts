// The register of terms as the API answers it: terms by end date, the yearly plan (换届计划), the late terms (未按期换届). Zod
// and the domain's words only: the routes validate and document their answers with these schemas, and the web UI
// takes its types from them (`import type` + z.infer, type-checked by web/tsconfig.json).
import { z } from 'zod';
import { termPlanReasons } from '../domain/rules.js';

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
