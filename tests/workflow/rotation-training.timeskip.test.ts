import { describe, expect, it } from 'vitest';
import { addOrganizations, orgRow, uniqueCode } from '../helpers/context.js';
import { timeSkippingSuite } from '../helpers/time-skipping.js';
import { recordHistory } from '../helpers/histories.js';
import { enrolTrainingUpdate, rotationTraining } from '../../workflows/rotation-training/workflow.js';
import { completeTaskUpdate, machineActor, processStateQuery } from '../../workflows/messages.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';

describe('rotation training at real durations (time-skipping server)', () => {
  const suite = timeSkippingSuite();
  const sql = suite.sql;

  it('reminds during a three-year village cycle, escalates when it ends untrained, completes late, opens the next', async () => {
    const root = uniqueCode('R');
    const code = uniqueCode('V');
    const session = uniqueCode('S');
    await addOrganizations(sql, [orgRow(root, '', { type: 'committee', sector: 'regional' }), orgRow(code, root, { sector: 'rural' })]);
    const today = shanghaiDate(Date.now());
    const [rootRow] = await sql<{ id: number }[]>`select id from organizations where code = ${root}`;
    await sql`insert into training_sessions (code, organization_id, title, starts_on, ends_on) values (${session}, ${rootRow!.id}, '轮训班', ${addMonths(today, 37)}, ${addMonths(today, 37)})`;
    const workflowId = `rotation-training:${code}`;
    const actor = machineActor('organizer');

    await suite.ts.worker.runUntil(async () => {
      const handle = await suite.ts.env.client.workflow.start(rotationTraining, { workflowId, taskQueue: suite.ts.taskQueue, args: [{ organization: code }] });
      const firstRun = handle.firstExecutionRunId;
      for (let i = 0; i < 200 && (await handle.query(processStateQuery)).step !== 'training'; i++) await new Promise((r) => setTimeout(r, 50));
      const [task] = await sql<{ id: number; due_at: Date }[]>`select id, due_at from tasks where workflow_id = ${workflowId}`;
      expect(shanghaiDate(task!.due_at) <= addMonths(today, 36)).toBe(true);

      // Three years pass untrained: the reminders before the cycle's end, then all three escalation levels.
      await suite.ts.env.sleep('1140 days');
      const events = await sql<{ kind: string }[]>`select kind from task_events where task_id = ${task!.id} order by at, id`;
      expect(events.filter((e) => e.kind === 'reminded')).toHaveLength(3);
      expect((await sql`select level from escalations where task_id = ${task!.id} order by level`).map((e) => e.level)).toEqual([1, 2, 3]);

      // Trained late: enrolment, attendance; the cycle closes and the next one waits for its start.
      await handle.executeUpdate(enrolTrainingUpdate, { args: [{ session, sessionEndsOn: addMonths(today, 37), actor }] });
      await handle.executeUpdate(completeTaskUpdate, { args: [{ taskKey: 'c1:training', actor, outcome: { session, attended: true } }] });
      for (let i = 0; i < 200; i++) {
        const st = await handle.query(processStateQuery).catch(() => null);
        if (st?.step === 'cycle-waiting' && st.tasks.length === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const cycles = await sql<
        { cycle: number; state: string; trained_on: Date | null }[]
      >`select cycle, state, trained_on from training_cycles where workflow_id = ${workflowId} order by cycle`;
      expect(cycles.map((c) => [c.cycle, c.state])).toEqual([
        [1, 'completed'],
        [2, 'open'],
      ]);
      await recordHistory('rotation-training', workflowId, await suite.ts.env.client.workflow.getHandle(workflowId, firstRun).fetchHistory());
      await handle.terminate('end of test');
    });
  }, 240_000);
});
