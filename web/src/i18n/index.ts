// Two languages, one dictionary each; zh-CN is the default and the fallback for keys made at run time.
import { signal } from '../signal.js';
import { zhCN, type MessageKey } from './zh-CN.js';
import { en } from './en.js';

export type Lang = 'zh-CN' | 'en';
const dictionaries: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
const LANG_KEY = 'orglife.lang';

export const lang = signal<Lang>(localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh-CN');
document.documentElement.lang = lang.value;

export function setLang(l: Lang): void {
  localStorage.setItem(LANG_KEY, l);
  document.documentElement.lang = l;
  lang.set(l);
}

function fill(s: string, vars?: Record<string, string | number>): string {
  return vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : s;
}

export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  return fill(dictionaries[lang.value][key], vars);
}

/** A key built at run time (a step, a state, a server message key): its text, or `fallback` when unknown. */
export function tx(key: string, fallback: string = key, vars?: Record<string, string | number>): string {
  const d = dictionaries[lang.value] as Record<string, string>;
  return fill(d[key] ?? fallback, vars);
}

/** A key's text in the language shown, or undefined when the dictionary has no such key (words.ts Lookup). */
export function lookup(key: string, vars?: Record<string, string | number>): string | undefined {
  const s = (dictionaries[lang.value] as Record<string, string>)[key];
  return s === undefined ? undefined : fill(s, vars);
}

const dateTime = () => new Intl.DateTimeFormat(lang.value, { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = () => new Intl.DateTimeFormat(lang.value, { timeZone: 'Asia/Shanghai', dateStyle: 'medium' });
/** Times as Beijing time: deadlines are working days on the Chinese calendar, wherever the browser is. */
export const fmtDateTime = (iso: string) => dateTime().format(new Date(iso));
export const fmtDate = (iso: string) => dateOnly().format(new Date(iso.length === 10 ? `${iso}T00:00:00+08:00` : iso));
