// Term election 换届选举 (domain.md §4.1), one workflow per organization on its term register; one run per
// term, continued-as-new into the next term when the new committee is approved.
//   1–2. register: wait for the reminders 6 and 3 months before the term ends
//   3.   the outgoing committee's request (请示)            — returned requests are filed again
//   4.   the supervisor's reply (批复): approve, return with comments, or approve a postponement
//   5.   candidates (≥20% more than seats), the supervisor agrees
//   6.   where the members are on the register, the committee first proposes the members left out of the entitled
//        count (named, each with its reason; or none) and the supervisor approves them (a rejected list is proposed again);
//        the members' meeting (a delegates' conference where the organization holds one) records the secret ballot
//        (quorum, win rule, void ballots); further rounds for unfilled seats. Due when the term ends (or the approved postponement): an overdue term escalates.
//   7.   the new committee elects the secretary and reports the result within 1 month
//   8.   the supervisor approves; the new term goes on the register; the next term's run begins
// Every number comes from the rule set read when the run starts and carried in its state.
import { allHandlersFinished, condition, continueAsNew, patched, setHandler } from '@temporalio/workflow';
import type { TermContext } from '../../activities/term-election.js';
import { addMonths, shanghaiDate, shanghaiInstant } from '../../src/domain/dates.js';
import { countVotes, nextRoundCandidates } from '../../src/domain/election.js';
import {
  candidates,
  candidatesReview,
  delegatesConference,
  electionReply,
  electionRequest,
  exclusionsApproval,
  exclusionsProposal,
  membersMeeting,
  resultApproval,
  resultReport,
  secretaryElection,
} from '../../src/domain/term-election/steps.js';
import type { TaskDue } from '../../src/domain/task-plan.js';
import { acts } from '../process-activities.js';
import type { HumanTaskResult } from '../human-task.js';
import { ProcessRun } from '../process-run.js';
import { termElectionStates } from '../../src/domain/term-election/states.js';
import { correctTermInput, correctTermUpdate } from '../messages.js';
import { recordedTermBallot, type ApprovedExclusion } from '../../src/domain/term-election/rules.js';
import { actorAllows } from '../../src/domain/task-rights.js';
import { organizingRoles } from '../../src/domain/roles.js';
import { rulesById } from '../../src/domain/step.js';
import { termRuleSets } from '../../src/domain/rules.js';
import { tellTrainingOfSecretary } from '../rotation-training/secretary.js';

export interface TermElectionInput {
  organization: string;
  /** Pin a rule set (history); by default the one in force when the run starts. */
  ruleSet?: string;
  /** Which term of this workflow (1 for the first run): task and event keys stay unique across runs. */
  term?: number;
}

export const KIND = electionRequest.process;
/** The members' meeting checks its ballot against the full members on the register when its task opens. */
export const FRESH_MEMBER_COUNT_PATCH = 'fresh-member-count';
/**
 * The ballot's entitled count is checked against the full members on the register on the meeting's day, read when
 * the ballot is recorded, less the members left out with an accepted reason and approval (runs recorded without
 * this marker check it only against the count when the task opened, as an upper bound).
 */
export const MEETING_DAY_REGISTER_PATCH = 'meeting-day-register';
/**
 * Where the organization's members are on the register, the members left out of the entitled count are named by the
 * committee and approved by the supervisor in steps of their own before the members' meeting, and its ballot names
 * none (runs recorded without this marker, and organizations without a register, take them typed on the ballot).
 */
export const APPROVED_EXCLUSIONS_PATCH = 'approved-exclusions';
/** An approved postponement is written to the term register (runs recorded without this marker keep it in their state only). */
export const POSTPONEMENT_ON_REGISTER_PATCH = 'postponement-on-register';
/** A term past its end (or its approved postponement) without an election is chased every month (not in runs recorded without this marker). */
export const OVERDUE_TERM_REMINDERS_PATCH = 'overdue-term-reminders';
/** The approved secretary is told to the organization's rotation training (runs recorded without this marker renew without telling it). */
export const SECRETARY_TO_TRAINING_PATCH = 'secretary-to-training';
/** Who may correct the term register of a running election (an import is sent by an organizer or admin). */
const correctors = organizingRoles;

