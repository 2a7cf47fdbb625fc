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
