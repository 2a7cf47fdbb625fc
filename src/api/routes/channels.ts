// Channels beside e-mail, for people: contact points (organizers, inside their subtree), each user's
// channels per message kind, an organization's group robot, and the delivery log with resend.
import type { FastifyPluginAsync } from 'fastify';
import { auditAction } from '../../audit/store.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import { allows, scopeRoots } from '../../auth/principal.js';
import { isSteering, organizingRoles } from '../../domain/roles.js';
import { MESSAGE_KINDS, defaultChannels, type MessageKind } from '../../channels/kinds.js';
import { DELIVERY_STATES, contactOut, contactSchema, deliverySchema, prefsSchema } from '../../channels/schemas.js';
import { seal } from '../../channels/secrets.js';
import {
  addResend,
  chosenChannels,
  contactsOf,
  deliveries,
  deliveryToResend,
  importContacts,
  usersWithPlaces,
  writeChannels,
  writeContacts,
  writeRobot,
} from '../../channels/store.js';
import { channelDelivery, channelDeliveryId } from '../../../workflows/channel-delivery.js';
import { HttpError, notFound } from '../errors.js';
import { SHEET_TYPES, XLSX_TYPE, sheetRows } from '../uploads.js';
import { inScope, organizationInScope, requireRole } from '../scope.js';

const ORGANIZERS = organizingRoles;

