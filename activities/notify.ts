// Notification delivery: the in-app rows are written by the task activities as things happen; the notifier
// workflow (workflows/notifier.ts) then gathers what is pending into one digest per recipient (one e-mail,
// however many tasks fell on that person) and one signed webhook delivery per subscription. Sending is an
// activity each, so SMTP and webhook failures are retried by Temporal with backoff.
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import { taskLinkFor } from '../src/auth/task-links.js';

export interface NotifyOptions {
  /** smtp://user:pass@host:port — without it digests stay in-app only. */
  smtpUrl?: string;
  mailFrom?: string;
  /** ORGLIFE_PUBLIC_URL: makes each digest line's task link absolute. */
  publicUrl?: string;
  /** ORGLIFE_TASK_LINK_TTL_HOURS: how long a digest's one-time task links stay usable. */
  taskLinkTtlHours?: number;
  /** Per-request timeout of webhook POSTs. */
  webhookTimeoutMs?: number;
}

export const SIGNATURE_HEADER = 'x-orglife-signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the timestamp in the MAC stops replays of old bodies. */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export function verifyWebhook(secret: string, body: string, header: string, toleranceSeconds = 300, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isFinite(t) || Math.abs(nowSeconds - t) > toleranceSeconds || !parts.v1) return false;
  const expected = signWebhook(secret, body, t).split('v1=')[1]!;
  return (
    expected.length === parts.v1.length &&
    createHmac('sha256', 'cmp').update(expected).digest('hex') === createHmac('sha256', 'cmp').update(parts.v1).digest('hex')
  );
}

interface NotificationRow {
  id: number;
  kind: string;
  title: string;
  body: string;
  created_at: Date;
  task_id: number | null;
}

