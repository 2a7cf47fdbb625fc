import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, notFound } from '../errors.js';
import { organizationInScope, requireRole } from '../scope.js';
import { allows } from '../../auth/principal.js';
import { AlreadyRunning, startProcess, startTermElection } from '../../processes/term-election.js';
import { rotationTraining } from '../../../workflows/rotation-training.js';
import { liaisonDispatch } from '../../../workflows/liaison-dispatch.js';
import { termRuleSets } from '../../domain/rules.js';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { cancelProcessUpdate } from '../../../workflows/process-control.js';
import { reasonSchema } from '../../../workflows/messages.js';
import { actorOf, refusal } from '../task-updates.js';
import { processSchema } from '../schemas.js';

/** Kinds that can be started today; contract.md names the others, which arrive with their workflows. */
export const processKinds = ['term-election', 'rotation-training', 'liaison-dispatch'] as const;

const startBody = z.object({
  organization: z.string().min(1).max(64).describe('code of the organization the process is about'),
  ruleSet: z.enum(termRuleSets.map((r) => r.id) as [string, ...string[]]).optional().describe('term-election: pin a rule set (history)'),
  secretary: z.string().trim().min(1).max(100).optional().describe('rotation-training: the secretary of the first cycle (default: the register\'s)'),
});

const processes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

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
      const scoped = await organizationInScope(app.sql, req.principal, req.body.organization);
      requireRole(req.principal, scoped.path, ['admin', 'organizer']);
      const [org] = await app.sql<{ id: number; type: string; term_ends_on: Date | null }[]>`
        select id, type, term_ends_on from organizations where id = ${scoped.id}`;
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
              : await startProcess(app.sql, app.temporal, app.config.TEMPORAL_TASK_QUEUE, {
                  kind,
                  organization: req.body.organization,
                  organizationId: org!.id,
                  workflow: liaisonDispatch,
                  args: [{ organization: req.body.organization }],
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
        app.sql<{ id: number; step: string; state: string; due_at: Date; assignee_role: string | null }[]>`
          select id, step, state, due_at, assignee_role from tasks
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
        openTasks: open.map((t) => ({ id: t.id, step: t.step, state: t.state, dueAt: t.due_at.toISOString(), assigneeRole: t.assignee_role })),
        history: history.map((h) => ({ at: h.at.toISOString(), step: h.step, event: h.event_key, detail: h.detail })),
      };
    },
  );
};

export default processes;
