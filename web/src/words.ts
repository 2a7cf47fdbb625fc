// Words for steps and history lines. Pure (a dictionary lookup is passed in), so a unit test can check that no
// line of any process's history is shown as its key. A step a person does is named by the step catalog
// (src/domain/steps.ts); the other states of a process (term-renewed, cycle-closed…) by the i18n `step.*` keys.
import { stepCatalog, stepDef, type Lang } from '../../src/domain/steps.js';
import { stepWords, type Lookup } from '../../src/domain/step-words.js';

export { stepWords, type Lookup };

export interface HistoryLine {
  step: string;
  event: string;
  verb?: string | null;
  round?: number | null;
  run?: number | null;
  detail?: Record<string, unknown>;
}

/** The history's run prefixes: a term (t2:), a selection (s2:), a cycle (c1:), an officer's assignment (a1:). */
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
 * A history line in words. Lines with the structured fields (verb, round, run) are named from them: the step's
 * words, its round, and the verb's words. Older lines carry only the event key, read as the workflows wrote it:
 * `[run:]<task>[-<attempt>][-r<round>]-<verb>`, a named event (registered, term-renewed), or one of the keys of
 * a cycle (enrolled-<session>, visit-<quarter>-waiting, review-y<year>-done, deliverable-<name>-opened…).
 */
export function historyWords(process: string, h: HistoryLine, lang: Lang, lookup: Lookup): string {
  const prefix = runPrefix.exec(h.event);
  const run = runWords(process, h.run ?? (prefix ? Number(prefix[2]) : null), lookup, h.detail);
  const k = prefix ? h.event.slice(prefix[0].length) : h.event;
  const verb = h.verb ? verbWords(h.verb, lookup) : undefined;
  if (h.verb && verb) {
    // The task the line is about: the row's step when it is one (a task opened), else the key's task name
    // (a request filed, a reply given: the row's step is then the process's state, election-replied).
    const base = k.endsWith(`-${h.verb}`) ? k.slice(0, -h.verb.length - 1).replace(/(-r?\d+)+$/, '') : '';
    const def = stepDef(process, h.step) ?? stepDef(process, base === 'assign' ? 'assign-officer' : base);
    if (def) {
      // A step may name its rounds itself (a liaison officer's visits are 第n期 from the first).
      const round = h.round ? (lookup(`hist.round.${def.step}`, { n: h.round }) ?? (h.round > 1 ? lookup('hist.round', { n: h.round }) : null)) : null;
      return join([run, `${def.words[lang]}${paren(lang, round)}`, verb]);
    }
  }
  return join([run, eventWords(process, k, lang, lookup) ?? lookup('hist.other') ?? k]);
}

/** An event key (without its run prefix) in words, or undefined when it is not one the workflows write. */
function eventWords(process: string, k: string, lang: Lang, lookup: Lookup): string | undefined {
  const named = lookup(`event.${process}.${k}`) ?? lookup(`event.${k}`) ?? lookup(`step.${k}`);
  if (named) return named;
  const step = (s: string) => stepWords(process, s, lang, lookup);
  let m: RegExpExecArray | null;
  // Rotation training: the secretary is enrolled in a session.
  if ((m = /^enrolled-(.+)$/.exec(k))) return lookup('hist.enrolled', { session: m[1]! });
  // Liaison dispatch: the officer's quarterly visit is awaited.
  if ((m = /^visit-(\d+)-([a-z]+)$/.exec(k))) {
    const verb = verbWords(m[2]!, lookup);
    if (verb) return join([`${step('visit-report')}${paren(lang, lookup('hist.quarter', { n: m[1]! }))}`, verb]);
  }
  // Pairing: a year's review awaited, opened, done; a deliverable opened, done; a milestone or evidence recorded.
  if ((m = /^(?:year-|review-y)(\d+)-([a-z]+)$/.exec(k))) {
    const verb = verbWords(m[2]!, lookup);
    if (verb) return join([`${step('pairing-review')}${paren(lang, lookup('hist.year', { n: m[1]! }))}`, verb]);
  }
  if ((m = /^deliverable-([a-z]+)-([a-z]+)$/.exec(k))) {
    const verb = verbWords(m[2]!, lookup);
    if (verb) return join([`${step('pairing-deliverable')}${paren(lang, lookup(`opt.deliverable.${m[1]}`) ?? m[1])}`, verb]);
  }
  if ((m = /^milestone-([a-z]+)-(.+)$/.exec(k)))
    return join([
      `${step('pairing-deliverable')}${paren(lang, lookup(`opt.deliverable.${m[1]}`) ?? m[1])}`,
      lookup('verb.milestone'),
      lookup(`ms.${m[1]}.${m[2]}`),
    ]);
  if (/^evidence-/.test(k)) return join([step('pairing-deliverable'), lookup('verb.evidence')]);
  // A task of the process: its step (the catalog's words), the attempt and round, the verb.
  if ((m = /^(.+?)((?:-r?\d+)*)-([a-z]+)$/.exec(k))) {
    const name = m[1] === 'assign' ? 'assign-officer' : m[1]!;
    const def = stepDef(process, name) ?? (process ? undefined : stepCatalog.find((d) => d.step === name));
    const verb = verbWords(m[3]!, lookup);
    if (def && verb) {
      const numbers = [...m[2]!.matchAll(/-(r?)(\d+)/g)].map(([, r, n]) => lookup(r ? 'hist.round' : 'hist.attempt', { n: n! }));
      return join([`${def.words[lang]}${paren(lang, numbers.join(lang === 'zh-CN' ? '，' : ', '))}`, verb]);
    }
  }
  return undefined;
}
