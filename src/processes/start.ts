// Starting process workflows: one by a person (answered once its first step is recorded), or one per organization
// of a subtree with bounded concurrency; a kind already running for the organization is refused, not started twice.
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Sql } from '../db/client.js';
import type { ProcessKind } from '../domain/step.js';
import { processIdOf } from '../domain/process-starts.js';
import { processSettledUpdate } from '../../workflows/messages.js';

/** The workflow id of a process: one live process of a kind per organization. */
export const processId = processIdOf;

export class AlreadyRunning extends Error {
  constructor(readonly id: string) {
    super(`${id} is already running`);
  }
}

/**
 * Starts a process workflow with id `${kind}:${organization}` (or the id a kind names its runs by: a branch's year)
 * and makes it readable at once (any kind).
 */
export async function startProcess<A extends unknown[]>(
  sql: Sql,
  client: Client,
  taskQueue: string,
  p: { kind: ProcessKind; organization: string; organizationId: number; workflow: (...args: A) => Promise<unknown>; args: A; workflowId?: string },
): Promise<string> {
  const id = p.workflowId ?? processId(p.kind, p.organization);
  try {
    await client.workflow.start(p.workflow as (...args: unknown[]) => Promise<unknown>, { workflowId: id, taskQueue, args: p.args });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new AlreadyRunning(id);
    throw err;
  }
  await projectStart(sql, id, p.kind, p.organizationId);
  return id;
}

/** How long a start waits for its run to settle before it answers with what is recorded so far. */
export const SETTLE_WAIT_MS = 10_000;

/**
 * Starts a process for a person and answers once its run has settled (Update-with-Start of `processSettled`: the
 * start and the wait for the first step in one call, handled in the run's first workflow task): its first task is
 * then on the process's rows, and the page shows it without polling. `settled` is false when the run did not settle
 * within `waitMs` (a worker down or slow): the process runs, and its rows say how far it got.
 */
export async function startProcessSettled<A extends unknown[]>(
  sql: Sql,
  client: Client,
  taskQueue: string,
  p: { kind: ProcessKind; organization: string; organizationId: number; workflow: (...args: A) => Promise<unknown>; args: A },
  waitMs = SETTLE_WAIT_MS,
): Promise<{ id: string; settled: boolean }> {
  const id = processId(p.kind, p.organization);
  const asked = Date.now();
  const startWorkflowOperation = new WithStartWorkflowOperation(p.workflow as (...args: unknown[]) => Promise<unknown>, {
    workflowId: id,
    taskQueue,
    args: p.args,
    workflowIdConflictPolicy: 'FAIL',
  });
  let settled: boolean;
  try {
    // One call, bounded: the start, then the Update's answer once the run settled (a worker must run it), and no
    // request holds its connection for long.
    await client.withDeadline(asked + waitMs, () => client.workflow.executeUpdateWithStart(processSettledUpdate, { startWorkflowOperation }));
    settled = true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new AlreadyRunning(id);
    // Past the deadline (or refused by an older worker) the start may have happened: it did if a run of this id
    // began after the call did.
    const started = await client.workflow
      .getHandle(id)
      .describe()
      .catch(() => null);
    if (started?.status.name !== 'RUNNING' || started.startTime.getTime() < asked - 1_000) throw err;
    settled = false;
  }
  // A settled run has written its own row with its first record; one that has not yet gets the placeholder.
  if (!settled) await projectStart(sql, id, p.kind, p.organizationId);
  return { id, settled };
}

/** The process's row before its run writes one: readable at once, taken over by the run's first record (a later updated_at). */
async function projectStart(sql: Sql, id: string, kind: ProcessKind, organizationId: number): Promise<void> {
  await sql`
    insert into processes (workflow_id, kind, organization_id, current_step, started_at, updated_at)
    values (${id}, ${kind}, ${organizationId}, 'started', now(), '-infinity')
    on conflict do nothing`;
}

/**
 * Starts one process per organization with bounded concurrency (a subtree's years of 三会一课, a county's appraisals):
 * an organization whose process already runs is counted as running, not started again.
 */
export async function startEach<I>(
  sql: Sql,
  client: Client,
  taskQueue: string,
  orgs: readonly { id: number; code: string }[],
  process: { kind: ProcessKind; workflow: (input: I) => Promise<unknown> },
  run: (o: { id: number; code: string }) => { input: NoInfer<I>; workflowId: string },
  concurrency = 16,
): Promise<{ started: number; running: number }> {
  let next = 0;
  let started = 0;
  let running = 0;
  const lane = async () => {
    while (next < orgs.length) {
      const o = orgs[next++]!;
      try {
        const { input, workflowId } = run(o);
        await startProcess(sql, client, taskQueue, { organization: o.code, organizationId: o.id, ...process, args: [input], workflowId });
        started++;
      } catch (err) {
        if (!(err instanceof AlreadyRunning)) throw err;
        running++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { started, running };
}
