// The pickers' searches ("pickers, not codes"): people (users) and training sessions by name, Chinese
// or pinyin initials ("hbc" finds 红白村), inside the caller's subtree. Organizations are searched by
// GET /organizations?q= (organizations.ts), with the same initials.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allows, roles, type Role } from '../../auth/principal.js';
import { mentionableRoles } from '../../domain/task-rights.js';
import { notFound } from '../errors.js';
import { withSubstitutions } from '../substitutes.js';
import { fillInitials, initialsQuery } from '../initials.js';
import { inScope, organizationInScope } from '../scope.js';
import { sessionPicksSchema, userPicksSchema } from '../schemas.js';
import { holdingRole, type HeldTask } from '../task-holders.js';

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const q = z.string().trim().min(1).max(100).optional().describe('part of the name, the username or code, or the name’s pinyin initials');
const limit = z.coerce.number().int().min(1).max(100).default(20);

const search: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        description:
          'People to pick: users holding a role at an organization in the caller’s subtree (or under `under`), by name, username or pinyin initials.',
        querystring: z.object({
          q,
          role: z.enum(roles).optional(),
          under: z.string().min(1).max(64).optional(),
          task: z.coerce
            .number()
            .int()
            .positive()
            .optional()
            .describe('instead of the caller’s subtree: the people who can see this task (a role at its organization or above), to mention in a comment'),
          process: z
            .string()
            .min(1)
            .max(200)
            .optional()
            .describe(
              'instead of the caller’s subtree: the people who can see this process (a role at its organization or above), to mention in a comment on it',
            ),
          holderOf: z.coerce
            .number()
            .int()
            .positive()
            .optional()
            .describe(
              'instead of the caller’s subtree: whom this task may be delegated or reassigned to, exactly those its delegate `to` and reassign `assigneePerson` accept (a role at its organization or above that may do its step, inside the caller’s subtree)',
            ),
          limit,
        }),
        response: { 200: userPicksSchema },
      },
    },
    async (req) => {
      const { q: text, role, under, task, process, holderOf, limit: n } = req.query;
      const conds = [sql`not u.disabled`];
      if (holderOf) {
        // The delegate/reassign picker: the rule the actions check (task-holders.ts), listing only the holding roles.
        const p = await withSubstitutions(sql, req.principal);
        const [t] = await sql<
          HeldTask[]
        >`select t.process, t.step, o.path::text as path from tasks t join organizations o on o.id = t.organization_id where t.id = ${holderOf}`;
        if (!t || !allows(p, t.path)) throw notFound(`task ${holderOf}`);
        conds.push(holdingRole(sql, p, t));
      } else if (task || process) {
        // Whom a comment on the task or process may mention (routes/comments.ts): those who see its organization,
        // for a caller who sees it.
        const [t] = task
          ? await sql<{ path: string }[]>`select o.path::text as path from tasks t join organizations o on o.id = t.organization_id where t.id = ${task}`
          : await sql<
              { path: string }[]
            >`select o.path::text as path from processes p join organizations o on o.id = p.organization_id where p.workflow_id = ${process!}`;
        if (!t || !allows(await withSubstitutions(sql, req.principal), t.path)) throw notFound(task ? `task ${task}` : `process ${process}`);
        conds.push(sql`o.path @> ${t.path}::ltree and r.role = any(${mentionableRoles as Role[]}) and not u.disabled`);
      } else conds.push(inScope(sql, req.principal, 'o'));
      if (under) conds.push(sql`o.path <@ ${(await organizationInScope(sql, req.principal, under)).path}::ltree`);
      if (role) conds.push(sql`r.role = ${role}`);
      if (text) {
        const initials = initialsQuery(text);
        if (initials) await fillInitials(sql, 'users');
        const like = likePattern(text);
        conds.push(sql`(u.username ilike ${like} or u.display_name like ${like} ${initials ? sql`or u.name_initials like ${likePattern(initials)}` : sql``})`);
      }
      const items = await sql<z.infer<typeof userPicksSchema>['items']>`
        select u.username, u.display_name as "displayName",
               json_agg(json_build_object('role', r.role, 'org', o.code, 'orgName', o.name) order by o.code, r.role) as roles
        from users u join user_roles r on r.user_id = u.id join organizations o on o.id = r.organization_id
        where ${conds.reduce((a, c) => sql`${a} and ${c}`)}
        group by u.id order by u.username limit ${n}`;
      return { items };
    },
  );

  app.get(
    '/training-sessions',
    {
      schema: {
        tags: ['training'],
        description:
          'Sessions to pick: held by an organization in the caller’s subtree, or with an enrolment from one (a secretary finds the county’s session it is enrolled in); by title, code or pinyin initials; latest first.',
        querystring: z.object({ q, limit }),
        response: { 200: sessionPicksSchema },
      },
    },
    async (req) => {
      const { q: text, limit: n } = req.query;
      const conds = [
        sql`(${inScope(sql, req.principal, 'o')} or exists (
              select 1 from training_enrolments e join organizations eo on eo.id = e.organization_id
              where e.session_id = s.id and ${inScope(sql, req.principal, 'eo')}))`,
      ];
      if (text) {
        const initials = initialsQuery(text);
        if (initials) await fillInitials(sql, 'training_sessions');
        const like = likePattern(text);
        conds.push(sql`(s.title like ${like} or s.code ilike ${like} ${initials ? sql`or s.title_initials like ${likePattern(initials)}` : sql``})`);
      }
      const items = await sql<z.infer<typeof sessionPicksSchema>['items']>`
        select s.code, s.title, o.code as organization, o.name as "organizationName",
               to_char(s.starts_on, 'YYYY-MM-DD') as "startsOn", to_char(s.ends_on, 'YYYY-MM-DD') as "endsOn"
        from training_sessions s join organizations o on o.id = s.organization_id
        where ${conds.reduce((a, c) => sql`${a} and ${c}`)}
        order by s.starts_on desc, s.code limit ${n}`;
      return { items };
    },
  );
};

export default search;
