// A step's name in words, for every text that names a step: the web UI, the iCal feed, notifications and
// e-mail digests. The step catalog (steps.ts) names the steps people do; a process's other states (term-renewed,
// cycle-closed…) are named by its declaration (process-states.ts).
import { stateWords } from './process-states.js';
import { stepCatalog, stepDef, type Lang } from './steps.js';

export type { Lookup } from './process-state.js';

/**
 * The words of a task's or a process's (process, step). Without a process (an escalation names only its step): the
 * catalog entry of that step name, the first of the processes that have one. A step nothing names keeps its code:
 * the bare tasks of benchmarks and the generic task process, which carry a title of their own.
 */
export function stepWords(process: string, step: string, lang: Lang): string {
  const def = stepDef(process, step) ?? (process ? undefined : stepCatalog.find((d) => d.step === step));
  if (def) return def.words[lang];
  return stateWords(process, step, lang) ?? step;
}
