// 组织关系转接: its states and the history events it writes, with their words.
import { declareProcess } from '../process-state.js';

export const memberTransferStates = declareProcess('member-transfer', {
  states: {
    issued: { 'zh-CN': '已开具介绍信', en: 'Letter issued' },
    completed: { 'zh-CN': '转接完成', en: 'Transfer completed' },
    refused: { 'zh-CN': '接收方拒收', en: 'Refused by the receiving side' },
    returned: { 'zh-CN': '介绍信退回', en: 'Letter returned unused' },
  },
  events: {
    issued: { 'zh-CN': '开具组织关系介绍信', en: 'Transfer letter issued' },
    completed: { 'zh-CN': '党员已报到，组织关系转入', en: 'The member reported; the transfer is complete' },
    'transferred-out': { 'zh-CN': '回执已登记，组织关系已转出', en: 'Receipt recorded; the member left the register' },
    refused: { 'zh-CN': '接收方拒收，党员仍在原组织', en: 'Refused; the member stays where they were' },
    returned: { 'zh-CN': '介绍信退回，党员仍在原组织', en: 'Letter returned; the member stays where they were' },
  },
});
