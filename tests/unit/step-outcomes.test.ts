import { describe, expect, it } from 'vitest';
import { formToOutcome, validateOutcome } from '../../src/domain/step-outcomes.js';
import { candidates as candidatesStep, electionRequest } from '../../src/domain/steps.js';
import { candidatesOutcome, electionRequestOutcome } from '../../src/domain/term-election/rules.js';

// The schemas behind the task forms: what the browser checks before it sends, and what it shows per field.
describe('step outcome forms', () => {
  const form = electionRequest;

  it("uses the workflow's own schema for the election request, its bounds and required fields read from it", () => {
    expect(form.outcome).toBe(electionRequestOutcome);
    const seats = form.fields.find((f) => f.name === 'seats')!;
    expect(seats).toMatchObject({ kind: 'int', required: false, min: 1, max: 99 });
    expect(electionRequestOutcome.shape.seats.unwrap()).toMatchObject({ minValue: seats.min, maxValue: seats.max });
    expect(candidatesStep.fields.find((f) => f.name === 'seats')).toMatchObject({ required: true, min: 1, max: 99 });
    expect(candidatesStep.outcome).toBe(candidatesOutcome);
  });

  it('accepts what the workflow accepts: one seat (a branch of fewer than 7 members elects its secretary alone), a request left to the reply', () => {
    for (const s of ['1', '2', '99'])
      expect(validateOutcome(form, formToOutcome(form, { electionDate: '2027-01-10', seats: s, nominationMethod: 'members' })), s).toBeNull();
    expect(validateOutcome(form, formToOutcome(form, {}))).toBeNull();
  });

  it('names every missing required field', () => {
    const candidates = candidatesStep;
    expect(validateOutcome(candidates, formToOutcome(candidates, {}))).toEqual({ seats: 'v.required', candidates: 'v.required' });
  });

  it('checks types and ranges field by field', () => {
    const errs = validateOutcome(form, formToOutcome(form, { electionDate: '2027-02-30x', seats: '0', postponeMonths: '0' }));
    expect(errs).toEqual({ electionDate: 'v.date', seats: 'v.min', postponeMonths: 'v.min' });
    expect(validateOutcome(form, formToOutcome(form, { electionDate: '2027-01-10', seats: '3.5', nominationMethod: 'members' }))).toEqual({ seats: 'v.int' });
    expect(validateOutcome(form, formToOutcome(form, { electionDate: '2027-01-10', seats: '100', nominationMethod: 'members' }))).toEqual({ seats: 'v.max' });
  });

  it("checks the run's postponement rule beside its field", () => {
    // The context the workflow wrote when it opened the request: the run's rule set.
    const context = { ruleSet: 'national-2018' };
    expect(validateOutcome(form, formToOutcome(form, { postponeMonths: '13' }), context)).toEqual({ postponeMonths: 'r.postponement' });
    expect(validateOutcome(form, formToOutcome(form, { postponeMonths: '12' }), context)).toBeNull();
  });

  it('turns a valid form into the outcome the API stores', () => {
    const outcome = formToOutcome(form, { electionDate: '2027-01-10', seats: ' 5 ', nominationMethod: 'combined', note: '' });
    expect(outcome).toEqual({ electionDate: '2027-01-10', seats: 5, nominationMethod: 'combined' });
    expect(validateOutcome(form, outcome)).toBeNull();
  });
});
