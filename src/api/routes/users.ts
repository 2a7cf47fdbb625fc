import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { roles, allows } from '../../auth/principal.js';
import { createUser } from '../../auth/users.js';
import { HttpError } from '../errors.js';
import { organizationInScope, requireRole } from '../scope.js';
import { newApiToken, tokenDigest } from '../plugins/auth.js';
import { meSchema } from '../schemas.js';

const newUserBody = z.object({
  username: z.string().regex(/^[A-Za-z0-9_.@-]{2,64}$/, 'letters, digits and _.@- only, 2 to 64 characters'),
  password: z.string().min(8, 'at least 8 characters').max(256),
  displayName: z.string().max(100).optional(),
  roles: z.array(z.object({ role: z.enum(roles), org: z.string().min(1).max(64) })).min(1).max(50),
});

const users: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/users',
    { schema: { tags: ['users'], body: newUserBody, response: { 201: z.object({ id: z.number(), username: z.string() }) } } },
    async (req, reply) => {
      const p = req.principal;
      const grants = [];
      for (const [i, r] of req.body.roles.entries()) {
        // Each role is granted inside the caller's own subtree, by an admin or organizer holding it there.
        const org = await organizationInScope(app.sql, p, r.org).catch(() => {
          throw new HttpError(400, 'invalid_request', `body.roles.${i}.org: no organization ${r.org} in your scope`, [
            { field: `body.roles.${i}.org`, message: `no organization ${r.org} in your scope` },
          ]);
        });
        requireRole(p, org.path, ['admin', 'organizer']);
        if (r.role === 'admin' && !allows(p, org.path, ['admin'])) {
          throw new HttpError(403, 'forbidden', 'only an admin grants the admin role');
        }
        grants.push({ role: r.role, organizationId: org.id });
      }
      try {
        const id = await createUser(app.sql, { ...req.body, roles: grants });
        return reply.status(201).send({ id, username: req.body.username });
      } catch (err) {
        if ((err as { code?: string }).code === '23505') {
          throw new HttpError(409, 'conflict', `user ${req.body.username} exists`, [{ field: 'body.username', message: 'taken' }]);
        }
        throw err;
      }
    },
  );

  app.post(
    '/tokens',
    {
      schema: {
        tags: ['users'],
        description: 'A machine API token for the caller, with the caller’s roles. Shown once.',
        body: z.object({ name: z.string().min(1).max(100) }),
        response: { 201: z.object({ id: z.number(), token: z.string() }) },
      },
    },
    async (req, reply) => {
      const token = newApiToken();
      const [row] = await app.sql<{ id: number }[]>`
        insert into api_tokens (user_id, name, token_sha256) values (${req.principal.userId}, ${req.body.name}, ${tokenDigest(token)})
        returning id`;
      return reply.status(201).send({ id: row!.id, token });
    },
  );

  app.get(
    '/me',
    {
      schema: {
        tags: ['users'],
        response: {
          200: meSchema,
        },
      },
    },
    async (req) => ({
      username: req.principal.username,
      roles: req.principal.grants.map((g) => ({ role: g.role, org: g.code })),
      onlyTask: req.principal.onlyTask ?? null,
    }),
  );
};

export default users;
