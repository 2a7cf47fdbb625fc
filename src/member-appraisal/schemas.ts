// The API's shapes of 民主评议党员: the county's plan, and a member's grades.
import { z } from 'zod';
import { appraisalRatings, improvementDecisions } from '../domain/member-appraisal/rules.js';

export const appraisalPlanBody = z
  .object({
    year: z.number().int().min(2019).max(2100).describe('the year appraised'),
    reportBy: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .describe("the day the townships' reviews are due (YYYY-MM-DD): not past, in the year appraised or the next"),
  })
  .strict();
export const appraisalPlanResult = z.object({
  started: z.number().int().describe('branches whose appraisal started now'),
  running: z.number().int().describe('branches whose appraisal was starting already'),
});

export const memberAppraisalSchema = z.object({
  year: z.number().int(),
  rating: z.enum(appraisalRatings),
  votes: z.partialRecord(z.enum(appraisalRatings), z.number().int()).nullable().describe("the 民主测评's count for each grade, where the result gave it"),
  organization: z.object({ code: z.string(), name: z.string() }),
  improvement: z
    .object({ dueOn: z.string(), decision: z.enum(improvementDecisions).nullable(), decidedOn: z.string().nullable() })
    .nullable()
    .describe('a 不合格 member: the end of their time to improve and the decision at its end'),
});
