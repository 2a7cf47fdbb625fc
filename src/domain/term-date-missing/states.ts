// The chase of a missing term date: its states and the history events it writes, with their words.
import { declareProcess } from '../process-state.js';

export const termDateMissingStates = declareProcess('term-date-missing', {
  states: {
    'term-missing': { 'zh-CN': '届期信息缺失', en: 'Term missing' },
    'term-recorded': { 'zh-CN': '届期信息已录入', en: 'Term recorded' },
  },
  events: {
    missing: { 'zh-CN': '发现届期信息缺失', en: 'Term found missing' },
    'already-recorded': { 'zh-CN': '届期信息已在册', en: 'Term already on the register' },
    'recorded-elsewhere': { 'zh-CN': '届期信息已由导入等途径录入，任务自动关闭', en: 'Term entered another way (an import); the task closed itself' },
    recorded: { 'zh-CN': '届期信息已补录', en: 'Term filled in' },
  },
});
