// The member register's and its transfers' answers as the API declares them: the routes validate and document
// their answers with these schemas, and the web UI takes its types from them (`import type` + z.infer). Zod and the
// domain's words only.
import { z } from 'zod';
import { isValidIsoDate } from '../domain/dates.js';
import { memberCategories, memberStatuses } from '../domain/members.js';
import { transferDirections, transferStates } from '../domain/member-transfer/rules.js';
import { importRowErrorSchema } from '../api/schemas.js';

export const personalFields = ['idNumber', 'phone'] as const;

/** A member as a register lists them: phone and 身份证号 masked unless revealed. */
export const memberSummarySchema = z.object({
  id: z.number(),
  name: z.string(),
  gender: z.string().describe('male | female (src/domain/members.ts genders)'),
  category: z.enum(memberCategories),
  status: z.enum(memberStatuses),
  statusSince: z.string().nullable(),
  joinedOn: z.string(),
  fullOn: z.string().nullable(),
  organization: z.object({ code: z.string(), name: z.string() }),
  phone: z.string().nullable().describe('masked (138****5678) unless revealed'),
  idNumber: z.string().describe('masked (4201**********123X) unless revealed'),
  occupation: z.string().nullable(),
  partyGroup: z.object({ id: z.number(), name: z.string() }).nullable().describe('the 党小组 the member is in today'),
});
/** GET /members/{id}: the record, and which fields this answer unmasked. */
export const memberSchema = memberSummarySchema.extend({
  ethnicity: z.string().nullable(),
  birthDate: z.string(),
  education: z.string().nullable(),
  linkedUser: z.string().nullable(),
  /** The period away under way (流动, 出国出境), or null: an imported 流动 member has the status and no period until registered. */
  awayPeriod: z
    .object({ kind: z.enum(['away', 'abroad']), place: z.string(), since: z.string(), workflowId: z.string() })
    .nullable()
    .optional(),
  revealed: z.array(z.enum(personalFields)),
});
export const memberListSchema = z.object({ items: z.array(memberSummarySchema), nextCursor: z.string().nullable(), revealed: z.array(z.enum(personalFields)) });
/** A line of a member's history: registered, updated (by an import), status-changed, moved, linked. */
export const memberEventSchema = z.object({
  id: z.number(),
  kind: z.string(),
  at: z.string(),
  actor: z.string(),
  source: z.string().nullable(),
  reason: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
});
export const memberImportResultSchema = z.object({
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  kept: z.array(importRowErrorSchema).describe('rows whose register or status orglife recorded later, kept as recorded'),
});
export const memberCountsSchema = z.object({ items: z.array(z.object({ status: z.enum(memberStatuses), category: z.enum(memberCategories), n: z.number() })) });

/** `reveal`: the personal fields asked unmasked (a role that may, each value read audited). */
export const revealQuery = z
  .string()
  .max(40)
  .regex(/^(idNumber|phone)(,(idNumber|phone))?$/, 'a comma-separated list of idNumber, phone')
  .optional()
  .describe('unmask these fields (needs a role that may: each value read is audited)');
export const isoDateSchema = z.string().refine(isValidIsoDate, 'expected a date YYYY-MM-DD');

/** A transfer as the register's list shows it. */
export const transferSchema = z.object({
  id: z.number(),
  workflowId: z.string(),
  direction: z.enum(transferDirections),
  member: z.string(),
  memberId: z.number().nullable(),
  from: z.string().nullable().describe('the sending organization’s name, or where outside the province'),
  to: z.string().nullable().describe('the receiving organization’s name, or where outside the province'),
  letterNumber: z.string().nullable(),
  issuedOn: z.string(),
  validUntil: z.string(),
  state: z.enum(transferStates),
  reportedOn: z.string().nullable(),
});
export const transferStartedSchema = z.object({ id: z.number(), workflowId: z.string(), validUntil: z.string() });

/** A branch's 党小组 as its register lists it: its leader and its members of today. */
export const partyGroupSchema = z.object({
  id: z.number(),
  name: z.string(),
  leader: z.object({ id: z.number(), name: z.string() }).nullable().describe('the 党小组长, a member of the branch'),
  createdOn: z.string(),
  members: z.array(z.object({ id: z.number(), name: z.string(), since: z.string() })),
});
export const partyGroupListSchema = z.object({ items: z.array(partyGroupSchema) });
const groupName = z.string().trim().min(1).max(32);
const memberRef = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const partyGroupCreateBody = z.object({ name: groupName, leaderId: memberRef.nullable().optional() }).strict();
export const partyGroupUpdateBody = z.object({ name: groupName.optional(), leaderId: memberRef.nullable().optional() }).strict();
export const partyGroupDissolveBody = z.object({ on: isoDateSchema }).strict();
export const memberGroupBody = z
  .object({
    groupId: memberRef.nullable(),
    since: isoDateSchema.optional().describe("from this day (today by default): a 党小组会's attendance reads the group by day"),
  })
  .strict();
