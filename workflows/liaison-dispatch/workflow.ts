// Liaison officer dispatch 选派党建联络员 (domain.md §4.4) for a unit without a Party organization:
//   the county organization department assigns an officer → the officer acknowledges → training before dispatch →
//   a visit report every calendar quarter (durable timers) → when the unit has ≥3 full members: establishment
//   request → approval → founding meeting (its day starts the first term) → the unit becomes an organization in
//   the tree, whose term register (its term-election workflow) starts here. When an officer leaves, the open tasks
//   close and a new officer is assigned.
import { allHandlersFinished, condition, defineUpdate, ParentClosePolicy, patched, setHandler, startChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { z } from 'zod';
import type { DispatchState, LiaisonContext } from '../../activities/liaison-dispatch.js';
import { shanghaiInstant, addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { actorAllows } from '../../src/domain/task-rights.js';
import { steeringRoles } from '../../src/domain/roles.js';
import type { TaskDue } from '../../src/domain/task-plan.js';
import {
  acknowledge,
  assignOfficer,
  establishmentApproval,
  establishmentRequest,
  foundingMeeting,
  officersMeeting,
  officerTraining,
  visitReport,
} from '../../src/domain/liaison-dispatch/steps.js';
import type { StepDef, TaskTitle } from '../../src/domain/step.js';
import { acts } from '../process-activities.js';
import type { HumanTaskResult } from '../human-task.js';
import { actorSchema, reasonSchema } from '../messages.js';
import { outcomeOf } from '../process-control.js';
import { ProcessRun } from '../process-run.js';
import { liaisonDispatchStates } from '../../src/domain/liaison-dispatch/states.js';
import {
  calendarPeriodOf,
  nextCalendarPeriod,
  recordedFoundingMeeting,
  visitReportOutcome,
  type CalendarPeriod,
} from '../../src/domain/liaison-dispatch/rules.js';
import type { LiaisonRules } from '../../src/domain/rules.js';
import type { termElection } from '../term-election/workflow.js';

export const KIND = assignOfficer.process;
/** The officer's acknowledgement, training and each visit report get a "done" line in the history (who, when). */
export const DONE_LINES_PATCH = 'liaison-done-lines';
/**
 * Visit reports fall due by the calendar quarter (domain.md §4.4): each quarter's report opens when the quarter
 * begins and is due on its last day, so a late report moves no later one. Runs recorded without this patch marker
 * wait a whole interval after each report: patched() answers false on their replay.
 */
export const CALENDAR_QUARTERS_PATCH = 'liaison-calendar-quarters';

export interface LiaisonDispatchInput {
  organization: string;
  ruleSet?: string;
}

export const officerLeftInput = z.object({ reason: reasonSchema, actor: actorSchema });
export const officerLeftUpdate = defineUpdate<{ assignment: number }, [z.input<typeof officerLeftInput>]>('officerLeft');

/** The county's meeting with its liaison officers in the half-year (period) starting on `from`: one per county and half-year. */
export const officersMeetingId = (county: string, from: string) => `${KIND}:officers-meeting:${county}:${from}`;

export interface OfficersMeetingInput {
  county: { id: number; code: string; path: string };
  period: CalendarPeriod;
  /** The dispatch's rule set: its reminders and escalations. */
  rules: Pick<LiaisonRules, 'reminderWorkingDays' | 'escalationWorkingDays'>;
}

/**
 * The county organization department meets its liaison officers once a half-year (domain.md §4.4 [local]): a task
 * for the county's organizers, due on the half-year's last day. Started by the dispatches whose officer visits in
 * that half-year (the first to get there starts it; the others find it), so a county without officers in post has none.
 */
export async function liaisonOfficersMeeting(input: OfficersMeetingInput): Promise<void> {
  const p = new ProcessRun({ kind: KIND, organization: input.county.code, prefix: '', run: 1 });
  await p.cancellable(async () => {
    p.at(input.county.id, input.county.path);
    const half = Number(input.period.from.slice(5, 7)) <= 6 ? '上半年' : '下半年';
    const opened = await p.open(
      'officers-meeting',
      officersMeeting,
      { from: input.period.from, to: input.period.to },
      {
        organizationId: input.county.id,
        due: { on: input.period.to },
        reminderWorkingDays: input.rules.reminderWorkingDays,
        escalationWorkingDays: input.rules.escalationWorkingDays,
        titled: { part: `${input.period.from.slice(0, 4)}年${half}` },
      },
    );
    const { outcome: met, actor } = await p.outcome(await opened.result, officersMeeting, 'officers-meeting');
    p.nextDeadline = null;
    await p.moveTo(officersMeeting, 'officers-meeting-done', { ...met, by: actor }, 'completed', { verb: 'done' });
  });
}

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
        if (!actorAllows(i.actor, ctx.orgPath, steeringRoles)) throw new Error(`${i.actor.username} may not end this officer's dispatch`);
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
        const task = async <S extends z.ZodType<Record<string, unknown>>, C>(
          name: string,
          def: StepDef<S, C>,
          context: C,
          s: { org: number; person?: string | null; due: TaskDue; titled?: TaskTitle },
          round?: number,
        ) => {
          const opened = await p.open(
            `${prefix}${name}`,
            def,
            context,
            {
              organizationId: s.org,
              assigneePerson: s.person ?? null,
              due: s.due,
              reminderWorkingDays: r.reminderWorkingDays,
              escalationWorkingDays: r.escalationWorkingDays,
              titled: s.titled,
            },
            { round },
            { officer },
          );
          let res: HumanTaskResult | undefined;
          opened.result.then((x) => (res = x)).catch(() => undefined);
          await condition(() => res !== undefined || (left !== undefined && !establishing));
          if (!res) throw new OfficerLeft();
          if (res.state === 'done' && def.step !== assignOfficer.step && patched(DONE_LINES_PATCH))
            await p.moveTo(def, `${prefix}${name}-done`, { by: res.actor }, 'running', { verb: 'done', round });
          return res;
        };
        try {
          // The county organization department assigns the officer (domain.md §4.4), whatever committee the unit sits
          // under; a context read before the county was named keeps the committee above.
          const assigned = await task('assign-officer', assignOfficer, {}, { org: c.countyId ?? c.parentId, due: { workingDays: r.assignWorkingDays } });
          officer = (await p.outcome(assigned, assignOfficer, `${prefix}assign-officer`)).outcome.officer;
          await dispatch('assigned');
          await p.moveTo('officer-assigned', `${prefix}officer-assigned`, { officer });

          const ack = await task(
            'acknowledge',
            acknowledge,
            { officer },
            { org: c.organizationId, person: officer, due: { workingDays: r.acknowledgeWorkingDays } },
          );
          // A cancelled acknowledgement: the officer did not take up the post; another is assigned.
          if (ack.state === 'cancelled') {
            left = { reason: ack.reason ?? 'the officer did not acknowledge', actor: { username: ack.actor, grants: [] } };
            throw new OfficerLeft();
          }
          await dispatch('acknowledged');
          await task('training', officerTraining, { officer }, { org: c.organizationId, person: officer, due: { workingDays: r.trainingWorkingDays } });

          // Visit reports, one per interval, until the unit has enough full members to set up its organization.
          members = c.fullMembers;
          if (patched(CALENDAR_QUARTERS_PATCH)) {
            // One report per calendar quarter (interval), due on its last day. The first is the quarter in which a
            // report opened now would fall due (`reportWorkingDays` from today), so an officer trained in a quarter's
            // last days reports from the next one.
            const months = r.visitIntervalMonths;
            const earliest = await acts.planHumanTask({
              due: { workingDays: r.reportWorkingDays },
              from: new Date().toISOString(),
              reminderWorkingDays: [],
              escalationWorkingDays: r.escalationWorkingDays,
            });
            let period = calendarPeriodOf(shanghaiDate(Date.parse(earliest.dueAt)), months);
            for (let q = 1; members < r.establishThreshold; q++, period = nextCalendarPeriod(period, months)) {
              // A quarter not begun yet is awaited; one already under way (a late report before it) opens at once.
              if (period.from > shanghaiDate(Date.now())) {
                p.nextDeadline = shanghaiInstant(period.from, 9).toISOString();
                await p.moveTo('visiting', `${prefix}${liaisonDispatchStates.key('visit-{quarter}-waiting', { quarter: q })}`, {
                  quarter: q,
                  from: period.from,
                  to: period.to,
                });
                if (await condition(() => left !== undefined, Date.parse(p.nextDeadline) - Date.now())) throw new OfficerLeft();
              }
              // The officer is in post this half-year: the county meets its officers in it (contexts read before the
              // county was named start none).
              if (c.countyId !== undefined && c.countyCode && c.countyPath) {
                const half = calendarPeriodOf(period.from, r.officersMeetingMonths);
                try {
                  await startChild(liaisonOfficersMeeting, {
                    workflowId: officersMeetingId(c.countyCode, half.from),
                    args: [{ county: { id: c.countyId, code: c.countyCode, path: c.countyPath }, period: half, rules: r }],
                    parentClosePolicy: ParentClosePolicy.ABANDON,
                    // One meeting per county and half-year, even one already held or cancelled.
                    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
                  });
                } catch (err) {
                  if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
                }
              }
              const report = await task(
                `visit-report-${q}`,
                visitReport,
                { officer, quarter: q, from: period.from, to: period.to },
                { org: c.organizationId, person: officer, due: { on: period.to }, titled: { part: `第${q}期` } },
                q,
              );
              if (report.state === 'done') {
                members = outcomeOf(visitReportOutcome, report.outcome).fullMembers;
                await dispatch('acknowledged', members);
              }
            }
          } else {
            for (let q = 1; members < r.establishThreshold; q++) {
              p.nextDeadline = shanghaiInstant(addMonths(shanghaiDate(Date.now()), r.visitIntervalMonths), 9).toISOString();
              await p.moveTo('visiting', `${prefix}${liaisonDispatchStates.key('visit-{quarter}-waiting', { quarter: q })}`, { quarter: q });
              const waitMs = Date.parse(p.nextDeadline) - Date.now();
              if (await condition(() => left !== undefined, waitMs)) throw new OfficerLeft();
              const report = await task(
                `visit-report-${q}`,
                visitReport,
                { officer, quarter: q },
                { org: c.organizationId, person: officer, due: { workingDays: r.reportWorkingDays }, titled: { part: `第${q}期` } },
                q,
              );
              if (report.state === 'done') {
                members = outcomeOf(visitReportOutcome, report.outcome).fullMembers;
                await dispatch('acknowledged', members);
              }
            }
          }
        } catch (err) {
          if (!(err instanceof OfficerLeft)) throw err;
          const why = left!;
          await acts.closeCycleTasks({
            workflowId: p.workflowId,
            taskKeyPrefix: prefix,
            actor: why.actor.username,
            reason: why.reason,
            at: new Date().toISOString(),
          });
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
        const rule = {
          reminderWorkingDays: r.reminderWorkingDays,
          escalationWorkingDays: r.escalationWorkingDays,
          due: { workingDays: r.approvalWorkingDays },
        };
        const reqTask = await p.open(
          `establishment-request${sfx}`,
          establishmentRequest,
          { officer, fullMembers: members },
          { ...rule, organizationId: c.organizationId, assigneePerson: officer },
          { round },
        );
        const rq = await reqTask.result;
        await p.outcome(rq, establishmentRequest, `establishment-request${sfx}`, { words: { round } });
        const approval = await p.open(
          `establishment-approval${sfx}`,
          establishmentApproval,
          { officer, fullMembers: members, request: rq.outcome },
          { ...rule, organizationId: c.parentId },
          { round },
        );
        const { outcome: d, actor: approver } = await p.outcome(await approval.result, establishmentApproval, `establishment-approval${sfx}`, {
          words: { round },
        });
        await p.moveTo('establishment-reviewed', `establishment-approval${sfx}-${d.decision}`, { ...d, by: approver }, 'running', { verb: d.decision, round });
        if (d.decision === 'agree') break;
      }
      // The founding meeting is held once the establishment is approved: not before today.
      const approvedOn = shanghaiDate(Date.now());
      const founding = await p.open(
        'founding-meeting',
        foundingMeeting,
        { officer: officer ?? undefined, ruleSet: r.id, notBefore: approvedOn },
        {
          organizationId: c.organizationId,
          assigneePerson: officer,
          due: { workingDays: r.approvalWorkingDays },
          reminderWorkingDays: r.reminderWorkingDays,
          escalationWorkingDays: r.escalationWorkingDays,
        },
      );
      // The first term starts on the meeting's day as typed on the form (domain.md §4.4, like a term election's members'
      // meeting, §4.1); meetings recorded before the day was asked for carry none and keep the day they were entered.
      const { outcome: founded } = await p.outcome(await founding.result, { step: foundingMeeting.step, outcome: recordedFoundingMeeting }, 'founding-meeting');
      const foundedOn = founded.meetingDate ?? shanghaiDate(Date.now());
      const org = await acts.establishOrganization({
        organizationId: c.organizationId,
        secretary: founded.secretary,
        fullMembers: founded.fullMembers,
        foundedOn,
        at: new Date().toISOString(),
      });
      // The new organization's own term register: its term-election workflow, which outlives this dispatch.
      // By its type's name: importing the function would evaluate the whole term election in every dispatch's run.
      await startChild<typeof termElection>('termElection', {
        workflowId: `term-election:${org.code}`,
        args: [{ organization: org.code }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      });
      await dispatch('established', founded.fullMembers);
      p.nextDeadline = null;
      await p.moveTo(
        'established',
        'established',
        { organization: org.code, secretary: founded.secretary, foundedOn, termElection: `term-election:${org.code}` },
        'completed',
      );
    },
    { after: () => dispatch('ended') },
  );
  await condition(allHandlersFinished);
}
