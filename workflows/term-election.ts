// Term election 换届选举 (domain.md §4.1), one workflow per organization on its term register; one run per
// term, continued-as-new into the next term when the new committee is approved.
//   1–2. register: wait for the reminders 6 and 3 months before the term ends
//   3.   the outgoing committee's request (请示)            — returned requests are filed again
//   4.   the supervisor's reply (批复): approve, return with comments, or approve a postponement
//   5.   candidates (≥20% more than seats), the supervisor agrees
//   6.   the members' meeting records the secret ballot (quorum, win rule, void ballots); further rounds for
//        unfilled seats. Due when the term ends (or the approved postponement): an overdue term escalates.
//   7.   the new committee elects the secretary and reports the result within 1 month
//   8.   the supervisor approves; the new term goes on the register; the next term's run begins
// Every number comes from the rule set read when the run starts and carried in its state.
import { allHandlersFinished, condition, continueAsNew, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { TermContext } from '../activities/processes.js';
import type { Role } from '../src/auth/principal.js';
import { addMonths, shanghaiDate, shanghaiInstant } from '../src/domain/dates.js';
import { countVotes, nextRoundCandidates } from '../src/domain/election.js';
import {
  ballotOutcome,
  candidatesOutcome,
  checkBallot,
  checkCandidates,
  checkPostponement,
  checkSecretary,
  electionReplyOutcome,
  electionRequestOutcome,
  reviewOutcome,
  secretaryOutcome,
} from '../src/domain/term-election.js';
import type { TaskDue } from '../src/domain/task-plan.js';
import { acts } from './process-activities.js';
import { HumanTasks, type HumanTaskResult } from './human-task.js';
import { processStateQuery } from './messages.js';
import { cancellable, outcomeOf, outcomeRule } from './process-control.js';

export interface TermElectionInput {
  organization: string;
  /** Pin a rule set (history); by default the one in force when the run starts. */
  ruleSet?: string;
  /** Which term of this workflow (1 for the first run): task and event keys stay unique across runs. */
  term?: number;
}

export const KIND = 'term-election';
/** Ballot rounds for seats left unfilled before the committee must propose candidates again. */
const MAX_BALLOT_ROUNDS = 3;

export async function termElection(input: TermElectionInput): Promise<void> {
  const workflowId = workflowInfo().workflowId;
  const term = input.term ?? 1;
  // Keys of tasks and history events are unique per workflow id, across the runs of later terms.
  const key = (k: string) => (term === 1 ? k : `t${term}:${k}`);
  const tasks = new HumanTasks();
  let ctx: TermContext | undefined;
  let step = 'starting';
  let nextDeadline: string | null = null;
  setHandler(processStateQuery, () => ({ kind: KIND, organization: input.organization, step, nextDeadline, tasks: tasks.views() }));

  const moveTo = async (next: string, eventKey: string, detail: Record<string, unknown> = {}, status: 'running' | 'completed' | 'cancelled' = 'running') => {
    step = next;
    await acts.recordStep({ workflowId, kind: KIND, organizationId: ctx!.organizationId, step, eventKey: key(eventKey), at: new Date().toISOString(), nextDeadline, detail, status });
  };

  let renewed = false;
  await cancellable(
    () => ctx?.orgPath,
    async () => {
      ctx = await acts.loadTermContext({ organization: input.organization, at: new Date().toISOString(), ruleSet: input.ruleSet });
      const c = ctx;
      const { rules, termEndsOn } = c;
      const supervisorOrg = c.parentId ?? c.organizationId;
      nextDeadline = shanghaiInstant(termEndsOn, 0).toISOString();
      await moveTo('term-register', 'registered', { termEndsOn, ruleSet: rules.id, term });

      /** A step's task: the rule set's reminders and escalations; the outcome checked by the step's rule. */
      const task = async (
        name: string,
        s: { step: string; org: number; role: Role; due: TaskDue; title: string; validate?: (o: Record<string, unknown>) => void },
      ) => {
        const opened = await tasks.open({
          key: key(name),
          process: KIND,
          step: s.step,
          organizationId: s.org,
          assigneeRole: s.role,
          due: s.due,
          reminderWorkingDays: rules.taskReminderWorkingDays,
          escalationWorkingDays: rules.escalationWorkingDays,
          title: s.title,
          validateOutcome: s.validate,
        });
        nextDeadline = opened.task.dueAt;
        await moveTo(s.step, `${name}-opened`, { taskKey: opened.task.taskKey, dueAt: opened.task.dueAt });
        return opened;
      };
      /** A cancelled step task ends the process: the supervisor or organizer withdrew it. */
      const stopIfCancelled = async (r: HumanTaskResult, name: string): Promise<boolean> => {
        if (r.state !== 'cancelled') return false;
        nextDeadline = null;
        await moveTo(`${name}-cancelled`, `${name}-cancelled`, { reason: r.reason, by: r.actor }, 'cancelled');
        return true;
      };

      // Steps 1–2: the register; reminders 6 and 3 months before the term ends (offsets from the rule set).
      const reminders = [...rules.reminderMonthsBefore].sort((a, b) => b - a);
      const [first, ...later] = reminders;
      await sleepUntil(shanghaiInstant(addMonths(termEndsOn, -(first ?? 6))));

      // Steps 3–4: request and reply, until the supervisor approves (or grants a postponement).
      let postponedMonths = 0;
      let request: Record<string, unknown> = {};
      for (let round = 1; ; round++) {
        const name = round === 1 ? 'election-request' : `election-request-${round}`;
        const due: TaskDue = round === 1 ? { on: addMonths(termEndsOn, -rules.requestDueMonthsBefore) } : { workingDays: rules.resubmitWorkingDays };
        const opened = await task(name, {
          step: 'election-request',
          org: c.organizationId,
          role: 'secretary',
          due,
          title: '换届选举请示',
          validate: outcomeRule(electionRequestOutcome, (o) => o.postponeMonths !== undefined && checkPostponement(o.postponeMonths, rules)),
        });
        let filed: HumanTaskResult | undefined;
        opened.result.then((r) => (filed = r)).catch(() => undefined);
        // Later term reminders (months before expiry) go out only while the first request is still missing.
        if (round === 1) {
          for (const months of later) {
            const waitMs = shanghaiInstant(addMonths(termEndsOn, -months)).getTime() - Date.now();
            if (waitMs > 0 && (await condition(() => filed !== undefined, waitMs))) break;
            if (filed) break;
            await acts.recordTaskEvent({ workflowId, taskKey: opened.task.taskKey, eventKey: `reminder-${months}m`, kind: 'reminded', at: new Date().toISOString(), detail: { monthsBeforeTermEnd: months } });
          }
        }
        const r = await opened.result;
        if (await stopIfCancelled(r, 'election-request')) return;
        request = r.outcome;
        await moveTo('election-requested', `${name}-filed`, { request });

        const replyName = round === 1 ? 'election-reply' : `election-reply-${round}`;
        const reply = await task(replyName, {
          step: 'election-reply',
          org: supervisorOrg,
          role: 'supervisor',
          due: { workingDays: rules.replyWorkingDays },
          title: '换届选举批复',
          validate: outcomeRule(electionReplyOutcome, (o) => o.decision === 'postpone' && checkPostponement(o.postponeMonths, rules)),
        });
        const rr = await reply.result;
        if (await stopIfCancelled(rr, 'election-reply')) return;
        const decision = outcomeOf(electionReplyOutcome, rr.outcome);
        await moveTo('election-replied', `${replyName}-${decision.decision}`, { ...decision, by: rr.actor });
        if (decision.decision === 'return') continue;
        if (decision.decision === 'postpone') postponedMonths = decision.postponeMonths;
        break;
      }
      // The election must be held by the end of the term, or of the approved postponement.
      const electionDueOn = addMonths(termEndsOn, postponedMonths);

      // Steps 5–6: candidates, the supervisor's agreement, the ballot; again from the candidates if no committee results.
      let committee: string[] = [];
      let meetingDate = '';
      for (let attempt = 1; committee.length === 0; attempt++) {
        const sfx = attempt === 1 ? '' : `-${attempt}`;
        let slate: { seats: number; candidates: string[] } | undefined;
        for (let round = 1; !slate; round++) {
          const cname = `candidates${sfx}${round === 1 ? '' : `-r${round}`}`;
          const proposed = await task(cname, {
            step: 'candidates',
            org: c.organizationId,
            role: 'secretary',
            due: { workingDays: rules.candidatesWorkingDays },
            title: '提出候选人预备人选',
            validate: outcomeRule(candidatesOutcome, (o) => checkCandidates(o, rules)),
          });
          const pr = await proposed.result;
          if (await stopIfCancelled(pr, 'candidates')) return;
          const list = outcomeOf(candidatesOutcome, pr.outcome);
          await moveTo('candidates-proposed', `${cname}-proposed`, list);
          const rname = `candidates-review${sfx}${round === 1 ? '' : `-r${round}`}`;
          const review = await task(rname, {
            step: 'candidates-review',
            org: supervisorOrg,
            role: 'supervisor',
            due: { workingDays: rules.replyWorkingDays },
            title: '审查候选人预备人选',
            validate: outcomeRule(reviewOutcome),
          });
          const rv = await review.result;
          if (await stopIfCancelled(rv, 'candidates-review')) return;
          const d = outcomeOf(reviewOutcome, rv.outcome);
          await moveTo('candidates-reviewed', `${rname}-${d.decision}`, { ...d, by: rv.actor });
          if (d.decision === 'agree') slate = list;
        }

        // Step 6: the members' meeting; seats left unfilled go to another round among the remaining candidates.
        let seats = slate.seats;
        let remaining = [...slate.candidates];
        for (let round = 1; seats > 0 && remaining.length > 0 && round <= MAX_BALLOT_ROUNDS; round++) {
          const mname = `members-meeting${sfx}${round === 1 ? '' : `-r${round}`}`;
          const ballot = { seats, candidates: remaining, fullMembers: c.fullMembers };
          const meeting = await task(mname, {
            step: 'members-meeting',
            org: c.organizationId,
            role: 'secretary',
            due: round === 1 ? { on: electionDueOn } : { workingDays: rules.resubmitWorkingDays },
            title: '党员大会选举',
            validate: outcomeRule(ballotOutcome, (o) => void checkBallot(o, ballot, rules)),
          });
          const mr = await meeting.result;
          if (await stopIfCancelled(mr, 'members-meeting')) return;
          const counted = countVotes(seats, outcomeOf(ballotOutcome, mr.outcome), rules);
          committee = [...committee, ...counted.elected];
          seats = counted.unfilledSeats;
          remaining = nextRoundCandidates(remaining, counted);
          meetingDate = shanghaiDate(Date.now());
          await moveTo('members-meeting-held', `${mname}-counted`, { ...counted, committee, round });
        }
      }

      // Step 7: the secretary, and the result report due within the rule set's months of the meeting.
      const reportDueOn = addMonths(meetingDate, rules.resultReportMonths);
      const sec = await task('secretary-election', {
        step: 'secretary-election',
        org: c.organizationId,
        role: 'secretary',
        due: { on: reportDueOn },
        title: '选举书记',
        validate: outcomeRule(secretaryOutcome, (o) => checkSecretary(o.secretary, committee)),
      });
      const sr = await sec.result;
      if (await stopIfCancelled(sr, 'secretary-election')) return;
      const { secretary } = outcomeOf(secretaryOutcome, sr.outcome);
      await moveTo('secretary-elected', 'secretary-elected', { secretary, committee });

      // Steps 7–8: report, approval (returned reports are filed again), the new term on the register.
      for (let round = 1; ; round++) {
        const sfx = round === 1 ? '' : `-${round}`;
        const report = await task(`result-report${sfx}`, {
          step: 'result-report',
          org: c.organizationId,
          role: 'secretary',
          due: round === 1 ? { on: reportDueOn } : { workingDays: rules.resubmitWorkingDays },
          title: '报告选举结果',
        });
        const rep = await report.result;
        if (await stopIfCancelled(rep, 'result-report')) return;
        await moveTo('result-reported', `result-report${sfx}-filed`, { report: rep.outcome });
        const approval = await task(`result-approval${sfx}`, {
          step: 'result-approval',
          org: supervisorOrg,
          role: 'supervisor',
          due: { workingDays: rules.replyWorkingDays },
          title: '审批选举结果',
          validate: outcomeRule(reviewOutcome),
        });
        const ap = await approval.result;
        if (await stopIfCancelled(ap, 'result-approval')) return;
        const d = outcomeOf(reviewOutcome, ap.outcome);
        await moveTo('result-reviewed', `result-approval${sfx}-${d.decision}`, { ...d, by: ap.actor });
        if (d.decision === 'agree') break;
      }
      const next = await acts.renewTerm({ workflowId, organizationId: c.organizationId, startedOn: meetingDate, secretary, ruleSet: rules.id, at: new Date().toISOString() });
      nextDeadline = null;
      await moveTo('term-renewed', 'term-renewed', { startedOn: meetingDate, termEndsOn: next.termEndsOn, secretary, committee });
      renewed = true;
    },
    async (cancel) => {
      nextDeadline = null;
      step = 'cancelled';
      await acts.cancelProcess({ workflowId, organizationId: ctx!.organizationId, kind: KIND, step, actor: cancel.actor.username, reason: cancel.reason, at: new Date().toISOString() });
    },
  );
  await condition(allHandlersFinished);
  // The next term's register: a fresh run carrying only the organization (the rule set in force then applies).
  if (renewed) await continueAsNew<typeof termElection>({ organization: input.organization, term: term + 1 });
}

/** Durable sleep until an instant on the workflow clock; an instant already past returns at once. */
async function sleepUntil(t: Date): Promise<void> {
  const ms = t.getTime() - Date.now();
  if (ms > 0) await sleep(ms);
}
