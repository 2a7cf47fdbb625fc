// An organization's life on one page: the place a supervisor goes before a phone call. One read,
// assembled from a handful of set-based statements: each of its processes with its steps as a timeline (done with
// when and by whom — and on whose behalf —, the current ones with their due dates, the next ones in the order of the
// step catalog), its term register, its secretary's training cycles, its pairings and liaison dispatches, its
// assessment rows. Scoped to the caller's subtree (404 outside). Each process also says how many comments it has of
// its own and whether the caller may write one (the rule of POST /processes/{id}/comments: commentingAs).
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { organizationInScope } from '../scope.js';
import { stepCatalog } from '../../domain/steps.js';
import { shanghaiDate } from '../../domain/dates.js';
import { organizationLifeRecords } from '../../organizations/life.js';
import { type lifeStepSchema as stepSchema, organizationLifeSchema } from '../../organizations/schemas.js';
import { withSubstitutions } from '../substitutes.js';
import { commentingAs } from './comments.js';

/** The catalog's steps of each process kind, in the order the catalog lists them (the order they happen). */
const stepsByKind = new Map<string, string[]>();
for (const s of stepCatalog) stepsByKind.set(s.process, [...(stepsByKind.get(s.process) ?? []), s.step]);

const life: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const sql = app.sql;

  app.get(
    '/organizations/:code/life',
    {
      schema: {
        tags: ['organizations'],
        summary: "an organization's life on one page: its processes' step timelines, term, training, pairing, liaison, assessments",
        params: z.object({ code: z.string().min(1).max(64) }),
        response: { 200: organizationLifeSchema },
      },
    },
    async (req) => {
      const org = await organizationInScope(sql, req.principal, req.params.code);
      const today = shanghaiDate(new Date());
      const [{ o, processes, tasks, training, pairings, liaison, assessments }, caller] = await Promise.all([
        organizationLifeRecords(sql, org.id, today),
        // The caller with the grants lent to them today, as the comment routes read them.
        withSubstitutions(sql, req.principal),
      ]);
      const now = Date.now();
      const byProcess = new Map<string, (typeof tasks)[number][]>();
      for (const t of tasks) byProcess.set(t.workflow_id, [...(byProcess.get(t.workflow_id) ?? []), t]);
      return {
        organization: { code: o.code, name: o.name, type: o.type, sector: o.sector, settlement: o.settlement, secretaryName: o.secretary_name },
        term: { startedOn: o.term_started_on, years: o.term_years, endsOn: o.term_ends_on, postponedUntil: o.term_postponed_until, late: o.late },
        processes: processes.map((p) => {
          const own = byProcess.get(p.workflow_id) ?? [];
          const steps: z.infer<typeof stepSchema>[] = own.map((t) => {
            const live = t.state === 'open' || t.state === 'claimed' || t.state === 'escalated';
            return {
              step: t.step,
              state: live ? 'current' : t.state === 'done' ? 'done' : 'cancelled',
              taskId: t.id,
              at: (live ? t.opened_at : (t.closed_at ?? t.opened_at)).toISOString(),
              dueAt: live ? t.due_at.toISOString() : null,
              by: live ? null : t.by,
              onBehalfOf: live ? null : t.on_behalf_of,
              overdue: live && t.due_at.getTime() < now,
            };
          });
          // The next ones: the catalog's steps after the last one this process has opened, while it runs.
          const order = stepsByKind.get(p.kind) ?? [];
          const last = Math.max(-1, ...own.map((t) => order.indexOf(t.step)));
          const next = p.status === 'running' ? order.slice(last + 1) : [];
          for (const step of next) steps.push({ step, state: 'next', taskId: null, at: null, dueAt: null, by: null, onBehalfOf: null, overdue: false });
          // Who may comment on the whole process: those who may do one of the steps it has opened, or steer above.
          const mayComment = commentingAs(caller, { path: org.path, steps: own.map((t) => ({ process: t.process, step: t.step })), holder: null }) !== null;
          return {
            id: p.workflow_id,
            kind: p.kind,
            status: p.status,
            currentStep: p.current_step,
            startedAt: p.started_at.toISOString(),
            steps,
            comments: p.comments,
            mayComment,
          };
        }),
        training: training.map((t) => ({
          cycle: t.cycle,
          secretaryName: t.secretary_name,
          startsOn: t.starts_on,
          endsOn: t.ends_on,
          state: t.state,
          trainedOn: t.trained_on,
        })),
        pairings: pairings.map((p) => ({
          cycle: p.cycle,
          village: p.village,
          villageName: p.village_name,
          partner: p.partner,
          partnerName: p.partner_name,
          startsOn: p.starts_on,
          endsOn: p.ends_on,
          state: p.state,
        })),
        liaison: liaison.map((l) => ({
          officer: l.officer,
          state: l.state,
          fullMembers: l.full_members,
          acknowledgedAt: l.acknowledged_at?.toISOString() ?? null,
          establishedAt: l.established_at?.toISOString() ?? null,
        })),
        assessments: assessments.map((a) => ({
          year: a.year,
          score: Number(a.score),
          termOnTime: a.term_on_time,
          secretaryTrained: a.secretary_trained,
          noOverdueTasks: a.no_overdue_tasks,
          sectorRank: a.sector_rank,
        })),
      };
    },
  );
};

export default life;
