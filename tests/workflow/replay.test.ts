import { inject, describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { recordedHistories } from '../helpers/histories.js';
import { installRuntimeLogger } from '../../src/worker.js';
import { quietLog } from '../helpers/context.js';

// Every committed history (tests/histories, recorded with ORGLIFE_RECORD_HISTORIES=1) must replay on today's
// workflow code: a change that would break running workflows fails here (guard it with patched()).
describe('recorded histories replay on the current workflow code', () => {
  it('replays each recorded workflow without nondeterminism', async () => {
    installRuntimeLogger(quietLog);
    const histories = await recordedHistories();
    expect(histories.map((h) => h.kind)).toEqual(
      expect.arrayContaining(['term-election', 'rotation-training', 'liaison-dispatch', 'two-recommendations-one-election', 'pairing', 'yearly-assessment']),
    );
    // Each process has five histories: from before the local-activities patch (every activity remote), from
    // before the local-deadlines patch (reminders and escalations remote), from before the step catalog (tasks
    // without their context, histories without words), from before deadlines became data (a timer per instant in
    // the task's workflow), and today's. The term election has more: from before the members were counted when
    // the meeting opens, from before the meeting's day, the monthly chase of an overdue term and the postponement on
    // the register; a run whose term was corrected by a re-import; and a run whose approved postponement went to
    // the register — the last two also from before deadlines became data; from before the members left out were
    // approved in steps of their own; and a run whose members' meeting counted the register less members left out
    // with the higher committee's approval.
    for (const kind of ['rotation-training', 'two-recommendations-one-election', 'pairing']) {
      expect(
        histories.filter((h) => h.kind === kind),
        kind,
      ).toHaveLength(5);
    }
    // Liaison dispatch has one more: from before visit reports fell due by the calendar quarter.
    expect(histories.filter((h) => h.kind === 'liaison-dispatch')).toHaveLength(6);
    expect(histories.filter((h) => h.kind === 'term-election')).toHaveLength(13);
    // The chase of a missing term (filled in through its task, and closed because the term arrived another way),
    // each also from before deadlines became data.
    expect(histories.filter((h) => h.kind === 'term-date-missing')).toHaveLength(4);
    // The 约谈 after red months in a row (ratings), held and recorded, today and before deadlines became data.
    expect(histories.filter((h) => h.kind === 'rating-interview')).toHaveLength(2);
    // A task re-planned for a corrected calendar: recorded with its timers, and since then with its rows swept.
    expect(histories.filter((h) => h.kind === 'task-replanned')).toHaveLength(2);
    // 发展党员 from the application to full member: today's, and from before the 入党志愿书 was a step of its own.
    expect(histories.filter((h) => h.kind === 'recruitment')).toHaveLength(2);
    const results = Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundlePath') } }, histories);
    const failures: string[] = [];
    for await (const r of results) if (r.error) failures.push(`${r.workflowId}: ${String(r.error)}`);
    expect(failures).toEqual([]);
  });
});
