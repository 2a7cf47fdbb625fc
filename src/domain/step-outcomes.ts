// What a person files to complete a task, per process step: one zod schema each, with the fields the web UI
// renders as a form. Shared by the browser (validation before sending, errors next to the field) and available
// to the API to validate `outcome` the same way. Messages are i18n keys (`v.*`), translated by the UI.
// A step's form uses the very schema and domain check the workflow's validator runs (the check reads what it
// needs from the process history, step-context.ts), so the form refuses what the workflow would refuse.
import { z } from 'zod';
import { RuleViolation } from './election.js';
import { checkReview } from './pairing.js';
import {
  liaisonRulesOf,
  pairingReviewYearOf,
  pairingRulesOf,
  selectionBallotOf,
  selectionPlanOf,
  selectionRankingOf,
  termBallotOf,
  termRulesOf,
  trainingEnrolmentsOf,
  twoRecRulesOf,
  type StepHistory,
} from './step-context.js';
import {
  ballotOutcome,
  candidatesOutcome,
  checkBallot,
  checkCandidates,
  checkPostponement,
  checkSecretary,
  electionReplyOutcome,
  electionRequestOutcome,
  reviewOutcome,
  secretaryOutcome,
} from './term-election.js';
import { checkPreliminaryCandidates, checkRecommendationRound, checkSelectionBallot } from './two-recommendations.js';
import { assignOfficerOutcome, checkEstablishThreshold, foundingMeetingOutcome, visitReportOutcome } from './liaison-dispatch.js';
import { attendanceOutcome, checkAttendance } from './rotation-training.js';

/**
 * `names`: one name a line (a list of candidates); `votes`: one "name count" a line (votes or recommendations per
 * person); `check`: a box that must be ticked (the outcome holds `true`).
 */
export type FieldKind = 'date' | 'int' | 'select' | 'text' | 'names' | 'votes' | 'check';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  required: boolean;
  options?: readonly string[];
  /** For text: the shortest and longest length; for int: the range. Shown in the field's error. */
  min?: number;
  max?: number;
  /** Shown (and sent) only while another field has one of these values: the branches of a decision. */
  when?: { field: string; is: readonly string[] };
}

export interface StepForm {
  fields: readonly FieldSpec[];
  schema: z.ZodType<Record<string, unknown>>;
  /** The workflow's rule on the parsed outcome, with what the history tells; throws RuleViolation. */
  check?: (outcome: Record<string, unknown>, history: StepHistory) => void;
  /** The field a broken rule (RuleViolation.rule, also named by the API's 422) is shown next to. */
  ruleFields?: Readonly<Record<string, string>>;
}

