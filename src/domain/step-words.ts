// A step's name in words, for every text that names a step: the web UI, the iCal feed, notifications and
// e-mail digests. The step catalog (steps.ts) names the steps people do; a process's other states (term-renewed,
// cycle-closed…) are named by the caller's dictionary (the web UI's i18n `step.*` keys), if it has one.
import { stepCatalog, stepDef, type Lang } from './steps.js';

/** A dictionary lookup: the text of a key in the language shown, or undefined when the key is unknown. */
export type Lookup = (key: string, vars?: Record<string, string | number>) => string | undefined;

/**
 * The words of a task's (process, step). Without a process (an escalation names only its step): the catalog
 * entry of that step name, the first of the processes that have one. A step nothing names keeps its code: the
 * bare tasks of benchmarks and the generic task process, which carry a title of their own.
 */
export function stepWords(process: string, step: string, lang: Lang, lookup?: Lookup): string {
  const def = stepDef(process, step) ?? (process ? undefined : stepCatalog.find((d) => d.step === step));
  if (def) return def.words[lang];
  const state = lookup?.(`step.${step}`);
  if (state) return state;
  // The state a cancelled step leaves its process in (process-run.ts endIfCancelled): `<step>-cancelled`.
  const cancelled = /^(.+)-cancelled$/.exec(step);
  const of = cancelled ? stepDef(process, cancelled[1]!) : undefined;
  if (of) return `${of.words[lang]} · ${lookup?.('verb.cancelled') ?? (lang === 'zh-CN' ? '已撤销' : 'cancelled')}`;
  return step;
}
