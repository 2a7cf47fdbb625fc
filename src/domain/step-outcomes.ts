// The form machinery of the step catalog (steps.ts): the outcome schemas of the steps whose domain file has none,
// form strings → outcome, and the check that puts each error next to its field; the field kinds and the fields
// every schema is made of are fields.ts's. Messages are i18n keys (`v.*`, `r.<rule>`), translated by the UI.
import { z } from 'zod';
import { dateField, intField, required, textField, type FieldSpec, type StepForm } from './fields.js';
import { RuleViolation } from './election.js';
import { entitledExclusionReasons } from './rules.js';

/** The nomination methods the request form offers (the workflow keeps any short text, as API clients send it). */
export const nominationMethods = ['members', 'committee', 'combined'] as const;

const personName = textField(100);
const choice = <T extends readonly [string, ...string[]]>(options: T) => z.enum(options, { error: (iss) => required(iss) ?? 'v.option' });
const count = intField(0, 1_000_000);
/** Votes or recommendations per person named: at least one name. */
const votesPerName = z.record(personName, count).refine((v) => Object.keys(v).length > 0 && Object.keys(v).length <= 200, { error: 'v.required' });

/**
 * Full members left out of a members' meeting's entitled count (election.ts checkEntitled): how many or who, a
 * reason the regulations accept, and the higher committee's approval (批复 / 批准文号). Optional on the ballot: a
 * meeting that leaves nobody out records none.
 */
export const entitledExclusions = z
  .array(
    z
      .object({
        count: intField(1, 1_000_000).optional(),
        names: z.array(personName).min(1, { error: 'v.required' }).max(1000, { error: 'v.tooMany' }).optional(),
        reason: choice(entitledExclusionReasons),
        approval: textField(200),
      })
      .refine((x) => x.count !== undefined || x.names !== undefined, { error: 'v.required' }),
  )
  .max(20, { error: 'v.tooMany' });

/**
 * Full members of the register proposed to be left out of a members' meeting's entitled count, each by their id on
 * the register (and the name the form showed) and a reason the regulations accept; the higher committee approves the list in a step of its own
 * (term-election/steps.ts). No member twice.
 */
export const memberExclusions = z
  .array(
    z.object({
      memberId: z
        .number({ error: (iss) => required(iss) ?? 'v.pickMember' })
        .int({ error: 'v.pickMember' })
        .positive({ error: 'v.pickMember' }),
      /** As the form showed it; the workflow records the register's. */
      name: z.string().trim().max(64, { error: 'v.tooLong' }).optional(),
      exclusionReason: choice(entitledExclusionReasons),
    }),
  )
  .max(200, { error: 'v.tooMany' })
  .refine((xs) => new Set(xs.map((x) => x.memberId)).size === xs.length, { error: 'v.duplicate' });

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
export const selectionBallotOutcome = z.object({
  entitled: count,
  present: count,
  ballotsIssued: count,
  ballotsReturned: count,
  votes: votesPerName,
  exclusions: entitledExclusions.optional(),
  /** The meeting's day, whose register the entitled count is checked against; the day it is recorded when left out. */
  meetingDate: dateField.optional(),
});
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
/** The township's yearly review of a pairing: 好, 较好, 一般, 差 — the four grades a county's reviews use. */
export const reviewRatings = ['good', 'adequate', 'fair', 'poor'] as const;
export type ReviewRating = (typeof reviewRatings)[number];
/**
 * The three-grade scale (好, 较好, 差): a review whose context carries no `ratings` (opened by a run recorded without
 * the patch `pairing-review-fair`) accepts these only.
 */
export const reviewRatingsBeforeFair = ['good', 'adequate', 'poor'] as const satisfies readonly ReviewRating[];
export const pairingDecisions = ['continue', 'end'] as const;
/** A deliverable is delivered (every milestone recorded, checked by the workflow). */
export const deliverableOutcome = z.object({ summary: textField(2000) });
/** The yearly review; the last one of the cycle decides whether the pairing continues. */
export const pairingReviewOutcome = z.object({ rating: choice(reviewRatings), comments: textField(2000), decision: choice(pairingDecisions).optional() });

