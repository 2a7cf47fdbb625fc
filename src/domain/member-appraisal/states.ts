// 民主评议党员: a branch's year of it, its states and the history events it writes, with their words.
import { declareProcess } from '../process-state.js';

export const memberAppraisalStates = declareProcess('member-appraisal', {
  states: {
    planned: { 'zh-CN': '年度民主评议已部署', en: "The year's appraisal planned" },
    approved: { 'zh-CN': '评议结果已审核通过', en: 'The result approved' },
    closed: { 'zh-CN': '年度民主评议已结束', en: "The year's appraisal closed" },
  },
  events: {
    'returned-{n}': { 'zh-CN': '评议结果被退回重报', en: 'The result returned to the branch' },
    'improvement-{n}-decided': { 'zh-CN': '限期改正期满，支部已作出决定', en: 'Decided at the end of the time to improve' },
    'improvement-{n}-withdrawn': { 'zh-CN': '限期改正任务已撤回', en: 'The time to improve withdrawn' },
  },
  patterns: { n: '\\d+' },
});
