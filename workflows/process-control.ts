// What every process workflow shares beyond its tasks: cancellation by a person with a reason (an Update, so
// a refused cancel never enters history), and step outcomes checked by the rules in the complete validator.
import { ApplicationFailure, CancellationScope, condition, defineUpdate, isCancellation, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import { z as zod } from 'zod';
import { RuleViolation } from '../src/domain/election.js';
import { actorAllows, type Actor } from '../src/domain/task-rights.js';
import { actorSchema, reasonSchema } from './messages.js';
import { steeringRoles, type Role } from '../src/domain/roles.js';
import { stepTitle, type StepDef, type TaskTitle } from '../src/domain/step.js';
import type { HumanTaskSpec } from './human-task.js';

export const cancelProcessInput = zod.object({ actor: actorSchema, reason: reasonSchema });
export type CancelProcessInput = z.input<typeof cancelProcessInput>;
export interface CancelRequest {
  actor: Actor;
  reason: string;
}
export const cancelProcessUpdate = defineUpdate<{ status: 'cancelled' }, [CancelProcessInput]>('cancelProcess');

/**
 * Runs a process body that a person may cancel. The cancel Update's validator checks the reason and the
 * caller's right at the organization (its path is known once the body has read it); its handler cancels the
 * body's scope, and `onCancel` (not cancellable) closes the open tasks and records who and why.
 */
export async function cancellable(orgPath: () => string | undefined, body: () => Promise<void>, onCancel: (c: CancelRequest) => Promise<void>): Promise<void> {
  let request: CancelRequest | undefined;
  let finished = false;
  const scope = new CancellationScope();
  setHandler(
    cancelProcessUpdate,
    async (raw) => {
      const i = cancelProcessInput.parse(raw);
      request = { actor: i.actor, reason: i.reason };
      scope.cancel();
      await condition(() => finished);
      return { status: 'cancelled' as const };
    },
    {
      validator: (raw) => {
        const i = cancelProcessInput.parse(raw);
        const path = orgPath();
        if (finished || request) throw new Error('the process has already ended or is being cancelled');
        if (path === undefined) throw new Error('the process is starting; retry');
        if (!actorAllows(i.actor, path, steeringRoles)) throw new Error(`${i.actor.username} may not cancel this process`);
      },
    },
  );
  try {
    await scope.run(body);
  } catch (err) {
    if (!request || !isCancellation(err)) throw err;
    const r = request;
    await CancellationScope.nonCancellable(() => onCancel(r));
  } finally {
    finished = true;
  }
}

/**
 * A task's outcome rule for `validateOutcome`: the payload must match the step's schema, then pass `check`.
 * Refusals carry a type the API answers with 422 (RuleViolation names the rule broken).
 */
export function outcomeRule<S extends z.ZodType>(
  schema: S,
  check: (o: z.output<S>, actor?: Actor) => void = () => {},
): (outcome: Record<string, unknown>, actor?: Actor) => void {
  return (outcome, actor) => {
    const parsed = schema.safeParse(outcome);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ field: ['outcome', ...i.path.map(String)].join('.'), message: i.message }));
      throw ApplicationFailure.create({
        type: 'InvalidOutcome',
        message: issues.map((i) => `${i.field}: ${i.message}`).join('; '),
        details: [issues],
        nonRetryable: true,
      });
    }
    try {
      check(parsed.data, actor);
    } catch (err) {
      if (err instanceof RuleViolation) {
        throw ApplicationFailure.create({ type: 'RuleViolation', message: err.message, details: [{ ...err.params, rule: err.rule }], nonRetryable: true });
      }
      throw err;
    }
  };
}

/** The outcome as the step's schema reads it (after the validator accepted it). */
export function outcomeOf<S extends z.ZodType>(schema: S, outcome: Record<string, unknown>): z.output<S> {
  return schema.parse(outcome);
}

/** Runs a rule check inside an Update validator: a RuleViolation becomes the failure the API answers with 422. */
export function enforce(check: () => void): void {
  try {
    check();
  } catch (err) {
    if (err instanceof RuleViolation) {
      throw ApplicationFailure.create({ type: 'RuleViolation', message: err.message, details: [{ ...err.params, rule: err.rule }], nonRetryable: true });
    }
    throw err;
  }
}

/** How a catalog step's task is opened: everything but what its entry says. */
export type StepTaskSpec<S extends z.ZodType> = Omit<HumanTaskSpec, 'process' | 'step' | 'assigneeRole' | 'validateOutcome' | 'context' | 'title'> & {
  assigneeRole?: Role;
  /** What sets this task apart in its title, which is otherwise the step's words (stepTitle). */
  titled?: TaskTitle;
  /**
   * What only the workflow's state can tell (a deliverable's milestones; a training session's holder and first
   * day, against whoever records attendance), checked after the step's rule.
   */
  alsoCheck?: (outcome: z.output<S>, actor?: Actor) => void;
  /**
   * What only a read can tell (the register on the meeting's day): run when the outcome is recorded, before the
   * task closes (HumanTaskSpec.confirmOutcome); it reads, keeps what it read in the context, and may refuse.
   */
  confirm?: (outcome: z.output<S>) => Promise<void>;
};

/**
 * A catalog step as a human task: process, step, assignee role and title from the step's entry (its catalog entry),
 * its context written to the task row, and the complete Update's validator running the entry's schema and rule on
 * that context. `context` may be a function when it grows while the task is open (enrolments of a training).
 */
export function stepTask<S extends z.ZodType<Record<string, unknown>>, C>(def: StepDef<S, C>, context: C | (() => C), spec: StepTaskSpec<S>): HumanTaskSpec {
  const current = () => (typeof context === 'function' ? (context as () => C)() : context);
  const { alsoCheck, confirm, titled, ...rest } = spec;
  const validate = outcomeRule(def.outcome, (o, actor) => {
    def.rule?.(o, current());
    alsoCheck?.(o, actor);
  });
  return {
    ...rest,
    process: def.process,
    step: def.step,
    rights: def,
    assigneeRole: spec.assigneeRole ?? def.role,
    title: stepTitle(def, titled),
    titled,
    context: current(),
    validateOutcome: validate,
    ...(confirm
      ? {
          confirmOutcome: async (outcome: Record<string, unknown>, actor: Actor) => {
            await confirm(outcomeOf(def.outcome, outcome));
            // With what the read learned, the step's rule again: a refusal is the 422 the validator would give.
            validate(outcome, actor);
          },
        }
      : {}),
  };
}
