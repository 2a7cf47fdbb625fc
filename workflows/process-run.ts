// The scaffold every process workflow stands on, so that a workflow file reads like its process in domain.md:
// keys unique across terms, cycles and rounds; the state query; recording a step (with the fields a history line
// is worded from); the one way to do a catalog step (open its task, wait for it, read its outcome by the step's
// schema); and one policy for a step a person cancelled: the process ends there.
import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import type { z } from 'zod';
import type { ProcessKind, StepDef } from '../src/domain/step.js';
import type { ProcessState } from '../src/domain/process-states.js';
import { activitiesInFlight, acts } from './process-activities.js';
import { HumanTasks, type HumanTaskResult } from './human-task.js';
import { processSettledUpdate, processStateQuery, type ProcessView } from './messages.js';
import { cancellable, outcomeOf, stepTask, type CancelRequest, type StepTaskSpec } from './process-control.js';

export type ProcessStatus = 'running' | 'completed' | 'cancelled';

/** Thrown by `outcome` when a person cancelled the step's task: the process has ended there, and its body stops. */
class StepCancelled extends Error {}

/** A step done: its outcome as the step's schema reads it, and who recorded it. */
export interface StepDone<S extends z.ZodType> {
  outcome: z.output<S>;
  actor: string;
}

/** What `outcome` and `perform` do when a person cancelled the task, besides the one policy's history line. */
export interface CancelWords {
  /** The words of the cancelled line (by default none beyond the verb). */
  words?: EventWords;
  /** The process's own record of the end, kept before its history line. */
  before?: () => Promise<unknown>;
}

/** What a history line says besides its step: the verb, and the round (a refiled request, a ballot's round). */
export interface EventWords {
  verb?: string;
  round?: number;
}

declare const runState: unique symbol;
/** A state no declaration names: a catalog step whose task is open, or `<step>-cancelled` (endIfCancelled). */
export type StepState = string & { readonly [runState]: true };
/**
 * Where a run of kind K is: a state its declaration names (src/domain/<process>/states.ts), the scaffold's own
 * (starting, cancelled), or a step's. A bare string is none of these, so a state nobody declared does not compile.
 */
export type RunState<K extends ProcessKind> = ProcessState<K> | 'starting' | 'cancelled' | StepState;

export interface ProcessRunOptions<K extends ProcessKind> {
  kind: K;
  organization: string;
  /** Prefix of this run's task and event keys ('t2:' for a second term; '' for the first). */
  prefix: string;
  /** Which term, selection or cycle this run is (1 for the first). */
  run: number;
}

export class ProcessRun<K extends ProcessKind = ProcessKind> {
  readonly workflowId = workflowInfo().workflowId;
  readonly tasks = new HumanTasks();
  step: RunState<K> = 'starting';
  nextDeadline: string | null = null;
  /** Set once the run has read its organization (`at`): every record names it, the cancel Update checks rights at its path. */
  organizationId: number | undefined;
  private orgPath: string | undefined;
  /** A step of this run is recorded (its projection row written): the start's answer waits for the first. */
  private recorded = false;

  constructor(private readonly o: ProcessRunOptions<K>) {
    setHandler(processStateQuery, () => this.view());
    setHandler(processSettledUpdate, async () => {
      await condition(() => this.recorded && activitiesInFlight() === 0);
      return this.view();
    });
  }

  private view(): ProcessView {
    return { kind: this.o.kind, organization: this.o.organization, step: this.step, nextDeadline: this.nextDeadline, tasks: this.tasks.views() };
  }

  /** The organization the process is about, once read. */
  at(organizationId: number, orgPath: string): void {
    this.organizationId = organizationId;
    this.orgPath = orgPath;
  }

  /**
   * Runs the process body under the cancel Update (process-control.ts cancellable): a person who steers the
   * organization may cancel it with a reason; the process is then recorded cancelled, with the process's own
   * records (`before` and `after` that) in the order the process keeps them.
   */
  async cancellable(
    body: () => Promise<void>,
    hooks: { before?: (c: CancelRequest) => Promise<unknown>; after?: (c: CancelRequest) => Promise<unknown> } = {},
  ): Promise<void> {
    await cancellable(
      () => this.orgPath,
      async () => {
        try {
          await body();
        } catch (err) {
          // A step a person cancelled has ended the process already (`outcome`): the body only stops.
          if (!(err instanceof StepCancelled)) throw err;
        }
      },
      async (cancel) => {
        this.nextDeadline = null;
        this.step = 'cancelled';
        await hooks.before?.(cancel);
        await acts.cancelProcess({
          workflowId: this.workflowId,
          organizationId: this.organizationId!,
          kind: this.o.kind,
          step: this.step,
          actor: cancel.actor.username,
          reason: cancel.reason,
          at: new Date().toISOString(),
        });
        await hooks.after?.(cancel);
      },
    );
  }

