// Channels as the API reads and writes them: users' contact points, their channels per message kind, an
// organization's group robot, and the delivery log.
import type { Fragment } from 'postgres';
import type { Queryable, Sql } from '../db/client.js';
import { auditAction } from '../audit/store.js';
import type { MessageKind } from './kinds.js';

/** A user and the ltree paths of the organizations of their roles (null: none, or only the whole tree). */
export interface UserPlaces {
  id: number;
  username: string;
  paths: string[] | null;
}

/** The users named, each with the paths of the organizations they hold roles at; the unknown names are left out. */
export function usersWithPlaces(sql: Queryable, usernames: readonly string[]): Promise<UserPlaces[]> {
  return sql<UserPlaces[]>`
    select u.username, u.id, array_agg(o.path::text) filter (where o.id is not null) as paths
    from users u left join user_roles r on r.user_id = u.id left join organizations o on o.id = r.organization_id
    where u.username = any(${usernames as string[]}) group by u.id`;
}

export interface Contacts {
  mobile: string | null;
  wecom_userid: string | null;
  dingtalk_userid: string | null;
}

/** The user's contact points, if any are stored. */
export async function contactsOf(sql: Queryable, userId: number): Promise<Contacts | undefined> {
  const [c] = await sql<Contacts[]>`select mobile, wecom_userid, dingtalk_userid from user_contacts where user_id = ${userId}`;
  return c;
}

/** Writes the user's contact points: a field left undefined keeps what is stored, null clears it. Answers them all. */
export async function writeContacts(
  sql: Queryable,
  userId: number,
  b: { mobile?: string | null | undefined; wecomUserid?: string | null | undefined; dingtalkUserid?: string | null | undefined },
): Promise<Contacts> {
  const [c] = await sql<Contacts[]>`
    insert into user_contacts (user_id, mobile, wecom_userid, dingtalk_userid)
    values (${userId}, ${b.mobile ?? null}, ${b.wecomUserid ?? null}, ${b.dingtalkUserid ?? null})
    on conflict (user_id) do update set
      mobile = ${b.mobile === undefined ? sql`user_contacts.mobile` : b.mobile},
      wecom_userid = ${b.wecomUserid === undefined ? sql`user_contacts.wecom_userid` : b.wecomUserid},
      dingtalk_userid = ${b.dingtalkUserid === undefined ? sql`user_contacts.dingtalk_userid` : b.dingtalkUserid},
      updated_at = now()
    returning mobile, wecom_userid, dingtalk_userid`;
  return c!;
}

/**
 * The contact points of many users in one statement, with one audit row, all or nothing: a null keeps what is
 * stored (a file never blanks a contact point). The lists are parallel to `ids`.
 */
export function importContacts(
  sql: Sql,
  c: { ids: number[]; mobile: (string | null)[]; wecomUserid: (string | null)[]; dingtalkUserid: (string | null)[] },
  audit: { actor: string; usernames: string[] },
): Promise<void> {
  return sql.begin(async (tx) => {
    await tx`
      insert into user_contacts (user_id, mobile, wecom_userid, dingtalk_userid)
      select * from unnest(${c.ids}::bigint[], ${c.mobile}::text[], ${c.wecomUserid}::text[], ${c.dingtalkUserid}::text[])
      on conflict (user_id) do update set
        mobile = coalesce(excluded.mobile, user_contacts.mobile),
        wecom_userid = coalesce(excluded.wecom_userid, user_contacts.wecom_userid),
        dingtalk_userid = coalesce(excluded.dingtalk_userid, user_contacts.dingtalk_userid),
        updated_at = now()`;
    await auditAction(tx, {
      actor: audit.actor,
      action: 'contacts.import',
      subject: `${c.ids.length} users`,
      detail: { users: audit.usernames },
    });
  });
}

/** The message kinds whose channels the user chose, with those channels. */
export function chosenChannels(sql: Queryable, userId: number): Promise<{ message_kind: MessageKind; channels: string[] }[]> {
  return sql<{ message_kind: MessageKind; channels: string[] }[]>`
    select message_kind, channels from channel_preferences where user_id = ${userId}`;
}

