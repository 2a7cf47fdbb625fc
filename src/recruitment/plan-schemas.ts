// The shapes of 发展党员计划 and the seed's targets through the API (src/api/routes/recruitment-plan.ts).
import { z } from 'zod';

export const planYear = z.coerce.number().int().min(2000).max(2100);

export const allocationBody = z.strictObject({
  allocations: z
    .array(
      z.strictObject({
        organization: z.string().trim().min(1).max(64).describe('the code of an organization directly under the one allocating'),
        admissions: z.number().int().min(0).max(10_000).describe('预备党员 to admit in the year'),
      }),
    )
    .min(1)
    .max(500),
});

const planRow = z.object({
  code: z.string(),
  name: z.string(),
  type: z.string(),
  sector: z.string(),
  admissions: z.number().nullable().describe('what the level above gave it for the year (null: nothing yet)'),
  allocated: z.number().describe('what it has allocated further down, together'),
  admitted: z.number().describe('预备党员 admitted in its subtree in the year, read from the cases of 发展党员'),
  nudges: z.number(),
});

export const planSchema = z.object({
  year: z.number(),
  organization: z.object({ code: z.string(), name: z.string(), type: z.string(), sector: z.string() }),
  given: z.number().nullable().describe('what the level above gave this organization (null at the county, where the plan is entered)'),
  entersPlan: z.boolean().describe('this organization enters the plan itself (a county): nothing above limits it'),
  allocated: z.number(),
  admitted: z.number(),
  items: z.array(planRow),
});

export const villageTargetsSchema = z.object({
  year: z.number(),
  ruleSet: z.string(),
  targets: z.object({ activistsPerYear: z.number(), candidatesInWindow: z.number(), candidateWindowFrom: z.string(), quietYears: z.number() }),
  items: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      activists: z.number().describe('入党积极分子 made in the year'),
      candidates: z.number().describe('发展对象 made in the window (this year and the one before)'),
      admitted: z.number().describe('预备党员 admitted in the year'),
      planned: z.number().nullable().describe('what the plan gave the village for the year'),
      met: z.boolean().describe('both of the seed’s targets met'),
      lastAdmittedOn: z.string().nullable().describe('the last 入党时间 on the village’s register or of a case admitted there'),
      quiet: z.boolean().describe('no one admitted for the rule set’s quiet years'),
      secretaries: z.array(z.string()),
      nudges: z.number(),
    }),
  ),
  summary: z
    .object({
      villages: z.number(),
      met: z.number().describe('villages meeting both targets'),
      quiet: z.number().describe('villages that admitted no one for the quiet years'),
      quietNames: z.array(z.string()).describe('the first quiet villages by code (at most 20)'),
    })
    .describe('over every village of the subtree, not only this page'),
  next: z.string().nullable().describe('pass as `after` for the next page; null on the last'),
});

export const recruitmentNudgeBody = z.strictObject({
  year: planYear,
  list: z.enum(['targets', 'plan']).describe('targets: the villages missing a target; plan: the organizations that admitted fewer than their allocation'),
  message: z.string().trim().min(1).max(200).optional(),
});

export const recruitmentNudgeResult = z.object({ id: z.number(), organizations: z.number(), people: z.number(), unreached: z.array(z.string()) });
