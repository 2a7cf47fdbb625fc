// The steps of a period away in the step catalog (src/domain/steps.ts): a member away files their yearly report
// themselves (or the branch secretary records it for them), the secretary decides on the transfer after six months
// away, and records each contact with a member abroad.
import { step } from '../step.js';
import { fieldOf } from '../fields.js';
import {
  abroadContactOutcome,
  awayReportOutcome,
  checkAbroadContact,
  checkAwayReport,
  checkTransferProposal,
  transferProposalOutcome,
  type AwayContext,
} from './rules.js';

export const awayReport = step<AwayContext>()({
  process: 'member-away',
  step: 'away-report',
  role: 'secretary',
  // The member signs in and files it; one who cannot (no account, no phone) tells the secretary, who records it.
  byPerson: true,
  outcome: awayReportOutcome,
  fields: [fieldOf(awayReportOutcome, 'reportedOn', 'date'), fieldOf(awayReportOutcome, 'place', 'text'), fieldOf(awayReportOutcome, 'summary', 'text')],
  rule: checkAwayReport,
  ruleFields: { 'report-day': 'reportedOn' },
  words: { 'zh-CN': '流动党员年度报告', en: "A member away: the year's report" },
  shows: ['member', 'place', 'since'],
});

export const transferProposal = step<AwayContext>()({
  process: 'member-away',
  step: 'transfer-proposal',
  role: 'secretary',
  outcome: transferProposalOutcome,
  fields: [fieldOf(transferProposalOutcome, 'decision', 'select', { options: ['transfer', 'keep'] }), fieldOf(transferProposalOutcome, 'note', 'text')],
  rule: (o) => checkTransferProposal(o),
  ruleFields: { note: 'note' },
  words: { 'zh-CN': '外出满六个月：是否转接组织关系', en: 'Away six months: transfer the membership?' },
  shows: ['member', 'place', 'since'],
});

export const abroadContact = step<AwayContext>()({
  process: 'member-away',
  step: 'abroad-contact',
  role: 'secretary',
  outcome: abroadContactOutcome,
  fields: [fieldOf(abroadContactOutcome, 'contactedOn', 'date'), fieldOf(abroadContactOutcome, 'means', 'text'), fieldOf(abroadContactOutcome, 'note', 'text')],
  rule: checkAbroadContact,
  ruleFields: { 'contacted-on': 'contactedOn' },
  words: { 'zh-CN': '联系出国出境党员', en: 'Contact a member abroad' },
  shows: ['member', 'place', 'since'],
});
