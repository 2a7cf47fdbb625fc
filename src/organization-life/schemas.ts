// The API's shapes of organization life: a year's start, a branch's meetings, a period's completeness.
import { z } from 'zod';
import { meetingKinds } from '../domain/organization-life/rules.js';

const kind = z.enum(meetingKinds);

/** A period as the rule set names it: a month (2026-03) or a quarter (2026-Q1). */
export const periodSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/, { message: 'a month YYYY-MM or a quarter YYYY-Qn' })
  .describe('a month (2026-03) or a quarter (2026-Q1)');

export const lifeYearsBody = z
  .object({
    under: z.string().min(1).max(64).describe("the organization whose branches' year starts (in the caller's subtree)"),
    year: z.number().int().min(2018).max(2100),
  })
  .strict();
export const lifeYearsResult = z.object({ started: z.number().int(), running: z.number().int() });

export const meetingSchema = z.object({
  id: z.number().int(),
  meetingOn: z.string(),
  kinds: z.array(kind),
  group: z.string().nullable().describe("a 党小组会's group (its attendance is the group's members on the day)"),
  topic: z.string(),
  onRegister: z.number().int().describe("every member on the register on the meeting's day (a 党小组会: in its group)"),
  present: z.number().int(),
  recordedBy: z.string(),
  recordedAt: z.string(),
  met: z.array(z.object({ period: z.string(), kind, late: z.boolean() })).describe('the obligations the record met, each on time or late'),
});

const counts = {
  held: z.number().int().describe('met by a record on time'),
  late: z.number().int().describe('met by a meeting after its period or a record after its due day'),
  missing: z.number().int().describe('past the due day with no record'),
  open: z.number().int().describe('not yet due, no record yet'),
  waived: z.number().int(),
};
export const completenessSchema = z.object({
  organization: z.object({ code: z.string(), name: z.string() }),
  period: z.string(),
  totals: z.object({ branches: z.number().int(), ...counts }),
  rows: z.array(z.object({ code: z.string(), name: z.string(), type: z.string(), branches: z.number().int(), ...counts })),
  missing: z.array(z.object({ code: z.string(), name: z.string(), kind, group: z.string().nullable(), dueOn: z.string(), escalationLevel: z.number().int() })),
});
