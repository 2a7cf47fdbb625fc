// Every process's declaration of its states and history events (each beside its steps, src/domain/<process>/
// states.ts), and the reading of a state or an event key in words. Pure: the workflows type their moves by it,
// the web UI, the iCal feed and notifications name states and history lines from it.
import type { Lookup, ProcessDeclaration, StateDecl, Words } from './process-state.js';
import { stepDef, type Lang, type ProcessKind, type StepDef } from './steps.js';
import { liaisonDispatchStates } from './liaison-dispatch/states.js';
import { memberTransferStates } from './member-transfer/states.js';
import { memberAwayStates } from './member-away/states.js';
import { pairingStates } from './pairing/states.js';
import { recruitmentStates } from './recruitment/states.js';
import { organizationLifeStates } from './organization-life/states.js';
import { memberAppraisalStates } from './member-appraisal/states.js';
import { ratingInterviewStates } from './ratings/states.js';
import { rotationTrainingStates } from './rotation-training/states.js';
import { termDateMissingStates } from './term-date-missing/states.js';
import { termElectionStates } from './term-election/states.js';
import { twoRecommendationsStates } from './two-recommendations-one-election/states.js';

export * from './process-state.js';

const declared = {
  'term-election': termElectionStates,
  'two-recommendations-one-election': twoRecommendationsStates,
  'rotation-training': rotationTrainingStates,
  'liaison-dispatch': liaisonDispatchStates,
  pairing: pairingStates,
  'term-date-missing': termDateMissingStates,
  'rating-interview': ratingInterviewStates,
  'member-transfer': memberTransferStates,
  'member-away': memberAwayStates,
  recruitment: recruitmentStates,
  'organization-life': organizationLifeStates,
  'member-appraisal': memberAppraisalStates,
} as const satisfies { readonly [K in ProcessKind]: ProcessDeclaration<K> };

/** The states and events every process shares: the scaffold's (process-run.ts) and the cancel Update's. */
export const sharedStates = {
  states: {
    starting: { 'zh-CN': '启动中', en: 'Starting' },
    cancelled: { 'zh-CN': '已撤销', en: 'Cancelled' },
  } satisfies Record<string, StateDecl>,
  // The cancel Update's line (activities/processes.ts cancelProcess), keyed by its instant.
  events: { 'cancelled@{at}': { 'zh-CN': '流程已撤销', en: 'Process cancelled' } } satisfies Record<string, Words>,
};

/** Every process's declaration. */
export const processDeclarations: readonly ProcessDeclaration[] = Object.values(declared);

/** The states a process of kind K declares. */
export type ProcessState<K extends ProcessKind = ProcessKind> = K extends ProcessKind ? keyof (typeof declared)[K]['states'] & string : never;

/** A process's declaration, or undefined for a kind that declares none (a benchmark's bare task process). */
export function processDeclaration(process: string): ProcessDeclaration | undefined {
  return (declared as Record<string, ProcessDeclaration>)[process];
}

const stateOf = (process: string, state: string): StateDecl | undefined =>
  processDeclaration(process)?.states[state] ?? (sharedStates.states as Record<string, StateDecl>)[state];

/** The suffix of the state a cancelled step leaves its process in (process-run.ts endIfCancelled): `<step>-cancelled`. */
export const cancelledSuffix = '-cancelled';

/** A declared state's words (the process's own, or one every process shares), or undefined. */
export function stateWords(process: string, state: string, lang: Lang): string | undefined {
  const s = stateOf(process, state);
  if (s) return s[lang];
  // A process left by a cancelled step: the step's words and the state's.
  if (!state.endsWith(cancelledSuffix)) return undefined;
  const of = stepDef(process, state.slice(0, -cancelledSuffix.length));
  return of ? `${of.words[lang]} · ${sharedStates.states.cancelled[lang]}` : undefined;
}

/** The catalog step a history line at `state` records the outcome of (a declared state's `after`), else undefined. */
export function stepAfter(process: string, state: string, eventKey: string): StepDef | undefined {
  const after = stateOf(process, state)?.after ?? [];
  const of = after.length > 1 ? (after.find((d) => eventKey.startsWith(d.step)) ?? after[0]) : after[0];
  return of ? stepDef(process, of.step) : undefined;
}

interface Matcher {
  words: Words;
  names: string[];
  re: RegExp;
}
const escapeRegExp = (s: string) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
const matchers = new Map<string, Matcher[]>();
/** A process's event templates as patterns (its own first, then the shared ones), built once. */
function matchersOf(d: ProcessDeclaration | undefined): Matcher[] {
  const key = d?.process ?? '';
  let m = matchers.get(key);
  if (!m) {
    const patterns = { ...d?.patterns };
    m = [...Object.entries<Words>(d?.events ?? {}), ...Object.entries<Words>(sharedStates.events)].map(([template, words]) => {
      const names: string[] = [];
      const source = template
        .split(/(\{\w+\})/)
        .map((piece) => {
          const name = /^\{(\w+)\}$/.exec(piece)?.[1];
          if (!name) return escapeRegExp(piece);
          names.push(name);
          return `(${patterns[name] ?? '.+?'})`;
        })
        .join('');
      return { words, names, re: new RegExp(`^${source}$`) };
    });
    matchers.set(key, m);
  }
  return m;
}

/**
 * A history event key (without its run's prefix) in words: a declared event (its parts filled in, in words where
 * the process names them), or a declared state's name. Undefined for any other key: a step's task line.
 */
export function eventWords(process: string, key: string, lang: Lang, lookup?: Lookup): string | undefined {
  const d = processDeclaration(process);
  for (const m of matchersOf(d)) {
    const found = m.re.exec(key);
    if (!found) continue;
    const parts = Object.fromEntries(m.names.map((n, i) => [n, found[i + 1]!]));
    return m.words[lang].replace(/\{(\w+)\}/g, (all, n: string) => {
      const value = parts[n];
      if (value === undefined) return all;
      return d?.parts?.[n]?.(value, { lang, parts, lookup }) ?? value;
    });
  }
  return d?.states[key]?.[lang];
}

/** A task line's key as ProcessRun writes it: `<task>[-<attempt>][-r<round>]-<verb>`, the task named by its step. */
export interface TaskLine {
  step: StepDef;
  /** The attempt and round numbers in the key's order (a refiled request's 2, a ballot's r2). */
  numbers: { kind: 'attempt' | 'round'; n: number }[];
  verb: string;
}

/** Reads a task line's key (older rows carry no verb, round or run), or undefined when its task is no step of the process. */
export function taskLine(process: string, key: string): TaskLine | undefined {
  const m = /^(.+?)((?:-r?\d+)*)-([a-z]+)$/.exec(key);
  if (!m) return undefined;
  const [, task, numbers, verb] = m;
  const step = stepDef(process, processDeclaration(process)?.taskAliases?.[task!]?.step ?? task!);
  if (!step) return undefined;
  const n = [...numbers!.matchAll(/-(r?)(\d+)/g)].map(([, r, x]) => ({ kind: r ? ('round' as const) : ('attempt' as const), n: Number(x) }));
  return { step, numbers: n, verb: verb! };
}
