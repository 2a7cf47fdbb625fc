// A process of one human task: an ad-hoc assignment from a committee to an organization below it (and the
// harness the time-skipping tests and the deadline-storm benchmark drive the building block with).
import { condition, allHandlersFinished } from '@temporalio/workflow';
import { HumanTasks, type HumanTaskResult, type HumanTaskSpec } from './human-task.js';

export interface TaskProcessInput {
  task: Omit<HumanTaskSpec, 'process'> & { process?: string };
}

export async function taskProcess(input: TaskProcessInput): Promise<HumanTaskResult> {
  const tasks = new HumanTasks();
  const result = await tasks.run({ process: 'task', ...input.task });
  await condition(allHandlersFinished);
  return result;
}
