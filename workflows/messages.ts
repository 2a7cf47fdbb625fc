// Messages of the process workflows, declared once: the workflows set their handlers, the API sends them.
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export interface Actor {
  /** Username of the person acting, or a machine token's name. */
  username: string;
}

export interface CompleteTaskInput {
  taskKey: string;
  actor: Actor;
  outcome?: Record<string, unknown>;
}

export interface TaskView {
  taskKey: string;
  step: string;
  state: 'open' | 'done' | 'cancelled';
  dueAt: string;
}

export interface ProcessView {
  kind: string;
  organization: string;
  step: string;
  nextDeadline: string | null;
  tasks: TaskView[];
}

export const completeTaskUpdate = defineUpdate<TaskView, [CompleteTaskInput]>('completeTask');
export const processStateQuery = defineQuery<ProcessView>('processState');
