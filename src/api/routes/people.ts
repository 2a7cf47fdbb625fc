import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inScope, organizationInScope } from '../scope.js';
import { decodeCursor, encodeCursor } from './cursor.js';

const appointmentRoles = ['secretary', 'committee_member', 'organizer', 'liaison_officer'] as const;

const personSchema = z.object({
  id: z.number(),
  name: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  appointments: z.array(z.object({ organization: z.string(), role: z.string(), startsOn: z.string() })),
});

const appointmentSchema = z.object({
  id: z.number(),
  person: z.object({ id: z.number(), name: z.string(), phone: z.string().nullable() }),
  role: z.string(),
  startsOn: z.string(),
  endsOn: z.string().nullable(),
});

/** People holding appointments in the caller's subtree, and the appointments of one organization. */
const people: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/people',
    {
      schema: {
        tags: ['people'],
        description: 'People with a current appointment at an organization in the caller’s subtree (or under `under`).',
        querystring: z.object({
          under: z.string().min(1).max(64).optional(),
          role: z.enum(appointmentRoles).optional(),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ items: z.array(personSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const { under, role, cursor, limit } = req.query;
      const sql = app.sql;
      const conds = [inScope(sql, req.principal, 'o'), sql`a.ends_on is null`];
      if (under) conds.push(sql`o.path <@ ${(await organizationInScope(sql, req.principal, under)).path}::ltree`);
      if (role) conds.push(sql`a.role = ${role}`);
      const after = decodeCursor(cursor, z.object({ id: z.number() }));
      if (after) conds.push(sql`pe.id > ${after.id}`);
      const rows = await sql<z.infer<typeof personSchema>[]>`
        select pe.id, pe.name, pe.phone, pe.email,
               json_agg(json_build_object('organization', o.code, 'role', a.role, 'startsOn', to_char(a.starts_on, 'YYYY-MM-DD'))
                        order by o.code) as appointments
        from people pe join appointments a on a.person_id = pe.id join organizations o on o.id = a.organization_id
        where ${conds.reduce((x, c) => sql`${x} and ${c}`)}
        group by pe.id order by pe.id limit ${limit + 1}`;
      const more = rows.length > limit;
      const items = more ? rows.slice(0, limit) : rows;
      return { items, nextCursor: more ? encodeCursor({ id: items[items.length - 1]!.id }) : null };
    },
  );

  app.get(
    '/organizations/:code/appointments',
    {
      schema: {
        tags: ['people'],
        params: z.object({ code: z.string().min(1).max(64) }),
        querystring: z.object({ all: z.enum(['true', 'false']).optional().describe('include ended appointments') }),
        response: { 200: z.object({ items: z.array(appointmentSchema) }) },
      },
    },
    async (req) => {
      const org = await organizationInScope(app.sql, req.principal, req.params.code);
      const current = req.query.all === 'true' ? app.sql`true` : app.sql`a.ends_on is null`;
      const items = await app.sql<z.infer<typeof appointmentSchema>[]>`
        select a.id, json_build_object('id', pe.id, 'name', pe.name, 'phone', pe.phone) as person, a.role,
               to_char(a.starts_on, 'YYYY-MM-DD') as "startsOn", to_char(a.ends_on, 'YYYY-MM-DD') as "endsOn"
        from appointments a join people pe on pe.id = a.person_id
        where a.organization_id = ${org.id} and ${current}
        order by a.ends_on nulls first, a.role, a.starts_on desc`;
      return { items };
    },
  );
};

export default people;
