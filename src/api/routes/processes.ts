import { taskComments } from '../../comments/store.js';
import { liveTasksOf, organizationToStart, processById, processHistory } from '../../processes/store.js';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { isValidIsoDate } from '../../domain/dates.js';
import { z } from 'zod';
import { HttpError, notFound } from '../errors.js';
import { organizationInScope, requireRole } from '../scope.js';
import { allows } from '../../auth/principal.js';
import { steeringRoles } from '../../domain/roles.js';
import { AlreadyRunning, processId, startProcessSettled } from '../../processes/start.js';
import { cancelProcessUpdate } from '../../../workflows/process-control.js';
import { reasonSchema } from '../../../workflows/messages.js';
import { idempotencyKeyHeader, idempotent } from '../idempotency.js';
import { badField, startedKinds, processStarters as registry, type StartRequest } from '../process-kinds.js';
import { processSchema, processStartedSchema } from '../../processes/schemas.js';
import { startRoles } from '../../domain/process-starts.js';

const allRuleSets = [...new Set(Object.values(registry).flatMap((k) => k.ruleSets ?? []))] as [string, ...string[]];
const withRuleSets = startedKinds.filter((k) => registry[k].ruleSets).join(', ');

const code = z.string().min(1).max(64);
const startBody = z.object({
  organization: code.describe('code of the organization the process is about (pairing: the village)'),
  ruleSet: z.enum(allRuleSets).optional().describe(`${withRuleSets}: pin a rule set of the kind (history)`),
  secretary: z.string().trim().min(1).max(100).optional().describe("rotation-training: the secretary of the first cycle (default: the register's)"),
  partner: code.optional().describe("pairing: code of the urban unit's Party organization paired with the village (required)"),
  startsOn: z
    .string()
    .refine(isValidIsoDate, 'expected a date YYYY-MM-DD')
    .optional()
    .describe(
      'pairing: the day the pairing began, when it is registered after it was agreed (not in the future, at most a cycle and a month ago; default today)',
    ),
});

/** A process's row and live tasks as the API answers them (GET /processes/{id} adds the history and comments). */
function processState(
  id: string,
  p: NonNullable<Awaited<ReturnType<typeof processById>>>,
  open: Awaited<ReturnType<typeof liveTasksOf>>,
): Omit<z.infer<typeof processSchema>, 'history' | 'comments'> {
  return {
    id,
    kind: p.kind,
    organization: p.code,
    status: p.status,
    currentStep: p.current_step,
    nextDeadline: p.next_deadline?.toISOString() ?? null,
    openTasks: open.map((t) => ({
      id: t.id,
      step: t.step,
      state: t.state,
      dueAt: t.due_at.toISOString(),
      assigneeRole: t.assignee_role,
      provisionalYears: t.provisional_years,
    })),
  };
}

const processes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  // One lookup and one start: the kind's rule sets and required fields, the caller's scope (404) and role (403),
  // the kind's checks of the organization (400), its workflow started with the input it builds (409 if running).
  app.post(
    '/processes/:kind',
    {
      schema: {
        tags: ['processes'],
        summary: 'start a process; answers once its run reached its first task or wait, with that task',
        description: startedKinds.map((k) => `- \`${k}\`: ${registry[k].about}`).join('\n'),
        params: z.object({ kind: z.enum(startedKinds) }),
        body: startBody,
        response: { 201: processStartedSchema },
      },
    },
    async (req, reply) => {
      const { kind: name } = req.params;
      const kind = registry[name];
      if (req.body.ruleSet && !kind.ruleSets?.includes(req.body.ruleSet)) {
        throw badField('body.ruleSet', `not a rule set of ${name}${kind.ruleSets ? ` (${kind.ruleSets.join(', ')})` : ''}`);
      }
      if (req.body.startsOn && name !== 'pairing') throw badField('body.startsOn', 'only a pairing takes a start date');
      for (const [field, message] of Object.entries(kind.requires ?? {}) as [keyof StartRequest['body'], string][]) {
        if (!req.body[field]) throw badField(`body.${field}`, message);
      }
      const scoped = await organizationInScope(app.sql, req.principal, req.body.organization);
      requireRole(req.principal, scoped.path, startRoles);
      const org = await organizationToStart(app.sql, scoped.id);
      const start: StartRequest = { sql: app.sql, principal: req.principal, body: req.body, org: org!, workflowId: processId(name, req.body.organization) };
      await kind.check?.(start);
      let started: { id: string; settled: boolean };
      try {
        started = await startProcessSettled(app.sql, app.temporal, app.config.TEMPORAL_TASK_QUEUE, {
          kind: name,
          organization: req.body.organization,
          organizationId: org!.id,
          workflow: kind.workflow,
          args: [await kind.input(start)],
        });
      } catch (err) {
        if (err instanceof AlreadyRunning) {
          throw new HttpError(409, 'conflict', `a ${name} process is already running for ${req.body.organization}`, { id: err.id });
        }
        throw err;
      }
      const { id, settled } = started;
      req.log.info({ workflowId: id, settled }, 'process started');
      const [p, open] = await Promise.all([processById(app.sql, id), liveTasksOf(app.sql, id)]);
      return reply.status(201).send({ ...processState(id, p!, open), settled });
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
        headers: idempotencyKeyHeader,
        body: z.object({ reason: reasonSchema }),
        response: { 200: z.object({ id: z.string(), status: z.literal('cancelled') }) },
      },
    },
    async (req, reply) =>
      idempotent(app.sql, req, reply, async () => {
        const p = await processById(app.sql, req.params.id);
        if (!p || !allows(req.principal, p.path)) throw notFound(`process ${req.params.id}`);
        requireRole(req.principal, p.path, steeringRoles);
        if (p.status !== 'running') throw new HttpError(409, 'conflict', `the process is ${p.status}`);
        await app.updateProcess(req, req.params.id, cancelProcessUpdate, { reason: req.body.reason });
        return { status: 200, body: { id: req.params.id, status: 'cancelled' as const } };
      }),
  );

  app.get(
    '/processes/:id',
    { schema: { tags: ['processes'], params: z.object({ id: z.string().min(1).max(200) }), response: { 200: processSchema } } },
    async (req) => {
      const p = await processById(app.sql, req.params.id);
      if (!p || !allows(req.principal, p.path)) throw notFound(`process ${req.params.id}`);
      const [open, history, comments] = await Promise.all([
        liveTasksOf(app.sql, req.params.id),
        processHistory(app.sql, req.params.id),
        taskComments(app.sql, req.params.id, null),
      ]);
      return {
        ...processState(req.params.id, p, open),
        history: history.map((h) => ({ at: h.at.toISOString(), step: h.step, event: h.event_key, detail: h.detail })),
        comments,
      };
    },
  );
};

export default processes;
