import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, notFound } from '../errors.js';
import { organizationInScope, requireRole } from '../scope.js';
import { allows } from '../../auth/principal.js';
import { AlreadyRunning, processId, startProcess, startTermElection } from '../../processes/term-election.js';
import { rotationTraining } from '../../../workflows/rotation-training.js';
import { liaisonDispatch } from '../../../workflows/liaison-dispatch.js';
import { twoRecommendationsOneElection } from '../../../workflows/two-recommendations-one-election.js';
import { pairing } from '../../../workflows/pairing.js';
import { pairingRuleSets, termRuleSets, twoRecommendationsRuleSets } from '../../domain/rules.js';
import { urbanSectors } from '../../domain/pairing.js';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { cancelProcessUpdate } from '../../../workflows/process-control.js';
import { reasonSchema } from '../../../workflows/messages.js';
import { actorOf, refusal } from '../task-updates.js';
import { processSchema } from '../schemas.js';

/** Kinds that can be started (contract.md). */
export const processKinds = ['term-election', 'two-recommendations-one-election', 'rotation-training', 'liaison-dispatch', 'pairing'] as const;

/** The rule sets a kind may pin (history); the others run on the set in force. */
const ruleSetsOf: Partial<Record<(typeof processKinds)[number], readonly string[]>> = {
  'term-election': termRuleSets.map((r) => r.id),
  'two-recommendations-one-election': twoRecommendationsRuleSets.map((r) => r.id),
  pairing: pairingRuleSets.map((r) => r.id),
};
const allRuleSets = [...new Set(Object.values(ruleSetsOf).flat())] as [string, ...string[]];

const code = z.string().min(1).max(64);
const startBody = z.object({
  organization: code.describe('code of the organization the process is about (pairing: the village)'),
  ruleSet: z.enum(allRuleSets).optional().describe('term-election, two-recommendations-one-election, pairing: pin a rule set of the kind (history)'),
  secretary: z.string().trim().min(1).max(100).optional().describe('rotation-training: the secretary of the first cycle (default: the register\'s)'),
  partner: code.optional().describe("pairing: code of the urban unit's Party organization paired with the village (required)"),
});

/** The next run number of a workflow id that may run again (its task and event keys carry it). */
async function nextNumberIn(sql: import('../../db/client.js').Sql, table: 'secretary_selections' | 'pairings', column: 'selection' | 'cycle', workflowId: string): Promise<number> {
  const [r] = await sql<{ n: number }[]>`select coalesce(max(${sql(column)}), 0)::int + 1 as n from ${sql(table)} where workflow_id = ${workflowId}`;
  return r!.n;
}

const badField = (field: string, message: string, what = message) => new HttpError(400, 'invalid_request', what, [{ field, message }]);

