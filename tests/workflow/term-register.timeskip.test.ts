import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addOrganizations, orgRow, uniqueCode } from '../helpers/context.js';
import { processDriver, proposeTermCandidates, refused, timeSkippingPerTest } from '../helpers/time-skipping.js';
import { termElection } from '../../workflows/term-election/workflow.js';
import { recordHistory } from '../helpers/histories.js';
import { correctTermUpdate, machineActor } from '../../workflows/messages.js';
import { importOrganizations, type TermCorrection } from '../../src/organizations/import/import.js';
import { createUser } from '../../src/auth/users.js';
import { addMonths, shanghaiDate, shanghaiInstant } from '../../src/domain/dates.js';
import { WorkingCalendar } from '../../src/domain/calendar.js';

const HEADER = 'code,parent_code,name,type,sector,term_years,term_started_on,secretary_name,secretary_phone,full_members,probationary_members';

// The term register has one owner while a term election runs: a re-import in the middle of the run
// reaches the workflow as a correction that moves its reminders, or is refused when it is older than what the run
// recorded; the ballot is checked against the members on the register when the meeting's task opens; the term
// reminders reach the request's holders.
describe('the term register while its election runs (time-skipping server, real durations)', () => {
  // A server and worker per test: one test's terminated runs leave nothing behind for the next.
  const t = timeSkippingPerTest();
  const sql = t.sql;
  const actor = machineActor('organizer');

  it('a re-import mid-run: a newer term re-plans the reminders and the request, an older one is refused, the 3-month reminder is sent', async () => {
    const root = uniqueCode('R');
    const code = uniqueCode('V');
    const today = shanghaiDate(Date.now());
    const started = addMonths(today, -48); // a five-year term ending in 12 months
    const corrected = addMonths(today, -46); // the county's corrected date: the term ends 2 months later
    await addOrganizations(sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(code, root, { term_years: 5, term_started_on: started, full_members: 20 }),
    ]);
    const [org] = await sql<{ id: number }[]>`select id from organizations where code = ${code}`;
    const secretaryUser = `sec-${randomUUID().slice(0, 8)}`;
    const userId = await createUser(sql, {
      username: secretaryUser,
      password: 'correct horse battery',
      roles: [{ role: 'secretary', organizationId: org!.id }],
    });
    const workflowId = `term-election:${code}`;
    const row = (start: string, name = `测试党组织${code}`) => `${code},${root},${name},branch,rural,5,${start},张伟,13800000000,20,2`;
    const file = (...rows: string[]) => Readable.from([`${[HEADER, ...rows].join('\n')}\n`]);

    await t.worker.worker.runUntil(async () => {
      const handle = await t.ts.env.client.workflow.start(termElection, { workflowId, taskQueue: t.worker.taskQueue, args: [{ organization: code }] });
      const run = processDriver(handle, actor);
      const correctTerm = async ({ workflowId: id, updateId, ...c }: TermCorrection) => {
        await t.ts.env.client.workflow.getHandle(id).executeUpdate(correctTermUpdate, { args: [{ ...c, actor }], updateId });
      };
      const reimport = (source: string, ...rows: string[]) =>
        importOrganizations(sql, file(...rows), { principal: null, actor: 'organizer', source, correctTerm });
      const register = async () => {
        const [o] = await sql<
          { term_started_on: Date; term_ends_on: Date; name: string }[]
        >`select term_started_on, term_ends_on, name from organizations where code = ${code}`;
        return { startedOn: shanghaiDate(o!.term_started_on), endsOn: shanghaiDate(o!.term_ends_on), name: o!.name };
      };
      await run.stepIs('term-register');
      await t.ts.env.sleep('30 days');

      // The county's spreadsheet carries a corrected (newer) term start and a new name: the name is the import's
      // to write, the term goes to the running election, which writes the register and moves its plan.
      const fixed = await reimport('county-fixed.csv', row(corrected, '更名后的支部'));
      expect(fixed).toMatchObject({ created: 0, updated: 1, unchanged: 0, refused: [] });
      expect(fixed.routed).toEqual([{ row: 2, code, workflowId, columns: ['term_started_on'], status: 'applied' }]);
      expect(await register()).toEqual({ startedOn: corrected, endsOn: addMonths(corrected, 60), name: '更名后的支部' });
      const newEnd = addMonths(corrected, 60);
      expect((await run.state()).nextDeadline).toBe(shanghaiInstant(newEnd, 0).toISOString());
      const [audit] =
        await sql`select changed_by, source, before, after from organization_changes where code = ${code} and source like 'county-fixed.csv row%'`;
      expect(audit).toMatchObject({ changed_by: 'organizer', before: { term_started_on: started }, after: { term_started_on: corrected } });

      // Past the old six-month reminder: nothing yet, the run waits for the corrected term's.
      await t.ts.env.sleep('165 days'); // day 195
      expect(await sql`select id from tasks where workflow_id = ${workflowId}`).toHaveLength(0);
      await t.ts.env.sleep('60 days'); // day 255, past the new six-month point (about day 243)
      const [request] = await sql<
        { id: number; opened_at: Date; due_at: Date }[]
      >`select id, opened_at, due_at from tasks where workflow_id = ${workflowId} and step = 'election-request'`;
      expect(request).toBeDefined();
      expect(request!.opened_at.getTime()).toBeGreaterThanOrEqual(shanghaiInstant(addMonths(newEnd, -6)).getTime());
      expect(request!.due_at.toISOString()).toBe(shanghaiInstant(new WorkingCalendar().workdayOnOrBefore(addMonths(newEnd, -2)), 18).toISOString());

      // The old spreadsheet again: its term is older than the one the run recorded. Refused by row and column,
      // the register keeps the process's term; the rest of the row (the old name) is written.
      const stale = await reimport('county-old.csv', row(started));
      expect(stale.routed).toEqual([]);
      expect(stale.refused).toEqual([{ row: 2, column: 'term_started_on', message: expect.stringMatching(/not newer/) }]);
      expect(stale.updated).toBe(1);
      expect(await register()).toEqual({ startedOn: corrected, endsOn: newEnd, name: `测试党组织${code}` });

      // The three-month term reminder reaches the request's holder (the secretary) as a notification.
      await t.ts.env.sleep('85 days'); // day 340, past the new three-month point (about day 334)
      const reminded = await sql`select event_key from task_events where task_id = ${request!.id} and kind = 'reminded'`;
      expect(reminded.map((r) => r.event_key)).toContain('reminder-3m');
      const notes = await sql`select kind, title from notifications where user_id = ${userId} and event_key = ${`task:${request!.id}:reminder-3m`}`;
      expect(notes).toEqual([expect.objectContaining({ kind: 'reminder' })]);

      // Once the request is filed the election is under way: a correction is refused by the workflow and reported on its row.
      await run.complete('election-request', { seats: 3 });
      const late = await reimport('county-late.csv', row(addMonths(corrected, 1)));
      expect(late.routed).toEqual([expect.objectContaining({ row: 2, status: 'failed', message: expect.stringMatching(/under way/) })]);
      expect((await register()).startedOn).toBe(corrected);
      await expect(
        refused(handle.executeUpdate(correctTermUpdate, { args: [{ actor, reason: '更正', startedOn: today, termYears: 5, source: 'test' }] })),
      ).resolves.toMatchObject({ message: expect.stringMatching(/under way/) });
      await recordHistory('term-election', workflowId, await handle.fetchHistory(), 'term-election.term-correction');
      await handle.terminate('test done');
    });
  });

  it('a corrected term while the request is open moves its due date, recorded as an extension with who and why', async () => {
    const root = uniqueCode('R');
    const code = uniqueCode('V');
    const today = shanghaiDate(Date.now());
    const started = addMonths(today, -56); // ends in 4 months: the request opens at once
    const corrected = addMonths(today, -55);
    await addOrganizations(sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(code, root, { term_years: 5, term_started_on: started, full_members: 20 }),
    ]);
    const workflowId = `term-election:${code}`;
    await t.worker.worker.runUntil(async () => {
      const handle = await t.ts.env.client.workflow.start(termElection, { workflowId, taskQueue: t.worker.taskQueue, args: [{ organization: code }] });
      const run = processDriver(handle, actor);
      const request = await run.openTask('election-request');
      const r = await handle.executeUpdate(correctTermUpdate, {
        args: [{ actor, reason: '县委组织部更正任期起始日', startedOn: corrected, termYears: 5, source: 'county.csv row 7' }],
      });
      const newEnd = addMonths(corrected, 60);
      expect(r).toEqual({ termEndsOn: newEnd });
      const dueAt = shanghaiInstant(new WorkingCalendar().workdayOnOrBefore(addMonths(newEnd, -2)), 18).toISOString();
      const [task] = await sql<
        { id: number; due_at: Date }[]
      >`select id, due_at from tasks where workflow_id = ${workflowId} and task_key = ${request.taskKey}`;
      expect(task!.due_at.toISOString()).toBe(dueAt);
      const [ext] = await sql`select kind, actor, reason from task_events where task_id = ${task!.id} and kind = 'extended'`;
      expect(ext).toMatchObject({ actor: 'organizer', reason: '县委组织部更正任期起始日' });
      const state = await run.state();
      expect(state.nextDeadline).toBe(dueAt);
      expect(state.tasks.find((t) => t.taskKey === request.taskKey)!.dueAt).toBe(dueAt);
      const [ev] = await sql`select detail from process_events where workflow_id = ${workflowId} and event_key = 'term-corrected-1'`;
      expect(ev!.detail).toMatchObject({ startedOn: corrected, termEndsOn: newEnd, source: 'county.csv row 7', by: 'organizer' });
      await handle.terminate('test done');
    });
  });

  it('checks the ballot against the full members on the register when the meeting opens, not when the run started', async () => {
    const root = uniqueCode('R');
    const code = uniqueCode('V');
    const today = shanghaiDate(Date.now());
    // The term ends in 4 months: the request opens at once. 20 full members when the run starts.
    await addOrganizations(sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(code, root, { term_years: 5, term_started_on: addMonths(today, -56), full_members: 20 }),
    ]);
    const workflowId = `term-election:${code}`;
    await t.worker.worker.runUntil(async () => {
      const handle = await t.ts.env.client.workflow.start(termElection, { workflowId, taskQueue: t.worker.taskQueue, args: [{ organization: code }] });
      const run = processDriver(handle, actor);
      await proposeTermCandidates(run, 3, ['甲', '乙', '丙', '丁']);
      await t.ts.env.sleep('20 days');
      // Five members are admitted to full membership before the meeting (the member register is the import's).
      await sql`update organizations set full_members = 25 where code = ${code}`;
      await run.complete('candidates-review', { decision: 'agree' });
      await run.stepIs('members-meeting');
      const [meeting] = await sql<
        { context: { fullMembers: number } }[]
      >`select context from tasks where workflow_id = ${workflowId} and step = 'members-meeting'`;
      expect(meeting!.context.fullMembers).toBe(25);
      // 25 entitled, 21 present (> 4/5 of 25): a valid ballot, which the count of the run's start (20) refused.
      await run.complete('members-meeting', {
        meetingDate: shanghaiDate(await t.ts.env.currentTimeMs()),
        entitled: 25,
        present: 21,
        ballotsIssued: 21,
        ballotsReturned: 21,
        votes: { 甲: 18, 乙: 17, 丙: 16, 丁: 3 },
      });
      await run.stepIs('secretary-election');
      await handle.terminate('test done');
    });
  });
});
