// 党小组 on a branch's register: its groups with their members, read by whoever sees the branch; formed, renamed,
// given a leader, deleted (no meeting of it recorded or planned) or dissolved as of a day, and a member placed in one,
// by those who keep the register (the branch's secretary, the organizers above: src/domain/members.ts registerKeepers).
// Registered by the register's routes (members.ts); scope as theirs: 404 outside the caller's subtree, 403 without the
// role there.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allows, type Principal } from '../../auth/principal.js';
import { shanghaiDate, type IsoDate } from '../../domain/dates.js';
import { registerKeepers } from '../../domain/members.js';
import { createGroup, deleteGroup, dissolveGroup, getGroup, groupsOf, GroupRefused, setMemberGroup, updateGroup } from '../../members/groups.js';
import { getMember } from '../../members/store.js';
import {
  memberGroupBody,
  memberSchema,
  partyGroupCreateBody,
  partyGroupDissolveBody,
  partyGroupListSchema,
  partyGroupSchema,
  partyGroupUpdateBody,
} from '../../members/schemas.js';
import type { Sql } from '../../db/client.js';
import { HttpError, notFound } from '../errors.js';
import { memberKeptBy, organizationInScope, requireRole } from '../scope.js';

const idParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const codeParams = z.object({ code: z.string().min(1).max(64) });

/** A refusal of the store as the contract's answer, naming its field. */
const refusal = (err: unknown): never => {
  if (err instanceof GroupRefused)
    throw new HttpError(err.status, err.status === 409 ? 'conflict' : 'invalid_request', err.message, [{ field: err.field, message: err.message }]);
  throw err;
};

/** A day given for a write: not in the future (a group is formed and joined as of a day that came). */
const dayNotAfterToday = (d: IsoDate | undefined, field: string): IsoDate => {
  const today = shanghaiDate(Date.now());
  if (d && d > today) throw new HttpError(422, 'invalid_request', `${field} is in the future`, [{ field, message: 'in the future' }]);
  return d ?? today;
};

export function partyGroupRoutes(fastify: FastifyInstance, sql: Sql): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  /** A group the caller keeps the register of, still standing. */
  const keptGroup = async (p: Principal, id: number) => {
    const g = await getGroup(sql, id);
    if (!g || !allows(p, g.path)) throw notFound(`party group ${id}`);
    requireRole(p, g.path, registerKeepers);
    if (g.dissolvedOn) throw new HttpError(409, 'conflict', `the group was dissolved on ${g.dissolvedOn}`, [{ field: 'params.id', message: 'dissolved' }]);
    return g;
  };
  const groupOf = async (organizationId: number, id: number) => (await groupsOf(sql, organizationId)).find((g) => g.id === id)!;

  app.get(
    '/organizations/:code/party-groups',
    {
      schema: {
        tags: ['members'],
        description: 'A branch’s 党小组 (party groups) while they last, each with its leader (党小组长) and its members of today.',
        params: codeParams,
        response: { 200: partyGroupListSchema },
      },
    },
    async (req) => {
      const org = await organizationInScope(sql, req.principal, req.params.code);
      return { items: await groupsOf(sql, org.id) };
    },
  );

  app.post(
    '/organizations/:code/party-groups',
    {
      schema: {
        tags: ['members'],
        description:
          'Forms a 党小组 of a branch as of today, with its name (unique among the branch’s groups) and optionally its leader, a member of ' +
          'the branch who is placed in it. From the year planned after, the branch owes a monthly 党小组会 for each group (rule set branch-life-2027).',
        params: codeParams,
        body: partyGroupCreateBody,
        response: { 201: partyGroupSchema },
      },
    },
    async (req, reply) => {
      const p = req.principal;
      const org = await organizationInScope(sql, p, req.params.code);
      requireRole(p, org.path, registerKeepers);
      const [o] = await sql<{ type: string }[]>`select type from organizations where id = ${org.id}`;
      if (o!.type !== 'branch')
        throw new HttpError(422, 'invalid_request', '党小组 are formed in a 党支部', [{ field: 'params.code', message: 'not a branch' }]);
      const id = await createGroup(sql, {
        organizationId: org.id,
        name: req.body.name,
        leaderId: req.body.leaderId ?? null,
        on: shanghaiDate(Date.now()),
        actor: p.username,
      }).catch(refusal);
      return reply.status(201).send(await groupOf(org.id, id));
    },
  );

  app.patch(
    '/party-groups/:id',
    {
      schema: {
        tags: ['members'],
        description: 'Renames a 党小组 or changes its leader (null: none); a new leader in no group is placed in it.',
        params: idParams,
        body: partyGroupUpdateBody,
        response: { 200: partyGroupSchema },
      },
    },
    async (req) => {
      const g = await keptGroup(req.principal, req.params.id);
      await updateGroup(sql, { id: g.id, organizationId: g.organizationId, ...req.body, on: shanghaiDate(Date.now()) }).catch(refusal);
      return groupOf(g.organizationId, g.id);
    },
  );

  app.delete(
    '/party-groups/:id',
    {
      schema: {
        tags: ['members'],
        description:
          'Deletes a 党小组 formed by mistake; answers it as it was. A group whose meetings are recorded or planned is not deleted (409): dissolve it.',
        params: idParams,
        response: { 200: z.object({ id: z.number(), name: z.string() }) },
      },
    },
    async (req) => {
      const g = await keptGroup(req.principal, req.params.id);
      await deleteGroup(sql, g.id).catch(refusal);
      return { id: g.id, name: g.name };
    },
  );

  app.post(
    '/party-groups/:id/dissolve',
    {
      schema: {
        tags: ['members'],
        description: 'Dissolves a 党小组 as of a day (not in the future): its members leave it that day; its meetings keep its name.',
        params: idParams,
        body: partyGroupDissolveBody,
        response: { 200: z.object({ id: z.number(), dissolvedOn: z.string() }) },
      },
    },
    async (req) => {
      const g = await keptGroup(req.principal, req.params.id);
      const on = dayNotAfterToday(req.body.on, 'body.on');
      if (on < g.createdOn)
        throw new HttpError(422, 'invalid_request', `the group was formed on ${g.createdOn}`, [{ field: 'body.on', message: 'before it was formed' }]);
      await dissolveGroup(sql, g.id, on).catch(refusal);
      return { id: g.id, dissolvedOn: on };
    },
  );

  app.put(
    '/members/:id/party-group',
    {
      schema: {
        tags: ['members'],
        description:
          'Places a member of a branch in one of its 党小组 as of a day (today by default), out of the one they were in; null takes them out. ' +
          'A member is in at most one group; one who leaves the branch’s register leaves their group that day.',
        params: idParams,
        body: memberGroupBody,
        response: { 200: memberSchema },
      },
    },
    async (req) => {
      const m = await memberKeptBy(sql, req.principal, req.params.id);
      const since = dayNotAfterToday(req.body.since, 'body.since');
      await setMemberGroup(sql, { memberId: m.id, organizationId: m.organizationId, groupId: req.body.groupId, since }).catch(refusal);
      const { path: _path, organizationId: _organizationId, ...shown } = (await getMember(sql, m.id))!;
      return { ...shown, revealed: [] };
    },
  );
}