/** A decision and comments (a review, a reply). */
export const reviewFields = (decisions: readonly string[]): readonly FieldSpec[] => [
  { name: 'decision', kind: 'select', required: true, options: decisions },
  { name: 'comments', kind: 'text', required: false, min: 2, max: 4000 },
];
/** RuleViolation names of a ballot (election.ts countVotes, checkBallot) and the fields they concern. */
export const ballotRules = {
  entitled: 'entitled',
  'entitled-count': 'entitled',
  'exclusion-reason': 'exclusions',
  exclusions: 'exclusions',
  present: 'present',
  quorum: 'present',
  'void-ballot': 'ballotsReturned',
  ballots: 'ballotsIssued',
  votes: 'votes',
  candidates: 'votes',
};
export const recommendationRules = { entitled: 'entitled', present: 'present', turnout: 'present', votes: 'votes' };
export const ballotFields: readonly FieldSpec[] = [
  { name: 'entitled', kind: 'int', required: true, min: 0, max: 1_000_000 },
  { name: 'present', kind: 'int', required: true, min: 0, max: 1_000_000 },
  { name: 'ballotsIssued', kind: 'int', required: true, min: 0, max: 1_000_000 },
  { name: 'ballotsReturned', kind: 'int', required: true, min: 0, max: 1_000_000 },
  { name: 'votes', kind: 'votes', required: true },
  { name: 'exclusions', kind: 'exclusions', required: false, options: entitledExclusionReasons },
];
export const recommendationFields: readonly FieldSpec[] = [
  { name: 'entitled', kind: 'int', required: true, min: 1, max: 1_000_000 },
  { name: 'present', kind: 'int', required: true, min: 0, max: 1_000_000 },
  { name: 'votes', kind: 'votes', required: true },
];

/** One row of an `exclusions` field as the form holds it: how many or who (one box), the reason, the approval. */
export interface ExclusionRow {
  who: string;
  reason: string;
  approval: string;
}
/** The rows of an `exclusions` field's value (JSON; anything else is no rows). */
export function exclusionRows(v: string): ExclusionRow[] {
  try {
    const rows = JSON.parse(v || '[]') as unknown;
    if (!Array.isArray(rows)) return [];
    return rows.map((r: Partial<ExclusionRow>) => ({ who: String(r?.who ?? ''), reason: String(r?.reason ?? ''), approval: String(r?.approval ?? '') }));
  } catch {
    return [];
  }
}
/** A row as the outcome holds it: a number is how many, anything else the names (one a line or comma). */
function exclusionOf(r: ExclusionRow): Record<string, unknown> {
  const who = r.who.trim();
  const reach = /^\d+$/.test(who)
    ? { count: Number(who) }
    : who
      ? {
          names: who
            .split(/[\n,，、;；]+/)
            .map((x) => x.trim())
            .filter(Boolean),
        }
      : {};
  return { ...reach, ...(r.reason ? { reason: r.reason } : {}), approval: r.approval.trim() };
}

/**
 * One row of a `members` field as the form holds it: the member's id on the register (as text), their name, the
 * reason, and the row's own key in the form (a row keeps its picker while rows above it are removed).
 */
export interface MemberRow {
  member: string;
  name: string;
  reason: string;
  key?: string;
}
/** The rows of a `members` field's value (JSON; anything else is no rows). */
export function memberRows(v: string): MemberRow[] {
  try {
    const rows = JSON.parse(v || '[]') as unknown;
    if (!Array.isArray(rows)) return [];
    return rows.map((r: Partial<MemberRow>) => ({
      member: String(r?.member ?? ''),
      name: String(r?.name ?? ''),
      reason: String(r?.reason ?? ''),
      ...(r?.key ? { key: String(r.key) } : {}),
    }));
  } catch {
    return [];
  }
}

/** Is a field shown, given the form's current values? */
export function isShown(f: FieldSpec, values: Record<string, string>): boolean {
  return !f.when || f.when.is.includes(values[f.when.field] ?? '');
}

const toCount = (v: string) => (/^\d+$/.test(v) ? Number(v) : Number.NaN);