export function notifyActivities(sql: Sql, o: NotifyOptions = {}) {
  const transport = o.smtpUrl ? nodemailer.createTransport(o.smtpUrl) : null;
  const from = o.mailFrom ?? 'orglife <orglife@localhost>';

  return {
    /**
     * One notifier pass: pending notifications become one digest per recipient, and one delivery per webhook
     * whose organization's subtree holds their tasks. SKIP LOCKED lets two notifiers run without doubling.
     */
    async collectNotifications(p: { limit: number }): Promise<{ digests: number[]; deliveries: number[] }> {
      return sql.begin(async (tx) => {
        const pending = await tx<{ id: number; user_id: number }[]>`
          select id, user_id from notifications where digest_id is null order by id limit ${p.limit} for update skip locked`;
        const digests: number[] = [];
        const byUser = new Map<number, number[]>();
        for (const n of pending) byUser.set(n.user_id, [...(byUser.get(n.user_id) ?? []), n.id]);
        for (const [userId, ids] of byUser) {
          const [d] = await tx<{ id: number }[]>`insert into notification_digests (user_id) values (${userId}) returning id`;
          await tx`update notifications set digest_id = ${d!.id} where id = any(${ids})`;
          digests.push(d!.id);
        }

        // Webhooks get each task event once, not once per recipient.
        const events = await tx<{ id: number; webhook_id: number }[]>`
          with todo as (
            select n.id, n.task_id from notifications n where not n.webhooked and n.task_id is not null
            order by n.id limit ${p.limit} for update skip locked),
          firsts as (
            select distinct on (t.task_id, n.event_key) n.id, n.task_id from todo t join notifications n on n.id = t.id
            order by t.task_id, n.event_key, n.id),
          marked as (update notifications set webhooked = true where id in (select id from todo))
          select f.id, w.id as webhook_id
          from firsts f join tasks t on t.id = f.task_id join organizations o on o.id = t.organization_id
          join webhooks w on w.active join organizations wo on wo.id = w.organization_id and o.path <@ wo.path`;
        const byHook = new Map<number, number[]>();
        for (const e of events) byHook.set(e.webhook_id, [...(byHook.get(e.webhook_id) ?? []), e.id]);
        const deliveries: number[] = [];
        for (const [hookId, ids] of byHook) {
          const rows = await tx<
            {
              id: number;
              kind: string;
              title: string;
              created_at: Date;
              task_id: number;
              workflow_id: string;
              task_key: string;
              code: string;
              due_at: Date;
              state: string;
            }[]
          >`
            select n.id, n.kind, n.title, n.created_at, n.task_id, t.workflow_id, t.task_key, o.code, t.due_at, t.state
            from notifications n join tasks t on t.id = n.task_id join organizations o on o.id = t.organization_id
            where n.id = any(${ids}) order by n.id`;
          const payload = {
            events: rows.map((r) => ({
              id: r.id,
              kind: r.kind,
              title: r.title,
              at: r.created_at.toISOString(),
              task: { id: r.task_id, workflowId: r.workflow_id, key: r.task_key, organization: r.code, dueAt: r.due_at.toISOString(), state: r.state },
            })),
          };
          const [d] = await tx<{ id: number }[]>`insert into webhook_deliveries (webhook_id, payload) values (${hookId}, ${tx.json(payload)}) returning id`;
          await tx`insert into webhook_delivery_items ${tx(ids.map((n) => ({ delivery_id: d!.id, notification_id: n })))}`;
          deliveries.push(d!.id);
        }
        return { digests, deliveries };
      });
    },

    /** One e-mail per digest; a digest already sent (retry after a lost reply) is not sent again. */
    async sendDigestEmail(digestId: number): Promise<'sent' | 'no-address' | 'no-smtp' | 'already-sent'> {
      const [d] = await sql<{ sent_at: Date | null; user_id: number; email: string | null; username: string; display_name: string | null }[]>`
        select d.sent_at, d.user_id, u.email, u.username, u.display_name from notification_digests d join users u on u.id = d.user_id where d.id = ${digestId}`;
      if (!d) throw ApplicationFailure.nonRetryable(`digest ${digestId} does not exist`);
      if (d.sent_at) return 'already-sent';
      if (!d.email || !transport) {
        await sql`update notification_digests set sent_at = now(), last_error = ${!d.email ? 'no e-mail address' : 'no SMTP server configured'} where id = ${digestId}`;
        return !d.email ? 'no-address' : 'no-smtp';
      }
      const items = await sql<NotificationRow[]>`
        select id, kind, title, body, created_at, task_id from notifications where digest_id = ${digestId} order by id`;
      // Each task once, with the link that opens it (a one-time sign-in link when it is this person's to do).
      const links = new Map<number, string>();
      for (const id of new Set(items.map((n) => n.task_id).filter((t): t is number => t !== null))) {
        links.set(id, await taskLinkFor(sql, { userId: d.user_id, taskId: id, publicUrl: o.publicUrl, ttl: o.taskLinkTtlHours }));
      }
      const lines = items.map((n) => `- ${n.title}${n.body ? ` — ${n.body}` : ''}${n.task_id !== null ? `\n  办理：${links.get(n.task_id)}` : ''}`);
      try {
        await transport.sendMail({
          from,
          to: d.email,
          subject: `orglife：您有 ${items.length} 条待办提醒`,
          text: [`${d.display_name ?? d.username}，您好：`, '', ...lines, '', '请登录 orglife 查看详情。'].join('\n'),
          textEncoding: 'base64',
          headers: { 'X-Orglife-Digest': String(digestId) },
        });
      } catch (err) {
        await sql`update notification_digests set attempts = attempts + 1, last_error = ${(err as Error).message} where id = ${digestId}`;
        throw err;
      }
      await sql`update notification_digests set sent_at = now(), attempts = attempts + 1, last_error = null where id = ${digestId}`;
      return 'sent';
    },

    /** POST the delivery signed with the subscription's secret; a non-2xx answer throws, and Temporal retries. */
    async deliverWebhook(deliveryId: number): Promise<number> {
      const [d] = await sql<{ url: string; secret: string; payload: unknown; delivered_at: Date | null; last_status: number | null }[]>`
        select w.url, w.secret, d.payload, d.delivered_at, d.last_status from webhook_deliveries d join webhooks w on w.id = d.webhook_id where d.id = ${deliveryId}`;
      if (!d) throw ApplicationFailure.nonRetryable(`webhook delivery ${deliveryId} does not exist`);
      if (d.delivered_at) return d.last_status ?? 200;
      const body = JSON.stringify({ deliveryId, ...(d.payload as object) });
      const signature = signWebhook(d.secret, body, Math.floor(Date.now() / 1000));
      let status = 0;
      let error: string | null = null;
      try {
        const r = await fetch(d.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature, 'x-orglife-delivery': String(deliveryId) },
          body,
          signal: AbortSignal.timeout(o.webhookTimeoutMs ?? 10_000),
        });
        status = r.status;
        await r.body?.cancel();
        if (!r.ok) error = `HTTP ${r.status}`;
      } catch (err) {
        error = (err as Error).message;
      }
      await sql`
        update webhook_deliveries set attempts = attempts + 1, last_status = ${status || null}, last_error = ${error},
          delivered_at = ${error ? null : sql`now()`}
        where id = ${deliveryId}`;
      if (error) throw ApplicationFailure.retryable(`webhook delivery ${deliveryId}: ${error}`, 'WebhookFailed');
      return status;
    },
  };
}
