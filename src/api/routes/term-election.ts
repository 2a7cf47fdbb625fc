import { isValidIsoDate } from '../../domain/dates.js';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inScope, organizationInScope } from '../scope.js';
import { shanghaiDate } from '../../domain/dates.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { termSchema } from '../schemas.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').refine(isValidIsoDate, 'not a calendar date');

/** The register of terms (domain.md §4.1 step 1): organizations by the date their term ends. */
const terms: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/terms',
    {
      schema: {
        tags: ['organizations'],
        description: 'Terms ending in a date range, or already over (overdue=true), in the caller’s subtree; ordered by end date.',
        querystring: z.object({
          endsFrom: isoDate.optional(),
          endsTo: isoDate.optional(),
          overdue: z.enum(['true', 'false']).optional(),
          under: z.string().min(1).max(64).optional(),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ items: z.array(termSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const { endsFrom, endsTo, overdue, under, cursor, limit } = req.query;
      const sql = app.sql;
      const today = shanghaiDate(Date.now());
      const late = sql`(o.term_ends_on < ${today}::date and (o.term_postponed_until is null or o.term_postponed_until < ${today}::date))`;
      const conds = [inScope(sql, req.principal, 'o'), sql`o.term_ends_on is not null`];
      if (under) conds.push(sql`o.path <@ ${(await organizationInScope(sql, req.principal, under)).path}::ltree`);
      if (endsFrom) conds.push(sql`o.term_ends_on >= ${endsFrom}::date`);
      if (endsTo) conds.push(sql`o.term_ends_on <= ${endsTo}::date`);
      // Overdue: past the term's end and past any approved postponement (which the term election writes).
      if (overdue === 'true') conds.push(late);
      if (overdue === 'false') conds.push(sql`not ${late}`);
      const after = decodeCursor(cursor, z.object({ endsOn: isoDate, code: z.string() }));
      if (after) conds.push(sql`(o.term_ends_on, o.code) > (${after.endsOn}::date, ${after.code})`);
      const rows = await sql<z.infer<typeof termSchema>[]>`
        select o.code, o.name, o.type, o.sector, o.term_years as "termYears",
               to_char(o.term_started_on, 'YYYY-MM-DD') as "termStartedOn", to_char(o.term_ends_on, 'YYYY-MM-DD') as "termEndsOn",
               to_char(o.term_postponed_until, 'YYYY-MM-DD') as "postponedUntil",
               ${late} as overdue, o.secretary_name as "secretaryName"
        from organizations o where ${conds.reduce((a, c) => sql`${a} and ${c}`)}
        order by o.term_ends_on, o.code limit ${limit + 1}`;
      const more = rows.length > limit;
      const items = more ? rows.slice(0, limit) : rows;
      const last = items[items.length - 1];
      return { items, nextCursor: more && last ? encodeCursor({ endsOn: last.termEndsOn, code: last.code }) : null };
    },
  );
};

export default terms;
