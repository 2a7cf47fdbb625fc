// The interview after a run of red ratings: its states and the history events it writes, with their words.
import { declareProcess } from '../process-state.js';

export const ratingInterviewStates = declareProcess('rating-interview', {
  states: {
    'red-rated': { 'zh-CN': '连续红色预警', en: 'Red in a row' },
    interviewed: { 'zh-CN': '已约谈', en: 'Interviewed' },
  },
  events: {
    'red-rated': { 'zh-CN': '连续红色预警，启动约谈', en: 'Red in a row: interview opened' },
    interviewed: { 'zh-CN': '约谈已记录', en: 'Interview recorded' },
  },
});
