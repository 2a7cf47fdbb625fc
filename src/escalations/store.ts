// Escalations (the supervisor's view) as the API reads them.
import type { Fragment } from 'postgres';
import type { z } from 'zod';
import type { Queryable } from '../db/client.js';
import type { escalationSchema } from './schemas.js';

export interface EscalationSearch {
  /** The caller's scope over the escalation's organization `o`. */
  scope: Fragment;
  state?: 'open' | 'acknowledged' | 'closed' | undefined;
  limit: number;
}

/** Escalations in scope, latest opened first, with their task's organization, step and due time. */
export async function escalationsInScope(sql: Queryable, s: EscalationSearch): Promise<z.infer<typeof escalationSchema>[]> {
  const rows = await sql<
    {
      id: number;
      task_id: number;
      level: number;
      code: string;
      role: string;
      state: 'open';
      opened_at: Date;
      task_code: string;
      step: string;
      due_at: Date;
      actions: Record<string, unknown>[];
    }[]
  >`
    select e.id, e.task_id, e.level, o.code, e.role, e.state, e.opened_at, tor.code as task_code, t.step, t.due_at, e.actions
    from escalations e join organizations o on o.id = e.organization_id
    join tasks t on t.id = e.task_id join organizations tor on tor.id = t.organization_id
    where ${s.scope} ${s.state ? sql`and e.state = ${s.state}` : sql``}
    order by e.opened_at desc, e.id desc limit ${s.limit}`;
  return rows.map((e) => ({
    id: e.id,
    taskId: e.task_id,
    level: e.level,
    organization: e.code,
    role: e.role,
    state: e.state,
    openedAt: e.opened_at.toISOString(),
    taskOrganization: e.task_code,
    step: e.step,
    dueAt: e.due_at.toISOString(),
    actions: e.actions,
  }));
}
