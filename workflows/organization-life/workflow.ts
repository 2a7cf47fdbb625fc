// A branch's year of organization life 三会一课 (domain.md §4.9), one workflow per branch and year
// (`organization-life:<code>:<year>`), started for every branch of a subtree by the year's sweep or for one branch by
// its organizer:
//   the year is planned from the rule set in force on its first day (each meeting the branch owes, by period, each due
//   the rule set's working days after its period ends) with every meeting's task, each opening for the secretary at
//   00:00 on its period's first day, reminded before it falls due and escalated after (the deadline sweep opens,
//   reminds and escalates: a province's first of the month and its month-end wake no workflow); a record filed
//   through one task meets the others held with it (a 主题党日 with a 支部党员大会 and a 党课). From rule set
//   branch-life-2027 each 党小组 the branch has when the year is planned owes a monthly 党小组会, its own task (its
//   leader's when their user is linked to their member, else the secretary's), its attendance the group's members of the
//   meeting's day. The year closes when its last obligation is met or waived, or at the latest on the day its rule set
//   names (the end of the following January): the tasks of meetings never recorded are then closed by the process and
//   stay counted missing.
import { condition, continueAsNew, defineUpdate, ParentClosePolicy, patched, setHandler, sleep, startChild } from '@temporalio/workflow';
import { z } from 'zod';
import { shanghaiDate, shanghaiInstant } from '../../src/domain/dates.js';
import { meetingRecord, spotCheck } from '../../src/domain/organization-life/steps.js';
import { organizingRoles } from '../../src/domain/roles.js';
import { actorAllows, type Actor } from '../../src/domain/task-rights.js';
import { organizationLifeStates } from '../../src/domain/organization-life/states.js';
import {
  closeSpreadMs,
  isPeriodOf,
  lifeRulesFor,
  lifeYearClosesOn,
  periodWords,
  type MeetingContext,
  type MeetingRecord,
} from '../../src/domain/organization-life/rules.js';
import type { PlannedObligation } from '../../activities/organization-life.js';
import { acts, sweepActs, type SweepPage } from '../process-activities.js';
import type { HumanTaskResult } from '../human-task.js';
import { ProcessRun } from '../process-run.js';
import { outcomeOf } from '../process-control.js';
import { actorSchema } from '../messages.js';

export const KIND = meetingRecord.process;
export const organizationLifeId = (organization: string, year: number) => `${KIND}:${organization}:${year}`;

export interface OrganizationLifeInput {
  organization: string;
  year: number;
}

/**
 * A township's organizer asks for a spot-check (抽查) of the branch's records of a period: a task of its own for the
 * organizers of the committee above the branch. Answers the task's key.
 */
export const spotCheckInput = z.object({ actor: actorSchema, period: z.string().min(6).max(7) });
export type SpotCheckInput = z.input<typeof spotCheckInput>;
export const spotCheckUpdate = defineUpdate<{ taskKey: string }, [SpotCheckInput]>('spotCheck');

/** The year's meetings are planned as openings the deadline sweep opens: runs planned before opened each period's themselves. */
export const LIFE_OPENINGS_AHEAD_PATCH = 'organization-life-openings-ahead';

/**
 * The year closes on its rule set's day with whatever was never recorded: runs planned before keep waiting for their
 * last obligation, unless they take the close up when a record wakes them after it was deployed.
 */
export const LIFE_YEAR_CLOSES_PATCH = 'organization-life-year-closes';

/**
 * A province's years close on the same day: each run's close comes at its own minute of the day's first hours
 * (closeSpreadMs), so the day's first instant wakes none of them. Runs whose close was set before keep 00:00.
 */
export const LIFE_CLOSE_SPREAD_PATCH = 'organization-life-close-spread';

/** A record's register is read only for the members it names absent: records before read it for every record. */
export const LIFE_ABSENT_LOOKUP_PATCH = 'organization-life-absent-lookup';

/** Who closes the tasks of meetings never recorded when the year closes: the process, no person. */
const yearCloser: Actor = { username: 'system', grants: [] };

/** A task's key: its period and kind ('2026-03:branch-committee'), and a 党小组会's group ('2027-03:group-meeting:12'). */
const taskKeyOf = (o: Pick<PlannedObligation, 'period' | 'kind' | 'groupId'>) =>
  o.groupId == null ? `${o.period}:${o.kind}` : `${o.period}:${o.kind}:${o.groupId}`;

