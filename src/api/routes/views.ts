import type { FastifyPluginAsync } from 'fastify';
import { auditAction } from '../../audit/store.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, notFound } from '../errors.js';
import type { Principal } from '../../auth/principal.js';
import type { Sql } from '../../db/client.js';
import { organizationInScope } from '../scope.js';
import { savedViewSchema as viewSchema, taskFilterSchema } from '../../tasks/schemas.js';

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

interface ViewRow {
  id: number;
  name: string;
  filter: z.infer<typeof taskFilterSchema>;
  owner_id: number;
  owner: string;
  code: string | null;
  updated_at: Date;
}
const viewOf = (v: ViewRow, p: Principal) => ({
  id: v.id,
  name: v.name,
  filter: v.filter,
  owner: v.owner,
  mine: v.owner_id === p.userId,
  sharedWith: v.code,
  updatedAt: v.updated_at.toISOString(),
});

/** SQL: view `v` (shared with organization `so`) is visible to the caller — theirs, or shared where they hold a role. */
function visible(sql: Sql, p: Principal) {
  // A private view (no organization) is its owner's alone, whatever roles anyone else holds.
  return sql`(v.owner_id = ${p.userId} or (v.organization_id is not null and (
    exists (select 1 from user_roles r join organizations ro on ro.id = r.organization_id
            where r.user_id = ${p.userId} and ro.path <@ so.path)
    or exists (select 1 from user_roles r where r.user_id = ${p.userId} and r.organization_id is null))))`;
}

const views: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  const load = async (p: Principal, id: number) => {
    const [v] = await sql<ViewRow[]>`
      select v.id, v.name, v.filter, v.owner_id, u.username as owner, so.code, v.updated_at
      from saved_views v join users u on u.id = v.owner_id left join organizations so on so.id = v.organization_id
      where v.id = ${id} and ${visible(sql, p)}`;
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
      const rows = await sql<ViewRow[]>`
        select v.id, v.name, v.filter, v.owner_id, u.username as owner, so.code, v.updated_at
        from saved_views v join users u on u.id = v.owner_id left join organizations so on so.id = v.organization_id
        where ${visible(sql, req.principal)} order by v.owner_id = ${req.principal.userId} desc, v.name, v.id limit 200`;
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
    const [row] = await sql<{ id: number }[]>`
        insert into saved_views (owner_id, organization_id, name, filter) values (${p.userId}, ${orgId}, ${name}, ${sql.json(filter)})
        on conflict (owner_id, name) do nothing returning id`;
    if (!row)
      throw new HttpError(409, 'conflict', `you already have a view named “${name}”`, [{ field: 'body.name', message: 'already used by one of your views' }]);
    await audit(p, 'view.save', row.id, { name, filter, sharedWith });
    return reply.status(201).send(viewOf(await load(p, row.id), p));
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
      const [row] = await sql`
        update saved_views set name = ${name}, filter = ${sql.json(filter)}, organization_id = ${orgId}, updated_at = now()
        where id = ${v.id} and not exists (select 1 from saved_views o where o.owner_id = ${p.userId} and o.name = ${name} and o.id <> ${v.id})
        returning id`;
      if (!row)
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
      await sql`delete from saved_views where id = ${v.id}`;
      await audit(p, 'view.delete', v.id, { name: v.name });
      return viewOf(v, p);
    },
  );
};

export default views;
