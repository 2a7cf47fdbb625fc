// The working-day calendar as the API answers it: the years with and without holiday data, a year's load. Zod and the
// domain's words only: the routes validate and document their answers with these schemas, and the web UI takes its
// types from them (`import type` + z.infer, type-checked by web/tsconfig.json).
import { z } from 'zod';

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
