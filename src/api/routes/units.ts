import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inScope, organizationInScope } from '../scope.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { unitSchema } from '../../organizations/schemas.js';
import { listUnits } from '../../organizations/units.js';

/** Units without a Party organization: the targets of liaison dispatch (domain.md §4.4). */
const units: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/units',
    {
      schema: {
        tags: ['organizations'],
        querystring: z.object({
          under: z.string().min(1).max(64).optional(),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ items: z.array(unitSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const { under, cursor, limit } = req.query;
      const sql = app.sql;
      const subtree = under ? (await organizationInScope(sql, req.principal, under)).path : undefined;
      const after = decodeCursor(cursor, z.object({ code: z.string() }));
      const rows = await listUnits(sql, { scope: inScope(sql, req.principal, 'o'), under: subtree, afterCode: after?.code, limit });
      const more = rows.length > limit;
      const items = more ? rows.slice(0, limit) : rows;
      return { items, nextCursor: more ? encodeCursor({ code: items[items.length - 1]!.code }) : null };
    },
  );
};

export default units;
