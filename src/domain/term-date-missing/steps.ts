// The step of this process in the step catalog (src/domain/steps.ts): the organizer of the supervising committee
// fills in the term an organization lacks on the register.
import { step } from '../step.js';
import { fieldOf } from '../fields.js';
import { checkTermStart, termDateOutcome, type TermDateContext } from './rules.js';

export const fillInTerm = step<TermDateContext>()({
  process: 'term-date-missing',
  step: 'fill-in',
  role: 'organizer',
  outcome: termDateOutcome,
  fields: [fieldOf(termDateOutcome, 'termStartedOn', 'date'), fieldOf(termDateOutcome, 'termYears', 'int'), fieldOf(termDateOutcome, 'secretary', 'text')],
  rule: checkTermStart,
  ruleFields: { 'term-start': 'termStartedOn', 'term-years': 'termYears' },
  words: { 'zh-CN': '补录届期信息', en: 'Fill in the term' },
  shows: ['organization', 'organizationName'],
});
