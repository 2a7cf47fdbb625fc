import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Sql } from '../db/client.js';
import type { ProcessKind } from '../domain/step.js';
import { electsHere } from '../organizations/term-late.js';
import { termElection, type TermElectionInput } from '../../workflows/term-election/workflow.js';

export const TERM_ELECTION = 'term-election' satisfies ProcessKind;

/** The workflow id of a process: one live process of a kind per organization. */
import { processIdOf } from '../domain/process-starts.js';

export const processId = processIdOf;

export class AlreadyRunning extends Error {
  constructor(readonly id: string) {
    super(`${id} is already running`);
  }
}

/** Starts the term-election workflow of one organization and makes it readable at once. */
export function startTermElection(sql: Sql, client: Client, taskQueue: string, input: TermElectionInput & { organizationId: number }): Promise<string> {
  return startProcess(sql, client, taskQueue, {
    kind: TERM_ELECTION,
    organization: input.organization,
    organizationId: input.organizationId,
    workflow: termElection,
    args: [{ organization: input.organization, ruleSet: input.ruleSet }],
  });
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
  // The workflow's first activity writes the same row with a later updated_at and takes it over.
  await sql`
    insert into processes (workflow_id, kind, organization_id, current_step, started_at, updated_at)
    values (${id}, ${p.kind}, ${p.organizationId}, 'started', now(), '-infinity')
    on conflict do nothing`;
  return id;
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

/** Starts term elections for many organizations whose committee is elected here, with bounded concurrency; returns how many started. */
export async function startTermElections(sql: Sql, client: Client, taskQueue: string, codes: readonly string[], concurrency = 32): Promise<number> {
  const orgs = await sql<{ id: number; code: string }[]>`
    select o.id, o.code from organizations o where o.code = any(${codes as string[]}) and o.term_ends_on is not null and ${electsHere(sql)}`;
  let next = 0;
  let started = 0;
  const lane = async () => {
    while (next < orgs.length) {
      const org = orgs[next++]!;
      try {
        await startTermElection(sql, client, taskQueue, { organization: org.code, organizationId: org.id });
        started++;
      } catch (err) {
        if (!(err instanceof AlreadyRunning)) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return started;
}
