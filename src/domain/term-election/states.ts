// The term election's states and the history events it writes under keys of its own, with their words.
import { declareProcess } from '../process-state.js';
import {
  candidates,
  candidatesReview,
  delegatesConference,
  electionReply,
  electionRequest,
  exclusionsApproval,
  exclusionsProposal,
  membersMeeting,
  resultApproval,
  resultReport,
} from './steps.js';

export const termElectionStates = declareProcess('term-election', {
  states: {
    'term-register': { 'zh-CN': '任期登记', en: 'Term register' },
    'election-requested': { 'zh-CN': '已提交请示', en: 'Request filed', after: [electionRequest] },
    'election-replied': { 'zh-CN': '请示已批复', en: 'Request answered', after: [electionReply] },
    'candidates-proposed': { 'zh-CN': '已提出候选人初步人选', en: 'Preliminary candidates proposed', after: [candidates] },
    'candidates-reviewed': { 'zh-CN': '上级党组织已审查候选人初步人选', en: 'Preliminary candidates reviewed', after: [candidatesReview] },
    'exclusions-proposed': { 'zh-CN': '已提出不计入应到会人数的党员', en: 'Members left out proposed', after: [exclusionsProposal] },
    'exclusions-reviewed': { 'zh-CN': '上级党组织已审批不计入应到会人数的党员', en: 'Members left out reviewed', after: [exclusionsApproval] },
    'members-meeting-held': { 'zh-CN': '已召开选举大会', en: 'Election meeting held', after: [membersMeeting, delegatesConference] },
    'secretary-elected': { 'zh-CN': '书记已选出', en: 'Secretary elected' },
    'result-reported': { 'zh-CN': '已报告选举结果', en: 'Result reported', after: [resultReport] },
    'result-reviewed': { 'zh-CN': '选举结果已审批', en: 'Result reviewed', after: [resultApproval] },
    'term-renewed': { 'zh-CN': '完成换届', en: 'Term renewed' },
  },
  events: {
    registered: { 'zh-CN': '登记任期', en: 'Term registered' },
    'term-corrected-{n}': { 'zh-CN': '更正届期信息（第{n}次）', en: 'Term register corrected (correction {n})' },
    // Written by the monthly chase of an overdue term (activities/term-election.ts remindOverdueTerm).
    'term-overdue-{due}-{months}m': {
      'zh-CN': '届满未换届：应于 {due} 前完成，已逾期 {months} 个月，已督促',
      en: 'Term overdue: due by {due}, {months} months late; reminded',
    },
  },
  patterns: { n: '\\d+', months: '\\d+' },
});
