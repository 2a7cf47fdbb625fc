// The steps of this process in the step catalog (src/domain/steps.ts): each one's role, outcome, form, rule over
// the context the workflow writes when it opens it, and its words.
import { attendanceOutcome, checkAttendance } from './rules.js';
import { step } from '../step.js';
import { organizingRoles } from '../roles.js';

export interface TrainingContext {
  secretary: string;
  cycleEndsOn: string;
  /** The sessions the secretary is enrolled in; grows as the organizer enrols them. */
  enrolled: string[];
}
export const training = step<TrainingContext>()({
  process: 'rotation-training',
  step: 'training',
  role: 'secretary',
  // A trainee cannot certify their own attendance: the session's organizer records it (domain.md §4.3).
  recordedBy: organizingRoles,
  outcome: attendanceOutcome,
  fields: [
    { name: 'session', kind: 'session', required: true, max: 64 },
    { name: 'attended', kind: 'check', required: true },
  ],
  rule: (o, c) => checkAttendance(String(o.session), c.enrolled),
  ruleFields: { enrolment: 'session', 'session-not-started': 'session' },
  words: { 'zh-CN': '参加轮训', en: 'Attend training' },
  shows: ['secretary', 'cycleEndsOn', 'enrolled'],
});
