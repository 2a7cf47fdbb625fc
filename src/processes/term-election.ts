import type { Client } from '@temporalio/client';
import type { Sql } from '../db/client.js';
import { electsHere } from '../organizations/term-late.js';
import { termElection, type TermElectionInput } from '../../workflows/term-election/workflow.js';
import type { ProcessKind } from '../domain/step.js';
import { processId, startEach, startProcess } from './start.js';

export const TERM_ELECTION = 'term-election' satisfies ProcessKind;

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

/** Starts term elections for many organizations whose committee is elected here, with bounded concurrency; returns how many started. */
export async function startTermElections(sql: Sql, client: Client, taskQueue: string, codes: readonly string[], concurrency = 32): Promise<number> {
  const orgs = await sql<{ id: number; code: string }[]>`
    select o.id, o.code from organizations o where o.code = any(${codes as string[]}) and o.term_ends_on is not null and ${electsHere(sql)}`;
  const { started } = await startEach(
    sql,
    client,
    taskQueue,
    orgs,
    { kind: TERM_ELECTION, workflow: termElection },
    (o) => ({ input: { organization: o.code }, workflowId: processId(TERM_ELECTION, o.code) }),
    concurrency,
  );
  return started;
}
