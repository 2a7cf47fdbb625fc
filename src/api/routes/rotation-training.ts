import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, notFound } from '../errors.js';
import { inScope, organizationInScope, requireRole } from '../scope.js';
import { allows, type Principal } from '../../auth/principal.js';
import { organizingRoles } from '../../domain/roles.js';
import { isValidIsoDate, shanghaiDate } from '../../domain/dates.js';
import { processId } from '../../processes/start.js';
import { idempotencyKeyHeader, idempotent } from '../idempotency.js';
import { sendTaskUpdate } from '../task-updates.js';
import { completeTaskUpdate, reasonSchema } from '../../../workflows/messages.js';
import { bulkResultSchema } from '../../processes/schemas.js';
import { trainingCoverageSchema } from '../../training/schemas.js';
import { addSession, enrolledCount, liveTaskKey, sessionByCode, trainingByCounty } from '../../training/store.js';
import { secretaryChangeRoles } from '../../domain/process-starts.js';
import { organizationPath, writeSecretary } from '../../organizations/store.js';
import { enrolTrainingUpdate, newSecretaryUpdate, KIND } from '../../../workflows/rotation-training/workflow.js';
import { training as trainingStep } from '../../domain/rotation-training/steps.js';

const code = z.string().min(1).max(64);
const isoDate = z.string().refine(isValidIsoDate, 'expected a date YYYY-MM-DD');
const organizers = organizingRoles;

/** The 409 of an Update to an organization whose secretary has no training cycle running. */
const ended = { ended: 'no rotation-training process is running' };

/** The schema of a bulk request about many secretaries (their organizations) and a session. */
const bulk = (summary: string) => ({
  schema: {
    tags: ['training'],
    summary,
    params: z.object({ code }),
    headers: idempotencyKeyHeader,
    body: z.object({ organizations: z.array(code).min(1).max(2000) }),
    response: { 200: bulkResultSchema },
  },
});

/**
 * A bulk request: `act` for each organization (once each, in order), each refused or done on its own; a refusal
 * (a 4xx from the checks or from the workflow's Update through the gateway) is listed with its status. A process
 * that does not answer (503) ends the request: the others would likely wait as long, and a retry with the same
 * Idempotency-Key gets the first answers of those already done (their Update ids) and goes on.
 */
async function eachOrganization(organizations: string[], act: (organization: string) => Promise<void>) {
  const done: string[] = [];
  const refused: z.infer<typeof bulkResultSchema>['refused'] = [];
  for (const organization of [...new Set(organizations)]) {
    try {
      await act(organization);
      done.push(organization);
    } catch (err) {
      if (!(err instanceof HttpError) || err.statusCode >= 500) throw err;
      refused.push({ organization, status: err.statusCode, message: err.message });
    }
  }
  return { status: 200, body: { done, refused } };
}

