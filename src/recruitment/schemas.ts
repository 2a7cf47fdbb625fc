// The shapes of 发展党员 through the API (src/api/routes/recruitment.ts).
import { z } from 'zod';
import { genders } from '../domain/members.js';
import { recruitmentStages } from '../domain/recruitment/rules.js';
import { isoDateSchema } from '../members/schemas.js';

export const applicationBody = z.strictObject({
  name: z.string().trim().min(1).max(64),
  gender: z.enum(genders),
  idNumber: z.string().trim().min(1).max(32).describe('身份证号 (18 characters; the birth date is read from it)'),
  phone: z.string().trim().min(1).max(20).optional(),
  appliedOn: isoDateSchema.optional().describe('the day of the written application (default: today; never later)'),
});

export const applicantSchema = z.object({
  id: z.number(),
  workflowId: z.string(),
  name: z.string(),
  gender: z.enum(genders),
  idNumber: z.string().describe('masked'),
  appliedOn: z.string(),
  stage: z.enum(recruitmentStages),
  stageSince: z.string(),
  organization: z.string(),
  organizationName: z.string(),
  linkedUser: z.string().nullable(),
  waitingFor: z.object({ taskId: z.number(), step: z.string(), dueAt: z.string(), escalationLevel: z.number() }).nullable(),
});

export const caseSchema = applicantSchema.extend({
  history: z.array(z.object({ at: z.string(), step: z.string(), eventKey: z.string() })),
});
