// Tasks as the API reads them from PostgreSQL (the projection the activities write; never Temporal).
import type { Queryable } from '../db/client.js';

/** Where a task stands: its process, its step and the ltree path of its organization. */
export interface TaskPlace {
  process: string;
  step: string;
  path: string;
}

/** The process, step and organization path of task `id`, if it exists. */
export async function taskPlace(sql: Queryable, id: number): Promise<TaskPlace | undefined> {
  const [t] = await sql<TaskPlace[]>`
    select t.process, t.step, o.path::text as path from tasks t join organizations o on o.id = t.organization_id where t.id = ${id}`;
  return t;
}