const channels: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;
  const audit = (actor: string, action: string, subject: string, detail: Record<string, unknown>) => auditAction(sql, { actor, action, subject, detail });

  /** A user the caller organizes: one of the user's organizations lies in the caller's subtree as organizer/admin; else 404. */
  async function organizedUser(p: Parameters<typeof allows>[0], username: string) {
    const [u] = await usersWithPlaces(sql, [username]);
    if (!u || !(u.paths ?? []).some((path) => allows(p, path))) throw notFound(`user ${username}`);
    if (!(u.paths ?? []).some((path) => allows(p, path, ORGANIZERS)))
      throw new HttpError(403, 'forbidden', 'contact points are managed by the organizers of the user’s organization');
    return u;
  }

  app.get(
    '/users/:username/contacts',
    { schema: { tags: ['channels'], params: z.object({ username: z.string().min(1).max(64) }), response: { 200: contactOut } } },
    async (req) => {
      const u = await organizedUser(req.principal, req.params.username);
      const c = await contactsOf(sql, u.id);
      return { username: req.params.username, mobile: c?.mobile ?? null, wecomUserid: c?.wecom_userid ?? null, dingtalkUserid: c?.dingtalk_userid ?? null };
    },
  );

  app.put(
    '/users/:username/contacts',
    {
      schema: {
        tags: ['channels'],
        description: 'A user’s mobile, 企业微信 and 钉钉 userids (organizers inside their subtree). A field left out is kept; null clears it.',
        params: z.object({ username: z.string().min(1).max(64) }),
        body: contactSchema,
        response: { 200: contactOut },
      },
    },
    async (req) => {
      const u = await organizedUser(req.principal, req.params.username);
      const b = req.body;
      const c = await writeContacts(sql, u.id, b);
      await audit(req.principal.username, 'contacts', req.params.username, b);
      return { username: req.params.username, mobile: c.mobile, wecomUserid: c.wecom_userid, dingtalkUserid: c.dingtalk_userid };
    },
  );

  // The contact points of many people at once, with the roster: a CSV (UTF-8 or GBK) or XLSX with the columns
  // `username,mobile,wecom_userid,dingtalk_userid`. All or nothing; an empty cell keeps what is stored (a file never
  // blanks a contact point); each refused cell is named by its row (the header is row 1) and column, as every import is.
  const CONTACTS_MAX_BYTES = 5 * 1024 * 1024;
  app.addContentTypeParser(SHEET_TYPES, { bodyLimit: CONTACTS_MAX_BYTES }, (_req, payload, done) => done(null, payload));
  const contactColumns = { mobile: 'mobile', wecom_userid: 'wecomUserid', dingtalk_userid: 'dingtalkUserid' } as const;
  app.post(
    '/users/contacts/import',
    {
      bodyLimit: CONTACTS_MAX_BYTES,
      schema: {
        tags: ['channels'],
        description:
          'Contact points of the users an organizer organizes, from a CSV (UTF-8 or GBK) or XLSX with the header `username,mobile,wecom_userid,dingtalk_userid`. All rows or none; an empty cell keeps the stored value; each error names its row and column (422, details `{row, column, message}`).',
        consumes: ['text/csv', XLSX_TYPE],
        response: { 200: z.object({ updated: z.number() }) },
      },
    },
    async (req) => {
      // Refused before the file is read: only those who organize someone import their contact points.
      if (scopeRoots(req.principal, ORGANIZERS).length === 0)
        throw new HttpError(403, 'forbidden', `importing contact points needs the role ${ORGANIZERS.join(' or ')}`);
      const [head, ...rows] = await app.uploadSlot(() => sheetRows(req.body, { maxBytes: CONTACTS_MAX_BYTES, maxRows: 50_000, timeoutMs: 60_000 }));
      const header = (head?.cells ?? []).map((c) => c.trim());
      const missing = ['username', ...Object.keys(contactColumns)].filter((c) => !header.includes(c));
      if (missing.length) {
        throw new HttpError(
          422,
          'invalid_file',
          `row 1: missing column(s) ${missing.join(', ')}`,
          missing.map((c) => ({ row: 1, column: c, message: 'missing column' })),
        );
      }
      const at = (r: string[], c: string) => (r[header.indexOf(c)] ?? '').trim();
      const errors: { row: number; column: string; message: string }[] = [];
      const seen = new Map<string, number>();
      const parsed = rows
        .filter((r) => r.cells.some((c) => c.trim() !== ''))
        .map(({ row, cells }) => {
          const username = at(cells, 'username');
          if (!username) errors.push({ row, column: 'username', message: 'a username is required' });
          else if (seen.has(username)) errors.push({ row, column: 'username', message: `${username} is already on row ${seen.get(username)}` });
          seen.set(username, row);
          const body: Record<string, string> = {};
          for (const [column, field] of Object.entries(contactColumns)) {
            const v = at(cells, column);
            if (!v) continue;
            const ok = contactSchema.shape[field].safeParse(v);
            if (ok.success) body[field] = v;
            else errors.push({ row, column, message: ok.error.issues[0]?.message ?? 'invalid' });
          }
          return { row, username, body };
        });
      // Only users the caller organizes: anyone else is "not a user you organize", whether or not they exist.
      const users = await usersWithPlaces(
        sql,
        parsed.map((p) => p.username),
      );
      const organized = new Map(users.filter((u) => (u.paths ?? []).some((path) => allows(req.principal, path, ORGANIZERS))).map((u) => [u.username, u.id]));
      for (const p of parsed)
        if (p.username && !organized.has(p.username)) errors.push({ row: p.row, column: 'username', message: `${p.username} is not a user you organize` });
      errors.sort((a, b) => a.row - b.row);
      if (errors.length)
        throw new HttpError(
          422,
          'invalid_file',
          errors
            .slice(0, 5)
            .map((e) => `row ${e.row}, column ${e.column}: ${e.message}`)
            .join('; '),
          errors.slice(0, 200),
        );
      const ids = parsed.map((p) => organized.get(p.username)!);
      const col = (f: keyof typeof contactColumns) => parsed.map((p) => p.body[contactColumns[f]] ?? null);
      await importContacts(
        sql,
        { ids, mobile: col('mobile'), wecomUserid: col('wecom_userid'), dingtalkUserid: col('dingtalk_userid') },
        { actor: req.principal.username, usernames: parsed.map((p) => p.username) },
      );
      return { updated: ids.length };
    },
  );

  app.get(
    '/me/channel-preferences',
    { schema: { tags: ['channels'], description: 'The caller’s channels per message kind (defaults where not chosen).', response: { 200: prefsSchema } } },
    async (req) => {
      const rows = await chosenChannels(sql, req.principal.userId);
      const chosen = new Map(rows.map((r) => [r.message_kind, r.channels]));
      return Object.fromEntries(MESSAGE_KINDS.map((k) => [k, chosen.get(k) ?? defaultChannels(k)])) as z.infer<typeof prefsSchema>;
    },
  );

  app.put('/me/channel-preferences', { schema: { tags: ['channels'], body: prefsSchema, response: { 200: prefsSchema } } }, async (req) => {
    const me = req.principal.userId;
    const rows = MESSAGE_KINDS.map((k) => ({ user_id: me, message_kind: k, channels: [...new Set(req.body[k])] }));
    await writeChannels(
      sql,
      { id: me, username: req.principal.username },
      Object.fromEntries(rows.map((r) => [r.message_kind, r.channels])) as Record<MessageKind, string[]>,
      req.body,
    );
    return Object.fromEntries(rows.map((r) => [r.message_kind, r.channels])) as z.infer<typeof prefsSchema>;
  });

  app.put(
    '/organizations/:code/robot',
    {
      schema: {
        tags: ['channels'],
        description: 'Routes the organization’s escalations to a group robot. The key (and 钉钉 signing secret) are stored sealed and never returned.',
        params: z.object({ code: z.string().min(1).max(64) }),
        body: z.object({
          vendor: z.enum(['wecom', 'dingtalk']),
          key: z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, 'the webhook key (企业微信) or access_token (钉钉) of the robot'),
          secret: z
            .string()
            .regex(/^SEC[A-Za-z0-9]{8,128}$/, '钉钉 signing secret (加签), starting SEC')
            .optional(),
        }),
        response: { 200: z.object({ organization: z.string(), vendor: z.enum(['wecom', 'dingtalk']), signed: z.boolean() }) },
      },
    },
    async (req) => {
      const org = await organizationInScope(sql, req.principal, req.params.code);
      requireRole(req.principal, org.path, ORGANIZERS);
      const key = app.config.ORGLIFE_SECRETS_KEY;
      if (!key)
        throw new HttpError(422, 'not_configured', 'ORGLIFE_SECRETS_KEY is not set: robot keys cannot be stored', [
          { field: 'body.key', message: 'no key to seal it with' },
        ]);
      const b = req.body;
      await writeRobot(sql, { organizationId: org.id, vendor: b.vendor, keySealed: seal(key, b.key), secretSealed: b.secret ? seal(key, b.secret) : null });
      await audit(req.principal.username, 'robot', org.code, { vendor: b.vendor, signed: !!b.secret });
      return { organization: org.code, vendor: b.vendor, signed: !!b.secret };
    },
  );

  app.get(
    '/channel-deliveries',
    {
      schema: {
        tags: ['channels'],
        description: 'The delivery log of the caller’s subtree (organizers, supervisors, admins), newest first.',
        querystring: z.object({
          status: z.enum(DELIVERY_STATES).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z.coerce.number().int().positive().optional(),
        }),
        response: { 200: z.object({ items: z.array(deliverySchema), nextCursor: z.number().nullable() }) },
      },
    },
    async (req) => {
      const p = req.principal;
      if (!p.grants.some((g) => isSteering(g.role))) throw new HttpError(403, 'forbidden', 'the delivery log is for organizers, supervisors and admins');
      const q = req.query;
      const rows = await deliveries(sql, {
        scope: inScope(sql, { ...p, grants: p.grants.filter((g) => isSteering(g.role)) }),
        status: q.status,
        beforeId: q.cursor,
        limit: q.limit,
      });
      const page = rows.slice(0, q.limit);
      return {
        items: page.map((r) => ({
          id: Number(r.id),
          channel: r.channel as never,
          recipient: r.recipient,
          username: r.username,
          organization: { code: r.code, name: r.name },
          messageKind: r.message_kind as never,
          title: r.message.title,
          status: r.status as never,
          attempts: r.attempts,
          vendorAnswer: r.vendor_answer,
          createdAt: r.created_at.toISOString(),
          sentAt: r.sent_at?.toISOString() ?? null,
          resentFrom: r.resent_from === null ? null : Number(r.resent_from),
        })),
        nextCursor: rows.length > q.limit ? Number(page.at(-1)!.id) : null,
      };
    },
  );

  app.post(
    '/channel-deliveries/:id/resend',
    {
      schema: {
        tags: ['channels'],
        description: 'Sends a failed (or unknown) delivery again, as a new row of the log (organizers and admins).',
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 201: z.object({ id: z.number(), resentFrom: z.number() }) },
      },
    },
    async (req, reply) => {
      const d = await deliveryToResend(sql, req.params.id);
      if (!d || !allows(req.principal, d.path)) throw notFound(`delivery ${req.params.id}`);
      requireRole(req.principal, d.path, ORGANIZERS);
      if (d.status !== 'failed' && d.status !== 'unknown')
        throw new HttpError(409, 'conflict', `delivery ${d.id} is ${d.status}: only a failed or unknown delivery is resent`);
      // Two organizers pressing resend on the same row send it once: a resend that is on its way or arrived stands.
      if (d.live !== null) throw new HttpError(409, 'conflict', `delivery ${d.id} was resent already (delivery ${d.live})`);
      const row = await addResend(sql, d.id, d.n + 1);
      // Two at the same instant: the second finds the first's row under the same key.
      if (!row) throw new HttpError(409, 'conflict', `delivery ${d.id} was resent already`);
      const id = Number(row.id);
      // Should the start fail, the row is started by the notifier's next pass (a row without its workflow).
      await app.temporal.workflow.start(channelDelivery, {
        workflowId: channelDeliveryId(row.uid),
        taskQueue: app.config.TEMPORAL_TASK_QUEUE,
        args: [id],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
      await audit(req.principal.username, 'resend', String(d.id), { newId: id });
      return reply.status(201).send({ id, resentFrom: Number(d.id) });
    },
  );
};

export default channels;