/** Replaces the user's channels per message kind, with an audit row (`detail`: what was asked), in one transaction. */
export function writeChannels(sql: Sql, user: { id: number; username: string }, chosen: Record<MessageKind, string[]>, detail: object): Promise<void> {
  return sql.begin(async (tx) => {
    await tx`delete from channel_preferences where user_id = ${user.id}`;
    // One statement from the JSON of the choice (an empty list is an empty array, not an untyped parameter).
    await tx`
      insert into channel_preferences (user_id, message_kind, channels)
      select ${user.id}, e.key, array(select jsonb_array_elements_text(e.value))::text[]
      from jsonb_each(${tx.json(chosen as never)}) as e`;
    await auditAction(tx, { actor: user.username, action: 'preferences', subject: user.username, detail });
  });
}

/** Routes an organization's escalations to a group robot; the key and secret come sealed. */
export async function writeRobot(
  sql: Queryable,
  r: { organizationId: number; vendor: 'wecom' | 'dingtalk'; keySealed: string; secretSealed: string | null },
): Promise<void> {
  await sql`
    insert into organization_robots (organization_id, vendor, key_sealed, secret_sealed)
    values (${r.organizationId}, ${r.vendor}, ${r.keySealed}, ${r.secretSealed})
    on conflict (organization_id) do update set vendor = excluded.vendor, key_sealed = excluded.key_sealed, secret_sealed = excluded.secret_sealed, updated_at = now()`;
}

export interface DeliveryRow {
  id: number;
  channel: string;
  recipient: string;
  username: string | null;
  code: string;
  name: string;
  message_kind: string;
  message: { title: string };
  status: string;
  attempts: number;
  vendor_answer: string | null;
  created_at: Date;
  sent_at: Date | null;
  resent_from: number | null;
}

/** The delivery log in scope (over the delivery's organization `o`), newest first: `limit` rows and one more when there are more. */
export function deliveries(sql: Queryable, s: { scope: Fragment; status?: string | undefined; beforeId?: number | undefined; limit: number }) {
  return sql<DeliveryRow[]>`
    select d.id, d.channel, d.recipient, u.username, o.code, o.name, d.message_kind, d.message, d.status, d.attempts, d.vendor_answer, d.created_at, d.sent_at, d.resent_from
    from channel_deliveries d join organizations o on o.id = d.organization_id left join users u on u.id = d.user_id
    where ${s.scope}
      ${s.status ? sql`and d.status = ${s.status}` : sql``} ${s.beforeId ? sql`and d.id < ${s.beforeId}` : sql``}
    order by d.id desc limit ${s.limit + 1}`;
}

/** A delivery and its resends: how many, and the newest one still on its way or arrived (null: none). */
export async function deliveryToResend(
  sql: Queryable,
  id: number,
): Promise<{ id: number; path: string; status: string; n: number; live: number | null } | undefined> {
  const [d] = await sql<{ id: number; path: string; status: string; n: number; live: number | null }[]>`
    select d.id, o.path::text as path, d.status, (select count(*)::int from channel_deliveries r where r.resent_from = d.id) as n,
           (select max(r.id) from channel_deliveries r where r.resent_from = d.id and r.status not in ('failed', 'unknown')) as live
    from channel_deliveries d join organizations o on o.id = d.organization_id where d.id = ${id}`;
  return d;
}

/**
 * A new row of the log sending delivery `id` again, its `resend`-th resend; none (undefined) when that resend is
 * on the log already (two at the same instant: the second finds the first's row under the same key).
 */
export async function addResend(sql: Queryable, id: number, resend: number): Promise<{ id: number; uid: string } | undefined> {
  const [row] = await sql<{ id: number; uid: string }[]>`
    insert into channel_deliveries (event_key, channel, recipient, user_id, organization_id, message_kind, urgent, message, resent_from)
    select 'resend:' || id || ':' || ${resend}, channel, recipient, user_id, organization_id, message_kind, urgent, message, id
    from channel_deliveries where id = ${id}
    on conflict (event_key, channel, recipient) do nothing
    returning id, uid`;
  return row;
}