export async function termElection(input: TermElectionInput): Promise<void> {
  const term = input.term ?? 1;
  // Keys of tasks and history events are unique per workflow id, across the runs of later terms.
  const p = new ProcessRun({ kind: KIND, organization: input.organization, prefix: term === 1 ? '' : `t${term}:`, run: term });
  let ctx: TermContext | undefined;

  let renewed = false;
  // The term register's owner while this run waits on it: a correction (correctTerm Update, e.g. from a re-import
  // whose row has a newer term) moves the term's end, and with it the reminders and the request's due date. Once
  // the request is filed the election is under way and the term changes only through the process's own steps.
  let termEndsOn = '';
  let corrections = 0;
  let requestFiled = false;
  let openRequest: string | undefined;
  let correcting = false;
  // Months of an approved postponement, and whether the members' meeting has elected the committee: the monthly
  // chase of an overdue term reads both.
  let postponedMonths = 0;
  let electionHeld = false;
  let ended = false;
  setHandler(
    correctTermUpdate,
    async (raw) => {
      const i = correctTermInput.parse(raw);
      const c = ctx!;
      correcting = true;
      try {
        const r = await acts.correctTerm({
          organizationId: c.organizationId,
          startedOn: i.startedOn,
          termYears: i.termYears,
          secretary: i.secretary,
          actor: i.actor.username,
          source: i.source,
          at: new Date().toISOString(),
        });
        const n = ++corrections;
        termEndsOn = r.termEndsOn;
        // The process's next deadline: the term's end while it waits on the register, else the request's new due date.
        if (openRequest && !requestFiled) {
          // Not before today. ISO dates order as text, which Math.max would read as numbers.
          let dueOn = addMonths(termEndsOn, -c.rules.requestDueMonthsBefore);
          if (dueOn < shanghaiDate(Date.now())) dueOn = shanghaiDate(Date.now());
          await p.tasks.moveDue(openRequest, dueOn, i.actor, i.reason);
          p.nextDeadline = p.tasks.views().find((t) => t.taskKey === openRequest)?.dueAt ?? p.nextDeadline;
        } else {
          p.nextDeadline = shanghaiInstant(termEndsOn, 0).toISOString();
        }
        await p.moveTo(
          p.step,
          termElectionStates.key('term-corrected-{n}', { n }),
          { startedOn: i.startedOn, termYears: i.termYears, termEndsOn, secretary: i.secretary, by: i.actor.username, reason: i.reason, source: i.source },
          'running',
          { verb: 'corrected' },
        );
        return { termEndsOn };
      } finally {
        correcting = false;
      }
    },
    {
      validator: (raw) => {
        const i = correctTermInput.parse(raw);
        if (!ctx || !termEndsOn) throw new Error('the process is starting; retry');
        if (renewed || p.step.endsWith('cancelled')) throw new Error('the process has ended');
        if (!actorAllows(i.actor, ctx.orgPath, correctors)) throw new Error(`${i.actor.username} may not correct the term register`);
        if (requestFiled) throw new Error(`the election is under way (step ${p.step}): the term changes only through the process`);
        if (correcting) throw new Error('a correction is being applied; retry');
      },
    },
  );
  /**
   * Monthly while the term is overdue: one month after the day the election was due (the term's end, or the end of
   * an approved postponement), then each month, until the members' meeting elects the committee or the run ends.
   * The day is read again whenever a correction or a postponement moves it; a reminder already due is sent once.
   */
  const chaseOverdueTerm = async (c: TermContext) => {
    let sent = 0;
    for (;;) {
      const due = addMonths(termEndsOn, postponedMonths);
      const now = Date.now();
      let n = sent + 1;
      while (shanghaiInstant(addMonths(due, n + 1)).getTime() <= now) n++;
      const waitMs = shanghaiInstant(addMonths(due, n)).getTime() - now;
      const seen = { corrections, postponedMonths };
      const stop = () => electionHeld || ended;
      if (waitMs > 0 && (await condition(() => stop() || corrections !== seen.corrections || postponedMonths !== seen.postponedMonths, waitMs))) {
        if (stop()) return;
        continue;
      }
      if (stop()) return;
      sent = n;
      await acts.remindOverdueTerm({
        workflowId: p.workflowId,
        eventKey: p.key(`term-overdue-${due}-${n}m`),
        organizationId: c.organizationId,
        supervisorId: c.parentId,
        step: p.step,
        dueOn: due,
        monthsOverdue: n,
        run: term,
        at: new Date().toISOString(),
      });
    }
  };

  try {
    await p.cancellable(async () => {
      ctx = await acts.loadTermContext({ organization: input.organization, at: new Date().toISOString(), ruleSet: input.ruleSet });
      const c = ctx;
      p.at(c.organizationId, c.orgPath);
      const { rules } = c;
      termEndsOn = c.termEndsOn;
      const supervisorOrg = c.parentId ?? c.organizationId;
      p.nextDeadline = shanghaiInstant(termEndsOn, 0).toISOString();
      // The term's own number (第n届) is the organization's, from its register; the run counter `term` is not one.
      await p.moveTo(
        'term-register',
        'registered',
        { termEndsOn, ruleSet: rules.id, term, ...(c.termOrdinal ? { termOrdinal: c.termOrdinal } : {}) },
        'running',
        { verb: 'registered' },
      );
      // Ballot rounds for unfilled seats: the rule set's; runs whose rule set predates the rule read it from the set by id.
      const maxBallotRounds = rules.maxBallotRounds ?? rulesById(termRuleSets, rules.id).maxBallotRounds;
      // Who elects (domain.md §4.1): a delegates' conference, whose entitled are its delegates; else the members' meeting.
      const byDelegates = c.electionBody === 'delegates_conference';
      // Statutory: after the 6- and 3-month reminders, monthly while the term is overdue. Runs beside the steps.
      if (patched(OVERDUE_TERM_REMINDERS_PATCH)) void chaseOverdueTerm(c).catch(() => undefined);

      /** A step's plan: its organization and due date, with the rule set's reminders and escalations. */
      const plan = (org: number, due: TaskDue) => ({
        organizationId: org,
        due,
        reminderWorkingDays: rules.taskReminderWorkingDays,
        escalationWorkingDays: rules.escalationWorkingDays,
      });

      // Steps 1–2: the register; reminders 6 and 3 months before the term ends (offsets from the rule set).
      const reminders = [...rules.reminderMonthsBefore].sort((a, b) => b - a);
      const [first, ...later] = reminders;
      // A correction wakes the wait, which then runs to the corrected term's reminder (no command changes until one arrives).
      for (;;) {
        const seen = corrections;
        const ms = shanghaiInstant(addMonths(termEndsOn, -(first ?? 6))).getTime() - Date.now();
        if (ms <= 0 || !(await condition(() => corrections !== seen, ms))) break;
      }

      // Steps 3–4: request and reply, until the supervisor approves (or grants a postponement).
      let request: Record<string, unknown> = {};
      for (let round = 1; ; round++) {
        const name = round === 1 ? 'election-request' : `election-request-${round}`;
        const due: TaskDue = round === 1 ? { on: addMonths(termEndsOn, -rules.requestDueMonthsBefore) } : { workingDays: rules.resubmitWorkingDays };
        const opened = await p.open(name, electionRequest, { ruleSet: rules.id }, plan(c.organizationId, due), { round });
        let filed: HumanTaskResult | undefined;
        opened.result
          .then((r) => {
            filed = r;
            if (round === 1) requestFiled = true;
          })
          .catch(() => undefined);
        // Later term reminders (months before expiry) go out only while the first request is still missing; a
        // corrected term moves the one not sent yet.
        if (round === 1) {
          openRequest = opened.task.taskKey;
          const pending = [...later];
          while (pending.length > 0) {
            const months = pending[0]!;
            const seen = corrections;
            const waitMs = shanghaiInstant(addMonths(termEndsOn, -months)).getTime() - Date.now();
            if (waitMs > 0 && (await condition(() => filed !== undefined || corrections !== seen, waitMs))) {
              if (filed) break;
              continue;
            }
            if (filed) break;
            pending.shift();
            await acts.recordTaskEvent({
              workflowId: p.workflowId,
              taskKey: opened.task.taskKey,
              eventKey: `reminder-${months}m`,
              kind: 'reminded',
              at: new Date().toISOString(),
              detail: { monthsBeforeTermEnd: months },
            });
          }
        }
        const result = await opened.result;
        if (round === 1) requestFiled = true;
        request = (await p.outcome(result, electionRequest, name)).outcome;
        await p.moveTo('election-requested', `${name}-filed`, { request }, 'running', { verb: 'filed', round });

        const replyName = round === 1 ? 'election-reply' : `election-reply-${round}`;
        const reply = await p.open(replyName, electionReply, { ruleSet: rules.id, request }, plan(supervisorOrg, { workingDays: rules.replyWorkingDays }), {
          round,
        });
        const { outcome: decision, actor: replier } = await p.outcome(await reply.result, electionReply, replyName);
        await p.moveTo('election-replied', `${replyName}-${decision.decision}`, { ...decision, by: replier }, 'running', { verb: decision.decision, round });
        if (decision.decision === 'return') continue;
        if (decision.decision === 'postpone') {
          // On the register, so that the register, the 未按期换届 report and the assessment see it (owned by this run).
          if (patched(POSTPONEMENT_ON_REGISTER_PATCH)) {
            await acts.recordPostponement({
              organizationId: c.organizationId,
              postponedUntil: addMonths(termEndsOn, decision.postponeMonths),
              actor: replier,
              reason: decision.comments,
              at: new Date().toISOString(),
            });
          }
          postponedMonths = decision.postponeMonths;
        }
        break;
      }
      // The election must be held by the end of the term, or of the approved postponement.
      const electionDueOn = addMonths(termEndsOn, postponedMonths);

      /**
       * Step 6, before the members' meeting: the committee names the full members it leaves out of the entitled count
       * (each picked from the register, with its reason), read on the register the day it files them; the supervisor
       * approves the list or rejects it with its reason, and the committee proposes again. None proposed: none left out.
       */
      const fixExclusions = async (sfx: string): Promise<ApprovedExclusion[]> => {
        for (let round = 1; ; round++) {
          const rsfx = round === 1 ? '' : `-r${round}`;
          const name = `exclusions-proposal${sfx}${rsfx}`;
          // By day: the rule refuses a member who was not on the register the day it was read, and only that day.
          const onRegister: Record<string, Record<string, string | null>> = {};
          let names: Record<string, string | null> = {};
          const proposal = await p.open(
            name,
            exclusionsProposal,
            { ruleSet: rules.id, onRegister },
            {
              ...plan(c.organizationId, { workingDays: rules.candidatesWorkingDays }),
              confirm: async (o) => {
                const ids = (o.excluded ?? []).map((x) => x.memberId);
                const day = shanghaiDate(Date.now());
                names = ids.length ? (await acts.fullMembersAmong({ organizationId: c.organizationId, on: day, memberIds: ids })).members : {};
                onRegister[day] = { ...onRegister[day], ...names };
              },
            },
            { round },
          );
          const { outcome } = await p.outcome(await proposal.result, exclusionsProposal, name);
          const named: ApprovedExclusion[] = (outcome.excluded ?? []).map((x) => ({
            memberId: x.memberId,
            // The register's name, not the one the form sent beside the id.
            name: names[String(x.memberId)] ?? x.name ?? '',
            exclusionReason: x.exclusionReason,
          }));
          await p.moveTo('exclusions-proposed', `${name}-proposed`, { exclusions: named }, 'running', { verb: 'proposed', round });
          if (named.length === 0) return [];
          const aname = `exclusions-approval${sfx}${rsfx}`;
          const review = await p.open(
            aname,
            exclusionsApproval,
            { ruleSet: rules.id, excluded: named },
            plan(supervisorOrg, { workingDays: rules.replyWorkingDays }),
            { round },
          );
          const { outcome: d, actor } = await p.outcome(await review.result, exclusionsApproval, aname);
          await p.moveTo('exclusions-reviewed', `${aname}-${d.decision}`, { ...d, by: actor, exclusions: named }, 'running', { verb: d.decision, round });
          if (d.decision === 'approve') return named;
        }
      };

      // Steps 5–6: candidates, the supervisor's agreement, the ballot; again from the candidates if no committee results.
      let committee: string[] = [];
      let meetingDate = '';
      for (let attempt = 1; committee.length === 0; attempt++) {
        const sfx = attempt === 1 ? '' : `-${attempt}`;
        let slate: { seats: number; candidates: string[] } | undefined;
        for (let round = 1; !slate; round++) {
          const cname = `candidates${sfx}${round === 1 ? '' : `-r${round}`}`;
          const proposed = await p.open(cname, candidates, { ruleSet: rules.id }, plan(c.organizationId, { workingDays: rules.candidatesWorkingDays }), {
            round,
          });
          const { outcome: list } = await p.outcome(await proposed.result, candidates, cname);
          await p.moveTo('candidates-proposed', `${cname}-proposed`, list, 'running', { verb: 'proposed', round });
          const rname = `candidates-review${sfx}${round === 1 ? '' : `-r${round}`}`;
          const review = await p.open(rname, candidatesReview, { ruleSet: rules.id, ...list }, plan(supervisorOrg, { workingDays: rules.replyWorkingDays }), {
            round,
          });
          const { outcome: d, actor: reviewer } = await p.outcome(await review.result, candidatesReview, rname);
          await p.moveTo('candidates-reviewed', `${rname}-${d.decision}`, { ...d, by: reviewer }, 'running', { verb: d.decision, round });
          if (d.decision === 'agree') slate = list;
        }

        // Step 6: the members' meeting (or delegates' conference); seats left unfilled go to another round among the remaining candidates.
        // The members left out with approval (undefined: typed on the ballot, as before, or no register) hold for every round.
        let approved: ApprovedExclusion[] | undefined;
        let seats = slate.seats;
        let remaining = [...slate.candidates];
        // The first meeting can be held once the candidates are agreed (today); a further round after the last one.
        let notBefore = shanghaiDate(Date.now());
        for (let round = 1; seats > 0 && remaining.length > 0 && round <= maxBallotRounds; round++) {
          const mname = `${byDelegates ? 'delegates-conference' : 'members-meeting'}${sfx}${round === 1 ? '' : `-r${round}`}`;
          const due: TaskDue = round === 1 ? { on: electionDueOn } : { workingDays: rules.resubmitWorkingDays };
          let meeting: Awaited<ReturnType<typeof p.open>>;
          if (byDelegates) {
            // The delegates on the register when the round opens are its entitled (应到会代表), whatever the members.
            const { delegates } = await acts.countDelegates({ organizationId: c.organizationId });
            meeting = await p.open(
              mname,
              delegatesConference,
              { ruleSet: rules.id, seats, candidates: remaining, committee, delegates, round, notBefore },
              plan(c.organizationId, due),
              { round },
            );
          } else {
            if (round === 1 && patched(APPROVED_EXCLUSIONS_PATCH) && (await acts.membersOnRegister({ organizationId: c.organizationId })).onRegister) {
              approved = await fixExclusions(sfx);
            }
            // Only full members on the register at the meeting vote (§4.1 step 6): counted again when its task opens,
            // not carried from the run's start (which may be a term ago). Older histories kept the start's count.
            const fullMembers = patched(FRESH_MEMBER_COUNT_PATCH)
              ? (await acts.countFullMembers({ organizationId: c.organizationId })).fullMembers
              : c.fullMembers;
            if (approved !== undefined) {
              // The register of the meeting's day, and how many of those left out with approval were full members on
              // it that day (one who has left since is not on it to be left out): read when the ballot is recorded.
              const registerOn: Record<string, number> = {};
              const excludedOn: Record<string, number> = {};
              const exclusions = approved;
              const ballot = { ruleSet: rules.id, seats, candidates: remaining, committee, fullMembers, round, notBefore, registerOn, exclusions, excludedOn };
              meeting = await p.open(
                mname,
                membersMeeting,
                ballot,
                {
                  ...plan(c.organizationId, due),
                  confirm: async (o) => {
                    registerOn[o.meetingDate] = (await acts.fullMembersOn({ organizationId: c.organizationId, on: o.meetingDate })).fullMembers;
                    if (exclusions.length) {
                      const { members } = await acts.fullMembersAmong({
                        organizationId: c.organizationId,
                        on: o.meetingDate,
                        memberIds: exclusions.map((x) => x.memberId),
                      });
                      excludedOn[o.meetingDate] = Object.values(members).filter((n) => n !== null).length;
                    }
                  },
                },
                { round },
              );
            } else if (patched(MEETING_DAY_REGISTER_PATCH)) {
              // Read when the ballot is recorded, for the day it names; kept so that the validator refuses the same figures.
              const registerOn: Record<string, number> = {};
              const ballot = { ruleSet: rules.id, seats, candidates: remaining, committee, fullMembers, round, notBefore, registerOn };
              meeting = await p.open(
                mname,
                membersMeeting,
                ballot,
                {
                  ...plan(c.organizationId, due),
                  confirm: async (o) => {
                    registerOn[o.meetingDate] = (await acts.fullMembersOn({ organizationId: c.organizationId, on: o.meetingDate })).fullMembers;
                  },
                },
                { round },
              );
            } else {
              const ballot = { ruleSet: rules.id, seats, candidates: remaining, committee, fullMembers, round, notBefore };
              meeting = await p.open(mname, membersMeeting, ballot, plan(c.organizationId, due), { round });
            }
          }
          const { outcome: counts } = await p.outcome(
            await meeting.result,
            { step: (byDelegates ? delegatesConference : membersMeeting).step, outcome: recordedTermBallot },
            mname,
          );
          const counted = countVotes(seats, counts, rules);
          committee = [...committee, ...counted.elected];
          seats = counted.unfilledSeats;
          remaining = nextRoundCandidates(remaining, counted);
          // The new term starts on the meeting's day, as typed on the ballot; ballots recorded before it was asked for
          // carry none and keep the day they were entered.
          meetingDate = counts.meetingDate ?? shanghaiDate(Date.now());
          notBefore = meetingDate;
          // The day it was due beside the judgement: the assessment reads both (按期换届 by the meeting's day).
          await p.moveTo(
            'members-meeting-held',
            `${mname}-counted`,
            {
              ...counted,
              committee,
              round,
              meetingDate,
              dueOn: electionDueOn,
              heldOnTime: meetingDate <= electionDueOn,
              ...(byDelegates ? { body: 'delegates_conference' } : {}),
              ...(approved?.length ? { exclusions: approved } : {}),
            },
            'running',
            { verb: 'counted', round },
          );
        }
      }

      electionHeld = true;
      // Step 7: the secretary, and the result report due within the rule set's months of the meeting.
      const reportDueOn = addMonths(meetingDate, rules.resultReportMonths);
      const sec = await p.open('secretary-election', secretaryElection, { committee }, plan(c.organizationId, { on: reportDueOn }), { round: undefined });
      const { secretary } = (await p.outcome(await sec.result, secretaryElection, 'secretary-election')).outcome;
      await p.moveTo('secretary-elected', 'secretary-elected', { secretary, committee }, 'running', { verb: 'elected' });

      // Steps 7–8: report, approval (returned reports are filed again), the new term on the register.
      let approvedBy = '';
      for (let round = 1; ; round++) {
        const sfx = round === 1 ? '' : `-${round}`;
        const due: TaskDue = round === 1 ? { on: reportDueOn } : { workingDays: rules.resubmitWorkingDays };
        const report = await p.open(`result-report${sfx}`, resultReport, { secretary, committee }, plan(c.organizationId, due), { round });
        const rep = await report.result;
        await p.outcome(rep, resultReport, `result-report${sfx}`);
        await p.moveTo('result-reported', `result-report${sfx}-filed`, { report: rep.outcome }, 'running', { verb: 'filed', round });
        const approval = await p.open(
          `result-approval${sfx}`,
          resultApproval,
          { secretary, committee, report: rep.outcome },
          plan(supervisorOrg, { workingDays: rules.replyWorkingDays }),
          { round },
        );
        const { outcome: d, actor: approver } = await p.outcome(await approval.result, resultApproval, `result-approval${sfx}`);
        await p.moveTo('result-reviewed', `result-approval${sfx}-${d.decision}`, { ...d, by: approver }, 'running', { verb: d.decision, round });
        if (d.decision === 'agree') {
          approvedBy = approver;
          break;
        }
      }
      const next = await acts.renewTerm({
        workflowId: p.workflowId,
        organizationId: c.organizationId,
        startedOn: meetingDate,
        secretary,
        ruleSet: rules.id,
        at: new Date().toISOString(),
      });
      p.nextDeadline = null;
      await p.moveTo(
        'term-renewed',
        'term-renewed',
        { startedOn: meetingDate, termEndsOn: next.termEndsOn, secretary, committee, ...(next.termOrdinal ? { termOrdinal: next.termOrdinal } : {}) },
        'running',
        { verb: 'renewed' },
      );
      renewed = true;
      // The secretary approved with the new term starts a new training cycle if they are new (domain.md §4.3).
      if (patched(SECRETARY_TO_TRAINING_PATCH)) {
        await tellTrainingOfSecretary(input.organization, {
          secretary,
          by: approvedBy,
          source: p.workflowId,
          reason: `new secretary ${secretary}: term election approved`,
        });
      }
    });
  } finally {
    ended = true;
  }
  await condition(allHandlersFinished);
  // The next term's register: a fresh run carrying only the organization (the rule set in force then applies).
  if (renewed) await continueAsNew<typeof termElection>({ organization: input.organization, term: term + 1 });
}
