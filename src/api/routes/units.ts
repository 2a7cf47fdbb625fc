import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inScope, organizationInScope } from '../scope.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { unitSchema } from '../schemas.js';

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
      const conds = [inScope(sql, req.principal, 'o'), sql`o.type = 'unit'`];
      if (under) conds.push(sql`o.path <@ ${(await organizationInScope(sql, req.principal, under)).path}::ltree`);
      const after = decodeCursor(cursor, z.object({ code: z.string() }));
      if (after) conds.push(sql`o.code > ${after.code}`);
      const rows = await sql<z.infer<typeof unitSchema>[]>`
        select o.code, o.name, o.sector, p.code as "parentCode", o.full_members as "fullMembers",
               o.full_members >= 3 as "shouldEstablish",
               (select pe.name from appointments a join people pe on pe.id = a.person_id
                where a.organization_id = o.id and a.role = 'liaison_officer' and a.ends_on is null
                order by a.starts_on desc limit 1) as "liaisonOfficer"
        from organizations o left join organizations p on p.id = o.parent_id
        where ${conds.reduce((a, c) => sql`${a} and ${c}`)} order by o.code limit ${limit + 1}`;
      const more = rows.length > limit;
      const items = more ? rows.slice(0, limit) : rows;
      return { items, nextCursor: more ? encodeCursor({ code: items[items.length - 1]!.code }) : null };
    },
  );
};

export default units;
