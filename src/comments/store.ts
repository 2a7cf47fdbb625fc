// Comments on a task or a whole process as the API reads and writes them; who may read and write them is
// src/api/routes/comments.ts's.
import type { z } from 'zod';
import type { Queryable, Sql } from '../db/client.js';
import type { commentSchema } from './schemas.js';

export type Comment = z.infer<typeof commentSchema>;

interface CommentRow {
  id: number;
  task_id: number | null;
  author: string;
  on_behalf_of: string | null;
  body: string;
  mentions: string[];
  created_at: Date;
}
const commentItem = (c: CommentRow): Comment => ({
  id: c.id,
  taskId: c.task_id,
  author: c.author,
  onBehalfOf: c.on_behalf_of,
  text: c.body,
  mentions: c.mentions,
  at: c.created_at.toISOString(),
});

/** A task's comments and its process's (taskId null: the process's only), oldest first: the newest 500 of a long thread. */
export async function taskComments(sql: Queryable, workflowId: string, taskId: number | null): Promise<Comment[]> {
  const rows = await sql<CommentRow[]>`
    select * from (
      select id, task_id, author, on_behalf_of, body, mentions, created_at from comments
      where workflow_id = ${workflowId} and (task_id is null ${taskId === null ? sql`` : sql`or task_id = ${taskId}`})
      order by created_at desc, id desc limit 500) c
    order by created_at, id`;
  return rows.map(commentItem);
}

/** What a comment on task `id` is about: its process, organization path, step, holder and the person it names. */
export async function taskToCommentOn(sql: Queryable, id: number) {
  const [t] = await sql<{ workflow_id: string; path: string; process: string; step: string; holder: string | null; assigneePerson: string | null }[]>`
    select t.workflow_id, o.path::text as path, t.process, t.step, coalesce(t.claimed_by, t.assignee_person) as holder, t.assignee_person as "assigneePerson"
    from tasks t join organizations o on o.id = t.organization_id where t.id = ${id}`;
  return t;
}

/** What a comment on process `workflowId` is about: its kind, organization path and every step it has opened. */
export async function processToCommentOn(sql: Queryable, workflowId: string) {
  const [p] = await sql<{ kind: string; path: string; steps: { process: string; step: string }[] }[]>`
    select p.kind, o.path::text as path,
           coalesce((select json_agg(distinct jsonb_build_object('process', t.process, 'step', t.step)) from tasks t where t.workflow_id = p.workflow_id), '[]') as steps
    from processes p join organizations o on o.id = p.organization_id where p.workflow_id = ${workflowId}`;
  return p;
}

/** The enabled users with these usernames (unknown or disabled ones left out). */
export function enabledUsersNamed(sql: Queryable, usernames: readonly string[]) {
  return sql<{ id: number; username: string }[]>`select id, username from users where username = any(${usernames as string[]}) and not disabled`;
}

export interface NewComment {
  workflowId: string;
  /** null: a comment on the whole process. */
  taskId: number | null;
  author: string;
  /** The absent user the author stands in for. */
  onBehalfOf: string | null;
  text: string;
  mentions: string[];
  /** The users mentioned, notified (kind 'mention') under this title. */
  notify: { ids: number[]; title: string };
}

/** Writes a comment, a task's audit row for it (on a task) and the mentions' notifications, in one transaction. */
export function writeComment(sql: Sql, c: NewComment): Promise<Comment> {
  return sql.begin(async (tx) => {
    const [row] = await tx<CommentRow[]>`
      insert into comments (workflow_id, task_id, author, on_behalf_of, body, mentions)
      values (${c.workflowId}, ${c.taskId}, ${c.author}, ${c.onBehalfOf}, ${c.text}, ${c.mentions})
      returning id, task_id, author, on_behalf_of, body, mentions, created_at`;
    if (c.taskId !== null) {
      await tx`
        insert into task_events (task_id, event_key, kind, at, actor, on_behalf_of, after)
        values (${c.taskId}, ${`comment-${row!.id}`}, 'commented', ${row!.created_at}, ${c.author}, ${c.onBehalfOf},
                ${tx.json({ commentId: row!.id, mentions: c.mentions })})`;
    }
    if (c.notify.ids.length) {
      await tx`
        insert into notifications (user_id, event_key, kind, task_id, title, body, created_at)
        select id, ${`comment:${row!.id}:mention`}, 'mention', ${c.taskId}, ${c.notify.title}, ${c.text.slice(0, 500)}, ${row!.created_at}
        from users where id = any(${c.notify.ids})
        on conflict do nothing`;
    }
    return commentItem(row!);
  });
}
