// Channels beside e-mail: the channel pass turns pending notifications into delivery-log rows — one
// message per person, channel and notifier window (several notifications make a digest), plus one message per
// escalation to the escalated organization's group robot — and each row is then sent by its own workflow
// (workflows/channel-delivery.ts) through this file's `sendChannelDelivery`.
//
// Sending once: a row's unique key is (event, channel, recipient), written in the same transaction that marks the
// notifications looked at, so a pass that is retried or runs twice cannot make a second row. A send claims its row
// (pending → sending) before it calls the vendor and records the answer after. If the worker dies between the two,
// the retried activity finds the row still "sending" and cannot know whether the vendor delivered it — none of
// these vendors takes an idempotency key — so it marks the row "unknown" instead of sending again: a reminder
// delivered twice erodes trust in every later one, and an "unknown" row is on the organizer's delivery log with a
// resend button. A death before the claim commits leaves the row pending, and it is sent.
import { ApplicationFailure } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import { defaultChannels, isUrgent, messageKindOf, type DeliveryChannel, type MessageKind, type PersonChannel } from '../src/channels/kinds.js';
import type { ChannelMessage, SendOutcome } from '../src/channels/outcome.js';
import { wecomApp, wecomRobotSend } from '../src/channels/wecom.js';
import { dingtalkApp, dingtalkRobotSend } from '../src/channels/dingtalk.js';
import { aliyunSms, quietUntil } from '../src/channels/sms.js';
import type { ChannelOptions } from '../src/channels/options.js';
import { unseal } from '../src/channels/secrets.js';
import { shanghaiDate } from '../src/domain/dates.js';
import { failpoint } from '../src/runtime/failpoints.js';
import { taskLinkFor } from '../src/auth/task-links.js';

/** What the channel activities are given (built from the environment by src/channels/config.ts). */
export type { ChannelOptions } from '../src/channels/options.js';

/**
 * The one place a message's link is made. A person's message about one task opens that task already signed in: a
 * one-use link bound to the person and the task (src/auth/task-links.ts), or the task's page behind sign-in when the
 * task is not theirs to do (an escalation to a supervisor). A group robot's message opens the task's page; a digest
 * of several, the task list.
 */
export function defaultLinkFor(sql: Sql, publicBaseUrl: string, ttlHours?: number) {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return ({ userId, taskId }: { userId: number | null; taskId: number | null }) =>
    !taskId ? `${base}/tasks` : userId ? taskLinkFor(sql, { userId, taskId, publicUrl: base, ttl: ttlHours }) : `${base}/tasks/${taskId}`;
}

interface Pending {
  id: number;
  user_id: number;
  kind: string;
  event_key: string;
  task_id: number | null;
  escalation_id: number | null;
  title: string;
  body: string;
  org_id: number | null;
  org_name: string | null;
  due_at: Date | null;
}

export interface StoredMessage {
  title: string;
  lines: string[];
  organization?: string;
  dueOn?: string;
  taskId: number | null;
}

export type SendResult = { status: 'sent' | 'failed' | 'unknown' } | { status: 'wait'; waitMs: number };

