// Term election 换届选举 (domain.md §4.1), one workflow per organization on its term register.
// This run covers steps 1–3: wait for the reminder dates before the term ends, then ask the outgoing
// committee for its request to hold the election, due a set number of months before expiry.
import { allHandlersFinished, condition, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { ProcessActivities } from '../activities/index.js';
import { addMonths, shanghaiInstant } from '../src/domain/dates.js';
import { HumanTasks, type HumanTaskResult } from './human-task.js';
import { processStateQuery } from './messages.js';

export interface TermElectionInput {
  organization: string;
  /** Pin a rule set (history); by default the one in force when the run starts. */
  ruleSet?: string;
}

const { loadTermContext, recordStep, recordTaskEvent } = proxyActivities<ProcessActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export const KIND = 'term-election';

export async function termElection(input: TermElectionInput): Promise<void> {
  const workflowId = workflowInfo().workflowId;
  const ctx = await loadTermContext({ organization: input.organization, at: new Date().toISOString(), ruleSet: input.ruleSet });
  const { rules, termEndsOn } = ctx;
  let step = 'term-register';
  let nextDeadline: string | null = shanghaiInstant(termEndsOn, 0).toISOString();
  // Completion, claims, extensions, escalation actions: the building block's Updates.
  const tasks = new HumanTasks();

  setHandler(processStateQuery, () => ({ kind: KIND, organization: input.organization, step, nextDeadline, tasks: tasks.views() }));

  const moveTo = async (next: string, eventKey: string, detail: Record<string, unknown> = {}, status: 'running' | 'completed' | 'cancelled' = 'running') => {
    step = next;
    await recordStep({ workflowId, kind: KIND, organizationId: ctx.organizationId, step, eventKey, at: new Date().toISOString(), nextDeadline, detail, status });
  };

  await moveTo(step, 'registered', { termEndsOn, ruleSet: rules.id });

  // Reminders to the organization 6 and 3 months before its term ends (dates from the rule set).
  const reminders = [...rules.reminderMonthsBefore].sort((a, b) => b - a);
  const requestDueOn = addMonths(termEndsOn, -rules.requestDueMonthsBefore);
  const [first, ...later] = reminders;
  await sleepUntil(shanghaiInstant(addMonths(termEndsOn, -(first ?? 6))));

  // Step 3: the outgoing committee's request (请示) to hold the election, a human task with the working-day
  // reminders and escalations of the rule set.
  const request = await tasks.open({
    key: 'election-request',
    process: KIND,
    step: 'election-request',
    organizationId: ctx.organizationId,
    assigneeRole: 'secretary',
    due: { on: requestDueOn },
    reminderWorkingDays: rules.taskReminderWorkingDays,
    escalationWorkingDays: rules.escalationWorkingDays,
    title: '换届选举请示',
  });
  nextDeadline = request.task.dueAt;
  await moveTo('election-request', 'request-opened', { taskKey: request.task.taskKey, dueAt: request.task.dueAt });

  let outcome: HumanTaskResult | undefined;
  void request.result.then((r) => (outcome = r));
  // Later term reminders (months before expiry) go out only while the request is still missing.
  const filed = () => outcome !== undefined;
  for (const months of later) {
    const waitMs = shanghaiInstant(addMonths(termEndsOn, -months)).getTime() - Date.now();
    if (waitMs > 0 && (await condition(filed, waitMs))) break;
    if (filed()) break;
    await recordTaskEvent({ workflowId, taskKey: request.task.taskKey, eventKey: `reminder-${months}m`, kind: 'reminded', at: new Date().toISOString(), detail: { monthsBeforeTermEnd: months } });
  }

  const result = await request.result;
  nextDeadline = null;
  if (result.state === 'cancelled') {
    await moveTo('election-request-cancelled', 'request-cancelled', { reason: result.reason, by: result.actor }, 'cancelled');
  } else {
    // The supervisor's reply and the election itself (steps 4–8) follow in later runs of this workflow.
    await moveTo('election-requested', 'request-filed', {}, 'completed');
  }
  await condition(allHandlersFinished);
}

/** Durable sleep until an instant on the workflow clock; an instant already past returns at once. */
async function sleepUntil(t: Date): Promise<void> {
  const ms = t.getTime() - Date.now();
  if (ms > 0) await sleep(ms);
}
