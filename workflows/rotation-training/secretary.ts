// A new secretary starts a new rotation-training cycle, named for them, whichever way they came (domain.md §4.3):
// a change of secretary (POST /training/secretary-changes, the newSecretary Update), the term election's approved
// result, 两推一选's approval. The training process owns its cycles, so the processes that put a secretary in
// office tell it, through this one call, and it decides (the same secretary again changes nothing).
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import type { z } from 'zod';
import { KIND, secretaryChangedSignal, type secretaryChangedInput } from './workflow.js';

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
