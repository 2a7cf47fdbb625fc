// A user's in-app notifications as the API reads and marks them (the activities and the API's own acts write them).
import type { Queryable } from '../db/client.js';

export interface NotificationRow {
  id: number;
  kind: string;
  title: string;
  body: string;
  task_id: number | null;
  escalation_id: number | null;
  created_at: Date;
  read_at: Date | null;
}

/** The user's notifications, newest first, before id `beforeId` when given: `limit` rows and one more when there are more. */
export function notificationsOf(sql: Queryable, userId: number, s: { unreadOnly: boolean; beforeId?: number | undefined; limit: number }) {
  return sql<NotificationRow[]>`
    select id, kind, title, body, task_id, escalation_id, created_at, read_at from notifications
    where user_id = ${userId} ${s.unreadOnly ? sql`and read_at is null` : sql``} ${s.beforeId ? sql`and id < ${s.beforeId}` : sql``}
    order by id desc limit ${s.limit + 1}`;
}

/** How many of the user's notifications are unread. */
export async function unreadCount(sql: Queryable, userId: number): Promise<number> {
  const [r] = await sql<{ n: number }[]>`select count(*)::int as n from notifications where user_id = ${userId} and read_at is null`;
  return r!.n;
}

/** Marks one of the user's notifications read (a read one keeps its time); undefined when it is not theirs. */
export async function markRead(sql: Queryable, userId: number, id: number): Promise<Date | undefined> {
  const [r] = await sql<{ read_at: Date }[]>`
    update notifications set read_at = coalesce(read_at, now()) where id = ${id} and user_id = ${userId} returning read_at`;
  return r?.read_at;
}

/** Marks all the user's unread notifications read; answers how many. */
export async function markAllRead(sql: Queryable, userId: number): Promise<number> {
  const r = await sql`update notifications set read_at = now() where user_id = ${userId} and read_at is null`;
  return r.count;
}
