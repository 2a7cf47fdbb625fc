// 组织关系转接 (domain.md §4.7): one workflow per transfer (`member-transfer:<uuid>`), started by the API once the
// sending side issued the letter (or, for a member coming from outside the province, once the receiving side recorded
// the letter they brought):
//   inside the province and from outside, the receiving organization's secretary records that the member reported
//   (or refuses the transfer) within the letter's validity; out of the province, the sending secretary records the
//   letter's receipt. Both tasks are reminded and escalated on the working-day calendar. The member's register
//   changes in the statement that completes the transfer (activities/member-transfer.ts).
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import type { TransferView } from '../../activities/member-transfer.js';
import { shanghaiDate } from '../../src/domain/dates.js';
import { acceptTransfer, transferReceipt } from '../../src/domain/member-transfer/steps.js';
import { transferRulesFor } from '../../src/domain/member-transfer/rules.js';
import { acts } from '../process-activities.js';
import { ProcessRun } from '../process-run.js';
import { memberBackSignal } from '../messages.js';

export const KIND = acceptTransfer.process;
/**
 * A transfer's workflow id, named by a UUID its row keeps: unique beyond this database (row ids repeat in another
 * database on the same Temporal namespace: a second deployment, the demo beside the tests).
 */
export const memberTransferId = (uid: string) => `${KIND}:${uid}`;

/** The member's period away ended with the move: its workflow reads so and closes what it asked for. */
async function tellAway(done: { awayWorkflowId: string | null }, actor: string): Promise<void> {
  if (!done.awayWorkflowId) return;
  await getExternalWorkflowHandle(done.awayWorkflowId)
    .signal(memberBackSignal, { actor })
    .catch(() => undefined); // ended already: nothing left to close
}

export interface MemberTransferInput {
  transfer: number;
}

export async function memberTransfer(input: MemberTransferInput): Promise<void> {
  const p = new ProcessRun({ kind: KIND, organization: String(input.transfer), prefix: '', run: 1 });
  await p.cancellable(
    async () => {
      const t: TransferView = await acts.loadTransfer({ workflowId: p.workflowId });
      // The process belongs to the side that started it: the sender, or the receiver of a member from outside.
      const home = (t.direction === 'in' ? t.to : t.from)!;
      p.at(home.id, home.path);
      const r = transferRulesFor(t.issuedOn);
      const context = {
        member: t.member,
        from: t.from?.name ?? t.outside ?? '',
        to: t.to?.name ?? t.outside ?? '',
        letterNumber: t.letterNumber ?? undefined,
        issuedOn: t.issuedOn,
        validUntil: t.validUntil,
      };
      // The rule's "today" is the day the step is recorded, months after it opened: read when the validator runs.
      const asOfNow = () => ({ ...context, today: shanghaiDate(Date.now()) });
      const deadlines = { due: { on: t.validUntil }, reminderWorkingDays: r.reminderWorkingDays, escalationWorkingDays: r.escalationWorkingDays };
      await p.moveTo('issued', 'issued', { direction: t.direction, member: t.member, from: context.from, to: context.to, letterNumber: t.letterNumber });

      if (t.direction === 'out') {
        const done = await p.perform('receipt', transferReceipt, asOfNow, { organizationId: t.from!.id, ...deadlines, titled: { about: t.member } });
        p.nextDeadline = null;
        if (done.outcome.decision === 'returned') {
          await acts.closeTransfer({
            workflowId: p.workflowId,
            state: 'returned',
            actor: done.actor,
            note: done.outcome.note ?? null,
            at: new Date().toISOString(),
          });
          return void (await p.moveTo('returned', 'returned', { note: done.outcome.note, by: done.actor }, 'completed'));
        }
        await tellAway(
          await acts.completeTransfer({ workflowId: p.workflowId, actor: done.actor, on: done.outcome.receivedOn!, at: new Date().toISOString() }),
          done.actor,
        );
        return void (await p.moveTo('completed', 'transferred-out', { receivedOn: done.outcome.receivedOn, by: done.actor }, 'completed'));
      }

      const done = await p.perform('accept', acceptTransfer, asOfNow, { organizationId: t.to!.id, ...deadlines, titled: { about: t.member } });
      p.nextDeadline = null;
      if (done.outcome.decision === 'refused') {
        await acts.closeTransfer({
          workflowId: p.workflowId,
          state: 'refused',
          actor: done.actor,
          note: done.outcome.note ?? null,
          at: new Date().toISOString(),
        });
        return void (await p.moveTo('refused', 'refused', { note: done.outcome.note, by: done.actor }, 'completed'));
      }
      await tellAway(
        await acts.completeTransfer({ workflowId: p.workflowId, actor: done.actor, on: done.outcome.reportedOn!, at: new Date().toISOString() }),
        done.actor,
      );
      await p.moveTo('completed', 'completed', { reportedOn: done.outcome.reportedOn, by: done.actor }, 'completed');
    },
    {
      // Cancelled by someone who steers the process's organization: the member stays where they were.
      before: (c) =>
        acts.closeTransfer({ workflowId: p.workflowId, state: 'cancelled', actor: c.actor.username, note: c.reason, at: new Date().toISOString() }),
    },
  );
}
