import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { roles, allows } from '../../auth/principal.js';
import { organizingRoles } from '../../domain/roles.js';
import { addApiToken, createUser, userWithRolePaths, writeDisabled } from '../../auth/users.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from '../../auth/password-policy.js';
import { accountKey } from '../../auth/throttle.js';
import { auditAction } from '../../audit/store.js';
import { HttpError, notFound } from '../errors.js';
import { organizationInScope, requireRole } from '../scope.js';
import { newApiToken, tokenDigest } from '../plugins/auth.js';
import { meSchema } from '../../auth/schemas.js';

const newUserBody = z.object({
  username: z.string().regex(/^[A-Za-z0-9_.@-]{2,64}$/, 'letters, digits and _.@- only, 2 to 64 characters'),
  // The rest of the password policy is checked once the caller may create the user: 422 naming body.password.
  password: z.string().min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`).max(PASSWORD_MAX_LENGTH),
  displayName: z.string().max(100).optional(),
  roles: z
    .array(z.object({ role: z.enum(roles), org: z.string().min(1).max(64) }))
    .min(1)
    .max(50),
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
        requireRole(p, org.path, organizingRoles);
        if (r.role === 'admin' && !allows(p, org.path, ['admin'])) {
          throw new HttpError(403, 'forbidden', 'only an admin grants the admin role');
        }
        grants.push({ role: r.role, organizationId: org.id });
      }
      const problem = await passwordProblem(req.body.password, req.body.username);
      if (problem) {
        throw new HttpError(422, 'weak_password', `body.password: ${problem.message}`, [
          { field: 'body.password', reason: problem.reason, message: problem.message },
        ]);
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

  // Disabling ends the user's sessions (token_version, migrations/094_credentials.sql) and revokes their machine API
  // tokens for good; enabling lets them sign in again (and lifts a sign-in lockout) but brings neither back.
  for (const action of ['disable', 'enable'] as const) {
    app.post(
      `/users/:username/${action}`,
      {
        config: { changesPrincipals: true },
        schema: {
          tags: ['users'],
          description:
            action === 'disable'
              ? 'Disables a user: no sign-in, every session ends at once, every machine API token revoked. Only an admin whose subtree covers all the user’s roles; not oneself.'
              : 'Enables a disabled user again (sessions and API tokens ended by the disable stay ended) and lifts a sign-in lockout of the account. Only an admin whose subtree covers all the user’s roles.',
          params: z.object({ username: z.string().regex(/^[A-Za-z0-9_.@-]{2,64}$/, 'letters, digits and _.@- only, 2 to 64 characters') }),
          response: { 200: z.object({ username: z.string(), disabled: z.boolean(), apiTokensRevoked: z.number() }) },
        },
      },
      async (req) => {
        const p = req.principal;
        const { username } = req.params;
        const target = await userWithRolePaths(app.sql, username);
        // A user without roles belongs to no subtree: only an admin of the whole tree reaches them.
        const paths = target?.paths.length ? target.paths : [''];
        // Outside the caller's subtree a user does not exist for them, as an organization does not.
        if (!target || !paths.some((path) => allows(p, path))) throw notFound(`user ${username}`);
        if (!paths.every((path) => allows(p, path, ['admin']))) {
          throw new HttpError(403, 'forbidden', 'only an admin whose subtree covers every role of the user may do this');
        }
        if (target.id === p.userId) throw new HttpError(403, 'forbidden', `you cannot ${action} your own account`);
        const revoked = await writeDisabled(app.sql, target.id, action === 'disable', accountKey(target.username));
        await auditAction(app.sql, {
          actor: p.username,
          action: `user.${action}`,
          subject: `user ${target.username}`,
          detail: { wasDisabled: target.disabled, apiTokensRevoked: revoked },
        });
        return { username: target.username, disabled: action === 'disable', apiTokensRevoked: revoked };
      },
    );
  }

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
      const id = await addApiToken(app.sql, req.principal.userId, req.body.name, tokenDigest(token));
      return reply.status(201).send({ id, token });
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
