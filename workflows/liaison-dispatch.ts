// Liaison officer dispatch 选派党建联络员 (domain.md §4.4) for a unit without a Party organization:
//   the committee above assigns an officer → the officer acknowledges → training before dispatch → a visit
//   report every quarter (durable timers) → when the unit has ≥3 full members: establishment request →
//   approval → founding meeting → the unit becomes an organization in the tree, whose term register (its
//   term-election workflow) starts here. When an officer leaves, the open tasks close and a new officer is assigned.
import {
  allHandlersFinished,
  condition,
  defineUpdate,
  ParentClosePolicy,
  setHandler,
  startChild,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import { z } from 'zod';
import type { DispatchState, LiaisonContext } from '../activities/liaison.js';
import { shanghaiInstant, addMonths, shanghaiDate } from '../src/domain/dates.js';
import { actorAllows } from '../src/domain/task-rights.js';
import type { TaskDue } from '../src/domain/task-plan.js';
import { acknowledge, assignOfficer, establishmentApproval, establishmentRequest, foundingMeeting, officerTraining, visitReport, type StepDef } from '../src/domain/steps.js';
import { acts } from './process-activities.js';
import { HumanTasks, type HumanTaskResult } from './human-task.js';
import { actorSchema, processStateQuery, reasonSchema } from './messages.js';
import { cancellable, outcomeOf, stepTask } from './process-control.js';
import { reviewOutcome } from '../src/domain/term-election.js';
import { assignOfficerOutcome, foundingMeetingOutcome, visitReportOutcome } from '../src/domain/liaison-dispatch.js';
import { termElection } from './term-election.js';

export const KIND = 'liaison-dispatch';

export interface LiaisonDispatchInput {
  organization: string;
  ruleSet?: string;
}

export const officerLeftInput = z.object({ reason: reasonSchema, actor: actorSchema });
export const officerLeftUpdate = defineUpdate<{ assignment: number }, [z.input<typeof officerLeftInput>]>('officerLeft');

/** Thrown inside an assignment when its officer leaves: the dispatch starts again from the assignment. */
class OfficerLeft extends Error {}

export async function liaisonDispatch(input: LiaisonDispatchInput): Promise<void> {
  const workflowId = workflowInfo().workflowId;
  const tasks = new HumanTasks();
  let ctx: LiaisonContext | undefined;
  let step = 'starting';
  let nextDeadline: string | null = null;
  let officer: string | null = null;
  let assignment = 0;
  let left: z.output<typeof officerLeftInput> | undefined;
  let establishing = false;
  setHandler(processStateQuery, () => ({ kind: KIND, organization: input.organization, step, nextDeadline, tasks: tasks.views() }));

  const moveTo = async (s: string, eventKey: string, detail: Record<string, unknown> = {}, status: 'running' | 'completed' | 'cancelled' = 'running') => {
    step = s;
    await acts.recordStep({ workflowId, kind: KIND, organizationId: ctx!.organizationId, step, eventKey, at: new Date().toISOString(), nextDeadline, detail, status });
  };
  const dispatch = (state: DispatchState, fullMembers?: number) =>
    acts.recordDispatch({ workflowId, organizationId: ctx!.organizationId, officer, state, fullMembers, at: new Date().toISOString() });

  setHandler(
    officerLeftUpdate,
    async (raw) => {
      left = officerLeftInput.parse(raw);
      const was = assignment;
      await condition(() => assignment > was || step === 'cancelled');
      return { assignment: was };
    },
    {
      validator: (raw) => {
        const i = officerLeftInput.parse(raw);
        if (!ctx || officer === null) throw new Error('no officer is assigned');
        if (establishing) throw new Error('the establishment is under way: reassign its tasks instead');
        if (left) throw new Error('the officer has already left');
        if (!actorAllows(i.actor, ctx.orgPath, ['admin', 'organizer', 'supervisor'])) throw new Error(`${i.actor.username} may not end this officer's dispatch`);
      },
    },
  );

  await cancellable(
    () => ctx?.orgPath,
    async () => {
      ctx = await acts.loadLiaisonContext({ organization: input.organization, at: new Date().toISOString(), ruleSet: input.ruleSet });
      const c = ctx;
      const r = c.rules;
      await dispatch('unassigned', c.fullMembers);
      await moveTo('unit-registered', 'registered', { ruleSet: r.id, fullMembers: c.fullMembers });

      let members = c.fullMembers;
      for (;;) {
        assignment++;
        const prefix = `a${assignment}:`;
        /** A task of this assignment; the officer leaving ends the wait (and the assignment). */
        const task = async <S extends z.ZodType<Record<string, unknown>>, C>(name: string, def: StepDef<S, C>, context: C, s: { org: number; person?: string | null; due: TaskDue; title: string }) => {
          const opened = await tasks.open(
            stepTask(def, context, {
              key: `${prefix}${name}`, organizationId: s.org, assigneePerson: s.person ?? null,
              due: s.due, reminderWorkingDays: r.reminderWorkingDays, escalationWorkingDays: r.escalationWorkingDays, title: s.title,
            }),
          );
          nextDeadline = opened.task.dueAt;
          await moveTo(def.step, `${prefix}${name}-opened`, { taskKey: opened.task.taskKey, dueAt: opened.task.dueAt, officer });
          let res: HumanTaskResult | undefined;
          opened.result.then((x) => (res = x)).catch(() => undefined);
          await condition(() => res !== undefined || (left !== undefined && !establishing));
          if (!res) throw new OfficerLeft();
          return res;
        };
        try {
          const assigned = await task('assign-officer', assignOfficer, {}, { org: c.parentId, due: { workingDays: r.assignWorkingDays }, title: '选派党建联络员' });
          if (assigned.state === 'cancelled') return void (await moveTo('cancelled', 'assign-cancelled', { reason: assigned.reason }, 'cancelled'));
          officer = outcomeOf(assignOfficerOutcome, assigned.outcome).officer;
          await dispatch('assigned');
          await moveTo('officer-assigned', `${prefix}officer-assigned`, { officer });

          const ack = await task('acknowledge', acknowledge, { officer }, { org: c.organizationId, person: officer, due: { workingDays: r.acknowledgeWorkingDays }, title: '联络员到岗确认' });
          // A cancelled acknowledgement: the officer did not take up the post; another is assigned.
          if (ack.state === 'cancelled') {
            left = { reason: ack.reason ?? 'the officer did not acknowledge', actor: { username: ack.actor, grants: [] } };
            throw new OfficerLeft();
          }
          await dispatch('acknowledged');
          await task('training', officerTraining, { officer }, { org: c.organizationId, person: officer, due: { workingDays: r.trainingWorkingDays }, title: '联络员岗前培训' });

          // Visit reports, one per interval, until the unit has enough full members to set up its organization.
          members = c.fullMembers;
          for (let q = 1; members < r.establishThreshold; q++) {
            nextDeadline = shanghaiInstant(addMonths(shanghaiDate(Date.now()), r.visitIntervalMonths), 9).toISOString();
            await moveTo('visiting', `${prefix}visit-${q}-waiting`, { quarter: q });
            const waitMs = Date.parse(nextDeadline) - Date.now();
            if (await condition(() => left !== undefined, waitMs)) throw new OfficerLeft();
            const report = await task(`visit-report-${q}`, visitReport, { officer, quarter: q }, { org: c.organizationId, person: officer, due: { workingDays: r.reportWorkingDays }, title: `走访报告（第${q}期）` });
            if (report.state === 'done') {
              members = outcomeOf(visitReportOutcome, report.outcome).fullMembers;
              await dispatch('acknowledged', members);
            }
          }
        } catch (err) {
          if (!(err instanceof OfficerLeft)) throw err;
          const why = left!;
          await acts.closeCycleTasks({ workflowId, taskKeyPrefix: prefix, actor: why.actor.username, reason: why.reason, at: new Date().toISOString() });
          await moveTo('officer-left', `${prefix}officer-left`, { officer, reason: why.reason, by: why.actor.username });
          officer = null;
          left = undefined;
          await dispatch('unassigned');
          continue;
        }
        break;
      }

      // Establishment (应建尽建): request → approval (returned requests are filed again) → founding meeting.
      establishing = true;
      await dispatch('establishing');
      for (let round = 1; ; round++) {
        const sfx = round === 1 ? '' : `-${round}`;
        const reqTask = await tasks.open(stepTask(establishmentRequest, { officer, fullMembers: members }, { key: `establishment-request${sfx}`, organizationId: c.organizationId, assigneePerson: officer, due: { workingDays: r.approvalWorkingDays }, reminderWorkingDays: r.reminderWorkingDays, escalationWorkingDays: r.escalationWorkingDays, title: '成立党组织请示' }));
        nextDeadline = reqTask.task.dueAt;
        await moveTo('establishment-request', `establishment-request${sfx}-opened`, {});
        const rq = await reqTask.result;
        if (rq.state === 'cancelled') return void (await moveTo('cancelled', `establishment-request${sfx}-cancelled`, { reason: rq.reason }, 'cancelled'));
        const approval = await tasks.open(stepTask(establishmentApproval, { officer, fullMembers: members, request: rq.outcome }, { key: `establishment-approval${sfx}`, organizationId: c.parentId, due: { workingDays: r.approvalWorkingDays }, reminderWorkingDays: r.reminderWorkingDays, escalationWorkingDays: r.escalationWorkingDays, title: '审批成立党组织' }));
        nextDeadline = approval.task.dueAt;
        await moveTo('establishment-approval', `establishment-approval${sfx}-opened`, {});
        const ap = await approval.result;
        if (ap.state === 'cancelled') return void (await moveTo('cancelled', `establishment-approval${sfx}-cancelled`, { reason: ap.reason }, 'cancelled'));
        const d = outcomeOf(reviewOutcome, ap.outcome);
        await moveTo('establishment-reviewed', `establishment-approval${sfx}-${d.decision}`, { ...d, by: ap.actor });
        if (d.decision === 'agree') break;
      }
      const founding = await tasks.open(
        stepTask(foundingMeeting, { officer: officer ?? undefined, ruleSet: r.id }, {
          key: 'founding-meeting', organizationId: c.organizationId, assigneePerson: officer,
          due: { workingDays: r.approvalWorkingDays }, reminderWorkingDays: r.reminderWorkingDays, escalationWorkingDays: r.escalationWorkingDays, title: '召开成立大会',
        }),
      );
      nextDeadline = founding.task.dueAt;
      await moveTo('founding-meeting', 'founding-meeting-opened', {});
      const fm = await founding.result;
      if (fm.state === 'cancelled') return void (await moveTo('cancelled', 'founding-meeting-cancelled', { reason: fm.reason }, 'cancelled'));
      const founded = outcomeOf(foundingMeetingOutcome, fm.outcome);
      const org = await acts.establishOrganization({ organizationId: c.organizationId, secretary: founded.secretary, fullMembers: founded.fullMembers, at: new Date().toISOString() });
      // The new organization's own term register: its term-election workflow, which outlives this dispatch.
      await startChild(termElection, {
        workflowId: `term-election:${org.code}`,
        args: [{ organization: org.code }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      });
      await dispatch('established', founded.fullMembers);
      nextDeadline = null;
      await moveTo('established', 'established', { organization: org.code, secretary: founded.secretary, termElection: `term-election:${org.code}` }, 'completed');
    },
    async (cancel) => {
      nextDeadline = null;
      step = 'cancelled';
      await acts.cancelProcess({ workflowId, organizationId: ctx!.organizationId, kind: KIND, step, actor: cancel.actor.username, reason: cancel.reason, at: new Date().toISOString() });
      await dispatch('ended');
    },
  );
  await condition(allHandlersFinished);
}
