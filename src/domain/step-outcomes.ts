// What a person files to complete a task, per process step: one zod schema each, with the fields the web UI
// renders as a form. Shared by the browser (validation before sending, errors next to the field) and available
// to the API to validate `outcome` the same way. Messages are i18n keys (`v.*`), translated by the UI.
import { z } from 'zod';

export type FieldKind = 'date' | 'int' | 'select' | 'text';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  required: boolean;
  options?: readonly string[];
  min?: number;
  max?: number;
}

export interface StepForm {
  fields: readonly FieldSpec[];
  schema: z.ZodType<Record<string, unknown>>;
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const required = (iss: { input: unknown }) => (iss.input === undefined || iss.input === '' ? 'v.required' : undefined);

export const nominationMethods = ['members', 'committee', 'combined'] as const;

/** 换届请示: the outgoing committee asks to hold the election (domain.md §4.1 step 3): date, seats, nomination method. */
const electionRequest = z.object({
  electionDate: z
    .string({ error: required })
    .regex(isoDate, { error: 'v.date' })
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), { error: 'v.date' }),
  seats: z
    .number({ error: (iss) => required(iss) ?? 'v.int' })
    .int({ error: 'v.int' })
    .min(3, { error: 'v.min' })
    .max(31, { error: 'v.max' }),
  nominationMethod: z.enum(nominationMethods, { error: (iss) => required(iss) ?? 'v.option' }),
  note: z.string().max(500, { error: 'v.tooLong' }).optional(),
});

const dateField = z
  .string({ error: required })
  .regex(isoDate, { error: 'v.date' })
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), { error: 'v.date' });
const intField = (min: number, max: number) =>
  z
    .number({ error: (iss) => required(iss) ?? 'v.int' })
    .int({ error: 'v.int' })
    .min(min, { error: 'v.min' })
    .max(max, { error: 'v.max' });
const textField = (max: number) => z.string({ error: required }).trim().min(1, { error: 'v.required' }).max(max, { error: 'v.tooLong' });
const personName = textField(100);
const choice = <T extends readonly [string, ...string[]]>(options: T) => z.enum(options, { error: (iss) => required(iss) ?? 'v.option' });
const count = intField(0, 1_000_000);
/** Votes or recommendations per person named: at least one name. */
const votesPerName = z
  .record(personName, count)
  .refine((v) => Object.keys(v).length > 0 && Object.keys(v).length <= 200, { error: 'v.required' });

// Two recommendations, one election 两推一选 (domain.md §4.2). The rules on the counts are in two-recommendations.ts.
export const selectionPosts = ['secretary', 'committee'] as const;
export const villagerBases = ['villagers', 'representatives'] as const;
export const yesNo = ['yes', 'no'] as const;

/** The township committee publishes the plan: posts, seats, who recommends in the second round, eligibility. */
export const selectionPlanOutcome = z.object({
  post: choice(selectionPosts),
  seats: intField(1, 15),
  villagerBasis: choice(villagerBases),
  eligibility: textField(2000),
  publishedOn: dateField,
});
/** A recommendation meeting's counts (members' or villagers'). */
export const recommendationOutcome = z.object({ entitled: intField(1, 1_000_000), present: count, votes: votesPerName });
/** The township committee's preliminary candidates, or "no suitable candidate" (a first secretary is dispatched). */
export const preliminaryCandidatesOutcome = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('candidates'), candidates: z.array(personName).min(1, { error: 'v.required' }).max(60, { error: 'v.max' }) }),
  z.object({ decision: z.literal('no-suitable-candidate'), reason: textField(2000) }),
]);
/** The members' meeting's secret ballot. */
export const selectionBallotOutcome = z.object({ entitled: count, present: count, ballotsIssued: count, ballotsReturned: count, votes: votesPerName });
/** The new committee elects the secretary; whether the secretary also heads the villagers' committee (一肩挑). */
export const selectionSecretaryOutcome = z.object({ secretary: personName, concurrentHead: choice(yesNo) });
/** The township committee approves and files, or rejects (then a first secretary is dispatched). */
export const townshipApprovalOutcome = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('approve'), comments: z.string().max(2000, { error: 'v.tooLong' }).optional() }),
  z.object({ decision: z.literal('reject'), comments: textField(2000) }),
]);
/** The county organization department dispatches a first secretary (第一书记). */
export const firstSecretaryOutcome = z.object({ firstSecretary: personName, fromUnit: textField(200), startsOn: dateField });

