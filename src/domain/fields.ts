// The building blocks of a step's form and outcome schema: the field kinds a form shows, a field read from a
// workflow's own schema, the date, number and text fields every outcome schema is made of, and the note. A module of
// its own because workflows load it: a process's run evaluates these, not every process's outcome schemas
// (step-outcomes.ts).
import { z } from 'zod';

/**
 * `names`: one name a line (a list of candidates); `votes`: one "name count" a line (votes or recommendations per
 * person); `check`: a box that must be ticked (the outcome holds `true`). `organization`, `person`, `session`: one
 * organization (its code), user (username) or training session (its code), picked by name in the web UI's
 * picker (web/src/picker.tsx); the outcome holds the same string a text field would. `exclusions`: rows of members
 * left out of a meeting's entitled count (how many or who, the reason, the approval), held by the form as JSON.
 * `members`: rows of members picked by name from the task's organization's register (web/src/member-rows.tsx), each
 * with a reason from `options`; the outcome holds their ids on the register, names and reasons. `choices`: any of
 * `options`, at least one where required (the kinds of meeting held together); the outcome holds them as a list.
 */
export type FieldKind =
  | 'date'
  | 'int'
  | 'select'
  | 'text'
  | 'names'
  | 'votes'
  | 'check'
  | 'organization'
  | 'person'
  | 'session'
  | 'exclusions'
  | 'members'
  | 'choices';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  required: boolean;
  options?: readonly string[];
  /** For text: the shortest and longest length; for int: the range. Shown in the field's error. */
  min?: number;
  max?: number;
  /** For a person: only users holding this role are offered. */
  role?: string;
  /** Shown (and sent) only while another field has one of these values: the branches of a decision. */
  when?: { field: string; is: readonly string[] };
  /** For members: the outcome's name of a row's reason, and its words' group (`opt.<rowReason>.<option>`). */
  rowReason?: string;
  /**
   * For members: who may be picked — the register's full members (by default: an entitled count leaves out voters) or
   * all of it, probationary members too (a meeting's attendance counts them).
   */
  register?: 'full' | 'all';
  /** The field starts with the task's context value of this name (a meeting's record: the kind its task is for). */
  initialFrom?: string;
}

/** What the form machinery needs of a catalog entry (steps.ts StepDef). */
export interface StepForm {
  fields: readonly FieldSpec[];
  outcome: z.ZodType<Record<string, unknown>>;
  rule?: (outcome: never, context: never) => void;
  ruleFields?: Readonly<Record<string, string>>;
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
/** A missing or empty value's message. */
export const required = (iss: { input: unknown }) => (iss.input === undefined || iss.input === '' ? 'v.required' : undefined);

/**
 * A form field of a workflow's own schema (src/domain/*), whether it is required and its bounds read from that
 * schema: the form states no rule of its own, so it can be neither stricter nor looser than the workflow.
 */
export function fieldOf(schema: z.ZodObject, name: string, kind: FieldKind, extra: Pick<FieldSpec, 'options' | 'when'> = {}): FieldSpec {
  const field = schema.shape[name];
  if (!field) throw new Error(`the schema has no field ${name}`);
  const inner = field instanceof z.ZodOptional ? field.unwrap() : field;
  const bounds =
    inner instanceof z.ZodNumber
      ? { min: inner.minValue ?? undefined, max: inner.maxValue ?? undefined }
      : inner instanceof z.ZodString
        ? { min: inner.minLength ?? undefined, max: inner.maxLength ?? undefined }
        : {};
  return { name, kind, required: !field.safeParse(undefined).success, ...bounds, ...extra };
}

/** A day as an outcome holds it (YYYY-MM-DD), required. Shared by every step's schema. */
export const dateField = z
  .string({ error: required })
  .regex(isoDate, { error: 'v.date' })
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), { error: 'v.date' });
export const intField = (min: number, max: number) =>
  z
    .number({ error: (iss) => required(iss) ?? 'v.int' })
    .int({ error: 'v.int' })
    .min(min, { error: 'v.min' })
    .max(max, { error: 'v.max' });
export const textField = (max: number) => z.string({ error: required }).trim().min(1, { error: 'v.required' }).max(max, { error: 'v.tooLong' });
/** Steps whose workflow takes any outcome (an acknowledgement, a report filed on paper): an optional note. */
export const noteOutcome = z.object({ note: z.string().max(4000, { error: 'v.tooLong' }).optional() });

export const note: FieldSpec = { name: 'note', kind: 'text', required: false, max: 4000 };

/** A user's name as a form or a message holds it (the users table's check). */
export const usernameSchema = z.string().regex(/^[A-Za-z0-9_.@-]{2,64}$/, 'expected a username');
