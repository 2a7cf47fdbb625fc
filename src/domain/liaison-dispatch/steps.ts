// The steps of this process in the step catalog (src/domain/steps.ts): each one's role, outcome, form, rule over
// the context the workflow writes when it opens it, and its words.
import { liaisonRuleSets } from '../rules.js';
import { reviewOutcome } from '../term-election/rules.js';
import {
  assignOfficerOutcome,
  checkEstablishThreshold,
  checkFoundingDate,
  checkMeetingHeld,
  foundingMeetingOutcome,
  officersMeetingOutcome,
  visitReportOutcome,
} from './rules.js';
import { shanghaiDate, type IsoDate } from '../dates.js';
import { reviewFields } from '../step-outcomes.js';
import { note, noteOutcome } from '../fields.js';
import { step, rulesById } from '../step.js';

export interface OfficerContext {
  officer?: string;
}
export interface FoundingContext extends OfficerContext {
  ruleSet: string;
  /** The day the establishment was approved: the founding meeting cannot be held before it (runs before it have none). */
  notBefore?: IsoDate;
}
const L = 'liaison-dispatch' as const;
export const assignOfficer = step<OfficerContext>()({
  process: L,
  step: 'assign-officer',
  role: 'organizer',
  outcome: assignOfficerOutcome,
  fields: [{ name: 'officer', kind: 'person', role: 'liaison_officer', required: true, max: 64 }],
  words: { 'zh-CN': '选派党建联络员', en: 'Assign a liaison officer' },
});
export const acknowledge = step<OfficerContext>()({
  process: L,
  step: 'acknowledge',
  role: 'liaison_officer',
  outcome: noteOutcome,
  fields: [note],
  words: { 'zh-CN': '联络员到岗确认', en: 'Officer takes up the post' },
  shows: ['officer'],
});
export const officerTraining = step<OfficerContext>()({
  process: L,
  step: 'training',
  role: 'liaison_officer',
  outcome: noteOutcome,
  fields: [note],
  words: { 'zh-CN': '联络员岗前培训', en: 'Officer training' },
  shows: ['officer'],
});
export interface VisitContext extends OfficerContext {
  quarter: number;
  /** The calendar quarter the report is for (runs that predate calendar quarters have none). */
  from?: IsoDate;
  to?: IsoDate;
}
export const visitReport = step<VisitContext>()({
  process: L,
  step: 'visit-report',
  role: 'liaison_officer',
  outcome: visitReportOutcome,
  fields: [
    { name: 'visitedOn', kind: 'date', required: true },
    { name: 'fullMembers', kind: 'int', required: true, min: 0, max: 100_000 },
    { name: 'notes', kind: 'text', required: false, max: 4000 },
  ],
  words: { 'zh-CN': '走访报告', en: 'Visit report' },
  shows: ['officer', 'quarter'],
});
export interface EstablishmentContext extends OfficerContext {
  fullMembers?: number;
  request?: Record<string, unknown>;
}
export const establishmentRequest = step<EstablishmentContext>()({
  process: L,
  step: 'establishment-request',
  role: 'liaison_officer',
  outcome: noteOutcome,
  fields: [note],
  words: { 'zh-CN': '成立党组织请示', en: 'Request to set up an organization' },
  shows: ['officer', 'fullMembers'],
});
export const establishmentApproval = step<EstablishmentContext>()({
  process: L,
  step: 'establishment-approval',
  role: 'organizer',
  outcome: reviewOutcome,
  fields: reviewFields(['agree', 'return']),
  words: { 'zh-CN': '审批成立党组织', en: 'Approve the new organization' },
  shows: ['officer', 'fullMembers', 'request'],
});
export const foundingMeeting = step<FoundingContext>()({
  process: L,
  step: 'founding-meeting',
  role: 'liaison_officer',
  outcome: foundingMeetingOutcome,
  fields: [
    { name: 'meetingDate', kind: 'date', required: true },
    { name: 'secretary', kind: 'text', required: true, max: 100 },
    { name: 'fullMembers', kind: 'int', required: true, min: 0, max: 100_000 },
  ],
  rule: (o, c) => {
    checkFoundingDate(o.meetingDate, c.notBefore, shanghaiDate(Date.now()));
    checkEstablishThreshold(o.fullMembers, rulesById(liaisonRuleSets, c.ruleSet).establishThreshold);
  },
  ruleFields: { 'establish-threshold': 'fullMembers', 'meeting-date': 'meetingDate' },
  words: { 'zh-CN': '召开成立大会', en: 'Founding meeting' },
  shows: ['officer'],
});
export interface OfficersMeetingContext {
  /** The half-year the meeting is for. */
  from: IsoDate;
  to: IsoDate;
}
/** The county organization department meets its liaison officers once a half-year (domain.md §4.4 [local]). */
export const officersMeeting = step<OfficersMeetingContext>()({
  process: L,
  step: 'officers-meeting',
  role: 'organizer',
  outcome: officersMeetingOutcome,
  fields: [{ name: 'meetingDate', kind: 'date', required: true }, note],
  rule: (o, c) => checkMeetingHeld('officers’ meeting', o.meetingDate, { on: c.from, why: 'when its half-year began' }, shanghaiDate(Date.now())),
  ruleFields: { 'meeting-date': 'meetingDate' },
  words: { 'zh-CN': '联络员工作座谈会', en: 'County meeting with the liaison officers' },
});