const processes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const nextNumber = (table: 'secretary_selections' | 'pairings', column: 'selection' | 'cycle', workflowId: string) => nextNumberIn(app.sql, table, column, workflowId);

  app.post(
    '/processes/:kind',
    {
      schema: {
        tags: ['processes'],
        params: z.object({ kind: z.enum(processKinds) }),
        body: startBody,
        response: { 201: z.object({ id: z.string() }) },
      },
    },
    async (req, reply) => {
      const { kind } = req.params;
      if (req.body.ruleSet && !ruleSetsOf[kind]?.includes(req.body.ruleSet)) {
        throw badField('body.ruleSet', `not a rule set of ${kind}${ruleSetsOf[kind] ? ` (${ruleSetsOf[kind]!.join(', ')})` : ''}`);
      }
      if (kind === 'pairing' && !req.body.partner) throw badField('body.partner', 'required: the urban unit paired with the village');
      const scoped = await organizationInScope(app.sql, req.principal, req.body.organization);
      requireRole(req.principal, scoped.path, ['admin', 'organizer']);
      const [org] = await app.sql<{ id: number; type: string; sector: string; parent_id: number | null; term_ends_on: Date | null }[]>`
        select id, type, sector, parent_id, term_ends_on from organizations where id = ${scoped.id}`;
      if (kind === 'term-election' && !org!.term_ends_on) {
        throw new HttpError(400, 'invalid_request', 'the organization has no term on the register', [
          { field: 'body.organization', message: 'organization has no term start and length' },
        ]);
      }
      if (kind === 'rotation-training' && org!.type === 'unit') {
        throw new HttpError(400, 'invalid_request', 'a unit without a Party organization has no secretary to train', [
          { field: 'body.organization', message: 'organization is a unit' },
        ]);
      }
      if (kind === 'liaison-dispatch' && org!.type !== 'unit') {
        throw new HttpError(400, 'invalid_request', 'liaison officers are dispatched to units without a Party organization', [
          { field: 'body.organization', message: 'organization is not a unit' },
        ]);
      }
      if (kind === 'two-recommendations-one-election' && (org!.type === 'unit' || org!.parent_id === null || !['rural', 'community'].includes(org!.sector))) {
        throw badField('body.organization', 'not a village or community Party organization under a township committee', 'two recommendations, one election selects village and community secretaries');
      }
      if (kind === 'pairing') {
        if (org!.type === 'unit' || org!.sector !== 'rural' || org!.parent_id === null) {
          throw badField('body.organization', "not a village's Party organization", 'a pairing is about an administrative village');
        }
        // The partner must be visible to the caller (404 otherwise, like any organization outside the subtree).
        const partner = await organizationInScope(app.sql, req.principal, req.body.partner!);
        const [p] = await app.sql<{ type: string; sector: string }[]>`select type, sector from organizations where id = ${partner.id}`;
        if (p!.type === 'unit' || !(urbanSectors as readonly string[]).includes(p!.sector)) {
          throw badField('body.partner', `not an urban unit's Party organization (sector one of ${urbanSectors.join(', ')})`);
        }
      }
      let id: string;
      try {
        id =
          kind === 'term-election'
            ? await startTermElection(app.sql, app.temporal, app.config.TEMPORAL_TASK_QUEUE, {
                organization: req.body.organization,
                organizationId: org!.id,
                ruleSet: req.body.ruleSet,
              })
            : kind === 'rotation-training'
              ? await startProcess(app.sql, app.temporal, app.config.TEMPORAL_TASK_QUEUE, {
                  kind,
                  organization: req.body.organization,
                  organizationId: org!.id,
                  workflow: rotationTraining,
                  args: [{ organization: req.body.organization, secretary: req.body.secretary }],
                })
              : kind === 'liaison-dispatch'
                ? await startProcess(app.sql, app.temporal, app.config.TEMPORAL_TASK_QUEUE, {
                    kind,
                    organization: req.body.organization,
                    organizationId: org!.id,
                    workflow: liaisonDispatch,
                    args: [{ organization: req.body.organization }],
                  })
                : kind === 'two-recommendations-one-election'
                  ? await startProcess(app.sql, app.temporal, app.config.TEMPORAL_TASK_QUEUE, {
                      kind,
                      organization: req.body.organization,
                      organizationId: org!.id,
                      workflow: twoRecommendationsOneElection,
                      // A village selects again at a later term under the same workflow id: the next number.
                      args: [{ organization: req.body.organization, ruleSet: req.body.ruleSet, selection: await nextNumber('secretary_selections', 'selection', processId(kind, req.body.organization)) }],
                    })
                  : await startProcess(app.sql, app.temporal, app.config.TEMPORAL_TASK_QUEUE, {
                      kind,
                      organization: req.body.organization,
                      organizationId: org!.id,
                      workflow: pairing,
                      // A pairing that ended (or was cancelled) may start again: its cycles number on.
                      args: [{ organization: req.body.organization, partner: req.body.partner!, ruleSet: req.body.ruleSet, cycle: await nextNumber('pairings', 'cycle', processId(kind, req.body.organization)) }],
                    });
      } catch (err) {
        if (err instanceof AlreadyRunning) {
          throw new HttpError(409, 'conflict', `a ${kind} process is already running for ${req.body.organization}`, { id: err.id });
        }
        throw err;
      }
      req.log.info({ workflowId: id }, 'process started');
      return reply.status(201).send({ id });
    },
  );

  // Cancelling a whole process: scope (404) and role (403) here, then the workflow's cancel Update, whose
  // validator checks the caller's right again and refuses an ended process (409) before anything changes.
  app.post(
    '/processes/:id/cancel',
    {
      schema: {
        tags: ['processes'],
        summary: 'cancel a process, with a reason (audited)',
        params: z.object({ id: z.string().min(1).max(200) }),
        body: z.object({ reason: reasonSchema }),
        response: { 200: z.object({ id: z.string(), status: z.literal('cancelled') }) },
      },
    },
    async (req) => {
      const [p] = await app.sql<{ path: string; status: string }[]>`
        select o.path::text as path, p.status from processes p join organizations o on o.id = p.organization_id where p.workflow_id = ${req.params.id}`;
      if (!p || !allows(req.principal, p.path)) throw notFound(`process ${req.params.id}`);
      requireRole(req.principal, p.path, ['admin', 'organizer', 'supervisor']);
      if (p.status !== 'running') throw new HttpError(409, 'conflict', `the process is ${p.status}`);
      try {
        await app.temporal.workflow.getHandle(req.params.id).executeUpdate(cancelProcessUpdate, { args: [{ actor: actorOf(req.principal), reason: req.body.reason }] });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) throw refusal(err);
        if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'conflict', 'the process has ended');
        throw err;
      }
      return { id: req.params.id, status: 'cancelled' as const };
    },
  );

  app.get(
    '/processes/:id',
    { schema: { tags: ['processes'], params: z.object({ id: z.string().min(1).max(200) }), response: { 200: processSchema } } },
    async (req) => {
      const [p] = await app.sql<{ kind: string; code: string; path: string; status: string; current_step: string; next_deadline: Date | null }[]>`
        select p.kind, o.code, o.path::text as path, p.status, p.current_step, p.next_deadline
        from processes p join organizations o on o.id = p.organization_id where p.workflow_id = ${req.params.id}`;
      if (!p || !allows(req.principal, p.path)) throw notFound(`process ${req.params.id}`);
      const [open, history] = await Promise.all([
        app.sql<{ id: number; step: string; state: string; due_at: Date; assignee_role: string | null; provisional_years: number[] }[]>`
          select id, step, state, due_at, assignee_role, provisional_years from tasks
          where workflow_id = ${req.params.id} and state in ('open', 'claimed', 'escalated') order by due_at`,
        app.sql<{ at: Date; step: string; event_key: string; detail: Record<string, unknown> }[]>`
          select at, step, event_key, detail from process_events where workflow_id = ${req.params.id} order by at, event_key`,
      ]);
      return {
        id: req.params.id,
        kind: p.kind,
        organization: p.code,
        status: p.status,
        currentStep: p.current_step,
        nextDeadline: p.next_deadline?.toISOString() ?? null,
        openTasks: open.map((t) => ({ id: t.id, step: t.step, state: t.state, dueAt: t.due_at.toISOString(), assigneeRole: t.assignee_role, provisionalYears: t.provisional_years })),
        history: history.map((h) => ({ at: h.at.toISOString(), step: h.step, event: h.event_key, detail: h.detail })),
      };
    },
  );
};

export default processes;
