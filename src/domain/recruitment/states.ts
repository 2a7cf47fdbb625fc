// 发展党员: its states (the applicant's stage, and the ways a case ends early) and the history events it writes, with
// their words.
import { declareProcess } from '../process-state.js';

export const recruitmentStates = declareProcess('recruitment', {
  states: {
    applied: { 'zh-CN': '已提交入党申请', en: 'Application filed' },
    activist: { 'zh-CN': '入党积极分子', en: 'Activist' },
    candidate: { 'zh-CN': '发展对象', en: 'Candidate' },
    probationary: { 'zh-CN': '预备党员', en: 'Probationary member' },
    full: { 'zh-CN': '已转为正式党员', en: 'Full member' },
    declined: { 'zh-CN': '未确定为入党积极分子', en: 'Not made an activist' },
    stopped: { 'zh-CN': '停止发展', en: 'Stopped' },
    rejected: { 'zh-CN': '上级党委未批准', en: 'Not approved' },
    'not-carried': { 'zh-CN': '党员大会未通过', en: 'Not carried by the meeting' },
    'membership-cancelled': { 'zh-CN': '取消预备党员资格', en: 'Probation cancelled' },
  },
  events: {
    '{meeting}-no-quorum': { 'zh-CN': '党员大会到会人数未过半，须另行召开', en: 'The meeting had no quorum; it is held again' },
    'returned-{n}': { 'zh-CN': '上级党委预审退回支部', en: 'Returned by the pre-review' },
    'extended-{n}': { 'zh-CN': '延长预备期', en: 'Probation extended' },
    'register-{stage}': { 'zh-CN': '党员名册已更新', en: 'The register updated' },
    archived: { 'zh-CN': '入党材料归档', en: 'The file archived' },
  },
  patterns: { n: '\\d+' },
});
