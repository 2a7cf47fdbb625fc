// What a process declares about its own history, once (each process's src/domain/<process>/states.ts; gathered in
// process-states.ts): the states it moves to, and the history events it writes under keys of its own, each with its
// words in every language. The workflow moves only to declared states (ProcessRun.moveTo is typed by them) and
// builds its keys with parts from the declared templates; the web, the iCal feed and notifications read the words
// from here. A step a person does is not declared here: the step catalog (step.ts) names it, and its task lines
// (`<task>-opened`, `-filed`, `-cancelled`…) are worded from its entry and the line's verb.
import type { Lang, ProcessKind, StepDef } from './step.js';

/** Words in every language of the UI. */
export type Words = Readonly<Record<Lang, string>>;

/** A dictionary lookup of the caller (the web UI's i18n): the text of a key, or undefined when it has none. */
export type Lookup = (key: string, vars?: Record<string, string | number>) => string | undefined;

/** A state the process moves to: its words, and the catalog steps whose outcome it records, if any. */
export type StateDecl = Words & {
  /**
   * The steps whose outcome moves the process here (election-replied follows the reply): a history line with a verb
   * at this state is named by the step. With several (a members' meeting or a delegates' conference), the one whose
   * task the line's key names.
   */
  after?: readonly Pick<StepDef, 'step'>[];
};

/** The names in braces of a key template: 'visit-{quarter}-waiting' → 'quarter'. */
export type KeyParts<T extends string> = T extends `${string}{${infer P}}${infer Rest}` ? P | KeyParts<Rest> : never;

/** The words of a part's value ({deliverable}: 'plan' → 制定一个好规划), given the key's other parts. */
export type PartWords = (value: string, c: { lang: Lang; parts: Readonly<Record<string, string>>; lookup?: Lookup }) => string | undefined;

export interface ProcessDeclarationInput<S extends string, E extends string> {
  states: Readonly<Record<S, StateDecl>>;
  /**
   * History events written under keys of their own (not a state's name, not a step's task line), by key template:
   * the parts in braces are filled in by the workflow (`key`) and in the words alike. An event whose key is a
   * state's name needs no entry: it is worded as the state.
   */
  events?: Readonly<Record<E, Words>>;
  /** What a part's value matches in a key, where it is not any text ('\\d+' for a quarter). */
  patterns?: Readonly<Record<string, string>>;
  /** The words of a part's values, where the value is a code ({deliverable}, {verb}). */
  parts?: Readonly<Record<string, PartWords>>;
  /** Task names of older runs that differ from their step's name ('assign' for assign-officer). */
  taskAliases?: Readonly<Record<string, Pick<StepDef, 'step'>>>;
}

export interface ProcessDeclaration<K extends ProcessKind = ProcessKind, S extends string = string, E extends string = string>
  extends ProcessDeclarationInput<S, E> {
  process: K;
  events: Readonly<Record<E, Words>>;
  /** A declared event's key with its parts (without the run's prefix, which ProcessRun adds). */
  key<T extends E>(template: T, parts: Readonly<Record<KeyParts<T>, string | number>>): string;
}

/** Fills a key template's parts: `fillKey('visit-{quarter}-waiting', { quarter: 2 })` is 'visit-2-waiting'. */
export function fillKey(template: string, parts: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (m, p: string) => (p in parts ? String(parts[p]) : m));
}

/** A process's declaration of its states and events. */
export function declareProcess<K extends ProcessKind, S extends string, E extends string = never>(
  process: K,
  d: ProcessDeclarationInput<S, E>,
): ProcessDeclaration<K, S, E> {
  return { ...d, process, events: d.events ?? ({} as Record<E, Words>), key: (template, parts) => fillKey(template, parts) };
}
