import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { organizationInScope } from '../scope.js';

export const organizationSchema = z.object({
  code: z.string(),
  parentCode: z.string().nullable(),
  name: z.string(),
  type: z.string(),
  sector: z.string(),
  termYears: z.number().nullable(),
  termStartedOn: z.string().nullable(),
  termEndsOn: z.string().nullable(),
  secretaryName: z.string().nullable(),
  fullMembers: z.number(),
  probationaryMembers: z.number(),
});

const codeParams = z.object({ code: z.string().min(1).max(64) });

const organizations: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const select = (where: ReturnType<typeof app.sql>) => app.sql<z.infer<typeof organizationSchema>[]>`
    select o.code, p.code as "parentCode", o.name, o.type, o.sector, o.term_years as "termYears",
           to_char(o.term_started_on, 'YYYY-MM-DD') as "termStartedOn", to_char(o.term_ends_on, 'YYYY-MM-DD') as "termEndsOn",
           o.secretary_name as "secretaryName", o.full_members as "fullMembers", o.probationary_members as "probationaryMembers"
    from organizations o left join organizations p on p.id = o.parent_id
    where ${where} order by o.code`;

  app.get(
    '/organizations/:code',
    { schema: { tags: ['organizations'], params: codeParams, response: { 200: organizationSchema } } },
    async (req) => {
      const org = await organizationInScope(app.sql, req.principal, req.params.code);
      const [row] = await select(app.sql`o.id = ${org.id}`);
      return row!;
    },
  );

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
