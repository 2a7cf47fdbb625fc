// The step of organization life in the step catalog (src/domain/steps.ts): the secretary records each meeting the
// branch owes — one record for several kinds held together.
import { step } from '../step.js';
import { fieldOf } from '../step-outcomes.js';
import { absenceReasons, checkMeetingRecord, meetingKinds, meetingKindWords, meetingRecordOutcome, type MeetingContext } from './rules.js';

export const meetingRecord = step<MeetingContext>()({
  process: 'organization-life',
  step: 'meeting-record',
  role: 'secretary',
  outcome: meetingRecordOutcome,
  fields: [
    fieldOf(meetingRecordOutcome, 'meetingOn', 'date'),
    { name: 'kinds', kind: 'choices', required: true, options: meetingKinds, initialFrom: 'kind' },
    fieldOf(meetingRecordOutcome, 'topic', 'text'),
    { name: 'absent', kind: 'members', required: false, options: absenceReasons, max: 2000, rowReason: 'reason', register: 'all' },
    fieldOf(meetingRecordOutcome, 'minutes', 'text'),
  ],
  rule: checkMeetingRecord,
  ruleFields: { 'meeting-kind': 'kinds', 'held-on': 'meetingOn', absent: 'absent', 'absent-not-on-register': 'absent' },
  words: { 'zh-CN': '会议记录', en: 'Meeting record' },
  variants: Object.fromEntries(meetingKinds.map((k) => [k, { 'zh-CN': `${meetingKindWords[k]['zh-CN']}记录`, en: `${meetingKindWords[k].en}: the record` }])),
  shows: ['periodWords', 'startsOn', 'endsOn'],
});
