import { describe, expect, it } from 'vitest';
import { formToOutcome, stepForms, validateOutcome } from '../../src/domain/step-outcomes.js';

// The schemas behind the task forms: what the browser checks before it sends, and what it shows per field.
describe('step outcome forms', () => {
  const form = stepForms['election-request']!;

  it('names every missing required field', () => {
    expect(validateOutcome(form, formToOutcome(form, {}))).toEqual({
      electionDate: 'v.required',
      seats: 'v.required',
      nominationMethod: 'v.required',
    });
  });

  it('checks types and ranges field by field', () => {
    const errs = validateOutcome(form, formToOutcome(form, { electionDate: '2027-02-30x', seats: '2', nominationMethod: 'lottery' }));
    expect(errs).toEqual({ electionDate: 'v.date', seats: 'v.min', nominationMethod: 'v.option' });
    expect(validateOutcome(form, formToOutcome(form, { electionDate: '2027-01-10', seats: '3.5', nominationMethod: 'members' }))).toEqual({ seats: 'v.int' });
    expect(validateOutcome(form, formToOutcome(form, { electionDate: '2027-01-10', seats: '40', nominationMethod: 'members' }))).toEqual({ seats: 'v.max' });
  });

  it('turns a valid form into the outcome the API stores', () => {
    const outcome = formToOutcome(form, { electionDate: '2027-01-10', seats: ' 5 ', nominationMethod: 'combined', note: '' });
    expect(outcome).toEqual({ electionDate: '2027-01-10', seats: 5, nominationMethod: 'combined' });
    expect(validateOutcome(form, outcome)).toBeNull();
  });
});
