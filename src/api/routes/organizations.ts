import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inScope, organizationInScope } from '../scope.js';
import { scopeRoots } from '../../auth/principal.js';
import { organizationTypes, sectors } from '../../organizations/import/columns.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { organizationSchema } from '../schemas.js';
import { fillInitials, initialsQuery } from '../initials.js';

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

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const organizations: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  // The register's columns, as organizationSchema names them (one list for the one and the many).
  const columns = app.sql`
    o.code, p.code as "parentCode", o.name, o.type, o.sector, o.settlement, o.term_years as "termYears",
    to_char(o.term_started_on, 'YYYY-MM-DD') as "termStartedOn", to_char(o.term_ends_on, 'YYYY-MM-DD') as "termEndsOn",
    to_char(o.term_postponed_until, 'YYYY-MM-DD') as "postponedUntil",
    o.secretary_name as "secretaryName", o.full_members as "fullMembers", o.probationary_members as "probationaryMembers",
    o.election_body as "electionBody", o.delegates, o.term_ordinal as "termOrdinal"`;
  const select = (where: ReturnType<typeof app.sql>) => app.sql<z.infer<typeof organizationSchema>[]>`
    select ${columns}
    from organizations o left join organizations p on p.id = o.parent_id
    where ${where} order by o.code`;

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
      // Left to itself, the planner walks the code index in order and filters by path, which reads most of a
      // 200,000-row table for a county late in code order; a subtree is better found through path (GiST).
      const scope = under ? sql`o.path <@ ${(await organizationInScope(sql, req.principal, under)).path}::ltree` : inScope(sql, req.principal, 'o');
      const wholeTree = !under && scopeRoots(req.principal).includes('');
      const conds = [sql`true`];
      if (q) {
        // Two or more characters: the bigram index narrows, LIKE decides. One character: LIKE over the
        // (path-restricted) subtree, which the bigram index cannot serve.
        const chars = [...q];
        const byName =
          chars.length >= 2
            ? sql`(o.name_bigrams @> ${[...new Set(chars.slice(0, -1).map((c, i) => c + chars[i + 1]))]}::text[] and o.name like ${likePattern(q)})`
            : sql`o.name like ${likePattern(q)}`;
        // Latin letters may be pinyin initials ("hbc" → 红白村) or part of the code.
        const initials = initialsQuery(q);
        if (initials) await fillInitials(sql, 'organizations');
        conds.push(initials ? sql`(${byName} or o.name_initials like ${likePattern(initials)} or o.code = ${q})` : byName);
      }
      if (type) conds.push(sql`o.type = ${type}`);
      if (sector) conds.push(sql`o.sector = ${sector}`);
      const after = decodeCursor(cursor, z.object({ code: z.string() }));
      const where = conds.reduce((a, c) => sql`${a} and ${c}`);
      // `code || ''` is not the indexed expression: the planner then finds the subtree through path and sorts it.
      const key = wholeTree ? sql`o.code` : sql`(o.code || '')`;
      const rows = await sql<z.infer<typeof organizationSchema>[]>`
        select ${columns}
        from organizations o left join organizations p on p.id = o.parent_id
        where ${scope} and ${where} ${after ? sql`and ${key} > ${after.code}` : sql``}
        order by ${key} limit ${limit + 1}`;
      const more = rows.length > limit;
      const items = more ? rows.slice(0, limit) : rows;
      return { items, nextCursor: more ? encodeCursor({ code: items[items.length - 1]!.code }) : null };
    },
  );

  app.get('/organizations/:code', { schema: { tags: ['organizations'], params: codeParams, response: { 200: organizationSchema } } }, async (req) => {
    const org = await organizationInScope(app.sql, req.principal, req.params.code);
    const [row] = await select(app.sql`o.id = ${org.id}`);
    return row!;
  });

  app.get(
    '/organizations/:code/children',
    { schema: { tags: ['organizations'], params: codeParams, response: { 200: z.object({ items: z.array(organizationSchema) }) } } },
    async (req) => {
      const parent = await organizationInScope(app.sql, req.principal, req.params.code);
      return { items: await select(app.sql`o.parent_id = ${parent.id}`) };
    },
  );
};

export default organizations;
