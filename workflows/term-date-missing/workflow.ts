// A term date missing from the register (domain.md §3, §4.1 step 1): an organization that should have a term on
// the register and has none is itself chased. One workflow per organization (`term-date-missing:<code>`), started
// by the daily sweep below (a Temporal Schedule, src/processes/term-schedule.ts):
//   the organizer of the supervising committee gets a task (补录届期信息) with reminders and escalations; the term
//   entered is written to the register, audited. If the term arrives another way first (an import), the workflow
//   is told (the termRecorded signal, from the import or the next sweep), closes its task and ends.
import {
  condition,
  defineSignal,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  setHandler,
  startChild,
  WorkflowIdReusePolicy,
  continueAsNew,
  workflowInfo,
} from '@temporalio/workflow';
import type { TermDateContext } from '../../activities/term-date-missing.js';
import { shanghaiDate } from '../../src/domain/dates.js';
import { acts, sweepActs, type SweepPage } from '../process-activities.js';
import type { HumanTaskResult } from '../human-task.js';
import { ProcessRun } from '../process-run.js';
import { fillInTerm } from '../../src/domain/term-date-missing/steps.js';
import { termDateRulesFor } from '../../src/domain/term-date-missing/rules.js';

export const KIND = fillInTerm.process;
export const termDateMissingId = (organization: string) => `${KIND}:${organization}`;

export interface TermDateMissingInput {
  organization: string;
}

/** The term is on the register now (written by an import or another path): the chase has nothing left to ask. */
export const termRecordedSignal = defineSignal<[{ source: string }]>('termRecorded');

export async function termDateMissing(input: TermDateMissingInput): Promise<void> {
  const p = new ProcessRun({ kind: KIND, organization: input.organization, prefix: '', run: 1 });
  let recordedBy: string | undefined;
  setHandler(termRecordedSignal, ({ source }) => {
    recordedBy ??= source;
  });

  await p.cancellable(async () => {
    const c: TermDateContext = await acts.loadTermDateContext({ organization: input.organization });
    p.at(c.organizationId, c.orgPath);
    const today = shanghaiDate(Date.now());
    if (c.termStartedOn !== null) return void (await p.moveTo('term-recorded', 'already-recorded', { termStartedOn: c.termStartedOn }, 'completed'));
    const r = termDateRulesFor(today);
    await p.moveTo('term-missing', 'missing', { ruleSet: r.id });

    const opened = await p.open(
      'fill-in',
      fillInTerm,
      { organization: c.code, organizationName: c.name, today, type: c.type, sector: c.sector },
      {
        organizationId: c.parentId,
        due: { workingDays: r.dueWorkingDays },
        reminderWorkingDays: r.reminderWorkingDays,
        escalationWorkingDays: r.escalationWorkingDays,
        titled: { about: c.name },
      },
    );
    let result: HumanTaskResult | undefined;
    opened.result.then((x) => (result = x)).catch(() => undefined);
    // A signal only says "look again": the register is read, so a stray or early signal closes nothing.
    for (;;) {
      await condition(() => result !== undefined || recordedBy !== undefined);
      if (result) break;
      const { termStartedOn } = await acts.readRegisteredTerm({ organizationId: c.organizationId });
      if (termStartedOn !== null) {
        const reason = `届期信息已录入（${recordedBy}）`;
        await acts.closeCycleTasks({ workflowId: p.workflowId, taskKeyPrefix: p.key('fill-in'), actor: 'orglife', reason, at: new Date().toISOString() });
        p.nextDeadline = null;
        return void (await p.moveTo('term-recorded', 'recorded-elsewhere', { termStartedOn, source: recordedBy }, 'completed'));
      }
      recordedBy = undefined;
    }
    const { outcome: o } = await p.outcome(result, fillInTerm, 'fill-in');
    const w = await acts.recordMissingTerm({
      organizationId: c.organizationId,
      startedOn: o.termStartedOn,
      termYears: o.termYears,
      secretary: o.secretary,
      actor: result.actor,
      source: `${p.workflowId} fill-in`,
      at: new Date().toISOString(),
    });
    p.nextDeadline = null;
    await p.moveTo('term-recorded', 'recorded', { ...o, termEndsOn: w.termEndsOn, written: w.written, by: result.actor }, 'completed');
  });
}

export type TermDateSweepInput = SweepPage;

/**
 * The daily sweep: a chase for every organization lacking a term that has none running, and a nudge to each
 * running chase whose organization got its term another way. Chases outlive the sweep (abandoned children).
 */
export async function termDateSweep(input: TermDateSweepInput = {}): Promise<{ started: number; nudged: number }> {
  const page = input.page ?? 200;
  const work = await sweepActs.findTermDateWork({ under: input.under, afterId: input.afterId ?? 0, limit: page });
  let nudged = 0;
  for (const id of work.recorded) {
    await getExternalWorkflowHandle(id)
      .signal(termRecordedSignal, { source: `sweep ${workflowInfo().workflowId}` })
      .then(
        () => nudged++,
        () => undefined, // ended meanwhile: nothing to close
      );
  }
  let started = 0;
  for (const o of work.missing) {
    try {
      await startChild(termDateMissing, {
        workflowId: termDateMissingId(o.code),
        args: [{ organization: o.code }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        // A chase that ended (the term came, or a person cancelled it) starts again while the term is missing.
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      });
      started++;
    } catch (err) {
      if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
    }
  }
  if (work.missing.length === page) {
    await continueAsNew<typeof termDateSweep>({ ...input, afterId: work.missing[work.missing.length - 1]!.id });
  }
  return { started, nudged };
}
