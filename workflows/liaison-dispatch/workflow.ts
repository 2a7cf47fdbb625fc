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
  patched,
  setHandler,
  startChild,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { z } from 'zod';
import type { DispatchState, LiaisonContext } from '../../activities/liaison-dispatch.js';
import { shanghaiInstant, addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { actorAllows } from '../../src/domain/task-rights.js';
import type { TaskDue } from '../../src/domain/task-plan.js';
import { acknowledge, assignOfficer, establishmentApproval, establishmentRequest, foundingMeeting, officerTraining, visitReport } from './steps.js';
import type { StepDef } from '../../src/domain/step.js';
import { acts } from '../process-activities.js';
import type { HumanTaskResult } from '../human-task.js';
import { actorSchema, reasonSchema } from '../messages.js';
import { outcomeOf } from '../process-control.js';
import { ProcessRun } from '../process-run.js';
import { reviewOutcome } from '../term-election/rules.js';
import { assignOfficerOutcome, foundingMeetingOutcome, visitReportOutcome } from './rules.js';
import { termElection } from '../term-election/workflow.js';

export const KIND = 'liaison-dispatch';
/** The officer's acknowledgement, training and each visit report get a "done" line in the history (who, when). */
export const DONE_LINES_PATCH = 'liaison-done-lines';

export interface LiaisonDispatchInput {
  organization: string;
  ruleSet?: string;
}

export const officerLeftInput = z.object({ reason: reasonSchema, actor: actorSchema });
export const officerLeftUpdate = defineUpdate<{ assignment: number }, [z.input<typeof officerLeftInput>]>('officerLeft');

/** Thrown inside an assignment when its officer leaves: the dispatch starts again from the assignment. */
class OfficerLeft extends Error {}

export async function liaisonDispatch(input: LiaisonDispatchInput): Promise<void> {
  // One dispatch per unit: keys are unique without a run prefix; an assignment's tasks carry `a<n>:`.
  const p = new ProcessRun({ kind: KIND, organization: input.organization, prefix: '', run: 1 });
  let ctx: LiaisonContext | undefined;
  let officer: string | null = null;
  let assignment = 0;
  let left: z.output<typeof officerLeftInput> | undefined;
  let establishing = false;
  const dispatch = (state: DispatchState, fullMembers?: number) =>
    acts.recordDispatch({ workflowId: p.workflowId, organizationId: ctx!.organizationId, officer, state, fullMembers, at: new Date().toISOString() });

  setHandler(
    officerLeftUpdate,
    async (raw) => {
      left = officerLeftInput.parse(raw);
      const was = assignment;
      await condition(() => assignment > was || p.step === 'cancelled');
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

  await p.cancellable(
    async () => {
      ctx = await acts.loadLiaisonContext({ organization: input.organization, at: new Date().toISOString(), ruleSet: input.ruleSet });
      const c = ctx;
      p.at(c.organizationId, c.orgPath);
      const r = c.rules;
      await dispatch('unassigned', c.fullMembers);
      await p.moveTo('unit-registered', 'registered', { ruleSet: r.id, fullMembers: c.fullMembers });

      let members = c.fullMembers;
      for (;;) {
        assignment++;
        const prefix = `a${assignment}:`;
        /** A task of this assignment; the officer leaving ends the wait (and the assignment). */
        const task = async <S extends z.ZodType<Record<string, unknown>>, C>(name: string, def: StepDef<S, C>, context: C, s: { org: number; person?: string | null; due: TaskDue; title: string }, round?: number) => {
          const opened = await p.open(
            `${prefix}${name}`, def, context,
            { organizationId: s.org, assigneePerson: s.person ?? null, due: s.due, reminderWorkingDays: r.reminderWorkingDays, escalationWorkingDays: r.escalationWorkingDays, title: s.title },
            { round },
            { officer },
          );
          let res: HumanTaskResult | undefined;
          opened.result.then((x) => (res = x)).catch(() => undefined);
          await condition(() => res !== undefined || (left !== undefined && !establishing));
          if (!res) throw new OfficerLeft();
          if (res.state === 'done' && def.step !== 'assign-officer' && patched(DONE_LINES_PATCH))
            await p.moveTo(def.step, `${prefix}${name}-done`, { by: res.actor }, 'running', { verb: 'done', round });
          return res;
        };
        try {
          const assigned = await task('assign-officer', assignOfficer, {}, { org: c.parentId, due: { workingDays: r.assignWorkingDays }, title: '选派党建联络员' });
          if (assigned.state === 'cancelled') return void (await p.moveTo('cancelled', 'assign-cancelled', { reason: assigned.reason }, 'cancelled'));
          officer = outcomeOf(assignOfficerOutcome, assigned.outcome).officer;
          await dispatch('assigned');
          await p.moveTo('officer-assigned', `${prefix}officer-assigned`, { officer });

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
            p.nextDeadline = shanghaiInstant(addMonths(shanghaiDate(Date.now()), r.visitIntervalMonths), 9).toISOString();
            await p.moveTo('visiting', `${prefix}visit-${q}-waiting`, { quarter: q });
            const waitMs = Date.parse(p.nextDeadline) - Date.now();
            if (await condition(() => left !== undefined, waitMs)) throw new OfficerLeft();
            const report = await task(`visit-report-${q}`, visitReport, { officer, quarter: q }, { org: c.organizationId, person: officer, due: { workingDays: r.reportWorkingDays }, title: `走访报告（第${q}期）` }, q);
            if (report.state === 'done') {
              members = outcomeOf(visitReportOutcome, report.outcome).fullMembers;
              await dispatch('acknowledged', members);
            }
          }
        } catch (err) {
          if (!(err instanceof OfficerLeft)) throw err;
          const why = left!;
          await acts.closeCycleTasks({ workflowId: p.workflowId, taskKeyPrefix: prefix, actor: why.actor.username, reason: why.reason, at: new Date().toISOString() });
          await p.moveTo('officer-left', `${prefix}officer-left`, { officer, reason: why.reason, by: why.actor.username });
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
        const rule = { reminderWorkingDays: r.reminderWorkingDays, escalationWorkingDays: r.escalationWorkingDays, due: { workingDays: r.approvalWorkingDays } };
        const reqTask = await p.open(`establishment-request${sfx}`, establishmentRequest, { officer, fullMembers: members }, { ...rule, organizationId: c.organizationId, assigneePerson: officer, title: '成立党组织请示' }, { round });
        const rq = await reqTask.result;
        if (await p.endIfCancelled(rq, establishmentRequest, `establishment-request${sfx}`, { round })) return;
        const approval = await p.open(`establishment-approval${sfx}`, establishmentApproval, { officer, fullMembers: members, request: rq.outcome }, { ...rule, organizationId: c.parentId, title: '审批成立党组织' }, { round });
        const ap = await approval.result;
        if (await p.endIfCancelled(ap, establishmentApproval, `establishment-approval${sfx}`, { round })) return;
        const d = outcomeOf(reviewOutcome, ap.outcome);
        await p.moveTo('establishment-reviewed', `establishment-approval${sfx}-${d.decision}`, { ...d, by: ap.actor }, 'running', { verb: d.decision, round });
        if (d.decision === 'agree') break;
      }
      const founding = await p.open('founding-meeting', foundingMeeting, { officer: officer ?? undefined, ruleSet: r.id }, {
        organizationId: c.organizationId, assigneePerson: officer,
        due: { workingDays: r.approvalWorkingDays }, reminderWorkingDays: r.reminderWorkingDays, escalationWorkingDays: r.escalationWorkingDays, title: '召开成立大会',
      });
      const fm = await founding.result;
      if (await p.endIfCancelled(fm, foundingMeeting, 'founding-meeting')) return;
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
      p.nextDeadline = null;
      await p.moveTo('established', 'established', { organization: org.code, secretary: founded.secretary, termElection: `term-election:${org.code}` }, 'completed');
    },
    { after: () => dispatch('ended') },
  );
  await condition(allHandlersFinished);
}
