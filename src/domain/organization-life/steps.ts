// The step of organization life in the step catalog (src/domain/steps.ts): the secretary records each meeting the
// branch owes — one record for several kinds held together.
import { step } from '../step.js';
import { fieldOf } from '../fields.js';
import {
  absenceReasons,
  checkMeetingRecord,
  checkSpotCheck,
  meetingKinds,
  meetingKindWords,
  meetingRecordOutcome,
  spotCheckOutcome,
  type MeetingContext,
  type SpotCheckContext,
} from './rules.js';

export const meetingRecord = step<MeetingContext>()({
  process: 'organization-life',
  step: 'meeting-record',
  role: 'secretary',
  // A 党小组会's record is its group leader's when their user is linked to their member (the task names them); the
  // secretary holds every other record, and a group's when no leader signs in.
  byPerson: true,
  outcome: meetingRecordOutcome,
  fields: [
    fieldOf(meetingRecordOutcome, 'meetingOn', 'date'),
    { name: 'kinds', kind: 'choices', required: true, options: meetingKinds, initialFrom: 'kind' },
    fieldOf(meetingRecordOutcome, 'topic', 'text'),
    { name: 'absent', kind: 'members', required: false, options: absenceReasons, max: 2000, rowReason: 'reason', register: 'all' },
    fieldOf(meetingRecordOutcome, 'minutes', 'text'),
  ],
  rule: checkMeetingRecord,
  ruleFields: { 'meeting-kind': 'kinds', 'held-on': 'meetingOn', absent: 'absent', 'absent-not-on-register': 'absent', 'absent-not-in-group': 'absent' },
  words: { 'zh-CN': '会议记录', en: 'Meeting record' },
  decidedAlone: true,
  variants: Object.fromEntries(meetingKinds.map((k) => [k, { 'zh-CN': `${meetingKindWords[k]['zh-CN']}记录`, en: `${meetingKindWords[k].en}: the record` }])),
  shows: ['periodWords', 'startsOn', 'endsOn'],
});

/**
 * The township's spot-check (抽查) of a branch's records of a period, its own task, opened when one of its organizers
 * asks for it (not every branch, every period: a sample, so inspection is not one more form each month).
 */
export const spotCheck = step<SpotCheckContext>()({
  process: 'organization-life',
  step: 'spot-check',
  role: 'organizer',
  outcome: spotCheckOutcome,
  fields: [
    fieldOf(spotCheckOutcome, 'checkedOn', 'date'),
    fieldOf(spotCheckOutcome, 'verdict', 'select', { options: ['sound', 'deficient'] }),
    fieldOf(spotCheckOutcome, 'problemsFound', 'text'),
  ],
  rule: checkSpotCheck,
  ruleFields: { 'checked-on': 'checkedOn', 'problems-found': 'problemsFound' },
  words: { 'zh-CN': '抽查会议记录', en: 'Spot-check the meeting records' },
  decidedAlone: true,
  shows: ['branch', 'periodWords'],
});
