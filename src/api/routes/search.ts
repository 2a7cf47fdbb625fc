// The pickers' searches ("pickers, not codes"): people (users) and training sessions by name, Chinese
// or pinyin initials ("hbc" finds 红白村), inside the caller's subtree. Organizations are searched by
// GET /organizations?q= (organizations.ts), with the same initials.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allows, roles } from '../../auth/principal.js';
import { mentionableAt, pickUsers } from '../../auth/users.js';
import { processPath } from '../../processes/store.js';
import { taskPlace } from '../../tasks/store.js';
import { pickSessions } from '../../training/store.js';
import { notFound } from '../errors.js';
import { withSubstitutions } from '../substitutes.js';
import { fillInitials, initialsQuery } from '../initials.js';
import { inScope, organizationInScope } from '../scope.js';
import { sessionPicksSchema } from '../../training/schemas.js';
import { userPicksSchema } from '../../auth/schemas.js';
import { holdingRole } from '../task-holders.js';

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
      let who: ReturnType<typeof inScope>;
      if (holderOf) {
        // The delegate/reassign picker: the rule the actions check (task-holders.ts), listing only the holding roles.
        const p = await withSubstitutions(sql, req.principal);
        const t = await taskPlace(sql, holderOf);
        if (!t || !allows(p, t.path)) throw notFound(`task ${holderOf}`);
        who = holdingRole(sql, p, t);
      } else if (task || process) {
        // Whom a comment on the task or process may mention (routes/comments.ts): those who see its organization,
        // for a caller who sees it.
        const path = task ? (await taskPlace(sql, task))?.path : await processPath(sql, process!);
        if (!path || !allows(await withSubstitutions(sql, req.principal), path)) throw notFound(task ? `task ${task}` : `process ${process}`);
        who = mentionableAt(sql, path);
      } else who = inScope(sql, req.principal, 'o');
      const subtree = under ? (await organizationInScope(sql, req.principal, under)).path : undefined;
      const initials = text ? initialsQuery(text) : null;
      if (initials) await fillInitials(sql, 'users');
      const items = await pickUsers(sql, { who, under: subtree, role, q: text, initials, limit: n });
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
      const initials = text ? initialsQuery(text) : null;
      if (initials) await fillInitials(sql, 'training_sessions');
      const items = await pickSessions(sql, { scope: (alias) => inScope(sql, req.principal, alias), q: text, initials, limit: n });
      return { items };
    },
  );
};

export default search;
