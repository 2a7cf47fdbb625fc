// The yearly assessment as the API answers it (GET /assessments/{year}/counties and /organizations). Zod and the
// domain's words only: the routes validate and document their answers with these schemas, and the web UI takes its
// types from them (`import type` + z.infer, type-checked by web/tsconfig.json).
import { z } from 'zod';

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
  recruitmentTargets: z
    .boolean()
    .nullable()
    .describe('a village met the seed’s recruitment targets, read from the cases of 发展党员 (null: not a village); shown, not weighed'),
  recruitmentPlanMet: z
    .boolean()
    .nullable()
    .describe('admitted at least the 预备党员 its recruitment plan gave it, from the cases (null: no plan for the year); shown, not weighed'),
  meetingsMet: z
    .number()
    .nullable()
    .describe('三会一课: the share (%) of the meetings due by the day assessed that a record met, on time or late (null: none due); shown, not weighed'),
  meetingsOnTime: z.number().nullable().describe('三会一课: the share (%) of the meetings due by the day assessed met on time; shown, not weighed'),
});

export const assessmentCountiesSchema = z.object({ run: assessmentRunSchema, items: z.array(assessmentCountySchema) });

export const assessmentOrganizationsSchema = z.object({ run: assessmentRunSchema, items: z.array(assessmentOrganizationSchema) });
