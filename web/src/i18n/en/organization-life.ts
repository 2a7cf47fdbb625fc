// Organization life (三会一课): the meeting record's form, its options and rule messages, and completeness.
import type { organizationLife as zh } from '../zh-CN/organization-life.js';
import { type absenceReasons, meetingKinds, meetingKindWords } from '../../../../src/domain/organization-life/rules.js';

const kinds = Object.fromEntries(meetingKinds.map((k) => [`opt.kinds.${k}`, meetingKindWords[k].en])) as Record<
  `opt.kinds.${(typeof meetingKinds)[number]}`,
  string
>;
const reasons: Record<`opt.reason.${(typeof absenceReasons)[number]}`, string> = {
  'opt.reason.leave': 'On leave',
  'opt.reason.duty': 'On duty',
  'opt.reason.sick': 'Sick',
  'opt.reason.away': 'Away',
  'opt.reason.other': 'Other',
};

export const organizationLife: Record<keyof typeof zh, string> = {
  ...kinds,
  ...reasons,
  'process.organization-life': 'Organization life',
  'ctx.periodWords': 'Period',
  'ctx.startsOn': 'Period begins',
  'ctx.endsOn': 'Period ends',
  'field.meetingOn': 'Held on',
  'field.kinds': 'Kinds of meeting (tick every kind held together)',
  'field.topic': 'Topic',
  'field.absent': 'Members absent (picked from the register; everyone else was present)',
  'field.minutes': 'Minutes',
  'r.meeting-kind': "The kinds include this task's meeting, each once",
  'r.held-on': 'Not before the period begins, not after today',
  'r.absent': 'Each member once',
  'r.absent-not-on-register': "A member absent was on the branch's register on the meeting's day",
};