export async function organizationLife(input: OrganizationLifeInput): Promise<void> {
  const p = new ProcessRun({ kind: KIND, organization: input.organization, prefix: '', run: 1 });
  await p.cancellable(async () => {
    const y = await acts.planLifeYear({ workflowId: p.workflowId, organization: input.organization, year: input.year });
    p.at(y.organizationId, y.orgPath);
    const r = lifeRulesFor(`${input.year}-01-01`, y.ruleSet);
    // The groups owing a 党小组会 (none in runs planned before the register knew them).
    const groups = new Map((y.groups ?? []).map((g) => [g.id, g]));
    /** A history line's key: a group's month is its own line beside the branch's. */
    const lineOf = (o: Pick<PlannedObligation, 'period' | 'kind' | 'groupId'>, what: 'held' | 'waived' | 'lapsed') =>
      o.groupId == null
        ? organizationLifeStates.key(`{period}-{kind}-${what}`, o)
        : organizationLifeStates.key(`{period}-group-{group}-${what}`, { period: o.period, group: o.groupId });
    await p.moveTo('planned', 'planned', { ruleSet: r.id, obligations: y.obligations.length });

    const settling: Promise<void>[] = [];
    /**
     * Each is awaited in turn below; a year cancelled rejects them all at once, and a rejection not yet awaited would
     * otherwise fail the workflow task: marked handled here, each still throws where it is awaited.
     */
    const settle = (done: Promise<void>) => {
      done.catch(() => {});
      settling.push(done);
    };

    /**
     * The close day (LIFE_YEAR_CLOSES_PATCH): a timer to it, set once — when the year is planned, or in a run planned
     * before when a record first wakes it. `closeDue` once it came.
     */
    let closeDue = false;
    let closeSet = false;
    const closesOn = lifeYearClosesOn(input.year, r);
    const closesAt = shanghaiInstant(closesOn, 0).getTime();
    const closeOnItsDay = () => {
      if (closeSet || !patched(LIFE_YEAR_CLOSES_PATCH)) return;
      closeSet = true;
      const spread = patched(LIFE_CLOSE_SPREAD_PATCH) ? closeSpreadMs(p.workflowId) : 0;
      const wait = closesAt + spread - Date.now();
      if (wait <= 0) closeDue = true;
      else
        void sleep(wait)
          .then(() => {
            closeDue = true;
          })
          // A year cancelled cancels the timer: nothing to close then.
          .catch(() => {});
    };

    let spotChecks = 0;
    setHandler(
      spotCheckUpdate,
      async (raw) => {
        const { period } = spotCheckInput.parse(raw);
        const n = ++spotChecks;
        const name = organizationLifeStates.key('spot-check-{period}-{n}', { period, n });
        const opened = await p.openTask(
          name,
          spotCheck,
          () => ({ branch: y.name, period, periodWords: periodWords(period), today: shanghaiDate(Date.now()) }),
          {
            organizationId: y.parentId ?? y.organizationId,
            due: { workingDays: r.spotCheckWorkingDays },
            reminderWorkingDays: r.reminderWorkingDays,
            escalationWorkingDays: r.escalationWorkingDays,
            titled: { about: y.name, part: periodWords(period) },
          },
        );
        settle(
          opened.result.then(async (result) => {
            if (result.state !== 'done') return;
            const o = outcomeOf(spotCheck.outcome, result.outcome);
            await p.moveTo('planned', name, { ...o, by: result.actor });
          }),
        );
        return { taskKey: opened.task.taskKey };
      },
      {
        validator: (raw) => {
          const { period, actor } = spotCheckInput.parse(raw);
          if (!isPeriodOf(input.year, period)) throw new Error(`${period} is not a period of ${input.year}`);
          if (closeDue || Date.now() >= closesAt) throw new Error(`the year ${input.year} has closed`);
          // Those who organize above the branch: the township's organizers (and the county's, the admin).
          if (!actorAllows(actor, y.orgPath, organizingRoles)) throw new Error(`${actor.username} may not spot-check this branch`);
        },
      },
    );

    /** A record filed: kept with what it met, and the other kinds' tasks it met completed with it. */
    const recorded = async (o: PlannedObligation, result: HumanTaskResult) => {
      // A task this run completed itself (settle) carries the meeting it was met by: nothing more to keep.
      if (result.outcome.meetingId !== undefined) return;
      const record: MeetingRecord = outcomeOf(meetingRecord.outcome, result.outcome);
      const kept = await acts.recordMeeting({
        workflowId: p.workflowId,
        organizationId: y.organizationId,
        taskKey: p.key(taskKeyOf(o)),
        period: o.period,
        kind: o.kind,
        record,
        actor: result.actor,
        at: new Date().toISOString(),
        ...(o.groupId == null ? {} : { groupId: o.groupId }),
      });
      for (const m of kept.met) {
        if (m.period !== o.period || m.kind !== o.kind || (m.groupId ?? null) !== (o.groupId ?? null)) {
          await p.tasks.settle(
            p.key(taskKeyOf(m)),
            { meetingId: kept.meetingId, meetingOn: record.meetingOn },
            { username: result.actor, grants: [] },
            '同一次会议已记录',
          );
        }
        await p.moveTo('planned', lineOf(m, 'held'), {
          meetingId: kept.meetingId,
          meetingOn: record.meetingOn,
          late: m.late,
          by: result.actor,
          ...(m.groupId == null ? {} : { group: groups.get(m.groupId)?.name ?? null }),
        });
      }
    };
    const waived = async (o: PlannedObligation, result: HumanTaskResult) => {
      await acts.waiveObligation({
        organizationId: y.organizationId,
        period: o.period,
        kind: o.kind,
        reason: result.reason ?? '',
        ...(o.groupId == null ? {} : { groupId: o.groupId }),
      });
      await p.moveTo('planned', lineOf(o, 'waived'), { reason: result.reason, by: result.actor });
    };

    /** An obligation's record task: what it shows and checks, due on the obligation's day, from the rule set. */
    const recordTask = (o: PlannedObligation, opensAt: number) => {
      // By day: the rule refuses a member absent who was not on the register the day the meeting was held.
      const onRegister: Record<string, Record<string, string | null>> = {};
      // A 党小组会: its group's members are its attendance, and its leader (when they sign in) records it.
      const group = o.groupId == null ? undefined : groups.get(o.groupId);
      const context = (): MeetingContext => ({
        kind: o.kind,
        period: o.period,
        periodWords: periodWords(o.period),
        startsOn: o.startsOn,
        endsOn: o.endsOn,
        onRegister,
        // Read when a record is checked; a task planned ahead keeps none until it opens.
        ...(Date.now() >= opensAt ? { today: shanghaiDate(Date.now()) } : {}),
        closesOn,
        ...(group ? { group: { id: group.id, name: group.name } } : {}),
      });
      const spec = {
        organizationId: y.organizationId,
        due: { on: o.dueOn },
        reminderWorkingDays: r.reminderWorkingDays,
        escalationWorkingDays: r.escalationWorkingDays,
        titled: { variant: o.kind, part: periodWords(o.period), ...(group ? { about: group.name } : {}) },
        ...(group?.leaderUser ? { assigneePerson: group.leaderUser } : {}),
        confirm: async (rec: MeetingRecord) => {
          const ids = (rec.absent ?? []).map((a) => a.memberId);
          // No one named absent: no one to look up on the day's register (runs recorded before looked anyway).
          if (!ids.length && patched(LIFE_ABSENT_LOOKUP_PATCH)) return;
          const { names } = await acts.registerOfDay({
            organizationId: y.organizationId,
            day: rec.meetingOn,
            memberIds: ids,
            ...(group ? { groupId: group.id } : {}),
          });
          onRegister[rec.meetingOn] = { ...onRegister[rec.meetingOn], ...Object.fromEntries(ids.map((id) => [String(id), names[String(id)] ?? null])) };
        },
      };
      return { context, spec };
    };
    /** A task the process closed on the close day: its obligation stays missing, and the history says so. */
    const lapsed = async (o: PlannedObligation) => {
      await p.moveTo('planned', lineOf(o, 'lapsed'), {
        dueOn: o.dueOn,
        ...(o.groupId == null ? {} : { group: groups.get(o.groupId)?.name ?? null }),
      });
    };
    /** The obligations whose tasks this run opened or planned: those still open on the close day lapse. */
    const tracked: PlannedObligation[] = [];
    const settled = (o: PlannedObligation, result: Promise<HumanTaskResult>) => {
      tracked.push(o);
      settle(
        result.then((res) => {
          closeOnItsDay();
          if (res.state === 'done') return recorded(o, res);
          return res.byProcess ? lapsed(o) : waived(o, res);
        }),
      );
    };

    if (patched(LIFE_OPENINGS_AHEAD_PATCH)) {
      // The whole year's tasks planned now, each opening at 00:00 on its period's first day (at once for a period
      // begun before the year was planned): the deadline sweep opens them, and the year sleeps until a record comes.
      const pending = y.obligations.filter((o) => !o.settled).map((o) => ({ o, opensAt: Math.max(shanghaiInstant(o.startsOn, 0).getTime(), Date.now()) }));
      const ahead = await p.openTasksAhead(
        meetingRecord,
        pending.map(({ o, opensAt }) => ({ name: taskKeyOf(o), opensAt: new Date(opensAt).toISOString(), ...recordTask(o, opensAt) })),
      );
      for (const [i, a] of ahead.entries()) settled(pending[i]!.o, a.result);
    } else {
      // Runs planned before: each period's tasks opened by the workflow itself, woken on the period's first day.
      const byStart = new Map<string, PlannedObligation[]>();
      for (const o of y.obligations) if (!o.settled) byStart.set(o.startsOn, [...(byStart.get(o.startsOn) ?? []), o]);
      for (const [startsOn, group] of [...byStart].sort(([a], [b]) => a.localeCompare(b))) {
        const opensAt = shanghaiInstant(startsOn, 0).getTime();
        if (opensAt > Date.now()) await sleep(opensAt - Date.now());
        for (const o of group) {
          const { context, spec } = recordTask(o, opensAt);
          settled(o, (await p.openTask(taskKeyOf(o), meetingRecord, context, spec)).result);
        }
      }
    }
    closeOnItsDay();
    // A spot-check asked for meanwhile adds to the list: each is waited for in turn.
    let allSettled = false;
    const settledAll = (async () => {
      for (let i = 0; i < settling.length; i++) await settling[i];
      allSettled = true;
    })();
    const closeCame = condition(() => allSettled || closeDue);
    // Awaited below (a year cancelled rejects both): marked handled, as `settle` marks its own.
    settledAll.catch(() => {});
    closeCame.catch(() => {});
    // Until the last obligation is met or waived, or the close day comes (whichever first).
    await Promise.race([settledAll, closeCame]);
    let lapsedCount = 0;
    if (!allSettled) {
      // The close day: the tasks of meetings never recorded are closed by the process; their obligations stay missing.
      for (const o of tracked) {
        if (await p.tasks.withdraw(p.key(taskKeyOf(o)), yearCloser, '年度组织生活已结束，未记录的会议计为缺失')) lapsedCount++;
      }
      await settledAll;
    }
    const figures = await acts.lifeYearFigures({ organizationId: y.organizationId, year: input.year });
    p.nextDeadline = null;
    await p.moveTo('closed', 'closed', lapsedCount ? { ...figures, lapsed: lapsedCount } : figures, 'completed');
  });
}

