import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addOrganizations, orgRow, uniqueCode } from '../helpers/context.js';
import { processDriver, proposeTermCandidates, refused, timeSkippingPerTest, endProcess } from '../helpers/time-skipping.js';
import { recordHistory } from '../helpers/histories.js';
import { POSTPONEMENT_ON_REGISTER_PATCH, termElection } from '../../workflows/term-election/workflow.js';
import { machineActor } from '../../workflows/messages.js';
import { createUser } from '../../src/auth/users.js';
import { assessmentActivities } from '../../activities/assessment.js';
import { addDays, addMonths, shanghaiDate } from '../../src/domain/dates.js';

// Term elections over years, at real durations on the time-skipping server: a rule change between a
// term's start and its renewal, a postponement and the election held within it, a term left overdue. The server's
// clock starts at today's date and only moves forward, so "a term begun under the 2010 rules" is a run pinned to
// that rule set (as a run started then carries it), renewed today, under the 2018 rules.
describe('term elections across years and rule changes (time-skipping server)', () => {
  // A server and worker per test: one test's terminated runs leave nothing behind for the next.
  const t = timeSkippingPerTest();
  const sql = t.sql;
  const actor = machineActor('organizer');
  const now = async () => shanghaiDate(await t.ts.env.currentTimeMs());
  const register = async (code: string) => {
    const [o] = await sql<
      { id: number; term_started_on: Date; term_years: number; term_ends_on: Date; term_postponed_until: Date | null; secretary_name: string }[]
    >`
      select id, term_started_on, term_years, term_ends_on, term_postponed_until, secretary_name from organizations where code = ${code}`;
    return {
      id: o!.id,
      startedOn: shanghaiDate(o!.term_started_on),
      years: o!.term_years,
      endsOn: shanghaiDate(o!.term_ends_on),
      postponedUntil: o!.term_postponed_until ? shanghaiDate(o!.term_postponed_until) : null,
      secretary: o!.secretary_name,
    };
  };
  const village = async (over: Record<string, unknown>) => {
    const root = uniqueCode('R');
    const code = uniqueCode('V');
    await addOrganizations(sql, [orgRow(root, '', { type: 'committee', sector: 'regional' }), orgRow(code, root, { full_members: 20, ...over })]);
    return { root, code, workflowId: `term-election:${code}` };
  };

  it('a village elected under the Hubei 2010 rules (3 years) is renewed under the 2018 rules (5), from the day of its meeting; a tie at the last seat re-runs the tied only', async () => {
    const today = shanghaiDate(Date.now());
    const { code, workflowId } = await village({ term_years: 3, term_started_on: addMonths(today, -30) }); // ends in 6 months
    await t.worker.worker.runUntil(async () => {
      const handle = await t.ts.env.client.workflow.start(termElection, {
        workflowId,
        taskQueue: t.worker.taskQueue,
        args: [{ organization: code, ruleSet: 'hubei-2010' }],
      });
      const run = processDriver(handle, actor);
      await t.ts.env.sleep('2 days'); // past the six-month reminder: the request opens
      await proposeTermCandidates(run, 2, ['甲', '乙', '丙'], { electionDate: addMonths(today, 4) });
      await run.complete('candidates-review', { decision: 'agree' });
      const agreedOn = await now();
      await run.stepIs('members-meeting');

      // The meeting is held three months later; its counts are typed in a week after it.
      await t.ts.env.sleep('97 days');
      const held = addDays(await now(), -7);
      expect(held > agreedOn).toBe(true);
      // 20 present: 甲 elected; 乙 and 丙 tie for the last seat, each above half.
      await run.complete('members-meeting', {
        meetingDate: held,
        entitled: 20,
        present: 20,
        ballotsIssued: 20,
        ballotsReturned: 20,
        votes: { 甲: 15, 乙: 11, 丙: 11 },
      });
      const again = await run.openTask('members-meeting', 'members-meeting-r2');
      expect(again.taskKey).toBe('members-meeting-r2');
      // Only the tied stand again.
      const notOnBallot = await refused(
        run.complete(
          'members-meeting',
          { meetingDate: held, entitled: 20, present: 20, ballotsIssued: 20, ballotsReturned: 20, votes: { 甲: 12, 乙: 8 } },
          'members-meeting-r2',
        ),
      );
      expect(notOnBallot.rule).toBe('candidates');
      await run.complete(
        'members-meeting',
        { meetingDate: held, entitled: 20, present: 20, ballotsIssued: 20, ballotsReturned: 20, votes: { 乙: 12, 丙: 8 } },
        'members-meeting-r2',
      );
      await run.complete('secretary-election', { secretary: '乙' });
      await run.complete('result-report', {});
      await run.complete('result-approval', { decision: 'agree' });

      await run.waitFor('the next term', async () => (await register(code)).secretary === '乙');
      // The new term: five years (national 2018, in force on the meeting's day), from the meeting, not from data entry.
      expect(await register(code)).toMatchObject({ startedOn: held, years: 5, endsOn: addMonths(held, 60), postponedUntil: null, secretary: '乙' });
      const [renewed] = await sql<
        { detail: { startedOn: string } }[]
      >`select detail from process_events where workflow_id = ${workflowId} and event_key = 'term-renewed'`;
      expect(renewed!.detail.startedOn).toBe(held);
      await endProcess(t.ts.env.client.workflow, workflowId);
    });
  }, 120_000);

  it('a postponement approved by the supervisor is on the register and counts as on time; the election held within it renews the term and clears it', async () => {
    const today = shanghaiDate(Date.now());
    const { code, workflowId } = await village({ term_years: 5, term_started_on: addMonths(today, -56) }); // ends in 4 months
    const termEndsOn = addMonths(today, 4);
    await t.worker.worker.runUntil(async () => {
      const handle = await t.ts.env.client.workflow.start(termElection, { workflowId, taskQueue: t.worker.taskQueue, args: [{ organization: code }] });
      const run = processDriver(handle, actor);
      await run.complete('election-request', { seats: 2, postponeMonths: 6, note: '村两委班子调整中' });
      // More than the rules allow is refused before it enters history.
      expect((await refused(run.complete('election-reply', { decision: 'postpone', postponeMonths: 13, comments: '延期' }))).rule).toBe('postponement');
      await run.complete('election-reply', { decision: 'postpone', postponeMonths: 6, comments: '同意延期六个月' });
      const postponedUntil = addMonths(termEndsOn, 6);
      await run.waitFor('the postponement on the register', async () => (await register(code)).postponedUntil === postponedUntil);
      const [audit] = await sql`select changed_by, source, after from organization_changes where code = ${code} and source = 'term-election'`;
      expect(audit).toMatchObject({ changed_by: actor.username, after: { term_postponed_until: postponedUntil, reason: '同意延期六个月' } });
      await run.complete('candidates', { seats: 2, candidates: ['甲', '乙', '丙'] });
      await run.complete('candidates-review', { decision: 'agree' });

      // Two months past the term's end, within the postponement: not chased, and on time in the assessment.
      await t.ts.env.sleep('185 days');
      const day = await now();
      expect(day > termEndsOn && day < postponedUntil).toBe(true);
      expect(await sql`select event_key from process_events where workflow_id = ${workflowId} and verb = 'term-overdue'`).toEqual([]);
      const { id } = await register(code);
      const year = Number(day.slice(0, 4));
      await assessmentActivities(sql).assessYear({ year, today: day, workflowId: `term-scenarios:${code}` });
      const [score] = await sql<{ term_on_time: boolean }[]>`select term_on_time from assessment_scores where year = ${year} and organization_id = ${id}`;
      expect(score!.term_on_time).toBe(true);
      // The meeting's task is due at the end of the postponement, not of the term.
      const [meeting] = await sql<{ due_at: Date }[]>`select due_at from tasks where workflow_id = ${workflowId} and step = 'members-meeting'`;
      expect(shanghaiDate(meeting!.due_at) > termEndsOn).toBe(true);
      expect(shanghaiDate(meeting!.due_at) <= postponedUntil).toBe(true);

      const held = addDays(day, -3);
      await run.complete('members-meeting', {
        meetingDate: held,
        entitled: 20,
        present: 19,
        ballotsIssued: 19,
        ballotsReturned: 19,
        votes: { 甲: 15, 乙: 14, 丙: 3 },
      });
      const [counted] = await sql<
        { detail: { heldOnTime: boolean } }[]
      >`select detail from process_events where workflow_id = ${workflowId} and event_key = 'members-meeting-counted'`;
      expect(counted!.detail.heldOnTime).toBe(true);
      await run.complete('secretary-election', { secretary: '甲' });
      await run.complete('result-report', {});
      await run.complete('result-approval', { decision: 'agree' });
      await run.waitFor('the next term', async () => (await register(code)).secretary === '甲');
      expect(await register(code)).toMatchObject({ startedOn: held, postponedUntil: null });
      const history = await t.ts.env.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).fetchHistory();
      const patches = history.events!.flatMap((e) =>
        e.markerRecordedEventAttributes?.markerName === 'core_patch'
          ? [(JSON.parse(Buffer.from(e.markerRecordedEventAttributes.details!['patch-data']!.payloads![0]!.data!).toString()) as { id: string }).id]
          : [],
      );
      expect(patches).toContain(POSTPONEMENT_ON_REGISTER_PATCH);
      await recordHistory('term-election', workflowId, history, 'term-election.postponement');
      await endProcess(t.ts.env.client.workflow, workflowId);
    });
  }, 120_000);

  it('a term left without an election is chased 6 and 3 months before its end, then every month: its secretary and the supervising committee are told', async () => {
    const today = shanghaiDate(Date.now());
    const { root, code, workflowId } = await village({ term_years: 5, term_started_on: addMonths(today, -53) }); // ends in 7 months
    const termEndsOn = addMonths(today, 7);
    const [org, parent] = await sql<{ id: number }[]>`select id from organizations where code in (${code}, ${root}) order by (code = ${root})`;
    const user = (role: 'secretary' | 'supervisor' | 'organizer', organizationId: number) =>
      createUser(sql, { username: `${role}-${randomUUID().slice(0, 8)}`, password: 'correct horse battery', roles: [{ role, organizationId }] });
    const secretary = await user('secretary', org!.id);
    const supervisor = await user('supervisor', parent!.id);
    const organizer = await user('organizer', parent!.id);
    await t.worker.worker.runUntil(async () => {
      const handle = await t.ts.env.client.workflow.start(termElection, { workflowId, taskQueue: t.worker.taskQueue, args: [{ organization: code }] });
      const run = processDriver(handle, actor);
      await run.stepIs('term-register');
      // Six months before: the request opens; three months before: the reminder; nobody files.
      await t.ts.env.sleep('45 days');
      const request = await run.openTask('election-request');
      await t.ts.env.sleep('100 days');
      const [task] = await sql<{ id: number }[]>`select id from tasks where workflow_id = ${workflowId} and task_key = ${request.taskKey}`;
      expect((await sql`select event_key from task_events where task_id = ${task!.id} and kind = 'reminded'`).map((r) => r.event_key)).toContain('reminder-3m');
      expect(await sql`select 1 from process_events where workflow_id = ${workflowId} and verb = 'term-overdue'`).toHaveLength(0);

      // Three and a half months past the end: three monthly reminders, each to the secretary and the supervising
      // committee's supervisor and organizer, once each.
      await t.ts.env.sleep('180 days');
      expect((await now()) > addMonths(termEndsOn, 3)).toBe(true);
      expect((await now()) < addMonths(termEndsOn, 4)).toBe(true);
      const chased = await sql<{ event_key: string; detail: { monthsOverdue: number; dueOn: string } }[]>`
        select event_key, detail from process_events where workflow_id = ${workflowId} and verb = 'term-overdue' order by at`;
      expect(chased.map((e) => e.detail)).toEqual([1, 2, 3].map((n) => ({ monthsOverdue: n, dueOn: termEndsOn })));
      for (const userId of [secretary, supervisor, organizer]) {
        const notes = await sql<{ title: string }[]>`select title from notifications where user_id = ${userId} and event_key like 'term-overdue:%' order by id`;
        expect(notes.map((n) => n.title)).toEqual([1, 2, 3].map((n) => expect.stringContaining(`已逾期 ${n} 个月`)));
      }
      await handle.terminate('test done');
    });
  }, 120_000);
  // A whole term of each kind of organization that elects here, run to its next term at real durations: the new term's
  // length is the rule set's in force on the meeting's day (domain.md §4.1), and who is entitled depends on who elects.
  const kinds = [
    { kind: 'a village', meeting: 'members-meeting', over: { type: 'branch', sector: 'rural', full_members: 20 }, entitled: 20, present: 19 },
    { kind: 'a community', meeting: 'members-meeting', over: { type: 'branch', sector: 'community', full_members: 20 }, entitled: 20, present: 19 },
    {
      kind: 'a township committee (基层党委) at its delegates’ conference',
      meeting: 'delegates-conference',
      over: { type: 'committee', sector: 'regional', full_members: 800 },
      named: (code: string) => `中共测试县${code}镇委员会`,
      delegates: 150,
      ordinal: 7,
      entitled: 150,
      present: 140,
    },
  ] as const;
  for (const k of kinds) {
    it(`${k.kind}: a whole term to the next, under the rule set in force each day; titles from the step catalog; 第n届 from the register`, async () => {
      const today = shanghaiDate(Date.now());
      const { root, code, workflowId } = await village({
        ...k.over,
        term_years: 5,
        term_started_on: addMonths(today, -56),
        ...('named' in k ? { name: k.named(uniqueCode('X')) } : {}),
      });
      if ('delegates' in k) await sql`update organizations set delegates = ${k.delegates}, term_ordinal = ${k.ordinal} where code = ${code}`;
      // Whoever holds the steps is told of each task by its title.
      const ids = Object.fromEntries(
        (await sql<{ id: number; code: string }[]>`select id, code from organizations where code in (${code}, ${root})`).map((o) => [o.code, o.id]),
      );
      const holders = [
        await createUser(sql, {
          username: `secretary-${randomUUID().slice(0, 8)}`,
          password: 'correct horse battery',
          roles: [{ role: 'secretary', organizationId: ids[code]! }],
        }),
        await createUser(sql, {
          username: `supervisor-${randomUUID().slice(0, 8)}`,
          password: 'correct horse battery',
          roles: [{ role: 'supervisor', organizationId: ids[root]! }],
        }),
      ];
      const termEndsOn = addMonths(today, 4);
      await t.worker.worker.runUntil(async () => {
        const handle = await t.ts.env.client.workflow.start(termElection, { workflowId, taskQueue: t.worker.taskQueue, args: [{ organization: code }] });
        const run = processDriver(handle, actor);
        await proposeTermCandidates(run, 3, ['甲', '乙', '丙', '丁']);
        await run.complete('candidates-review', { decision: 'agree' });
        await run.stepIs(k.meeting);
        // The committee proposes 初步人选; the higher committee's review makes them 预备人选: the catalog's words.
        const titles = await sql<{ step: string; title: string }[]>`
          select t.step, n.title from notifications n join tasks t on t.id = n.task_id
          where t.workflow_id = ${workflowId} and n.kind = 'task-opened' and n.user_id = any(${holders}) order by t.id`;
        expect(titles.map((x) => [x.step, x.title])).toEqual([
          ['election-request', '新任务：换届请示'],
          ['election-reply', '新任务：换届请示批复'],
          ['candidates', '新任务：提出候选人初步人选'],
          ['candidates-review', '新任务：审查候选人初步人选'],
          [k.meeting, `新任务：${k.meeting === 'delegates-conference' ? '党员代表大会选举' : '党员大会选举'}`],
        ]);

        await t.ts.env.sleep('100 days');
        const held = addDays(await now(), -2);
        expect(held < termEndsOn).toBe(true);
        if (k.meeting === 'delegates-conference') {
          // The 800 members on the register are not the entitled: the 150 delegates are.
          const members = await refused(
            run.complete(k.meeting, {
              meetingDate: held,
              entitled: 800,
              present: 700,
              ballotsIssued: 700,
              ballotsReturned: 700,
              votes: { 甲: 600, 乙: 600, 丙: 600 },
            }),
          );
          expect(members.rule).toBe('delegates-entitled');
          // 120 of 150 is not more than 4/5.
          expect(
            (
              await refused(
                run.complete(k.meeting, {
                  meetingDate: held,
                  entitled: 150,
                  present: 120,
                  ballotsIssued: 120,
                  ballotsReturned: 120,
                  votes: { 甲: 100, 乙: 100, 丙: 100 },
                }),
              )
            ).rule,
          ).toBe('quorum');
        }
        const votes = { 甲: k.present - 1, 乙: k.present - 2, 丙: k.present - 3, 丁: 1 };
        await run.complete(k.meeting, {
          meetingDate: held,
          entitled: k.entitled,
          present: k.present,
          ballotsIssued: k.present,
          ballotsReturned: k.present,
          votes,
        });
        await run.complete('secretary-election', { secretary: '甲' });
        await run.complete('result-report', {});
        await run.complete('result-approval', { decision: 'agree' });
        await run.waitFor('the next term', async () => (await register(code)).secretary === '甲');
        // Five years under national-2018, in force on the meeting's day, from the meeting.
        expect(await register(code)).toMatchObject({ startedOn: held, years: 5, endsOn: addMonths(held, 60) });
        const lines = await sql<{ event_key: string; detail: Record<string, unknown> }[]>`
          select event_key, detail from process_events where workflow_id = ${workflowId} order by at, event_key`;
        const line = (key: string) => lines.find((l) => l.event_key === key)?.detail;
        expect(line(`${k.meeting}-counted`)).toMatchObject({ meetingDate: held, dueOn: termEndsOn, heldOnTime: true, elected: ['甲', '乙', '丙'] });
        await run.waitFor(
          'the next term’s register',
          async () => (await sql`select 1 from process_events where workflow_id = ${workflowId} and event_key = 't2:registered'`).length > 0,
        );
        const next = (
          await sql<{ detail: Record<string, unknown> }[]>`select detail from process_events where workflow_id = ${workflowId} and event_key = 't2:registered'`
        )[0]!.detail;
        if ('ordinal' in k) {
          // The organization's own numbering: its 7th term renewed into its 8th.
          expect(line('registered')).toMatchObject({ termOrdinal: 7 });
          expect(line('term-renewed')).toMatchObject({ termOrdinal: 8 });
          expect(next).toMatchObject({ termOrdinal: 8, termEndsOn: addMonths(held, 60) });
        } else {
          // No number on the register: none is invented (the run counter is not a term's number).
          expect(line('registered')).not.toHaveProperty('termOrdinal');
          expect(next).not.toHaveProperty('termOrdinal');
        }
        await endProcess(t.ts.env.client.workflow, workflowId);
      });
    }, 120_000);
  }
});
