// Starting a year of organization life for the branches of a subtree: one workflow per branch and year, started
// with bounded concurrency; a branch whose year already runs is counted, not started again.
import type { Client } from '@temporalio/client';
import type { Sql } from '../db/client.js';
import { lifeRulesFor } from '../domain/organization-life/rules.js';
import { startEach } from '../processes/start.js';
import { organizationLife, organizationLifeId, KIND } from '../../workflows/organization-life/workflow.js';
import { branchesToStart } from './store.js';

export async function startLifeYears(
  sql: Sql,
  client: Client,
  taskQueue: string,
  p: { path: string; year: number },
  concurrency = 16,
): Promise<{ started: number; running: number }> {
  const r = lifeRulesFor(`${p.year}-01-01`);
  const orgs = await branchesToStart(sql, { path: p.path, types: r.heldBy, year: p.year });
  return startEach(
    sql,
    client,
    taskQueue,
    orgs,
    { kind: KIND, workflow: organizationLife },
    (o) => ({ input: { organization: o.code, year: p.year }, workflowId: organizationLifeId(o.code, p.year) }),
    concurrency,
  );
}
