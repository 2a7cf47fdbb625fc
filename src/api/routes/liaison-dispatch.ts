import type { FastifyPluginAsync } from 'fastify';
import { steeringRoles } from '../../domain/roles.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { inScope, organizationInScope, requireRole } from '../scope.js';
import { processId } from '../../processes/start.js';
import { idempotencyKeyHeader, idempotent } from '../idempotency.js';
import { reasonSchema } from '../../../workflows/messages.js';
import { liaisonCoverageSchema } from '../../liaison-dispatch/schemas.js';
import { dispatchByCounty } from '../../liaison-dispatch/store.js';
import { KIND, officerLeftUpdate } from '../../../workflows/liaison-dispatch/workflow.js';

const code = z.string().min(1).max(64);

// Liaison dispatch (domain.md §4.4): an officer leaving, and coverage per county.
const liaison: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  app.post(
    '/liaison/officer-left',
    {
      schema: {
        tags: ['liaison'],
        summary: "an officer leaves: the assignment's open tasks close and a new officer is to be assigned",
        headers: idempotencyKeyHeader,
        body: z.object({ organization: code.describe('the unit'), reason: reasonSchema }),
        response: { 200: z.object({ assignment: z.number() }) },
      },
    },
    async (req, reply) =>
      idempotent(sql, req, reply, async () => {
        const org = await organizationInScope(sql, req.principal, req.body.organization);
        requireRole(req.principal, org.path, steeringRoles);
        const left = await app.updateProcess(
          req,
          processId(KIND, req.body.organization),
          officerLeftUpdate,
          { reason: req.body.reason },
          {
            ended: 'no liaison dispatch is running for this unit',
          },
        );
        return { status: 200, body: left };
      }),
  );

  // "应派尽派": units with an acknowledged officer among all units; "应建尽建": units with ≥3 full members that set up
  // their organization. Units established through a dispatch count in both (they were units).
  app.get(
    '/liaison/coverage',
    {
      schema: {
        tags: ['liaison'],
        querystring: z.object({ org: code.optional() }),
        response: { 200: liaisonCoverageSchema },
      },
    },
    async (req) => {
      const under = req.query.org ? await organizationInScope(sql, req.principal, req.query.org) : null;
      const rows = await dispatchByCounty(sql, inScope(sql, req.principal), under?.path);
      const pct = (a: number, b: number) => (b ? Math.round((1000 * a) / b) / 10 : null);
      return { items: rows.map((r) => ({ ...r, dispatchCoverage: pct(r.dispatched, r.units), establishCoverage: pct(r.established, r.eligible) })) };
    },
  );
};

export default liaison;