  /** A task or event key unique across this workflow id's runs. */
  key(k: string): string {
    return `${this.o.prefix}${k}`;
  }

  /**
   * The process is at `state` (a declared state, or a catalog step: its name); the history gets the event `eventKey`
   * (this run's key) with its words.
   */
  async moveTo(
    state: RunState<K> | Pick<StepDef, 'step'>,
    eventKey: string,
    detail: Record<string, unknown> = {},
    status: ProcessStatus = 'running',
    words: EventWords = {},
  ): Promise<void> {
    const step = typeof state === 'string' ? state : (state.step as StepState);
    this.step = step;
    await acts.recordStep({
      workflowId: this.workflowId,
      kind: this.o.kind,
      organizationId: this.organizationId!,
      step,
      eventKey: this.key(eventKey),
      at: new Date().toISOString(),
      nextDeadline: this.nextDeadline,
      detail,
      status,
      verb: words.verb,
      round: words.round,
      run: this.o.run,
    });
    this.recorded = true;
  }

  /**
   * Opens a catalog step as a task named `name` (unique in the run), without a history line: for a process that
   * records the opening with its own records, in its own order (pairing's deliverables, a training cycle).
   */
  async openTask<S extends z.ZodType<Record<string, unknown>>, C>(
    name: string,
    def: StepDef<S, C>,
    context: C | (() => C),
    spec: Omit<StepTaskSpec<S>, 'key'>,
  ) {
    return this.tasks.open(stepTask(def, context, { ...spec, key: this.key(name) }));
  }

  /**
   * Tasks of one catalog step that open at later instants (each named `name`, unique in the run): planned now in one
   * activity, opened by the deadline sweep when their instant comes (HumanTasks.openAhead), without history lines.
   */
  async openTasksAhead<S extends z.ZodType<Record<string, unknown>>, C>(
    def: StepDef<S, C>,
    items: { name: string; opensAt: string; context: C | (() => C); spec: Omit<StepTaskSpec<S>, 'key'> }[],
  ) {
    return this.tasks.openAhead(items.map((i) => ({ spec: stepTask(def, i.context, { ...i.spec, key: this.key(i.name) }), opensAt: i.opensAt })));
  }

  /** Opens a catalog step as a task named `name` (unique in the run) and records that it opened. */
  async open<S extends z.ZodType<Record<string, unknown>>, C>(
    name: string,
    def: StepDef<S, C>,
    context: C | (() => C),
    spec: Omit<StepTaskSpec<S>, 'key'>,
    words: EventWords = {},
    detail: Record<string, unknown> = {},
  ) {
    const opened = await this.openTask(name, def, context, spec);
    this.nextDeadline = opened.task.dueAt;
    await this.moveTo(def, `${name}-opened`, { taskKey: opened.task.taskKey, dueAt: opened.task.dueAt, ...detail }, 'running', {
      verb: 'opened',
      ...words,
    });
    return opened;
  }

  /**
   * A step's task done: its outcome as the step's schema reads it. A task a person cancelled ends the process there
   * (endIfCancelled, after the process's own `before` record) and stops the body, which `cancellable` runs.
   */
  async outcome<S extends z.ZodType<Record<string, unknown>>>(
    result: HumanTaskResult,
    def: Pick<StepDef<S>, 'step' | 'outcome'>,
    name: string,
    cancel: CancelWords = {},
  ): Promise<StepDone<S>> {
    if (result.state === 'cancelled') {
      await cancel.before?.();
      await this.endIfCancelled(result, def, name, cancel.words);
      throw new StepCancelled(`${name} was cancelled`);
    }
    return { outcome: outcomeOf(def.outcome, result.outcome), actor: result.actor };
  }

  /** One person's step, the one way: opened (open), awaited, its outcome typed by its schema (outcome). */
  async perform<S extends z.ZodType<Record<string, unknown>>, C>(
    name: string,
    def: StepDef<S, C>,
    context: C | (() => C),
    spec: Omit<StepTaskSpec<S>, 'key'>,
    words: EventWords = {},
    cancel: CancelWords = { words },
  ): Promise<StepDone<S>> {
    const opened = await this.open(name, def, context, spec, words);
    return this.outcome(await opened.result, def, name, cancel);
  }

  /**
   * The one policy for a step a person cancelled (the organizer or supervisor withdrew it, with a reason): the
   * process ends there, cancelled, and its history says which step, who and why. Returns whether it did.
   */
  async endIfCancelled(result: HumanTaskResult, def: Pick<StepDef, 'step'>, name: string, words: EventWords = {}): Promise<boolean> {
    if (result.state !== 'cancelled') return false;
    this.nextDeadline = null;
    await this.moveTo(`${def.step}-cancelled` as StepState, `${name}-cancelled`, { reason: result.reason, by: result.actor }, 'cancelled', {
      verb: 'cancelled',
      ...words,
    });
    return true;
  }
}
