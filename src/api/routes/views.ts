import type { FastifyPluginAsync } from 'fastify';
import { auditAction } from '../../audit/store.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, notFound } from '../errors.js';
import type { Principal } from '../../auth/principal.js';
import { organizationInScope } from '../scope.js';
import { savedViewSchema as viewSchema, taskFilterSchema } from '../../tasks/schemas.js';
import { addView, deleteView, viewSeenBy, viewsSeenBy, writeView, type ViewRow } from '../../views/store.js';

/**
 * Saved views: a named filter over tasks and overdue work (the one filter of task-filter.ts), private to its
 * owner or shared with one organization the owner holds a role at; a shared view is seen by whoever holds a role
 * there or below. Opening a view applies its filter inside the reader's own subtree (GET /tasks), so sharing a
 * view never shares tasks.
 */
const viewBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    filter: taskFilterSchema,
    sharedWith: z.string().min(1).max(64).nullable().default(null).describe('an organization at which you hold a role; null keeps the view private'),
  })
  .strict();

const viewOf = (v: ViewRow, p: Principal) => ({
  id: v.id,
  name: v.name,
  filter: v.filter,
  owner: v.owner,
  mine: v.owner_id === p.userId,
  sharedWith: v.code,
  updatedAt: v.updated_at.toISOString(),
});

const views: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  const load = async (p: Principal, id: number) => {
    const v = await viewSeenBy(sql, p.userId, id);
    if (!v) throw notFound(`view ${id}`);
    return v;
  };

  /**
   * An organization a view's body names (its filter's, or the one it is shared with): one outside the caller's
   * subtree, or none, is a wrong field of the body (422) — the view itself exists, so not a 404.
   */
  const bodyOrganization = async (p: Principal, code: string, field: string) => {
    try {
      return await organizationInScope(sql, p, code);
    } catch (err) {
      if (!(err instanceof HttpError) || err.statusCode !== 404) throw err;
      throw new HttpError(422, 'invalid_request', `${field}: no organization ${code} in your subtree`, [
        { field: `body.${field}`, message: 'no such organization in your subtree' },
      ]);
    }
  };

  /** The organization a view is shared with: one where the caller holds a role (not merely one they can see). */
  const shareTarget = async (p: Principal, code: string | null) => {
    if (code === null) return null;
    const org = await bodyOrganization(p, code, 'sharedWith');
    if (!p.grants.some((g) => g.organizationId === org.id)) {
      throw new HttpError(422, 'invalid_request', 'sharedWith: share a view with an organization at which you hold a role', [
        { field: 'body.sharedWith', message: 'not an organization at which you hold a role' },
      ]);
    }
    return org.id;
  };

  const audit = (p: Principal, action: string, id: number, detail: object) => auditAction(sql, { actor: p.username, action, subject: `view ${id}`, detail });

  app.get(
    '/views',
    {
      schema: {
        tags: ['views'],
        summary: 'the caller’s saved views and those shared with their organizations',
        response: { 200: z.object({ items: z.array(viewSchema) }) },
      },
    },
    async (req) => {
      const rows = await viewsSeenBy(sql, req.principal.userId);
      return { items: rows.map((v) => viewOf(v, req.principal)) };
    },
  );

  app.get(
    '/views/:id',
    { schema: { tags: ['views'], params: z.object({ id: z.coerce.number().int().positive() }), response: { 200: viewSchema } } },
    async (req) => viewOf(await load(req.principal, req.params.id), req.principal),
  );

  app.post('/views', { schema: { tags: ['views'], summary: 'save a filter by name', body: viewBody, response: { 201: viewSchema } } }, async (req, reply) => {
    const p = req.principal;
    const { name, filter, sharedWith } = req.body;
    if (filter.org) await bodyOrganization(p, filter.org, 'filter.org');
    const orgId = await shareTarget(p, sharedWith);
    const id = await addView(sql, { ownerId: p.userId, organizationId: orgId, name, filter });
    if (id === undefined)
      throw new HttpError(409, 'conflict', `you already have a view named “${name}”`, [{ field: 'body.name', message: 'already used by one of your views' }]);
    await audit(p, 'view.save', id, { name, filter, sharedWith });
    return reply.status(201).send(viewOf(await load(p, id), p));
  });

  app.put(
    '/views/:id',
    {
      schema: {
        tags: ['views'],
        summary: 'rename, refilter or (un)share your view',
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: viewBody,
        response: { 200: viewSchema },
      },
    },
    async (req) => {
      const p = req.principal;
      const v = await load(p, req.params.id);
      if (v.owner_id !== p.userId) throw new HttpError(403, 'forbidden', 'only its owner may change a view');
      const { name, filter, sharedWith } = req.body;
      if (filter.org) await bodyOrganization(p, filter.org, 'filter.org');
      const orgId = await shareTarget(p, sharedWith);
      if (!(await writeView(sql, { id: v.id, ownerId: p.userId, organizationId: orgId, name, filter })))
        throw new HttpError(409, 'conflict', `you already have a view named “${name}”`, [{ field: 'body.name', message: 'already used by one of your views' }]);
      await audit(p, 'view.update', v.id, { name, filter, sharedWith });
      return viewOf(await load(p, v.id), p);
    },
  );

  app.delete(
    '/views/:id',
    {
      schema: {
        tags: ['views'],
        summary: 'delete your view; answers the view as it was',
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: viewSchema },
      },
    },
    async (req) => {
      const p = req.principal;
      const v = await load(p, req.params.id);
      if (v.owner_id !== p.userId) throw new HttpError(403, 'forbidden', 'only its owner may delete a view');
      await deleteView(sql, v.id);
      await audit(p, 'view.delete', v.id, { name: v.name });
      return viewOf(v, p);
    },
  );
};

export default views;
