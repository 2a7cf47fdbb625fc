import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inScope, organizationInScope } from '../scope.js';
import { scopeRoots } from '../../auth/principal.js';
import { organizationTypes, sectors } from '../../organizations/import/columns.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { organizationSchema } from '../../organizations/schemas.js';
import { fillInitials, initialsQuery } from '../initials.js';
import { childrenOf, organizationById, searchOrganizations } from '../../organizations/store.js';

export { organizationSchema };

const codeParams = z.object({ code: z.string().min(1).max(64) });

const searchQuery = z.object({
  q: z.string().trim().min(1).max(100).optional().describe('substring of the name (Chinese or not), or of its pinyin initials ("hbc" finds 红白村)'),
  under: z.string().min(1).max(64).optional().describe('code: only this organization and its subtree'),
  type: z.enum(organizationTypes).optional(),
  sector: z.enum(sectors).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const organizations: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/organizations',
    {
      schema: {
        tags: ['organizations'],
        description: 'Search the caller’s subtree by name, type and sector; ordered by code, paged by cursor.',
        querystring: searchQuery,
        response: { 200: z.object({ items: z.array(organizationSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const { q, under, type, sector, cursor, limit } = req.query;
      const sql = app.sql;
      const subtree = under ? (await organizationInScope(sql, req.principal, under)).path : undefined;
      const wholeTree = !under && scopeRoots(req.principal).includes('');
      const initials = q ? initialsQuery(q) : null;
      if (initials) await fillInitials(sql, 'organizations');
      const after = decodeCursor(cursor, z.object({ code: z.string() }));
      const rows = await searchOrganizations(sql, {
        scope: inScope(sql, req.principal, 'o'),
        under: subtree,
        wholeTree,
        q,
        initials,
        type,
        sector,
        afterCode: after?.code,
        limit,
      });
      const more = rows.length > limit;
      const items = more ? rows.slice(0, limit) : rows;
      return { items, nextCursor: more ? encodeCursor({ code: items[items.length - 1]!.code }) : null };
    },
  );

  app.get('/organizations/:code', { schema: { tags: ['organizations'], params: codeParams, response: { 200: organizationSchema } } }, async (req) => {
    const org = await organizationInScope(app.sql, req.principal, req.params.code);
    return (await organizationById(app.sql, org.id))!;
  });

  app.get(
    '/organizations/:code/children',
    { schema: { tags: ['organizations'], params: codeParams, response: { 200: z.object({ items: z.array(organizationSchema) }) } } },
    async (req) => {
      const parent = await organizationInScope(app.sql, req.principal, req.params.code);
      return { items: await childrenOf(app.sql, parent.id) };
    },
  );
};

export default organizations;