/** Turns the form's strings into the outcome's types (empty → absent, int fields → numbers, lines → lists). */
export function formToOutcome(form: StepForm, values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of form.fields) {
    if (!isShown(f, values)) continue;
    const v = (values[f.name] ?? '').trim();
    if (v === '') continue;
    if (f.kind === 'int') out[f.name] = /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
    else if (f.kind === 'check') out[f.name] = v === 'true';
    else if (f.kind === 'choices') out[f.name] = v.split(',').filter(Boolean);
    else if (f.kind === 'names')
      out[f.name] = v
        .split(/[\n,，、;；]+/)
        .map((x) => x.trim())
        .filter(Boolean);
    else if (f.kind === 'exclusions') {
      const rows = exclusionRows(v).filter((r) => r.who.trim() || r.reason || r.approval.trim());
      if (rows.length) out[f.name] = rows.map(exclusionOf);
    } else if (f.kind === 'members') {
      // A row not picked from the register has no id: NaN, which the schema refuses next to the field.
      const rows = memberRows(v).filter((r) => r.member || r.name.trim() || r.reason);
      if (rows.length)
        out[f.name] = rows.map((r) => ({
          memberId: /^\d+$/.test(r.member) ? Number(r.member) : Number.NaN,
          ...(r.name.trim() ? { name: r.name.trim() } : {}),
          ...(r.reason ? { [f.rowReason ?? 'exclusionReason']: r.reason } : {}),
        }));
    } else if (f.kind === 'votes') {
      // "张三 12", "张三：12", "张三,12": a line without a count becomes NaN, which the schema refuses.
      const votes: Record<string, number> = {};
      for (const line of v
        .split('\n')
        .map((x) => x.trim())
        .filter(Boolean)) {
        const m = /^(.+?)[\s:：,，=]+(\S+)$/.exec(line);
        votes[(m ? m[1]! : line).trim()] = m ? toCount(m[2]!) : Number.NaN;
      }
      out[f.name] = votes;
    } else out[f.name] = v;
  }
  return out;
}

/**
 * A zod issue as an i18n key: the shared schemas name their keys (`v.*`); the domain schemas the workflows
 * use (term-election.ts) keep zod's own messages, whose codes say the same.
 */
/** The messages of the schemas shared with the workflows (src/domain), as the UI's keys. */
const sharedMessageKeys: Readonly<Record<string, string>> = { 'expected a username': 'v.username', 'expected a date YYYY-MM-DD': 'v.date' };

function issueKey(issue: z.core.$ZodIssue, outcome: Record<string, unknown>): string {
  if (issue.message.startsWith('v.')) return issue.message;
  const shared = sharedMessageKeys[issue.message];
  if (shared && outcome[String(issue.path[0])] !== undefined) return shared;
  const field = issue.path[0];
  if (issue.path.length <= 1 && (field === undefined || outcome[String(field)] === undefined)) return 'v.required';
  switch (issue.code) {
    case 'too_small':
      return issue.origin === 'number' || issue.origin === 'int'
        ? 'v.min'
        : issue.origin === 'string' && Number(issue.minimum) > 1
          ? 'v.tooShort'
          : 'v.required';
    case 'too_big':
      return issue.origin === 'number' || issue.origin === 'int' ? 'v.max' : issue.origin === 'array' ? 'v.tooMany' : 'v.tooLong';
    case 'invalid_type':
      return issue.expected === 'number' ? 'v.int' : 'v.invalid';
    case 'invalid_value':
    case 'invalid_union':
      return 'v.option';
    default:
      return 'v.invalid';
  }
}

/**
 * Field name → first error key, or null when the outcome is valid. With the task's context, the step's rule is
 * checked too, as the workflow will: a broken rule is `r.<rule>` next to its field (`_`: the form as a whole).
 */
export function validateOutcome(form: StepForm, outcome: Record<string, unknown>, context?: unknown): Record<string, string> | null {
  const r = form.outcome.safeParse(outcome);
  if (!r.success) {
    const errors: Record<string, string> = {};
    for (const issue of r.error.issues) {
      const field = String(issue.path[0] ?? '_');
      errors[field] ??= issueKey(issue, outcome);
    }
    return errors;
  }
  if (!form.rule || context === undefined || context === null) return null;
  try {
    (form.rule as (o: unknown, c: unknown) => void)(r.data, context);
  } catch (err) {
    if (err instanceof RuleViolation) return { [ruleField(form, err.rule)]: ruleMessage(err.rule, err.params) };
    throw err;
  }
  return null;
}

/** The field a broken rule belongs next to (`_`: the form as a whole). */
export function ruleField(form: StepForm, rule: string): string {
  return form.ruleFields?.[rule] ?? '_';
}

/**
 * A broken rule as a form's message key, `r.<rule>` with its figures as a query (`r.candidate-margin?min=4`): the
 * web's validationText reads the figures into the rule's words, whether the form or the API's 422 found it.
 */
export function ruleMessage(rule: string, params: Record<string, string | number> = {}): string {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  return q ? `r.${rule}?${q}` : `r.${rule}`;
}
