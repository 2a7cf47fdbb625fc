// The yearly return (年报) as the API takes and answers it (PUT/GET /organizations/{code}/returns/{year}), its missing
// filers and their nudge (催报). Zod and the domain's words only: the routes validate and document their answers with
// these schemas, and the web UI takes its types from them (`import type` + z.infer, type-checked by
// web/tsconfig.json).
import { z } from 'zod';

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
