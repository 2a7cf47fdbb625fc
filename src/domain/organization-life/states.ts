// A branch's year of organization life: its states and the history events it writes, with their words.
import { declareProcess } from '../process-state.js';
import { meetingKindWords, periodWords, type MeetingKind } from './rules.js';

export const organizationLifeStates = declareProcess('organization-life', {
  states: {
    planned: { 'zh-CN': '年度组织生活已安排', en: "The year's organization life planned" },
    closed: { 'zh-CN': '年度组织生活已结束', en: 'The year closed' },
  },
  events: {
    planned: { 'zh-CN': '安排全年组织生活', en: 'The year planned' },
    '{period}-{kind}-held': { 'zh-CN': '{kind}已记录（{period}）', en: '{kind} recorded ({period})' },
    '{period}-{kind}-waived': { 'zh-CN': '{kind}免于召开（{period}）', en: '{kind} waived ({period})' },
    '{period}-group-{group}-held': { 'zh-CN': '党小组会已记录（{period}）', en: 'Party group meeting recorded ({period})' },
    '{period}-group-{group}-waived': { 'zh-CN': '党小组会免于召开（{period}）', en: 'Party group meeting waived ({period})' },
    '{period}-{kind}-lapsed': { 'zh-CN': '{kind}未记录，计为缺失（{period}）', en: '{kind} never recorded: missing ({period})' },
    '{period}-group-{group}-lapsed': { 'zh-CN': '党小组会未记录，计为缺失（{period}）', en: 'Party group meeting never recorded: missing ({period})' },
    'spot-check-{period}-{n}': { 'zh-CN': '上级党委抽查会议记录（{period}）', en: 'Records spot-checked ({period})' },
    closed: { 'zh-CN': '年度组织生活结束', en: 'The year closed' },
  },
  patterns: { period: '\\d{4}-(?:Q[1-4]|\\d{2})', kind: '[a-z]+(?:-[a-z]+)*', n: '\\d+', group: '\\d+' },
  parts: {
    kind: (v, { lang }) => meetingKindWords[v as MeetingKind]?.[lang],
    period: (v, { lang }) => periodWords(v, lang),
  },
});
