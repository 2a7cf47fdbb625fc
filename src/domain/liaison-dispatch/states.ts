// The liaison dispatch's states and the history events it writes under keys of its own, with their words.
import { declareProcess } from '../process-state.js';
import { assignOfficer, establishmentApproval, visitReport } from './steps.js';

export const liaisonDispatchStates = declareProcess('liaison-dispatch', {
  states: {
    'unit-registered': { 'zh-CN': '单位已登记', en: 'Unit registered' },
    'officer-assigned': { 'zh-CN': '已选派联络员', en: 'Officer assigned' },
    visiting: { 'zh-CN': '定期走访', en: 'Regular visits' },
    'officer-left': { 'zh-CN': '联络员已离任', en: 'Officer left' },
    'establishment-reviewed': { 'zh-CN': '成立请示已审批', en: 'Request reviewed', after: [establishmentApproval] },
    established: { 'zh-CN': '已成立党组织', en: 'Organization set up' },
  },
  events: {
    registered: { 'zh-CN': '单位已登记', en: 'Unit registered' },
    'visit-{quarter}-waiting': {
      'zh-CN': `${visitReport.words['zh-CN']}（第{quarter}期） · 等待中`,
      en: `${visitReport.words.en} (visit {quarter}) · awaited`,
    },
  },
  patterns: { quarter: '\\d+' },
  taskAliases: { assign: assignOfficer },
});
