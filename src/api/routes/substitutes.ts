// Substitutes while away (src/api/substitutes.ts says what a substitute may do). Who names one:
// the absent user themself, or an organizer (or admin) holding that role over every organization where the absent
// user holds a role. Who may be named (eligible): someone holding a role in the same line of the tree as each of the
// absent user's roles — at that organization, above it or inside its subtree — so a substitute is a colleague of
// the same organization or its organizers, never a stranger from another branch. Admin roles are never lent.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allows, type Principal } from '../../auth/principal.js';
import { organizingRoles } from '../../domain/roles.js';
import { HttpError, notFound } from '../errors.js';
import { usernameSchema } from '../../domain/fields.js';
import { isoDateSchema } from '../../../workflows/messages.js';
import { shanghaiDate } from '../../domain/dates.js';
import { substitutionSchema } from '../../substitutes/schemas.js';
import { addSubstitution, revokeSubstitution, rolesOfUser, substitutionById, substitutionsAround } from '../../substitutes/store.js';

const newBody = z
  .strictObject({
    user: usernameSchema.optional().describe('the absent user; the caller when omitted'),
    substitute: usernameSchema,
    startsOn: isoDateSchema,
    endsOn: isoDateSchema,
    reason: z.string().trim().min(2).max(500).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.endsOn < b.startsOn) ctx.addIssue({ code: 'custom', path: ['endsOn'], message: 'ends before it starts' });
  });

const substitutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  const rolesOf = (username: string) => rolesOfUser(sql, username);

  /** May `p` name or revoke a substitute for `user` (holding `grants`)? Themself, or an organizer over all of them. */
  const mayName = (p: Principal, user: string, grants: { path: string }[]) =>
    p.username === user || (grants.length > 0 && grants.every((g) => allows(p, g.path, organizingRoles)));
  /** Outside the caller's subtree the absent user does not exist for them (404). */
  const seen = (p: Principal, user: string, grants: { path: string }[]) => p.username === user || grants.some((g) => allows(p, g.path));

  app.get(
    '/substitutions',
    {
      schema: {
        tags: ['substitutes'],
        summary: 'substitutions the caller is part of (absent or substitute) or names as an organizer, not yet over',
        response: { 200: z.object({ items: z.array(substitutionSchema) }) },
      },
    },
    async (req) => {
      const p = req.principal;
      const organized = p.grants.filter((g) => g.role === 'admin' || g.role === 'organizer').map((g) => g.path);
      return { items: await substitutionsAround(sql, p.userId, organized) };
    },
  );

  app.post(
    '/substitutions',
    {
      schema: {
        tags: ['substitutes'],
        summary: 'name a substitute for a date range (Shanghai dates, both included); audited',
        body: newBody,
        response: { 201: substitutionSchema },
      },
      config: { changesPrincipals: true },
    },
    async (req, reply) => {
      const p = req.principal;
      const b = req.body;
      const user = b.user ?? p.username;
      const grants = await rolesOf(user);
      if (!seen(p, user, grants)) throw notFound(`user ${user}`);
      if (!mayName(p, user, grants))
        throw new HttpError(403, 'forbidden', `only ${user} or an organizer over each of their organizations names their substitute`);
      if (b.substitute === user)
        throw new HttpError(422, 'invalid_request', 'body.substitute: a user cannot stand in for themself', [
          { field: 'body.substitute', message: 'the absent user themself' },
        ]);
      const subGrants = await rolesOf(b.substitute);
      if (!subGrants.length || !seen(p, b.substitute, subGrants)) {
        throw new HttpError(422, 'invalid_request', `body.substitute: no user ${b.substitute} in your scope`, [
          { field: 'body.substitute', message: `no user ${b.substitute} in your scope` },
        ]);
      }
      // Eligible: for each organization of the absent user's roles, a role there, above it or below it.
      const line = (a: string, c: string) => a === '' || c === '' || a === c || a.startsWith(`${c}.`) || c.startsWith(`${a}.`);
      const lent = grants.filter((g) => g.role !== 'admin');
      const outside = lent.filter((g) => !subGrants.some((s) => line(s.path, g.path)));
      if (!lent.length || outside.length) {
        throw new HttpError(422, 'invalid_request', `body.substitute: ${b.substitute} holds no role in the organizations ${user} works in`, [
          { field: 'body.substitute', message: `${b.substitute} holds no role in the organizations ${user} works in` },
        ]);
      }
      if (b.endsOn < shanghaiDate(new Date())) {
        throw new HttpError(422, 'invalid_request', 'body.endsOn: the range is over', [{ field: 'body.endsOn', message: 'in the past' }]);
      }
      const userId = grants[0]!.id;
      const subId = subGrants[0]!.id;
      const written = await addSubstitution(sql, {
        userId,
        substituteId: subId,
        startsOn: b.startsOn,
        endsOn: b.endsOn,
        namedBy: p.username,
        reason: b.reason ?? null,
      });
      // One substitute per absent user and day: an overlapping range is refused, nothing written.
      if ('clash' in written) throw new HttpError(409, 'conflict', `${user} already has a substitute in that range (substitution ${written.clash})`);
      return reply.status(201).send(written.added);
    },
  );

  app.post(
    '/substitutions/:id/revoke',
    {
      schema: {
        tags: ['substitutes'],
        summary: 'end a substitution now (the absent user back early); audited',
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: substitutionSchema },
      },
      config: { changesPrincipals: true },
    },
    async (req) => {
      const p = req.principal;
      const r = await substitutionById(sql, req.params.id);
      const grants = r ? await rolesOf(r.user) : [];
      if (!r || !(seen(p, r.user, grants) || r.substitute === p.username)) throw notFound(`substitution ${req.params.id}`);
      if (!mayName(p, r.user, grants))
        throw new HttpError(403, 'forbidden', `only ${r.user} or an organizer over each of their organizations ends their substitution`);
      if (r.revokedAt) throw new HttpError(409, 'conflict', `substitution ${r.id} was ended by ${r.revokedBy}`);
      return revokeSubstitution(sql, r.id, p.username);
    },
  );
};

export default substitutes;
