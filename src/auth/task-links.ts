// A message's link to one task: opening it signs its recipient in for that task alone, so a
// secretary goes from a 企业微信/钉钉/SMS/e-mail message to the completed task in three taps without a password.
//
// Why it is safe: the token is 32 random bytes and only its SHA-256 is stored; it is bound to one user and one
// task; it is spent by the first redemption (one UPDATE … where used_at is null wins); it expires
// (ORGLIFE_TASK_LINK_TTL_HOURS); it is refused once the task is no longer that person's to do (reassigned, done,
// cancelled), which is checked with the inbox's own definition of "held by" (heldBy); and the session it grants
// names the task (`task` claim), which the API's guard (taskLinkAllows) holds to that task's page, its evidence and
// its completion — every other route answers 403.
import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from '../db/client.js';
import { heldBy } from '../api/substitutes.js';
import { pairingDeliverable } from '../domain/pairing/steps.js';

export const TASK_LINK_PATH = '/t/';
export const DEFAULT_TASK_LINK_TTL_HOURS = 72;
/** How long the session a link grants lasts: long enough to fill in a form on a phone, not a working day. */
export const TASK_LINK_SESSION = { expiresIn: '2h', seconds: 2 * 3600 } as const;

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/** Why a link is refused; the web page (web/src/pages/task-link.tsx) says each in words. */
export const taskLinkRefusals = ['unknown', 'used', 'expired', 'reassigned', 'done', 'cancelled'] as const;
export type TaskLinkRefusal = (typeof taskLinkRefusals)[number];

/** Issues a one-time link for `userId` to open `taskId`, usable for `ttl` hours: the path `/t/<token>`. */
export async function issueTaskLink(sql: Sql, o: { userId: number; taskId: number; ttl?: number }): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const hours = o.ttl ?? DEFAULT_TASK_LINK_TTL_HOURS;
  await sql`
    insert into task_links (token_sha256, user_id, task_id, expires_at)
    values (${digest(token)}, ${o.userId}, ${o.taskId}, now() + make_interval(secs => ${hours * 3600}))`;
  return `${TASK_LINK_PATH}${token}`;
}

/**
 * The link a message to `userId` about `taskId` carries (called per recipient and task by every channel: the e-mail
 * digest here, 企业微信/钉钉/SMS in the channels code): a one-time sign-in link when the task is that person's to
 * do now, else the task's ordinary page (an escalation to a supervisor, a task already closed), which asks for
 * sign-in as usual. Absolute when ORGLIFE_PUBLIC_URL is set.
 */
export async function taskLinkFor(sql: Sql, o: { userId: number; taskId: number; publicUrl?: string; ttl?: number }): Promise<string> {
  const [held] = await sql<{ held: boolean }[]>`
    select true as held from tasks t join users u on u.id = ${o.userId}
    where t.id = ${o.taskId} and t.state in ('open', 'claimed', 'escalated') and not u.disabled
      and ${heldBy(sql, o.userId, sql`u.username`)}`;
  const path = held ? await issueTaskLink(sql, o) : `/tasks/${o.taskId}`;
  return o.publicUrl ? new URL(path, o.publicUrl).toString() : path;
}

export type TaskLinkRedemption =
  | { ok: true; userId: number; username: string; taskId: number; linkId: number }
  | { ok: false; reason: TaskLinkRefusal; taskId?: number };

/**
 * Spends a link: refused when unknown, used, expired, or when its task is no longer its recipient's to do; else it is
 * marked used and the redemption audited on the task (task_events, kind 'link-redeemed') in one transaction.
 */
export async function redeemTaskLink(sql: Sql, token: string, from?: string): Promise<TaskLinkRedemption> {
  return sql.begin(async (tx) => {
    // FOR UPDATE: two tabs opening the same link at once — the second waits and then sees it used.
    const [l] = await tx<
      { id: number; user_id: number; task_id: number; used: boolean; expired: boolean; username: string; disabled: boolean; state: string; held: boolean }[]
    >`
      select l.id, l.user_id, l.task_id, l.used_at is not null as used, l.expires_at <= now() as expired,
             u.username, u.disabled, t.state, ${heldBy(sql, sql`u.id`, sql`u.username`)} as held
      from task_links l join users u on u.id = l.user_id join tasks t on t.id = l.task_id
      where l.token_sha256 = ${digest(token)}
      for update of l`;
    if (!l || l.disabled) return { ok: false, reason: 'unknown' };
    const refuse = (reason: TaskLinkRefusal) => ({ ok: false as const, reason, taskId: l.task_id });
    if (l.used) return refuse('used');
    if (l.expired) return refuse('expired');
    if (l.state === 'cancelled') return refuse('cancelled');
    if (l.state === 'done') return refuse('done');
    if (!l.held) return refuse('reassigned');
    await tx`update task_links set used_at = now() where id = ${l.id}`;
    await tx`
      insert into task_events (task_id, event_key, kind, at, actor, after)
      values (${l.task_id}, ${`link:${l.id}`}, 'link-redeemed', now(), ${l.username}, ${tx.json({ link: l.id, from: from ?? null })})`;
    return { ok: true, userId: l.user_id, username: l.username, taskId: l.task_id, linkId: l.id };
  });
}

/** What a request of a task-link session asks for: its method, its route's pattern, and its params and query. */
export interface RouteAsk {
  method: string;
  route: string | undefined;
  params: unknown;
  query: unknown;
}

const str = (o: unknown, k: string) => (o && typeof o === 'object' ? String((o as Record<string, unknown>)[k] ?? '') : '');

/**
 * May a session granted by a link to `taskId` make this request? Only: who am I (GET /me, which the web shell reads),
 * signing out, the task's page, claiming and completing it, and uploading evidence for it when it is a pairing
 * deliverable (the upload must name the task's pairing village and its deliverable). Everything else is refused (403
 * in the API's guard).
 */
export async function taskLinkAllows(sql: Sql, ask: RouteAsk, taskId: number): Promise<boolean> {
  const { method, route } = ask;
  if (method === 'GET' && route === '/api/v1/me') return true;
  // Signing out ends this session, and nothing else.
  if (method === 'POST' && route === '/api/v1/auth/logout') return true;
  const sameTask = str(ask.params, 'id') === String(taskId);
  if (method === 'GET' && route === '/api/v1/tasks/:id') return sameTask;
  if (method === 'POST' && (route === '/api/v1/tasks/:id/complete' || route === '/api/v1/tasks/:id/claim')) return sameTask;
  if (method === 'POST' && route === '/api/v1/pairing/evidence') {
    const [t] = await sql<{ ok: boolean }[]>`
      select true as ok from tasks t join processes p on p.workflow_id = t.workflow_id join organizations v on v.id = p.organization_id
      where t.id = ${taskId} and t.process = ${pairingDeliverable.process} and t.step = ${pairingDeliverable.step}
        and v.code = ${str(ask.query, 'organization')} and t.context->>'deliverable' = ${str(ask.query, 'deliverable')}`;
    return Boolean(t);
  }
  return false;
}
