// The 两推一选's states and the history events it writes under keys of its own, with their words.
import { declareProcess } from '../process-state.js';
import { selectionElection } from './steps.js';

export const twoRecommendationsStates = declareProcess('two-recommendations-one-election', {
  states: {
    'selection-started': { 'zh-CN': '两推一选已启动', en: 'Selection started' },
    'plan-published': { 'zh-CN': '工作方案已发布', en: 'Plan published' },
    'members-recommended': { 'zh-CN': '党员推荐已完成', en: "Members' recommendation held" },
    'recommendations-ranked': { 'zh-CN': '推荐结果已排序', en: 'Recommendations ranked' },
    'candidates-fixed': { 'zh-CN': '初步候选人已确定', en: 'Preliminary candidates fixed' },
    'no-suitable-candidate': { 'zh-CN': '无合适人选', en: 'No suitable candidate' },
    'first-secretary-dispatched': { 'zh-CN': '已选派第一书记', en: 'First secretary dispatched' },
    'election-counted': { 'zh-CN': '选举已计票', en: 'Ballot counted', after: [selectionElection] },
    'secretary-elected': { 'zh-CN': '书记已选出', en: 'Secretary elected' },
    approved: { 'zh-CN': '已审批备案', en: 'Approved and filed' },
  },
  events: {
    registered: { 'zh-CN': '两推一选已启动', en: 'Selection started' },
    'villagers-recommended': { 'zh-CN': '群众推荐已完成', en: "Villagers' recommendation done" },
  },
});
