import type { Queryable } from '../db/client.js';

/**
 * The audit of the API's own acts that pass through no process (a saved view, a batch, a contact point or channel
 * choice, a resend): one table, `action_audit`. Acts on tasks are audited by their workflows (task_events).
 */
export function auditAction(sql: Queryable, a: { actor: string; action: string; subject: string; detail: object }) {
  return sql`insert into action_audit (actor, action, subject, detail) values (${a.actor}, ${a.action}, ${a.subject}, ${sql.json(a.detail as never)})`;
}
