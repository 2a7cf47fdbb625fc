// The rotation training's states and the history events it writes under keys of its own, with their words.
import { declareProcess } from '../process-state.js';

export const rotationTrainingStates = declareProcess('rotation-training', {
  states: {
    'cycle-waiting': { 'zh-CN': '等待下一轮训周期', en: 'Waiting for the next cycle' },
    'cycle-closed': { 'zh-CN': '轮训周期已关闭', en: 'Cycle closed' },
    trained: { 'zh-CN': '已完成轮训', en: 'Trained' },
  },
  events: {
    'cycle-registered': { 'zh-CN': '轮训周期已登记', en: 'Training cycle registered' },
    'cycle-opened': { 'zh-CN': '周期开始', en: 'Cycle started' },
    'cycle-completed': { 'zh-CN': '已完成轮训', en: 'Training attended' },
    'cycle-closed-new-secretary': { 'zh-CN': '书记变更，本周期关闭', en: 'New secretary: cycle closed' },
    'enrolled-{session}': { 'zh-CN': '报名培训班 {session}', en: 'Enrolled in session {session}' },
  },
});
