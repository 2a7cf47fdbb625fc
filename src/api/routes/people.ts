import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inScope, organizationInScope } from '../scope.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { appointmentsAt, peopleAppointed } from '../../people/store.js';

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
      const subtree = under ? (await organizationInScope(sql, req.principal, under)).path : undefined;
      const after = decodeCursor(cursor, z.object({ id: z.number() }));
      const rows = await peopleAppointed(sql, { scope: inScope(sql, req.principal, 'o'), under: subtree, role, afterId: after?.id, limit });
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
      const items = await appointmentsAt(app.sql, org.id, req.query.all === 'true');
      return { items };
    },
  );
};

export default people;
