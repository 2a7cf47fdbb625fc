// The pairing's states and the history events it writes under keys of its own, with their words.
import type { Lang } from '../step.js';
import { declareProcess, type Words } from '../process-state.js';
import { deliverableWords, pairingDeliverable, pairingReview } from './steps.js';
import type { PairingDeliverable } from '../rules.js';

/** What befalls a deliverable's task or a year's review in the history's keys. */
const verbs: Readonly<Record<string, Words>> = {
  opened: { 'zh-CN': '下达任务', en: 'task opened' },
  delivered: { 'zh-CN': '已完成', en: 'delivered' },
  done: { 'zh-CN': '已办结', en: 'done' },
  cancelled: { 'zh-CN': '已撤销', en: 'cancelled' },
};
const deliverable = (lang: Lang) => pairingDeliverable.words[lang];
const review = (lang: Lang) => pairingReview.words[lang];

export const pairingStates = declareProcess('pairing', {
  states: {
    delivering: { 'zh-CN': '共建进行中', en: 'Delivering' },
    'yearly-review': { 'zh-CN': '年度考评', en: 'Yearly review' },
    reviewed: { 'zh-CN': '年度考评已完成', en: 'Yearly review done' },
    'cycle-closed': { 'zh-CN': '本周期结束，结对继续', en: 'Cycle closed, the pairing goes on' },
    ended: { 'zh-CN': '结对已结束', en: 'Pairing ended' },
  },
  events: {
    'cycle-opened': { 'zh-CN': '结对周期开始', en: 'Pairing cycle started' },
    'deliverable-{deliverable}-{verb}': { 'zh-CN': `${deliverable('zh-CN')}（{deliverable}） · {verb}`, en: `${deliverable('en')} ({deliverable}) · {verb}` },
    'milestone-{deliverable}-{milestone}': {
      'zh-CN': `${deliverable('zh-CN')}（{deliverable}） · 记录节点 · {milestone}`,
      en: `${deliverable('en')} ({deliverable}) · milestone recorded · {milestone}`,
    },
    'evidence-{id}': { 'zh-CN': `${deliverable('zh-CN')} · 上传佐证材料`, en: `${deliverable('en')} · evidence uploaded` },
    'year-{year}-waiting': { 'zh-CN': `${review('zh-CN')}（第{year}年） · 等待中`, en: `${review('en')} (year {year}) · awaited` },
    'review-y{year}-{verb}': { 'zh-CN': `${review('zh-CN')}（第{year}年） · {verb}`, en: `${review('en')} (year {year}) · {verb}` },
  },
  patterns: { year: '\\d+', deliverable: '[a-z]+', verb: '[a-z]+' },
  parts: {
    deliverable: (v, { lang }) => deliverableWords[v as PairingDeliverable]?.[lang],
    verb: (v, { lang }) => verbs[v]?.[lang],
    // A milestone's words are the web's (the milestone form names them too).
    milestone: (v, { parts, lookup }) => lookup?.(`ms.${parts.deliverable}.${v}`),
  },
});
