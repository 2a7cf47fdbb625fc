// The step catalog's shape (src/domain/steps.ts gathers the entries each process defines in its own folder,
// src/domain/<process>/steps.ts): what a step is, how an entry is written, and the rights that follow its role.
import type { z } from 'zod';
import { steeringRoles, type Role } from './roles.js';
import type { FieldSpec } from './fields.js';
import { doingActions, type TaskAction } from './task-rights.js';

export const processKinds = [
  'term-election',
  'two-recommendations-one-election',
  'rotation-training',
  'liaison-dispatch',
  'pairing',
  'term-date-missing',
  'rating-interview',
  'member-transfer',
  'member-away',
  'recruitment',
  'organization-life',
  'member-appraisal',
] as const;
export type ProcessKind = (typeof processKinds)[number];
export const languages = ['zh-CN', 'en'] as const;
export type Lang = (typeof languages)[number];

export type Outcome = z.ZodType<Record<string, unknown>>;

export interface StepDef<S extends Outcome = Outcome, C = unknown> {
  /** `process:step`: a task row's (process, step) names its entry. */
  id: string;
  process: ProcessKind;
  step: string;
  /** Who does it. Those who steer above the task (organizer, supervisor, admin) may do it too. */
  role: Role;
  /**
   * Who records the outcome, where the one who does the step may not certify it themselves (attendance at a
   * training: the session's organizer, domain.md §4.3): completing the task is theirs alone (at or above the task's
   * organization), while `role` still holds the task, is reminded of it and may comment on it.
   */
  recordedBy?: readonly Role[];
  /**
   * Done by the person the task names (its assignee person), who needs no role at the organization: a member away
   * files their own yearly report. They see the task, complete it and comment on it; `role` there (and those who
   * steer above) may still do it for them — a report given by telephone — and holds it when no person is named.
   */
  byPerson?: true;
  outcome: S;
  fields: readonly FieldSpec[];
  /** The step's rule on the parsed outcome, with the context the task was opened with; throws RuleViolation. */
  rule?: (outcome: z.output<S>, context: C) => void;
  /** The field a broken rule (RuleViolation.rule, named by the API's 422) is shown next to; else the form's top. */
  ruleFields?: Readonly<Record<string, string>>;
  /** The step's name, in every language of the UI. */
  words: Readonly<Record<Lang, string>>;
  /** The step's name where the organization's own words differ (a community's street committee), by variant. */
  variants?: Readonly<Record<string, Readonly<Record<Lang, string>>>>;
  /**
   * A task of this step is decided on its own context: the process's earlier outcomes are not shown with it (a
   * month's meeting record stands apart from the last month's; a spot-check reads the branch's records page).
   */
  decidedAlone?: true;
  /** What the person decides on: the context's fields shown above the form, in this order. */
  shows?: readonly (keyof C & string)[];
  /** Only for the type: what the workflow must write as the context when it opens the step. */
  readonly context?: C;
}

/** A catalog entry, its rule typed by its schema and context. */
export function step<C = Record<string, never>>() {
  return <S extends Outcome>(d: Omit<StepDef<S, C>, 'id' | 'context'>): StepDef<S, C> => ({ ...d, id: `${d.process}:${d.step}` });
}

/**
 * What sets one task of a step apart from the step's others in its title: a variant of the step's words, what the
 * task is about (an organization's name, a deliverable) and which part of the process it is (a quarter, a year).
 */
export interface TaskTitle {
  variant?: string;
  about?: string;
  part?: string;
}

/** A task's title, made from its step's words (or their variant) only: '补录届期信息：某村党支部', '走访报告（第2期）'. */
export function stepTitle(def: Pick<StepDef, 'words' | 'variants'>, t: TaskTitle = {}, lang: Lang = 'zh-CN'): string {
  const words = (t.variant !== undefined ? def.variants?.[t.variant] : undefined) ?? def.words;
  return `${words[lang]}${titleSuffix(t, lang)}`;
}

/** What follows a step's words in a task's name: '：陈明', '（第2期）' — or ': Chen Ming', ' (2nd)'. */
export function titleSuffix(t: TaskTitle, lang: Lang): string {
  const zh = lang === 'zh-CN';
  const about = t.about ? (zh ? `：${t.about}` : `: ${t.about}`) : '';
  const part = t.part ? (zh ? `（${t.part}）` : ` (${t.part})`) : '';
  return `${about}${part}`;
}

const steerers = steeringRoles;
const doing: readonly TaskAction[] = doingActions;

/** The roles that may take `action` on a task of this step (at or above the task's organization). */
export function stepActionRoles(def: Pick<StepDef, 'role'>, action: TaskAction): readonly Role[] {
  return doing.includes(action) ? [...new Set([def.role, ...steerers])] : steerers;
}

/** The roles that may complete a task of this step: its recorders where the step names them, else as any action. */
export function stepCompletionRoles(def: Pick<StepDef, 'role' | 'recordedBy'>): readonly Role[] {
  return def.recordedBy ?? stepActionRoles(def, 'complete');
}

/** What the person a step of their own names may do to its task (StepDef.byPerson): the work, not its steering. */
export const personActions = ['complete'] as const satisfies readonly TaskAction[];

/** May `username` take `action` on a task of this step because the task names them as its person? */
export function personMay(def: Pick<StepDef, 'byPerson'> | undefined, assigneePerson: string | null, username: string, action: TaskAction): boolean {
  return def?.byPerson === true && assigneePerson !== null && assigneePerson === username && (personActions as readonly TaskAction[]).includes(action);
}

export const rulesById = <R extends { id: string }>(sets: readonly R[], id: string): R => {
  const r = sets.find((s) => s.id === id);
  if (!r) throw new Error(`unknown rule set ${id}`);
  return r;
};
