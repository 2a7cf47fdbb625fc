// The scaffold every process workflow stands on, so that a workflow file reads like its process in domain.md:
// keys unique across terms, cycles and rounds; the state query; recording a step (with the fields a history line
// is worded from); opening a catalog step as a task; and one policy for a step a person cancelled.
import { setHandler, workflowInfo } from '@temporalio/workflow';
import type { z } from 'zod';
import type { StepDef } from '../src/domain/step.js';
import { acts } from './process-activities.js';
import { HumanTasks, type HumanTaskResult } from './human-task.js';
import { processStateQuery } from './messages.js';
import { cancellable, stepTask, type CancelRequest, type StepTaskSpec } from './process-control.js';

export type ProcessStatus = 'running' | 'completed' | 'cancelled';

/** What a history line says besides its step: the verb, and the round (a refiled request, a ballot's round). */
export interface EventWords {
  verb?: string;
  round?: number;
}

export interface ProcessRunOptions {
  kind: string;
  organization: string;
  /** Prefix of this run's task and event keys ('t2:' for a second term; '' for the first). */
  prefix: string;
  /** Which term, selection or cycle this run is (1 for the first). */
  run: number;
}

export class ProcessRun {
  readonly workflowId = workflowInfo().workflowId;
  readonly tasks = new HumanTasks();
  step = 'starting';
  nextDeadline: string | null = null;
  /** Set once the run has read its organization (`at`): every record names it, the cancel Update checks rights at its path. */
  organizationId: number | undefined;
  private orgPath: string | undefined;

  constructor(private readonly o: ProcessRunOptions) {
    setHandler(processStateQuery, () => ({ kind: o.kind, organization: o.organization, step: this.step, nextDeadline: this.nextDeadline, tasks: this.tasks.views() }));
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
  async cancellable(body: () => Promise<void>, hooks: { before?: (c: CancelRequest) => Promise<unknown>; after?: (c: CancelRequest) => Promise<unknown> } = {}): Promise<void> {
    await cancellable(
      () => this.orgPath,
      body,
      async (cancel) => {
        this.nextDeadline = null;
        this.step = 'cancelled';
        await hooks.before?.(cancel);
        await acts.cancelProcess({ workflowId: this.workflowId, organizationId: this.organizationId!, kind: this.o.kind, step: this.step, actor: cancel.actor.username, reason: cancel.reason, at: new Date().toISOString() });
        await hooks.after?.(cancel);
      },
    );
  }

  /** A task or event key unique across this workflow id's runs. */
  key(k: string): string {
    return `${this.o.prefix}${k}`;
  }

  /** The process is at `step`; the history gets the event `eventKey` (this run's key) with its words. */
  async moveTo(step: string, eventKey: string, detail: Record<string, unknown> = {}, status: ProcessStatus = 'running', words: EventWords = {}): Promise<void> {
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
  }

  /** Opens a catalog step as a task named `name` (unique in the run) and records that it opened. */
  async open<S extends z.ZodType<Record<string, unknown>>, C>(name: string, def: StepDef<S, C>, context: C | (() => C), spec: Omit<StepTaskSpec<S>, 'key'>, words: EventWords = {}, detail: Record<string, unknown> = {}) {
    const opened = await this.tasks.open(stepTask(def, context, { ...spec, key: this.key(name) }));
    this.nextDeadline = opened.task.dueAt;
    await this.moveTo(def.step, `${name}-opened`, { taskKey: opened.task.taskKey, dueAt: opened.task.dueAt, ...detail }, 'running', { verb: 'opened', ...words });
    return opened;
  }

  /**
   * The one policy for a step a person cancelled (the organizer or supervisor withdrew it, with a reason): the
   * process ends there, cancelled, and its history says which step, who and why. Returns whether it did.
   */
  async endIfCancelled(result: HumanTaskResult, def: Pick<StepDef, 'step'>, name: string, words: EventWords = {}): Promise<boolean> {
    if (result.state !== 'cancelled') return false;
    this.nextDeadline = null;
    await this.moveTo(`${def.step}-cancelled`, `${name}-cancelled`, { reason: result.reason, by: result.actor }, 'cancelled', { verb: 'cancelled', ...words });
    return true;
  }
}
