import { describe, expect, it } from 'vitest';
import { recordHistory } from '../helpers/histories.js';
import { addOrganizations, orgRow, uniqueCode } from '../helpers/context.js';
import { timeSkippingSuite, endProcess } from '../helpers/time-skipping.js';
import {
  APPROVED_EXCLUSIONS_PATCH,
  FRESH_MEMBER_COUNT_PATCH,
  MEETING_DAY_REGISTER_PATCH,
  OVERDUE_TERM_REMINDERS_PATCH,
  SECRETARY_TO_TRAINING_PATCH,
  termElection,
} from '../../workflows/term-election/workflow.js';
import { rotationTraining } from '../../workflows/rotation-training/workflow.js';
import { LOCAL_ACTIVITIES_PATCH } from '../../workflows/process-activities.js';
import { DEADLINES_AS_DATA_PATCH } from '../../workflows/human-task.js';
import { completeTaskUpdate, machineActor, processStateQuery } from '../../workflows/messages.js';
import { addDays, addMonths, shanghaiDate, shanghaiInstant } from '../../src/domain/dates.js';
import { WorkingCalendar } from '../../src/domain/calendar.js';

describe('term election at real durations (time-skipping server)', () => {
  const suite = timeSkippingSuite();
  const sql = suite.sql;

  it('register, reminders, request to approval; a term ending without an election escalates; the next term follows', async () => {
    const root = uniqueCode('R');
    const code = uniqueCode('V');
    const today = shanghaiDate(Date.now());
    // A five-year term that started four years ago ends in a year.
    await addOrganizations(sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(code, root, { term_years: 5, term_started_on: addMonths(today, -48), full_members: 20 }),
    ]);
    const termEndsOn = addMonths(today, 12);
    const workflowId = `term-election:${code}`;
    const tasksOf = () => sql<{ id: number; step: string; state: string; opened_at: Date; due_at: Date }[]>`
      select id, step, state, opened_at, due_at from tasks where workflow_id = ${workflowId} order by id`;
    const actor = machineActor('organizer');

    await suite.ts.worker.runUntil(async () => {
      const handle = await suite.ts.env.client.workflow.start(termElection, { workflowId, taskQueue: suite.ts.taskQueue, args: [{ organization: code }] });
      const firstRun = handle.firstExecutionRunId;
      /** Waits (no time passes) until the workflow has opened the step's task, and completes it. */
      const complete = async (step: string, outcome: Record<string, unknown>) => {
        for (let i = 0; i < 200; i++) {
          const st = await handle.query(processStateQuery);
          const t = st.tasks.find((x) => x.step === step && x.state !== 'done');
          if (st.step === step && t) return handle.executeUpdate(completeTaskUpdate, { args: [{ taskKey: t.taskKey, actor, outcome }] });
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`no open ${step} task`);
      };

      await suite.ts.env.sleep('150 days');
      expect(await tasksOf()).toEqual([]);
      expect((await handle.query(processStateQuery)).step).toBe('term-register');

      // Past the six-month reminder: the request task is open, opened at the reminder date, due 2 months before expiry.
      await suite.ts.env.sleep('60 days');
      const [task] = await tasksOf();
      expect(task).toMatchObject({ step: 'election-request', state: 'open' });
      expect(task!.opened_at.getTime()).toBeGreaterThanOrEqual(shanghaiInstant(addMonths(termEndsOn, -6)).getTime());
      expect(task!.opened_at.getTime()).toBeLessThan(shanghaiInstant(addMonths(termEndsOn, -6)).getTime() + 60_000);
      const dueOn = new WorkingCalendar().workdayOnOrBefore(addMonths(termEndsOn, -2));
      expect(task!.due_at.toISOString()).toBe(shanghaiInstant(dueOn, 18).toISOString());

      // Past the three-month term reminder.
      await suite.ts.env.sleep('75 days');
      const reminders = await sql`select event_key from task_events where task_id = ${task!.id} and kind = 'reminded' order by at`;
      expect(reminders.map((r) => r.event_key)).toContain('reminder-3m');

      // A wrong task key and a forbidden outcome are refused by the validators; nothing enters history.
      await expect(handle.executeUpdate(completeTaskUpdate, { args: [{ taskKey: 'no-such-task', actor }] })).rejects.toThrow();
      const refusal = await complete('election-request', { postponeMonths: 24 }).catch((e: Error) => e);
      expect((refusal as Error & { cause?: Error }).cause?.message).toMatch(/postponement of 24 months/);
      await complete('election-request', { seats: 3 });
      await complete('election-reply', { decision: 'approve' });
      await complete('candidates', { seats: 3, candidates: ['甲', '乙', '丙', '丁'] });
      await complete('candidates-review', { decision: 'agree' });

      // The members' meeting is due when the term ends; the term ends and no election is held: the task escalates
      // to the secretary (+3 working days), the supervising committee (+10) and the county (+20).
      const meetingOpen = await (async () => {
        for (let i = 0; i < 200; i++) {
          const st = await handle.query(processStateQuery);
          if (st.step === 'members-meeting') return st;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error('no meeting');
      })();
      expect(shanghaiDate(new Date(meetingOpen.nextDeadline!))).toBe(new WorkingCalendar().workdayOnOrBefore(termEndsOn));
      await suite.ts.env.sleep('130 days');
      const meeting = (await tasksOf()).find((t) => t.step === 'members-meeting')!;
      const escalations = await sql<{ level: number; role: string }[]>`select level, role from escalations where task_id = ${meeting.id} order by level`;
      expect(escalations.map((e) => e.level)).toEqual([1, 2, 3]);
      expect(escalations.map((e) => e.role)).toEqual(['secretary', 'supervisor', 'organizer']);
      expect(meeting.state).toBe('escalated');
      // 50 days past the term's end: the first monthly reminder of an overdue term, not yet the second.
      const chased = await sql<{ event_key: string; detail: { monthsOverdue: number } }[]>`
        select event_key, detail from process_events where workflow_id = ${workflowId} and verb = 'term-overdue' order by at`;
      expect(chased.map((e) => e.detail.monthsOverdue)).toEqual([1]);

      // 18 of 20 present: quorum; 乙 and 丁 below half of those present are not elected, a second round fills the seats.
      // The meetings were held ten days before the term ended and forty days after; the counts are typed in today.
      const [held, heldAgain] = [addDays(termEndsOn, -10), addDays(termEndsOn, 40)];
      await complete('members-meeting', {
        meetingDate: held,
        entitled: 20,
        present: 18,
        ballotsIssued: 18,
        ballotsReturned: 18,
        votes: { 甲: 15, 乙: 9, 丙: 12, 丁: 4 },
      });
      // A second round cannot have been held before the first.
      const early = await complete('members-meeting', {
        meetingDate: addDays(held, -1),
        entitled: 20,
        present: 19,
        ballotsIssued: 19,
        ballotsReturned: 19,
        votes: { 乙: 11, 丁: 5 },
      }).catch((e: Error & { cause?: Error }) => e.cause?.message);
      expect(early).toMatch(/before .* when this ballot could first be held/);
      await complete('members-meeting', {
        meetingDate: heldAgain,
        entitled: 20,
        present: 19,
        ballotsIssued: 19,
        ballotsReturned: 19,
        votes: { 乙: 11, 丁: 5 },
      });
      await complete('secretary-election', { secretary: '甲' });
      await complete('result-report', {});
      // The outgoing secretary's rotation training: the approved result closes its cycle (domain.md §4.3).
      const trainingId = `rotation-training:${code}`;
      const training = await suite.ts.env.client.workflow.start(rotationTraining, {
        workflowId: trainingId,
        taskQueue: suite.ts.taskQueue,
        args: [{ organization: code, secretary: '老书记' }],
      });
      for (let i = 0; i < 200 && (await training.query(processStateQuery)).step !== 'training'; i++) await new Promise((r) => setTimeout(r, 50));
      await complete('result-approval', { decision: 'agree' });

      // The first run ends by continuing as new into the next term's register; the new term starts on the day of
      // the meeting that completed the committee, not the day its counts were typed in.
      const meetingDay = heldAgain;
      expect(meetingDay < shanghaiDate(await suite.ts.env.currentTimeMs())).toBe(true);
      for (let i = 0; i < 200; i++) {
        const st = await handle.query(processStateQuery).catch(() => null);
        if (st?.step === 'term-register' && st.tasks.length === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const next = await handle.describe();
      expect(next.runId).not.toBe(firstRun);
      const [org] = await sql<{ term_started_on: Date; term_ends_on: Date; secretary_name: string }[]>`
        select term_started_on, term_ends_on, secretary_name from organizations where code = ${code}`;
      expect(shanghaiDate(org!.term_started_on)).toBe(meetingDay);
      expect(org!.secretary_name).toBe('甲');
      // The new secretary's training cycle opened at once, in their name; the outgoing one's closed.
      let cycles: { cycle: number; state: string; secretary_name: string }[] = [];
      for (let i = 0; i < 200 && cycles.length < 2; i++) {
        cycles = await sql`select cycle, state, secretary_name from training_cycles where workflow_id = ${trainingId} order by cycle`;
        if (cycles.length < 2) await new Promise((r) => setTimeout(r, 50));
      }
      expect(cycles.map((c) => [c.cycle, c.state, c.secretary_name])).toEqual([
        [1, 'closed', '老书记'],
        [2, 'open', '甲'],
      ]);
      await training.terminate('end of test');
      const [proc] = await sql`select status, current_step from processes where workflow_id = ${workflowId}`;
      expect(proc).toMatchObject({ status: 'running', current_step: 'term-register' });
      const events = (await sql`select event_key from process_events where workflow_id = ${workflowId} order by at, event_key`).map((e) => e.event_key);
      expect(events).toEqual(expect.arrayContaining(['members-meeting-counted', 'members-meeting-r2-counted', 'term-renewed', 't2:registered']));
      const [first, second] = await sql<{ detail: { meetingDate: string; heldOnTime: boolean } }[]>`
        select detail from process_events where workflow_id = ${workflowId} and event_key in ('members-meeting-counted', 'members-meeting-r2-counted') order by event_key`;
      // Each round's line carries the day the election was due beside its judgement (the assessment reads both).
      expect([first!.detail, second!.detail]).toMatchObject([
        { meetingDate: held, dueOn: termEndsOn, heldOnTime: true },
        { meetingDate: heldAgain, dueOn: termEndsOn, heldOnTime: false },
      ]);

      // Reads, projection writes, reminders and escalations all ran as local activities (markers in history, no
      // server round trip each): nothing of this run went through the activity task queue.
      const history = await suite.ts.env.client.workflow.getHandle(workflowId, firstRun).fetchHistory();
      const scheduled = history.events!.flatMap((e) =>
        e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType!.name!] : [],
      );
      expect(scheduled).toEqual([]);
      const markers = history.events!.filter((e) => e.markerRecordedEventAttributes).map((e) => e.markerRecordedEventAttributes!);
      expect(markers.filter((m) => m.markerName === 'core_local_activity').length).toBeGreaterThan(20);
      // The patches are recorded: the run took the local path for projections, left its deadlines to the sweep,
      // counted the members when the meeting opened, and asked whether its members are on the register (they are
      // not: the ballot's exclusions are typed, with no steps of their own).
      const patches = markers
        .filter((m) => m.markerName === 'core_patch')
        .map((m) => (JSON.parse(Buffer.from(m.details!['patch-data']!.payloads![0]!.data!).toString()) as { id: string }).id);
      expect([...new Set(patches)].sort()).toEqual(
        [
          DEADLINES_AS_DATA_PATCH,
          LOCAL_ACTIVITIES_PATCH,
          FRESH_MEMBER_COUNT_PATCH,
          APPROVED_EXCLUSIONS_PATCH,
          MEETING_DAY_REGISTER_PATCH,
          OVERDUE_TERM_REMINDERS_PATCH,
          SECRETARY_TO_TRAINING_PATCH,
        ].sort(),
      );
      await recordHistory('term-election', workflowId, history);
      await endProcess(suite.ts.env.client.workflow, workflowId);
    });
  }, 240_000);
});
