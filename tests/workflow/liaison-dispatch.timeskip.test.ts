import { describe, expect, it } from 'vitest';
import { addOrganizations, orgRow, uniqueCode } from '../helpers/context.js';
import { timeSkippingSuite } from '../helpers/time-skipping.js';
import { recordHistory } from '../helpers/histories.js';
import { liaisonDispatch } from '../../workflows/liaison-dispatch/workflow.js';
import { completeTaskUpdate, machineActor, processStateQuery } from '../../workflows/messages.js';

describe('liaison dispatch at real durations (time-skipping server)', () => {
  const suite = timeSkippingSuite();
  const sql = suite.sql;

  it('escalates an unacknowledged dispatch to the organizer, then reports every quarter until the unit can establish', async () => {
    const county = uniqueCode('K');
    const unit = uniqueCode('F');
    await addOrganizations(sql, [
      orgRow(county, '', { type: 'committee', sector: 'regional' }),
      orgRow(unit, county, { type: 'unit', sector: 'nonpublic', term_years: null, term_started_on: null, full_members: 1, probationary_members: 0 }),
    ]);
    const workflowId = `liaison-dispatch:${unit}`;
    const actor = machineActor('organizer');

    await suite.ts.worker.runUntil(async () => {
      const handle = await suite.ts.env.client.workflow.start(liaisonDispatch, { workflowId, taskQueue: suite.ts.taskQueue, args: [{ organization: unit }] });
      const complete = async (step: string, outcome: Record<string, unknown> = {}) => {
        for (let i = 0; i < 200; i++) {
          const st = await handle.query(processStateQuery);
          const t = st.tasks.find((x) => x.step === step && x.state !== 'done' && x.state !== 'cancelled');
          if (st.step === step && t) return handle.executeUpdate(completeTaskUpdate, { args: [{ taskKey: t.taskKey, actor, outcome }] });
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`no open ${step} task`);
      };
      const stepIs = async (want: string) => {
        for (let i = 0; i < 200; i++) {
          if ((await handle.query(processStateQuery)).step === want) return;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`not at ${want}`);
      };

      await complete('assign-officer', { officer: 'officer-li' });
      await stepIs('acknowledge');
      // The officer does not acknowledge: +3 working days to the dispatching organizer, then the supervisor, then the county.
      await suite.ts.env.sleep('45 days');
      const [ack] = await sql<{ id: number }[]>`select id from tasks where workflow_id = ${workflowId} and step = 'acknowledge'`;
      const esc = await sql<{ level: number; role: string }[]>`select level, role from escalations where task_id = ${ack!.id} order by level`;
      expect(esc.map((e) => [e.level, e.role])).toEqual([[1, 'organizer'], [2, 'supervisor'], [3, 'organizer']]);
      await complete('acknowledge');
      await complete('training');

      // A visit report each quarter: no task before the quarter ends, one after.
      await stepIs('visiting');
      await suite.ts.env.sleep('80 days');
      expect((await handle.query(processStateQuery)).step).toBe('visiting');
      await suite.ts.env.sleep('15 days');
      await complete('visit-report', { visitedOn: '2027-01-01', fullMembers: 2 });
      await stepIs('visiting');
      await suite.ts.env.sleep('95 days');
      await complete('visit-report', { visitedOn: '2027-04-01', fullMembers: 3 });
      await stepIs('establishment-request');
      const reports = await sql`select task_key from tasks where workflow_id = ${workflowId} and step = 'visit-report' order by id`;
      expect(reports.map((r) => r.task_key)).toEqual(['a1:visit-report-1', 'a1:visit-report-2']);
      const [d] = await sql`select state, full_members from liaison_dispatches where workflow_id = ${workflowId}`;
      expect(d).toMatchObject({ state: 'establishing', full_members: 3 });

      await recordHistory('liaison-dispatch', workflowId, await handle.fetchHistory());
      await handle.terminate('end of test');
    });
  }, 240_000);
});
