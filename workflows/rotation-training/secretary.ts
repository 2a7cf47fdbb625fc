// A new secretary starts a new rotation-training cycle, named for them, whichever way they came (domain.md §4.3):
// a change of secretary (POST /training/secretary-changes, the newSecretary Update), the term election's approved
// result, 两推一选's approval. The training process owns its cycles, so the processes that put a secretary in
// office tell it, through this one call, and it decides (the same secretary again changes nothing).
//
// What the other processes need of the training lives here, not in its workflow module: importing that would evaluate
// the whole training process in every term election's and 两推一选's run.
import { defineSignal, getExternalWorkflowHandle } from '@temporalio/workflow';
import { z } from 'zod';
import { training as trainingStep } from '../../src/domain/rotation-training/steps.js';
import { reasonSchema } from '../messages.js';

export const KIND = trainingStep.process;

/** A secretary another process put in office: who, why, who decided it (their username), which process. */
export const secretaryChangedInput = z.object({
  secretary: z.string().trim().min(1).max(100),
  reason: reasonSchema.optional(),
  by: z.string().min(1).max(100),
  source: z.string().min(1).max(200),
});
/**
 * A signal, not an Update: a workflow cannot send an Update, and the process that elected the secretary owes its
 * own run nothing from the training's answer. The same secretary again, or a training that ended, changes nothing.
 */
export const secretaryChangedSignal = defineSignal<[z.input<typeof secretaryChangedInput>]>('secretaryChanged');

/** The workflow id of an organization's rotation training (one per organization, its cycles continued-as-new). */
export const trainingWorkflowId = (organization: string) => `${KIND}:${organization}`;

/**
 * Tells the organization's running training of its new secretary. Answers whether one was running: with none, no
 * cycle is open to close, and a training started later reads the register, which already shows the new secretary.
 */
export async function tellTrainingOfSecretary(organization: string, change: z.input<typeof secretaryChangedInput>): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(trainingWorkflowId(organization)).signal(secretaryChangedSignal, change);
    return true;
  } catch {
    return false;
  }
}
