// Processes as the API reads them from PostgreSQL (the projection the activities write; never Temporal).
import type { Queryable } from '../db/client.js';

/** The ltree path of the organization process `workflowId` runs for, if the process exists. */
export async function processPath(sql: Queryable, workflowId: string): Promise<string | undefined> {
  const [p] = await sql<{ path: string }[]>`
    select o.path::text as path from processes p join organizations o on o.id = p.organization_id where p.workflow_id = ${workflowId}`;
  return p?.path;
}
