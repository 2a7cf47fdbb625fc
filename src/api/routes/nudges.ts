import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../errors.js';
import { scopeRoots, type Role } from '../../auth/principal.js';
import { steeringRoles } from '../../domain/roles.js';
import { idempotencyKeyHeader, idempotent } from '../idempotency.js';
import { taskFilterSchema, taskFilterWhere } from '../task-filter.js';
import { nudgeResultSchema } from '../../tasks/schemas.js';
import { returnNudgeResultSchema } from '../../yearly-returns/schemas.js';
import { missingReturns, requireYearBegun, returnDueOn } from '../missing-returns.js';
import { organizationInScope } from '../scope.js';
import { nudgeMissingFilers, nudgeTaskHolders } from '../../nudges/store.js';

/** Who may nudge (一键催办): those who steer the work of the organizations on the list. */
export const nudgeRoles: readonly Role[] = steeringRoles;
/** More live tasks than this under one filter is not a nudge but a broadcast: narrow the filter. */
export const NUDGE_MAX_TASKS = 2000;

/**
 * 一键催办: everyone holding a live task on a list gets one message (a `notifications` row of kind 'nudge', so
 * the in-app list, the e-mail digest and the channels carry it) listing their tasks; each task records the
 * nudge in its events and counts it. The list is sent as its filter, not as ids, and read again here inside
 * the caller's subtree — only where the caller steers.
 */
const nudges: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  app.post(
    '/nudges',
    {
      schema: {
        tags: ['tasks'],
        summary: 'nudge everyone holding a live task that matches the filter: one message per person, recorded and counted on each task',
        headers: idempotencyKeyHeader,
        body: z.object({ filter: taskFilterSchema, message: z.string().trim().min(1).max(200).optional().describe('a line added to each message') }).strict(),
        response: { 200: nudgeResultSchema },
      },
    },
    async (req, reply) =>
      idempotent(sql, req, reply, async () => {
        const p = req.principal;
        const steer = scopeRoots(p, nudgeRoles);
        if (steer.length === 0) throw new HttpError(403, 'forbidden', `nudging needs the role ${nudgeRoles.join(' or ')}`);
        const { filter, message } = req.body;
        const { where } = await taskFilterWhere(sql, p, filter);
        const body = await nudgeTaskHolders(sql, { where, steer, actor: { id: p.userId, username: p.username }, filter, message, max: NUDGE_MAX_TASKS });
        if ('refused' in body && body.refused === 'nothing')
          throw new HttpError(422, 'nothing_to_nudge', 'no live task in your subtree matches this filter', [
            { field: 'filter', message: 'matches no live task' },
          ]);
        if ('refused' in body) {
          throw new HttpError(422, 'too_many', `more than ${NUDGE_MAX_TASKS} tasks match: narrow the filter`, [
            { field: 'filter', message: `matches more than ${NUDGE_MAX_TASKS} tasks` },
          ]);
        }
        return { status: 200, body };
      }),
  );

  // 催报: the yearly return's missing filers (GET /returns/{year}/missing), each organization's secretaries (and their
  // substitutes while away) told once, whatever number of organizations they file for.
  app.post(
    '/returns/:year/nudges',
    {
      schema: {
        tags: ['assessments'],
        summary: 'nudge (催报) the secretaries of every organization on the missing filers list: one message per person, recorded and counted per organization',
        headers: idempotencyKeyHeader,
        params: z.object({ year: z.coerce.number().int().min(2000).max(2100) }),
        body: z
          .object({
            org: z.string().min(1).max(64).optional().describe('narrow the list to this subtree'),
            message: z.string().trim().min(1).max(200).optional(),
          })
          .strict(),
        response: { 200: returnNudgeResultSchema },
      },
    },
    async (req, reply) =>
      idempotent(sql, req, reply, async () => {
        const p = req.principal;
        const y = req.params.year;
        const steer = scopeRoots(p, nudgeRoles);
        if (steer.length === 0) throw new HttpError(403, 'forbidden', `nudging needs the role ${nudgeRoles.join(' or ')}`);
        requireYearBegun(y);
        const { org, message } = req.body;
        const under = org ? (await organizationInScope(sql, p, org)).path : undefined;
        const dueOn = returnDueOn(y);
        const body = await nudgeMissingFilers(sql, {
          year: y,
          missing: (tx) => missingReturns(tx, steer, y, under),
          actor: { id: p.userId, username: p.username },
          filter: { returns: y, ...(org ? { org } : {}) },
          message,
          dueOn,
          max: NUDGE_MAX_TASKS,
        });
        if ('refused' in body && body.refused === 'nothing')
          throw new HttpError(422, 'nothing_to_nudge', `no organization in your subtree misses its ${y} return`, [
            { field: 'params.year', message: 'no missing filer' },
          ]);
        if ('refused' in body)
          throw new HttpError(422, 'too_many', `more than ${NUDGE_MAX_TASKS} organizations miss it: narrow with org`, [
            { field: 'body.org', message: `more than ${NUDGE_MAX_TASKS} organizations` },
          ]);
        return { status: 200, body };
      }),
  );
};

export default nudges;