export interface OrganizationLifeSweepInput extends SweepPage {
  /** The year to start; by default the year the sweep runs in (Asia/Shanghai), or in December the year to come. */
  year?: number;
}

/**
 * The year's start for every branch that has none (the Schedule on 1 December for the year to come and on 1 January,
 * src/processes/organization-life-schedule.ts): one child per branch, abandoned to run its year; a branch whose year
 * already runs is passed over.
 */
export async function organizationLifeSweep(input: OrganizationLifeSweepInput = {}): Promise<{ started: number }> {
  const today = shanghaiDate(Date.now());
  const year = input.year ?? Number(today.slice(0, 4)) + (today.slice(5, 7) === '12' ? 1 : 0);
  const page = input.page ?? 500;
  const branches = await sweepActs.branchesWithoutLifeYear({ year, under: input.under, afterId: input.afterId ?? 0, limit: page });
  let started = 0;
  for (const b of branches) {
    try {
      await startChild(organizationLife, {
        workflowId: organizationLifeId(b.code, year),
        args: [{ organization: b.code, year }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      started++;
    } catch (err) {
      if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
    }
  }
  if (branches.length === page) await continueAsNew<typeof organizationLifeSweep>({ ...input, year, afterId: branches[branches.length - 1]!.id });
  return { started };
}
