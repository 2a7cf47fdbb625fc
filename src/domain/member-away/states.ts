// A period away: its states and the history events it writes, with their words.
import { declareProcess } from '../process-state.js';

export const memberAwayStates = declareProcess('member-away', {
  states: {
    away: { 'zh-CN': '外出流动', en: 'Away' },
    abroad: { 'zh-CN': '出国出境', en: 'Abroad' },
    back: { 'zh-CN': '已结束外出', en: 'Back' },
  },
  events: {
    registered: { 'zh-CN': '登记外出', en: 'Registered away' },
    back: { 'zh-CN': '外出结束', en: 'The period away ended' },
  },
});