export function channelActivities(sql: Sql, o: ChannelOptions = {}) {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const linkFor = o.linkFor ?? defaultLinkFor(sql, o.publicBaseUrl ?? 'http://127.0.0.1:3000', o.taskLinkTtlHours);
  const wecom = o.wecom ? wecomApp({ timeoutMs, ...o.wecom }) : null;
  const dingtalk = o.dingtalk ? dingtalkApp({ timeoutMs, ...o.dingtalk }) : null;
  const sms = o.sms ? aliyunSms({ timeoutMs, ...o.sms }) : null;
  const rate = o.robotRate ?? { perWindow: 20, windowMs: 60_000 };
  const configured: Record<PersonChannel, boolean> = { email: false, wecom: !!wecom, dingtalk: !!dingtalk, sms: !!sms };

  /**
   * Everything a send needs from this database (the person's link, the robot's key), read before the vendor is
   * called: what it returns is only the vendor call, so a failure here never leaves a row that looks half-sent.
   */
  async function prepareSend(row: {
    channel: DeliveryChannel;
    recipient: string;
    user_id: number | null;
    organization_id: number;
    message: StoredMessage;
    id: number;
  }): Promise<() => Promise<SendOutcome>> {
    const { taskId, ...rest } = row.message;
    const m: ChannelMessage = { ...rest, url: await linkFor({ userId: row.user_id, taskId }) };
    const answer = (a: SendOutcome) => async () => a;
    switch (row.channel) {
      case 'wecom':
        return wecom ? () => wecom.send(row.recipient, m) : answer({ status: 'failed', answer: '企业微信 is not configured' });
      case 'dingtalk':
        return dingtalk ? () => dingtalk.send(row.recipient, m) : answer({ status: 'failed', answer: '钉钉 is not configured' });
      case 'sms':
        return sms ? () => sms.send(row.recipient, m, `orglife-${row.id}`) : answer({ status: 'failed', answer: 'SMS is not configured' });
      case 'wecom-robot':
      case 'dingtalk-robot': {
        const [robot] = await sql<{ key_sealed: string; secret_sealed: string | null }[]>`
          select key_sealed, secret_sealed from organization_robots where organization_id = ${row.organization_id}`;
        if (!robot) return answer({ status: 'failed', answer: 'the organization has no group robot any more' });
        if (!o.secretsKey) return answer({ status: 'failed', answer: 'ORGLIFE_SECRETS_KEY is not set: robot keys cannot be read' });
        let key: string;
        let secret: string | null;
        try {
          key = unseal(o.secretsKey, robot.key_sealed);
          secret = robot.secret_sealed ? unseal(o.secretsKey, robot.secret_sealed) : null;
        } catch {
          return answer({ status: 'failed', answer: 'the robot key was sealed with another ORGLIFE_SECRETS_KEY' });
        }
        return row.channel === 'wecom-robot'
          ? () => wecomRobotSend(key, m, { baseUrl: o.wecomRobotBaseUrl, timeoutMs })
          : () => dingtalkRobotSend(key, secret, m, { baseUrl: o.dingtalkRobotBaseUrl, timeoutMs });
      }
    }
  }

  return {
    /**
     * One channel pass over notifications not looked at yet. Returns the new delivery rows, each to be sent by a
     * workflow of its own. SKIP LOCKED lets two notifiers run without doubling; the unique key does the rest.
     */
    async collectChannelDeliveries(p: { limit: number }): Promise<{ rows: { id: number; uid: string }[]; fresh: number }> {
      // A deployment without a channel still looks at each notification once (and sends it nowhere), so that
      // switching a channel on later sends what comes after, not the backlog.
      return sql.begin(async (tx) => {
        // Rows a pass or a resend wrote but whose workflow never started (the worker stopped in between).
        const orphans = await tx<{ id: number; uid: string }[]>`
          select id, uid from channel_deliveries where not workflow_started and created_at < now() - interval '1 minute'
          order by created_at limit ${p.limit}`;
        const pending = await tx<Pending[]>`
          with todo as (
            select id from notifications where not channelled order by id limit ${p.limit} for update skip locked),
          marked as (update notifications n set channelled = true from todo where n.id = todo.id returning n.*)
          select m.id, m.user_id, m.kind, m.event_key, m.task_id, m.escalation_id, m.title, m.body,
                 -- The organization a message is logged under (the delivery log is read by subtree): the task's, else
                 -- one where the person holds a role, else — an admin of the whole tree holds a role at none — the tree's root.
                 coalesce(t.organization_id, (select r.organization_id from user_roles r where r.user_id = m.user_id and r.organization_id is not null order by r.id limit 1),
                          (select o.id from organizations o where o.parent_id is null order by o.id limit 1)) as org_id,
                 o.name as org_name, t.due_at
          from marked m left join tasks t on t.id = m.task_id left join organizations o on o.id = t.organization_id
          order by m.id`;
        const started = orphans.map((r) => ({ id: Number(r.id), uid: r.uid }));
        if (pending.length === 0) return { rows: started, fresh: 0 };
        const userIds = [...new Set(pending.map((n) => n.user_id))];
        const contacts = new Map(
          (
            await tx<{ user_id: number; mobile: string | null; wecom_userid: string | null; dingtalk_userid: string | null }[]>`
            select user_id, mobile, wecom_userid, dingtalk_userid from user_contacts where user_id = any(${userIds})`
          ).map((c) => [Number(c.user_id), c]),
        );
        const prefs = new Map<string, PersonChannel[]>();
        for (const r of await tx<{ user_id: number; message_kind: MessageKind; channels: PersonChannel[] }[]>`
          select user_id, message_kind, channels from channel_preferences where user_id = any(${userIds})`)
          prefs.set(`${r.user_id}:${r.message_kind}`, r.channels);

        // Group each person's notifications by channel: one message per person, channel and pass.
        const groups = new Map<string, { userId: number; channel: 'wecom' | 'dingtalk' | 'sms'; recipient: string; items: Pending[] }>();
        for (const n of pending) {
          const c = contacts.get(Number(n.user_id));
          if (!c || n.org_id === null) continue;
          const kind = messageKindOf(n.kind);
          const chosen = prefs.get(`${n.user_id}:${kind}`) ?? defaultChannels(kind);
          for (const ch of chosen) {
            if (ch === 'email' || !configured[ch]) continue;
            const recipient = ch === 'wecom' ? c.wecom_userid : ch === 'dingtalk' ? c.dingtalk_userid : c.mobile;
            if (!recipient) continue;
            const k = `${n.user_id}:${ch}`;
            if (!groups.has(k)) groups.set(k, { userId: Number(n.user_id), channel: ch, recipient, items: [] });
            groups.get(k)!.items.push(n);
          }
        }
        const now = new Date();
        const rows: { items: number[]; row: Record<string, unknown> }[] = [];
        for (const g of groups.values()) {
          const first = g.items[0]!;
          const single = g.items.length === 1;
          const kind: MessageKind = single ? messageKindOf(first.kind) : 'digest';
          const urgent = g.items.some((n) => isUrgent(messageKindOf(n.kind)));
          const message: StoredMessage = single
            ? {
                title: first.title,
                lines: first.body ? [first.body] : [],
                organization: first.org_name ?? undefined,
                dueOn: first.due_at ? shanghaiDate(first.due_at) : undefined,
                taskId: first.task_id,
              }
            : { title: `您有 ${g.items.length} 条待办提醒`, lines: g.items.map((n) => n.title), taskId: null };
          rows.push({
            items: g.items.map((n) => n.id),
            row: {
              event_key: single ? first.event_key : `digest:${g.items.map((n) => n.id).join(',')}`.slice(0, 500),
              channel: g.channel,
              recipient: g.recipient,
              user_id: g.userId,
              organization_id: first.org_id,
              message_kind: kind,
              urgent,
              message: tx.json(message as never),
              not_before: g.channel === 'sms' && !urgent ? quietUntil(now, o.sms?.quietHours) : null,
            },
          });
        }
        // Escalations to an organization with a group robot: one message per escalation to the group.
        const escalationIds = [...new Set(pending.filter((n) => n.escalation_id !== null).map((n) => Number(n.escalation_id)))];
        if (escalationIds.length) {
          const robots = await tx<
            { escalation_id: number; organization_id: number; vendor: 'wecom' | 'dingtalk'; title: string; due_at: Date; task_id: number; org_name: string }[]
          >`
            select e.id as escalation_id, e.organization_id, r.vendor, t.id as task_id, t.due_at, o.name as org_name,
                   (select n.title from notifications n where n.escalation_id = e.id order by n.id limit 1) as title
            from escalations e join organization_robots r on r.organization_id = e.organization_id
            join tasks t on t.id = e.task_id join organizations o on o.id = t.organization_id
            where e.id = any(${escalationIds})`;
          for (const r of robots) {
            const ids = pending.filter((n) => Number(n.escalation_id) === Number(r.escalation_id)).map((n) => n.id);
            rows.push({
              items: ids,
              row: {
                event_key: `escalation:${r.escalation_id}`,
                channel: `${r.vendor}-robot`,
                recipient: `robot:${r.organization_id}`,
                user_id: null,
                organization_id: r.organization_id,
                message_kind: 'escalation',
                urgent: true,
                message: tx.json({ title: r.title, lines: [], organization: r.org_name, dueOn: shanghaiDate(r.due_at), taskId: Number(r.task_id) } as never),
                not_before: null,
              },
            });
          }
        }
        const created: { id: number; uid: string }[] = [];
        for (const r of rows) {
          const [d] = await tx<{ id: number; uid: string }[]>`insert into channel_deliveries ${tx(r.row as never)} on conflict do nothing returning id, uid`;
          if (!d) continue;
          await tx`insert into channel_delivery_items ${tx(r.items.map((n) => ({ delivery_id: d.id, notification_id: n })))} on conflict do nothing`;
          created.push({ id: Number(d.id), uid: d.uid });
        }
        return { rows: [...started, ...created], fresh: created.length };
      });
    },

    /**
     * Sends one delivery row once. Returns how long to wait when quiet hours or a robot's rate limit hold it
     * (the workflow sleeps on a Temporal timer); throws a retryable failure on "too fast" and network errors
     * (Temporal's backoff); a permanent vendor error ends in "failed" with the vendor's answer.
     */
    async sendChannelDelivery(id: number): Promise<SendResult> {
      const claimed = await sql.begin(async (tx) => {
        const [row] = await tx<
          {
            id: number;
            channel: DeliveryChannel;
            recipient: string;
            user_id: number | null;
            organization_id: number;
            message: StoredMessage;
            status: string;
            not_before: Date | null;
          }[]
        >`
          update channel_deliveries set workflow_started = true where id = ${id}
          returning id, channel, recipient, user_id, organization_id, message, status, not_before`;
        if (!row) throw ApplicationFailure.nonRetryable(`delivery ${id} does not exist`);
        if (row.status === 'sent' || row.status === 'failed' || row.status === 'unknown') return { done: row.status } as const;
        if (row.status === 'sending') {
          await tx`
            update channel_deliveries set status = 'unknown', updated_at = now(),
              vendor_answer = coalesce(vendor_answer || ' / ', '') || 'the sender stopped during the vendor call: not sent again automatically, resend if it did not arrive'
            where id = ${id}`;
          return { done: 'unknown' } as const;
        }
        if (row.not_before && row.not_before.getTime() > Date.now()) return { waitMs: row.not_before.getTime() - Date.now() } as const;
        if (row.channel.endsWith('-robot')) {
          // A robot's messages are spaced: at most perWindow slots taken in any window, per robot.
          await tx`select pg_advisory_xact_lock(hashtext(${`robot-slot:${row.recipient}`}))`;
          const window = rate.windowMs + 1000;
          const used = await tx<{ slot_at: Date }[]>`
            select slot_at from channel_deliveries where recipient = ${row.recipient} and slot_at > now() - ${`${window} milliseconds`}::interval
            order by slot_at`;
          if (used.length >= rate.perWindow) {
            const freeAt = used[used.length - rate.perWindow]!.slot_at.getTime() + window;
            return { waitMs: Math.max(100, freeAt - Date.now()) } as const;
          }
          await tx`update channel_deliveries set slot_at = now() where id = ${id}`;
        }
        await tx`update channel_deliveries set status = 'sending', attempts = attempts + 1, updated_at = now() where id = ${id}`;
        return { row } as const;
      });
      if ('done' in claimed) return { status: claimed.done as 'sent' | 'failed' | 'unknown' };
      if ('waitMs' in claimed && claimed.waitMs !== undefined) return { status: 'wait', waitMs: claimed.waitMs };
      if (!('row' in claimed) || !claimed.row) throw new Error('unreachable claim');

      let send: () => Promise<SendOutcome>;
      try {
        send = await prepareSend(claimed.row);
      } catch (err) {
        // Nothing reached the vendor: the row goes back to pending for the retry (not to "unknown").
        await sql`update channel_deliveries set status = 'pending', updated_at = now() where id = ${id} and status = 'sending'`;
        throw err;
      }
      const out = await send();
      if (out.status === 'sent') failpoint('channel-after-send');
      const status = out.status === 'retry' ? 'pending' : out.status;
      await sql`
        update channel_deliveries set status = ${status}, vendor_answer = ${out.answer.slice(0, 2000)}, updated_at = now(),
          sent_at = ${out.status === 'sent' ? sql`now()` : null}
        where id = ${id}`;
      if (out.status === 'retry') throw ApplicationFailure.retryable(`delivery ${id}: ${out.answer}`, 'ChannelRetry');
      return { status: out.status };
    },

    /**
     * After the last retry: the row stays on the log as failed, with the vendor's last answer — or as unknown when the
     * last attempt stopped during the vendor call (it may have arrived); either way the organizer can resend it.
     */
    async giveUpChannelDelivery(id: number): Promise<void> {
      await sql`
        update channel_deliveries set status = case status when 'sending' then 'unknown' else 'failed' end, updated_at = now(),
          vendor_answer = coalesce(vendor_answer, '') || ' (gave up after ' || attempts || ' attempts)'
        where id = ${id} and status in ('pending', 'sending')`;
    },
  };
}
