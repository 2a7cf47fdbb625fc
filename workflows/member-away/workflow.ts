// A period away (domain.md §4.7), one workflow per period (`member-away:<uuid>`), started by the API when a register's
// keeper records a member as away (流动党员) or abroad, and told when the period ends (the `memberBack` signal, sent by
// the API with the status that ends it):
//   away: after the rule set's months away (six), the secretary decides whether the member's 组织关系 moves to where
//   they are; each year of the period, the member files their report (the secretary records it for one who cannot);
//   abroad: every six months, the secretary records a contact with the member.
// Each is a task on the working-day calendar with reminders and escalation. When the period ends, its open task is
// closed and the workflow ends.
import { condition, patched, setHandler } from '@temporalio/workflow';
import { addMonths, shanghaiDate, shanghaiInstant, type IsoDate } from '../../src/domain/dates.js';
import { abroadContact, awayReport, transferProposal } from '../../src/domain/member-away/steps.js';
import { awayRulesFor } from '../../src/domain/member-away/rules.js';
import type { AwayView } from '../../activities/member-away.js';
import { acts } from '../process-activities.js';
import type { HumanTaskResult } from '../human-task.js';
import { ProcessRun } from '../process-run.js';
import { memberBackSignal } from '../messages.js';

export const KIND = awayReport.process;
/** A period's workflow id, named by a UUID its row keeps: unique beyond this database (as memberTransferId). */
export const memberAwayId = (uid: string) => `${KIND}:${uid}`;

/** A report opened for the member themself reads who they sign in as first: runs that began before record no such read. */
export const OWN_REPORT_PATCH = 'member-away-own-report';

export interface MemberAwayInput {
  away: number;
}

export async function memberAway(input: MemberAwayInput): Promise<void> {
  const p = new ProcessRun({ kind: KIND, organization: String(input.away), prefix: '', run: 1 });
  let nudged = false;
  let by: string | undefined;
  setHandler(memberBackSignal, ({ actor }) => {
    nudged = true;
    by ??= actor;
  });

  await p.cancellable(async () => {
    const a: AwayView = await acts.loadAway({ workflowId: p.workflowId });
    p.at(a.organizationId, a.orgPath);
    const r = awayRulesFor(a.since);
    await p.moveTo(a.kind, 'registered', { place: a.place, since: a.since });
    const context = () => ({ member: a.member, place: a.place, since: a.since, today: shanghaiDate(Date.now()) });
    const deadlines = { due: { workingDays: r.dueWorkingDays }, reminderWorkingDays: r.reminderWorkingDays, escalationWorkingDays: r.escalationWorkingDays };

    // What the period asks for, in the order it falls due: each opens on its day (at once when that day has passed).
    const asks =
      a.kind === 'away'
        ? (n: number) =>
            n === 0
              ? { name: 'transfer-proposal', def: transferProposal, on: addMonths(a.since, r.transferAfterMonths) }
              : { name: `report-${n}`, def: awayReport, on: addMonths(a.since, r.reportEveryMonths * n) }
        : (n: number) => ({ name: `contact-${n + 1}`, def: abroadContact, on: addMonths(a.since, r.abroadContactEveryMonths * (n + 1)) });

    // A signal only says "look again": the period has ended when the register says so.
    const over = async () => {
      nudged = false;
      return (await acts.loadAway({ workflowId: p.workflowId })).endedOn !== null;
    };
    periods: for (let n = 0; ; n++) {
      const ask = asks(n);
      const opensAt = shanghaiInstant(ask.on as IsoDate, 9).getTime();
      while (Date.now() < opensAt) {
        await condition(() => nudged, Math.max(opensAt - Date.now(), 1));
        if (nudged && (await over())) break periods;
      }
      // The report is the member's own (when they sign in): read again as it opens, a link made since then counts.
      const user = ask.def === awayReport && patched(OWN_REPORT_PATCH) ? (await acts.loadAway({ workflowId: p.workflowId })).user : undefined;
      const opened = await p.open(ask.name, ask.def as typeof awayReport, context, {
        organizationId: a.organizationId,
        ...deadlines,
        titled: { about: a.member },
        ...(user ? { assigneePerson: user } : {}),
      });
      let result: HumanTaskResult | undefined;
      opened.result.then((x) => (result = x)).catch(() => undefined);
      for (;;) {
        await condition(() => result !== undefined || nudged);
        if (result) break;
        if (await over()) break periods;
      }
      await p.outcome(result, ask.def as typeof awayReport, ask.name);
    }
    await acts.closeCycleTasks({ workflowId: p.workflowId, taskKeyPrefix: '', actor: by ?? 'orglife', reason: '外出结束', at: new Date().toISOString() });
    p.nextDeadline = null;
    await p.moveTo('back', 'back', { by }, 'completed');
  });
}
