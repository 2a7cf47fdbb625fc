// 组织生活会 and 民主评议党员 (domain.md §4.9; 党员教育管理工作条例 2019 art. 31–32), one workflow per branch and year
// (`member-appraisal:<code>:<year>`), started for every branch under a county when it issues the year's plan:
//   the secretary records the 谈心谈话, then the 组织生活会, then the 民主测评's result (the members not rated 合格,
//   with their grade; everyone else on the register of the meeting's day is 合格); the township reviews it by the
//   plan's report day and approves it or returns it, and the branch files it again. Once approved, every member's
//   grade is kept (their page shows it), and each member rated 不合格 is given the rule set's time to improve
//   (限期改正): a task for the secretary due at its end, reminded and escalated like every task, whose outcome is the
//   branch's decision — improved, or a proposal to persuade them to leave (劝退) or remove them (除名). The year closes
//   when every such decision is recorded.
import { addMonths, shanghaiDate, type IsoDate } from '../../src/domain/dates.js';
import { appraisalRulesFor, type AppraisalContext, type ImprovementContext } from '../../src/domain/member-appraisal/rules.js';
import { memberAppraisalStates } from '../../src/domain/member-appraisal/states.js';
import { appraisal, appraisalReview, appraisalTalks, improvement, lifeMeeting } from '../../src/domain/member-appraisal/steps.js';
import type { TaskDue } from '../../src/domain/task-plan.js';
import { acts } from '../process-activities.js';
import { ProcessRun } from '../process-run.js';

export const KIND = appraisal.process;
export const memberAppraisalId = (organization: string, year: number) => `${KIND}:${organization}:${year}`;

export interface MemberAppraisalInput {
  organization: string;
  year: number;
  /** The county's report day: the township's review is due on it. */
  reportBy: IsoDate;
}

/** The n-th task of a step done again after a return: the first bears the step's name. */
const nth = (step: string, n: number) => (n === 1 ? step : `${step}-${n}`);

export async function memberAppraisal(input: MemberAppraisalInput): Promise<void> {
  const p = new ProcessRun({ kind: KIND, organization: input.organization, prefix: '', run: 1 });
  await p.cancellable(async () => {
    const y = await acts.planAppraisalYear({
      workflowId: p.workflowId,
      organization: input.organization,
      year: input.year,
      reportBy: input.reportBy,
      plannedOn: shanghaiDate(Date.now()),
    });
    p.at(y.organizationId, y.orgPath);
    const r = appraisalRulesFor(y.plannedOn, y.ruleSet);
    const c: AppraisalContext = { year: input.year, reportBy: y.reportBy, plannedOn: y.plannedOn };
    // The rules' "today" is the day a step is recorded, read when the validator runs.
    const ctx = () => ({ ...c, today: shanghaiDate(Date.now()) });
    const deadlines = { reminderWorkingDays: r.reminderWorkingDays, escalationWorkingDays: r.escalationWorkingDays };
    const branch = (due: TaskDue) => ({ organizationId: y.organizationId, due, ...deadlines, titled: { part: `${input.year}年度` } });
    await p.moveTo('planned', 'planned', { ruleSet: r.id, reportBy: y.reportBy });

    const talks = await p.perform('talks', appraisalTalks, ctx, branch({ workingDays: r.talksWithinWorkingDays }));
    c.talksOn = talks.outcome.talksOn;
    await acts.recordAppraisalDay({ workflowId: p.workflowId, talksOn: c.talksOn });
    const meeting = await p.perform('life-meeting', lifeMeeting, ctx, branch({ workingDays: r.meetingWithinWorkingDays }));
    c.lifeMeetingOn = meeting.outcome.lifeMeetingOn;
    await acts.recordAppraisalDay({ workflowId: p.workflowId, meetingOn: c.lifeMeetingOn });

    // The result, reviewed by the township by the report day (or soon, once that day has passed); returned, filed again.
    let n = 1;
    let result: Awaited<ReturnType<typeof p.perform<typeof appraisal.outcome, AppraisalContext>>>;
    let approvedBy: string;
    for (; ; n++) {
      result = await p.perform(nth(appraisal.step, n), appraisal, ctx, {
        ...branch({ workingDays: r.appraisalWithinWorkingDays }),
        confirm: async (o) => {
          const ids = (o.rated ?? []).map((x) => x.memberId);
          const reg = await acts.registerOfDay({ organizationId: y.organizationId, day: c.lifeMeetingOn!, memberIds: ids });
          c.registerCount = reg.onRegister;
          c.onRegister = { ...c.onRegister, ...Object.fromEntries(ids.map((id) => [String(id), reg.names[String(id)] ?? null])) };
        },
      });
      const due: TaskDue = y.reportBy > shanghaiDate(Date.now()) ? { on: y.reportBy } : { workingDays: r.appraisalWithinWorkingDays };
      const review = await p.perform(nth(appraisalReview.step, n), appraisalReview, ctx, {
        organizationId: y.parentId,
        due,
        ...deadlines,
        titled: { about: y.name, part: `${input.year}年度` },
      });
      if (review.outcome.decision === 'approve') {
        approvedBy = review.actor;
        break;
      }
      await p.moveTo('planned', memberAppraisalStates.key('returned-{n}', { n }), { comments: review.outcome.comments, by: review.actor });
    }

    const since = shanghaiDate(Date.now());
    const dueOn = addMonths(since, r.improvementMonths);
    const kept = await acts.recordAppraisal({
      workflowId: p.workflowId,
      organizationId: y.organizationId,
      year: input.year,
      meetingOn: c.lifeMeetingOn,
      result: result.outcome,
      improvementDue: dueOn,
      approvedAt: new Date().toISOString(),
    });
    await p.moveTo('approved', 'approved', { ...kept.counts, voters: result.outcome.voters, by: approvedBy });

    // 限期改正: one task per 不合格 member, all open at once; each decision kept as it comes.
    const opened = [];
    for (const m of kept.unqualified) {
      const context = (): ImprovementContext => ({ member: m.name, since, dueOn, today: shanghaiDate(Date.now()) });
      const task = await p.open(`${improvement.step}-${m.memberId}`, improvement, context, {
        organizationId: y.organizationId,
        due: { on: dueOn },
        ...deadlines,
        titled: { about: m.name },
      });
      opened.push({ m, task });
    }
    for (const { m, task } of opened) {
      const result = await task.result;
      const member = memberAppraisalStates.key('improvement-{n}-decided', { n: m.memberId });
      if (result.state === 'cancelled') {
        // Withdrawn (the member left the branch, or died): no decision is kept; the others go on.
        await p.moveTo('approved', memberAppraisalStates.key('improvement-{n}-withdrawn', { n: m.memberId }), {
          reason: result.reason,
          by: result.actor,
        });
        continue;
      }
      const done = await p.outcome(result, improvement, `${improvement.step}-${m.memberId}`);
      await acts.recordImprovement({ workflowId: p.workflowId, memberId: m.memberId, ...done.outcome });
      await p.moveTo('approved', member, { member: m.name, decision: done.outcome.decision, by: done.actor });
    }
    p.nextDeadline = null;
    await p.moveTo('closed', 'closed', { ...kept.counts }, 'completed');
  });
}