// Urban–rural pairing 结对共建 (domain.md §4.5). Milestones and evidence are recorded on the deliverable's task.
export const reviewRatings = ['good', 'adequate', 'poor'] as const;
export const pairingDecisions = ['continue', 'end'] as const;
/** A deliverable is delivered (every milestone recorded, checked by the workflow). */
export const deliverableOutcome = z.object({ summary: textField(2000) });
/** The yearly review; the last one of the cycle decides whether the pairing continues. */
export const pairingReviewOutcome = z.object({ rating: choice(reviewRatings), comments: textField(2000), decision: choice(pairingDecisions).optional() });

export const stepForms: Record<string, StepForm> = {
  'election-request': {
    fields: [
      { name: 'electionDate', kind: 'date', required: true },
      { name: 'seats', kind: 'int', required: true, min: 3, max: 31 },
      { name: 'nominationMethod', kind: 'select', required: true, options: nominationMethods },
      { name: 'note', kind: 'text', required: false, max: 500 },
    ],
    schema: electionRequest,
  },
  'selection-plan': {
    fields: [
      { name: 'post', kind: 'select', required: true, options: selectionPosts },
      { name: 'seats', kind: 'int', required: true, min: 1, max: 15 },
      { name: 'villagerBasis', kind: 'select', required: true, options: villagerBases },
      { name: 'eligibility', kind: 'text', required: true, max: 2000 },
      { name: 'publishedOn', kind: 'date', required: true },
    ],
    schema: selectionPlanOutcome,
  },
  'selection-secretary': {
    fields: [
      { name: 'secretary', kind: 'text', required: true, max: 100 },
      { name: 'concurrentHead', kind: 'select', required: true, options: yesNo },
    ],
    schema: selectionSecretaryOutcome,
  },
  'township-approval': {
    fields: [
      { name: 'decision', kind: 'select', required: true, options: ['approve', 'reject'] },
      { name: 'comments', kind: 'text', required: false, max: 2000 },
    ],
    schema: townshipApprovalOutcome,
  },
  'first-secretary-dispatch': {
    fields: [
      { name: 'firstSecretary', kind: 'text', required: true, max: 100 },
      { name: 'fromUnit', kind: 'text', required: true, max: 200 },
      { name: 'startsOn', kind: 'date', required: true },
    ],
    schema: firstSecretaryOutcome,
  },
  'pairing-deliverable': {
    fields: [{ name: 'summary', kind: 'text', required: true, max: 2000 }],
    schema: deliverableOutcome,
  },
  'pairing-review': {
    fields: [
      { name: 'rating', kind: 'select', required: true, options: reviewRatings },
      { name: 'comments', kind: 'text', required: true, max: 2000 },
      { name: 'decision', kind: 'select', required: false, options: pairingDecisions },
    ],
    schema: pairingReviewOutcome,
  },
};

/** Turns the form's strings into the outcome's types (empty → absent, int fields → numbers). */
export function formToOutcome(form: StepForm, values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of form.fields) {
    const v = (values[f.name] ?? '').trim();
    if (v === '') continue;
    out[f.name] = f.kind === 'int' ? (/^-?\d+$/.test(v) ? Number(v) : Number.NaN) : v;
  }
  return out;
}

/** Field name → first error key, or null when the outcome is valid. */
export function validateOutcome(form: StepForm, outcome: Record<string, unknown>): Record<string, string> | null {
  const r = form.schema.safeParse(outcome);
  if (r.success) return null;
  const errors: Record<string, string> = {};
  for (const issue of r.error.issues) {
    const field = String(issue.path[0] ?? '_');
    errors[field] ??= issue.message;
  }
  return errors;
}
