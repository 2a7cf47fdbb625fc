// Words for steps and history lines. Pure (a dictionary lookup is passed in), so a unit test can check that no
// line of any process's history is shown as its key. A step a person does is named by the step catalog
// (src/domain/steps.ts); a process's states and the history events it writes under keys of its own by its
// declaration (src/domain/process-states.ts); verbs, rounds and runs by the i18n.
import { eventWords, stepAfter, taskLine, type Lookup } from '../../src/domain/process-states.js';
import { stepWords } from '../../src/domain/step-words.js';
import { stepDef, type Lang } from '../../src/domain/steps.js';

export { stepWords, type Lookup };

export interface HistoryLine {
  step: string;
  event: string;
  verb?: string | null;
  round?: number | null;
  run?: number | null;
  detail?: Record<string, unknown>;
}

/** The run prefix ProcessRun puts before a key: a term (t2:), a selection (s2:), a cycle (c1:), an officer's assignment (a1:). */
const runPrefix = /^([acst])(\d+):/;

/**
 * "第2次推选" / "cycle 2": the run of a process a history line belongs to (shown from the second on). A term election's
 * runs are no term numbers: a term is named 第n届 only by the organization's own numbering, which the lines that read
 * the register carry (`termOrdinal`); where it is unknown nothing is said.
 */
function runWords(process: string, run: number | null | undefined, lookup: Lookup, detail?: Record<string, unknown>): string | null {
  if (process === 'term-election') {
    const ordinal = detail?.termOrdinal;
    return typeof ordinal === 'number' ? (lookup('hist.run.term-election', { n: ordinal }) ?? null) : null;
  }
  if (!run || run < 2) return null;
  return lookup(`hist.run.${process}`, { n: run }) ?? lookup('hist.run', { n: run }) ?? null;
}

function verbWords(verb: string, lookup: Lookup): string | undefined {
  return lookup(`verb.${verb}`) ?? lookup(`opt.decision.${verb}`);
}

/** A qualifier after a name: full-width brackets in Chinese, a space and brackets in English. */
const paren = (lang: Lang, s: string | null | undefined) => (s ? (lang === 'zh-CN' ? `（${s}）` : ` (${s})`) : '');
const join = (parts: (string | null | undefined | false)[]) => parts.filter(Boolean).join(' · ');

/**
 * A history line in words: an event the process declares (registered, term-renewed, a quarter's visit awaited…) in
 * its declared words; else a step's task line, named by the step's words, its round and the verb's words. Lines with
 * the structured fields (verb, round, run) name the task by the row's step (or the step the row's state follows);
 * older lines carry only the key, read as ProcessRun writes a task's (`<task>[-<attempt>][-r<round>]-<verb>`).
 */
export function historyWords(process: string, h: HistoryLine, lang: Lang, lookup: Lookup): string {
  const prefix = runPrefix.exec(h.event);
  const run = runWords(process, h.run ?? (prefix ? Number(prefix[2]) : null), lookup, h.detail);
  const k = prefix ? h.event.slice(prefix[0].length) : h.event;
  const named = eventWords(process, k, lang, lookup);
  if (named) return join([run, named]);
  const verb = h.verb ? verbWords(h.verb, lookup) : undefined;
  if (h.verb && verb) {
    const def = stepDef(process, h.step) ?? stepAfter(process, h.step, k) ?? taskLine(process, k)?.step;
    if (def) {
      // A step may name its rounds itself (a liaison officer's visits are 第n期 from the first).
      const round = h.round ? (lookup(`hist.round.${def.step}`, { n: h.round }) ?? (h.round > 1 ? lookup('hist.round', { n: h.round }) : null)) : null;
      return join([run, `${def.words[lang]}${paren(lang, round)}`, verb]);
    }
  }
  const task = taskLine(process, k);
  const taskVerb = task && verbWords(task.verb, lookup);
  if (task && taskVerb) {
    const numbers = task.numbers.map(({ kind, n }) => lookup(kind === 'round' ? 'hist.round' : 'hist.attempt', { n }));
    return join([run, `${task.step.words[lang]}${paren(lang, numbers.join(lang === 'zh-CN' ? '，' : ', '))}`, taskVerb]);
  }
  return join([run, lookup('hist.other') ?? k]);
}