/** A form whose check is typed by its schema's output. */
function form<S extends z.ZodType<Record<string, unknown>>>(f: {
  fields: readonly FieldSpec[];
  schema: S;
  check?: (outcome: z.output<S>, history: StepHistory) => void;
  ruleFields?: Readonly<Record<string, string>>;
}): StepForm {
  return f as unknown as StepForm;
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const required = (iss: { input: unknown }) => (iss.input === undefined || iss.input === '' ? 'v.required' : undefined);

/** The nomination methods the request form offers (the workflow keeps any short text, as API clients send it). */
export const nominationMethods = ['members', 'committee', 'combined'] as const;

/**
 * A form field of a workflow's own schema (src/domain/*), whether it is required and its bounds read from that
 * schema: the form states no rule of its own, so it can be neither stricter nor looser than the workflow.
 */
function fieldOf(schema: z.ZodObject, name: string, kind: FieldKind, extra: Pick<FieldSpec, 'options' | 'when'> = {}): FieldSpec {
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

/** Steps whose workflow takes any outcome (an acknowledgement, a report filed on paper): an optional note. */
export const noteOutcome = z.object({ note: z.string().max(4000, { error: 'v.tooLong' }).optional() });

const note: FieldSpec = { name: 'note', kind: 'text', required: false, max: 4000 };
const review = (decisions: readonly string[], schema: z.ZodType<Record<string, unknown>>) =>
  form({
    fields: [
      { name: 'decision', kind: 'select', required: true, options: decisions },
      { name: 'comments', kind: 'text', required: false, min: 2, max: 4000 },
    ],
    schema,
  });
/** RuleViolation names of a ballot (election.ts countVotes, checkBallot) and the fields they concern. */
const ballotRules = { entitled: 'entitled', present: 'present', quorum: 'present', 'void-ballot': 'ballotsReturned', ballots: 'ballotsIssued', votes: 'votes', candidates: 'votes' };
const recommendationRules = { entitled: 'entitled', present: 'present', turnout: 'present', votes: 'votes' };
const ballotFields: readonly FieldSpec[] = [
  { name: 'entitled', kind: 'int', required: true, min: 0, max: 1_000_000 },
  { name: 'present', kind: 'int', required: true, min: 0, max: 1_000_000 },
  { name: 'ballotsIssued', kind: 'int', required: true, min: 0, max: 1_000_000 },
  { name: 'ballotsReturned', kind: 'int', required: true, min: 0, max: 1_000_000 },
  { name: 'votes', kind: 'votes', required: true },
];
const recommendationFields: readonly FieldSpec[] = [
  { name: 'entitled', kind: 'int', required: true, min: 1, max: 1_000_000 },
  { name: 'present', kind: 'int', required: true, min: 0, max: 1_000_000 },
  { name: 'votes', kind: 'votes', required: true },
];

/**
 * The form of every step a workflow opens a task for, by step name; `process:step` where two processes use the
 * same step name for different things (a liaison officer's training is not a secretary's rotation training).
 */
export const stepForms: Record<string, StepForm> = {
  // ---- term election 换届选举 (workflows/term-election.ts) ----
  'election-request': form({
    fields: [
      fieldOf(electionRequestOutcome, 'electionDate', 'date'),
      fieldOf(electionRequestOutcome, 'seats', 'int'),
      fieldOf(electionRequestOutcome, 'nominationMethod', 'select', { options: nominationMethods }),
      fieldOf(electionRequestOutcome, 'postponeMonths', 'int'),
      fieldOf(electionRequestOutcome, 'note', 'text'),
    ],
    schema: electionRequestOutcome,
    check: (o, h) => {
      const rules = termRulesOf(h);
      if (rules && o.postponeMonths !== undefined) checkPostponement(o.postponeMonths, rules);
    },
    ruleFields: { postponement: 'postponeMonths' },
  }),
  'election-reply': form({
    fields: [
      { name: 'decision', kind: 'select', required: true, options: ['approve', 'return', 'postpone'] },
      { name: 'postponeMonths', kind: 'int', required: true, min: 1, max: 120, when: { field: 'decision', is: ['postpone'] } },
      { name: 'comments', kind: 'text', required: false, min: 2, max: 4000 },
    ],
    schema: electionReplyOutcome,
    check: (o, h) => {
      const rules = termRulesOf(h);
      if (rules && o.decision === 'postpone') checkPostponement(o.postponeMonths, rules);
    },
    ruleFields: { postponement: 'postponeMonths' },
  }),
  candidates: form({
    fields: [
      fieldOf(candidatesOutcome, 'seats', 'int'),
      { name: 'candidates', kind: 'names', required: true, max: 200 },
    ],
    schema: candidatesOutcome,
    check: (o, h) => {
      const rules = termRulesOf(h);
      if (rules) checkCandidates(o, rules);
    },
    ruleFields: { 'candidate-margin': 'candidates' },
  }),
  'candidates-review': review(['agree', 'return'], reviewOutcome),
  'members-meeting': form({
    fields: ballotFields,
    schema: ballotOutcome,
    check: (o, h) => {
      const rules = termRulesOf(h);
      const ballot = termBallotOf(h);
      // Full members are on the register, not in the history: the workflow checks `entitled` against them.
      if (rules && ballot) checkBallot(o, { ...ballot, fullMembers: Number.POSITIVE_INFINITY }, rules);
    },
    ruleFields: ballotRules,
  }),
  'secretary-election': form({
    fields: [{ name: 'secretary', kind: 'text', required: true, max: 100 }],
    schema: secretaryOutcome,
    check: (o, h) => {
      const ballot = termBallotOf(h);
      if (ballot) checkSecretary(o.secretary, ballot.committee);
    },
    ruleFields: { secretary: 'secretary' },
  }),
  'result-report': form({ fields: [note], schema: noteOutcome }),
  'result-approval': review(['agree', 'return'], reviewOutcome),

  // ---- two recommendations, one election 两推一选 (workflows/two-recommendations-one-election.ts) ----
  'selection-plan': form({
    fields: [
      { name: 'post', kind: 'select', required: true, options: selectionPosts },
      { name: 'seats', kind: 'int', required: true, min: 1, max: 15 },
      { name: 'villagerBasis', kind: 'select', required: true, options: villagerBases },
      { name: 'eligibility', kind: 'text', required: true, max: 2000 },
      { name: 'publishedOn', kind: 'date', required: true },
    ],
    schema: selectionPlanOutcome,
  }),
  'members-recommendation': form({
    fields: recommendationFields,
    schema: recommendationOutcome,
    check: (o, h) => {
      const rules = twoRecRulesOf(h);
      const plan = selectionPlanOf(h);
      // The members on the register are not in the history: the workflow checks `entitled` against them.
      if (rules && plan) checkRecommendationRound('members', o, plan.seats, rules);
    },
    ruleFields: recommendationRules,
  }),
  'villagers-recommendation': form({
    fields: recommendationFields,
    schema: recommendationOutcome,
    check: (o, h) => {
      const rules = twoRecRulesOf(h);
      const plan = selectionPlanOf(h);
      if (rules && plan) checkRecommendationRound(plan.villagerBasis, o, plan.seats, rules);
    },
    ruleFields: recommendationRules,
  }),
  'preliminary-candidates': form({
    fields: [
      { name: 'decision', kind: 'select', required: true, options: ['candidates', 'no-suitable-candidate'] },
      { name: 'candidates', kind: 'names', required: true, max: 60, when: { field: 'decision', is: ['candidates'] } },
      { name: 'reason', kind: 'text', required: true, max: 2000, when: { field: 'decision', is: ['no-suitable-candidate'] } },
    ],
    schema: preliminaryCandidatesOutcome,
    check: (o, h) => {
      const rules = twoRecRulesOf(h);
      const plan = selectionPlanOf(h);
      const ranking = selectionRankingOf(h);
      if (o.decision === 'candidates' && rules && plan && ranking) checkPreliminaryCandidates(o.candidates, plan.seats, ranking, rules);
    },
    ruleFields: { candidates: 'candidates', 'not-recommended': 'candidates', 'recommendation-share': 'candidates', 'candidate-margin': 'candidates' },
  }),
  'selection-election': form({
    fields: ballotFields,
    schema: selectionBallotOutcome,
    check: (o, h) => {
      const rules = twoRecRulesOf(h);
      const ballot = selectionBallotOf(h);
      if (rules && ballot) checkSelectionBallot(o, { ...ballot, fullMembers: Number.POSITIVE_INFINITY }, rules);
    },
    ruleFields: ballotRules,
  }),
  'selection-secretary': form({
    fields: [
      { name: 'secretary', kind: 'text', required: true, max: 100 },
      { name: 'concurrentHead', kind: 'select', required: true, options: yesNo },
    ],
    schema: selectionSecretaryOutcome,
    check: (o, h) => {
      const ballot = selectionBallotOf(h);
      if (ballot) checkSecretary(o.secretary, ballot.committee);
    },
    ruleFields: { secretary: 'secretary' },
  }),
  'township-approval': form({
    fields: [
      { name: 'decision', kind: 'select', required: true, options: ['approve', 'reject'] },
      { name: 'comments', kind: 'text', required: false, max: 2000 },
    ],
    schema: townshipApprovalOutcome,
  }),
  'first-secretary-dispatch': form({
    fields: [
      { name: 'firstSecretary', kind: 'text', required: true, max: 100 },
      { name: 'fromUnit', kind: 'text', required: true, max: 200 },
      { name: 'startsOn', kind: 'date', required: true },
    ],
    schema: firstSecretaryOutcome,
  }),

  // ---- rotation training 轮训 (workflows/rotation-training.ts) ----
  training: form({
    fields: [
      { name: 'session', kind: 'text', required: true, max: 64 },
      { name: 'attended', kind: 'check', required: true },
    ],
    schema: attendanceOutcome,
    check: (o, h) => {
      const enrolled = trainingEnrolmentsOf(h);
      if (enrolled) checkAttendance(String(o.session), enrolled);
    },
    ruleFields: { enrolment: 'session' },
  }),

  // ---- liaison officer dispatch 选派党建联络员 (workflows/liaison-dispatch.ts) ----
  'assign-officer': form({ fields: [{ name: 'officer', kind: 'text', required: true, max: 64 }], schema: assignOfficerOutcome }),
  acknowledge: form({ fields: [note], schema: noteOutcome }),
  'liaison-dispatch:training': form({ fields: [note], schema: noteOutcome }),
  'visit-report': form({
    fields: [
      { name: 'visitedOn', kind: 'date', required: true },
      { name: 'fullMembers', kind: 'int', required: true, min: 0, max: 100_000 },
      { name: 'notes', kind: 'text', required: false, max: 4000 },
    ],
    schema: visitReportOutcome,
  }),
  'establishment-request': form({ fields: [note], schema: noteOutcome }),
  'establishment-approval': review(['agree', 'return'], reviewOutcome),
  'founding-meeting': form({
    fields: [
      { name: 'secretary', kind: 'text', required: true, max: 100 },
      { name: 'fullMembers', kind: 'int', required: true, min: 0, max: 100_000 },
    ],
    schema: foundingMeetingOutcome,
    check: (o, h) => {
      const rules = liaisonRulesOf(h);
      if (rules) checkEstablishThreshold(Number(o.fullMembers), rules.establishThreshold);
    },
    ruleFields: { 'establish-threshold': 'fullMembers' },
  }),

  // ---- urban–rural pairing 结对共建 (workflows/pairing.ts) ----
  'pairing-deliverable': form({
    fields: [{ name: 'summary', kind: 'text', required: true, max: 2000 }],
    schema: deliverableOutcome,
  }),
  'pairing-review': form({
    fields: [
      { name: 'rating', kind: 'select', required: true, options: reviewRatings },
      { name: 'comments', kind: 'text', required: true, max: 2000 },
      { name: 'decision', kind: 'select', required: false, options: pairingDecisions },
    ],
    schema: pairingReviewOutcome,
    check: (o, h) => {
      const rules = pairingRulesOf(h);
      const year = pairingReviewYearOf(h);
      if (rules && year !== undefined) checkReview(o, year, rules);
    },
    ruleFields: { 'review-decision': 'decision' },
  }),
};

/** The form of a process's step, or undefined when there is none. */
export function formFor(process: string, step: string): StepForm | undefined {
  return stepForms[`${process}:${step}`] ?? stepForms[step];
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
    else if (f.kind === 'names') out[f.name] = v.split(/[\n,，、;；]+/).map((x) => x.trim()).filter(Boolean);
    else if (f.kind === 'votes') {
      // "张三 12", "张三：12", "张三,12": a line without a count becomes NaN, which the schema refuses.
      const votes: Record<string, number> = {};
      for (const line of v.split('\n').map((x) => x.trim()).filter(Boolean)) {
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
      return issue.origin === 'number' || issue.origin === 'int' ? 'v.min' : issue.origin === 'string' && Number(issue.minimum) > 1 ? 'v.tooShort' : 'v.required';
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
 * Field name → first error key, or null when the outcome is valid. With the process history, the step's rule is
 * checked too, as the workflow will: a broken rule is `r.<rule>` next to its field (`_`: the form as a whole).
 */
export function validateOutcome(form: StepForm, outcome: Record<string, unknown>, history?: StepHistory): Record<string, string> | null {
  const r = form.schema.safeParse(outcome);
  if (!r.success) {
    const errors: Record<string, string> = {};
    for (const issue of r.error.issues) {
      const field = String(issue.path[0] ?? '_');
      errors[field] ??= issueKey(issue, outcome);
    }
    return errors;
  }
  if (!form.check || !history) return null;
  try {
    form.check(r.data, history);
  } catch (err) {
    if (err instanceof RuleViolation) return { [ruleField(form, err.rule)]: `r.${err.rule}` };
    throw err;
  }
  return null;
}

/** The field a broken rule belongs next to (`_`: the form as a whole). */
export function ruleField(form: StepForm, rule: string): string {
  return form.ruleFields?.[rule] ?? '_';
}