// Rotation training (domain.md §4.3): sessions, bulk enrolment and attendance (one Update per secretary's
// cycle workflow, each refused or accepted on its own), a new secretary, coverage per county.
const training: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  app.post(
    '/training-sessions',
    {
      schema: {
        tags: ['training'],
        body: z
          .object({
            code,
            organization: code.describe('the committee holding the session'),
            title: z.string().min(1).max(200),
            startsOn: isoDate,
            endsOn: isoDate,
            capacity: z.number().int().positive().max(100_000).optional(),
          })
          .refine((b) => b.endsOn >= b.startsOn, { message: 'endsOn is before startsOn', path: ['endsOn'] }),
        response: { 201: z.object({ code: z.string() }) },
      },
    },
    async (req, reply) => {
      const org = await organizationInScope(sql, req.principal, req.body.organization);
      requireRole(req.principal, org.path, organizers);
      const added = await addSession(sql, {
        code: req.body.code,
        organizationId: org.id,
        title: req.body.title,
        startsOn: req.body.startsOn,
        endsOn: req.body.endsOn,
        capacity: req.body.capacity ?? null,
      });
      if (!added) throw new HttpError(409, 'conflict', `session ${req.body.code} exists`);
      return reply.status(201).send({ code: req.body.code });
    },
  );

  /** A session held in the caller's subtree; another committee's session does not exist for them (404). */
  const session = async (p: Principal, c: string) => {
    const s = await sessionByCode(sql, c);
    if (!s || !allows(p, s.path)) throw notFound(`training session ${c}`);
    return s;
  };
  /** Scope (404) and role (403) of one organization of a bulk request. */
  const target = async (p: Principal, organization: string) => {
    const path = await organizationPath(sql, organization);
    if (path === undefined || !allows(p, path)) throw new HttpError(404, 'not_found', `organization ${organization} not found`);
    requireRole(p, path, organizers);
  };

  app.post('/training-sessions/:code/enrolments', bulk('enrol many secretaries (their organizations) in a session'), async (req, reply) =>
    idempotent(sql, req, reply, async () => {
      const s = await session(req.principal, req.params.code);
      const sessionEndsOn = s.ends_on.toISOString().slice(0, 10);
      // The workflow keeps the session's first day and holder: attendance is checked against them on any path.
      const sessionStartsOn = s.starts_on.toISOString().slice(0, 10);
      let seats = s.capacity === null ? Infinity : s.capacity - (await enrolledCount(sql, s.id));
      return eachOrganization(req.body.organizations, async (organization) => {
        await target(req.principal, organization);
        if (seats <= 0) throw new HttpError(422, 'rule_violation', `session ${req.params.code} is full`);
        await app.updateProcess(
          req,
          processId(KIND, organization),
          enrolTrainingUpdate,
          { session: req.params.code, sessionEndsOn, sessionStartsOn, sessionHeldAt: s.path },
          ended,
        );
        seats--;
      });
    }),
  );

  app.post(
    '/training-sessions/:code/attendance',
    bulk('record attendance: completes each secretary’s training task and closes the cycle'),
    async (req, reply) =>
      idempotent(sql, req, reply, async () => {
        // Recorded by the session's organizer, on or after its first day (domain.md §4.3): a trainee does not
        // certify their own attendance, and nobody has attended a session that has not begun. The workflow checks both
        // again for the task's own form.
        const s = await session(req.principal, req.params.code);
        requireRole(req.principal, s.path, organizers);
        const startsOn = s.starts_on.toISOString().slice(0, 10);
        if (shanghaiDate(Date.now()) < startsOn) {
          throw new HttpError(
            422,
            'rule_violation',
            `params.code: session ${req.params.code} begins on ${startsOn}: attendance is recorded on or after its first day`,
            {
              rule: 'session-not-started',
              field: 'params.code',
              session: req.params.code,
              startsOn,
            },
          );
        }
        return eachOrganization(req.body.organizations, async (organization) => {
          await target(req.principal, organization);
          const taskKey = await liveTaskKey(sql, processId(KIND, organization), trainingStep.step);
          if (taskKey === undefined) throw new HttpError(409, 'conflict', 'no open training task');
          await sendTaskUpdate(app, req, processId(KIND, organization), completeTaskUpdate, {
            taskKey,
            outcome: { session: req.params.code, attended: true },
          });
        });
      }),
  );

  app.post(
    '/training/secretary-changes',
    {
      schema: {
        tags: ['training'],
        summary: 'a new secretary: closes the current training cycle and opens a new one',
        headers: idempotencyKeyHeader,
        body: z.object({ organization: code, secretary: z.string().trim().min(1).max(100), reason: reasonSchema.optional() }),
        response: { 200: z.object({ closedCycle: z.number() }) },
      },
    },
    async (req, reply) =>
      idempotent(sql, req, reply, async () => {
        const org = await organizationInScope(sql, req.principal, req.body.organization);
        requireRole(req.principal, org.path, secretaryChangeRoles);
        const { organization, ...change } = req.body;
        const body = await app.updateProcess(req, processId(KIND, organization), newSecretaryUpdate, change, ended);
        // The training accepted the change (it refuses the same secretary again): the register names them too, so the
        // organization page, the channels' addressees and the next process started read the new secretary.
        await writeSecretary(sql, {
          organization,
          secretary: change.secretary,
          actor: req.principal.username,
          source: `secretary-change: ${change.reason ?? '书记变更'}`,
        });
        return { status: 200, body };
      }),
  );

  // Coverage per county: of the secretaries whose current cycle covers today, the share trained in it.
  app.get(
    '/training/coverage',
    {
      schema: {
        tags: ['training'],
        querystring: z.object({ org: code.optional().describe('only counties under this organization') }),
        response: { 200: trainingCoverageSchema },
      },
    },
    async (req) => {
      const under = req.query.org ? await organizationInScope(sql, req.principal, req.query.org) : null;
      // Today in Beijing, not the database session's current_date (UTC on most servers): a cycle registered
      // after 16:00 UTC starts on the next Shanghai day and would not count until midnight UTC.
      const today = shanghaiDate(Date.now());
      const rows = await trainingByCounty(sql, inScope(sql, req.principal), today, under?.path);
      return { items: rows.map((r) => ({ ...r, coverage: r.secretaries ? Math.round((1000 * r.trained) / r.secretaries) / 10 : null })) };
    },
  );
};

export default training;
