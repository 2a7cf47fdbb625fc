import { beforeAll, describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { addOrganizations, countyChain, orgRow, uniqueCode } from '../helpers/context.js';
import { processDriver, refused, timeSkippingPerTest } from '../helpers/time-skipping.js';
import { memberAppraisal, memberAppraisalId } from '../../workflows/member-appraisal/workflow.js';
import { machineActor } from '../../workflows/messages.js';
import { addDays, addMonths, shanghaiDate, shanghaiInstant, type IsoDate } from '../../src/domain/dates.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { personalDataKey, sealPersonalData } from '../../src/members/personal-data.js';
import { recountMembers } from '../../src/members/store.js';
import { appraisalsOf } from '../../src/member-appraisal/store.js';
import { loadCalendar } from '../../src/tasks/holders.js';

// A branch's yearly 民主评议党员 at real durations on the time-skipping server: the talks, the 组织生活会, the result
// (one member 不合格 with the vote's counts, one 优秀, everyone else on the meeting day's register 合格) — a member not
// on the register refused before anything is kept —, the township returning it once and approving it filed again;
// every member's grade kept. The 不合格 member's time to improve (six months) passes without a decision: its task
// escalates to the township and the county; the branch then records its decision and the year closes.
describe("a branch's yearly member appraisal (time-skipping server)", () => {
  const t = timeSkippingPerTest();
  const { county, rows: chain } = countyChain();
  const township = uniqueCode('T');
  const branch = uniqueCode('B');
  const key = personalDataKey('a test key of thirty-two characters or more');
  let memberIds: number[] = [];

  beforeAll(async () => {
    await addOrganizations(t.sql, [...chain, orgRow(township, county, { type: 'committee', sector: 'regional' }), orgRow(branch, township)]);
    const [o] = await t.sql<{ id: number }[]>`select id from organizations where code = ${branch}`;
    const birth = `1975${String(randomInt(1, 12)).padStart(2, '0')}${String(randomInt(10, 28))}`;
    // Five numbers in a row from a random start: five draws of their own could repeat one (the digest is unique).
    const seq = randomInt(0, 995);
    for (let i = 0; i < 5; i++) {
      await t.sql`
        insert into members ${t.sql({
          organization_id: o!.id,
          name: `评议${i}`,
          gender: 'female',
          birth_date: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6)}`,
          joined_on: '2012-07-01',
          full_on: '2013-07-01',
          category: 'full',
          ...sealPersonalData(key, withCheckDigit(`420103${birth}${String(seq + i).padStart(3, '0')}`), null),
        })}`;
    }
    memberIds = (await t.sql<{ id: string }[]>`select id from members where organization_id = ${o!.id} order by id`).map((m) => Number(m.id));
    await recountMembers(t.sql, [o!.id]);
  });

  it('talks, meeting, a result returned once then approved, a missed time to improve escalated, then decided', async () => {
    const { sql, ts } = t;
    const now = async () => ts.env.currentTimeMs();
    const today = async () => shanghaiDate(await now());
    const sleepUntil = async (d: IsoDate) => {
      const ms = shanghaiInstant(d, 10).getTime() - (await now());
      if (ms > 0) await ts.env.sleep(ms);
    };
    const planned = await today();
    const year = Number(planned.slice(0, 4));
    const reportBy = addDays(planned, 60);
    const workflowId = memberAppraisalId(branch, year);
    const task = async (taskKey: string) => {
      const [x] = await sql<{ state: string; escalation_level: number; organization_id: string; due_at: Date }[]>`
        select state, escalation_level, organization_id, due_at from tasks where workflow_id = ${workflowId} and task_key = ${taskKey}`;
      return x;
    };
    const [unqualified, excellent] = [memberIds[0]!, memberIds[1]!];

    await t.worker.worker.runUntil(async () => {
      const handle = await ts.env.client.workflow.start(memberAppraisal, {
        workflowId,
        taskQueue: t.worker.taskQueue,
        args: [{ organization: branch, year, reportBy }],
      });
      const sec = processDriver(handle, machineActor('sec'));
      const org = processDriver(handle, machineActor('township-organizer'));

      // Talks before the plan reached the branch are refused; then held a week on.
      await sec.openTask('talks');
      expect(await refused(sec.complete('talks', { talksOn: addDays(planned, -1), note: '谈心谈话' }))).toMatchObject({ rule: 'talks-on' });
      await sleepUntil(addDays(planned, 7));
      await sec.complete('talks', { talksOn: await today(), note: '书记与五名党员逐一谈心谈话' });
      await sleepUntil(addDays(planned, 14));
      const lifeMeetingOn = await today();
      await sec.complete('life-meeting', { lifeMeetingOn, topic: '对照党章党规找差距', minutes: '党员逐一开展批评与自我批评。' });

      // The result: a member not on the register, or more voters than the register, refused before anything is kept.
      await sec.openTask('appraisal');
      expect(await refused(sec.complete('appraisal', { voters: 5, rated: [{ memberId: 999_999_999, rating: 'excellent' }] }))).toMatchObject({
        rule: 'rated-not-on-register',
      });
      expect(await refused(sec.complete('appraisal', { voters: 6 }))).toMatchObject({ rule: 'voters' });
      await sec.complete('appraisal', { voters: 5, rated: [{ memberId: unqualified, rating: 'unqualified' }] });

      // The township returns it (the counts missing), due by the report day; the branch files it again, approved.
      const review = await task('appraisal-review');
      expect(review).toBeDefined();
      const [townshipRow] = await sql<{ id: string }[]>`select id from organizations where code = ${township}`;
      expect(String(review!.organization_id)).toBe(String(townshipRow!.id));
      // Due on the report day, or the working day before it when that day is a weekend or a holiday.
      expect(shanghaiDate(review!.due_at.getTime())).toBe((await loadCalendar(sql)).workdayOnOrBefore(reportBy));
      await org.complete('appraisal-review', { decision: 'return', comments: '请补充不合格党员的测评票数' });
      await sec.openTask('appraisal', 'appraisal-2');
      await sec.complete(
        'appraisal',
        {
          voters: 5,
          rated: [
            { memberId: unqualified, rating: 'unqualified', votes: { unqualified: 4, basic: 1 } },
            { memberId: excellent, rating: 'excellent' },
          ],
        },
        'appraisal-2',
      );
      await org.complete('appraisal-review', { decision: 'approve' }, 'appraisal-review-2');

      // Every member's grade kept once approved; the 不合格 member's time to improve opens, due in six months.
      const improvementKey = `improvement-${unqualified}`;
      await sec.openTask('improvement', improvementKey);
      const approvedOn = await today();
      const grades = await sql<{ member_id: string; rating: string; votes: Record<string, number> | null; improvement_due: string | null }[]>`
        select member_id, rating, votes, to_char(improvement_due, 'YYYY-MM-DD') as improvement_due
        from member_appraisals where workflow_id = ${workflowId} order by member_id`;
      expect(grades.map((g) => [Number(g.member_id), g.rating])).toEqual(
        memberIds.map((id) => [id, id === unqualified ? 'unqualified' : id === excellent ? 'excellent' : 'qualified']),
      );
      const dueOn = addMonths(approvedOn, 6);
      expect(grades[0]).toMatchObject({ votes: { unqualified: 4, basic: 1 }, improvement_due: dueOn });
      expect(await appraisalsOf(sql, unqualified)).toEqual([
        {
          year,
          rating: 'unqualified',
          votes: { unqualified: 4, basic: 1 },
          organization: { code: branch, name: expect.any(String) },
          improvement: { dueOn, decision: null, decidedOn: null },
        },
      ]);

      // Missed: the task escalates past its due day, to the township and then the county.
      await sleepUntil(addDays(dueOn, 40));
      const missed = await task(improvementKey);
      expect(missed!.state).toBe('escalated');
      expect(missed!.escalation_level).toBeGreaterThanOrEqual(2);
      await sec.complete('improvement', { decidedOn: await today(), decision: 'persuade-to-leave', note: '经教育仍无转变，提议劝其退党' }, improvementKey);
      await handle.result();
    });

    const [proc] = await sql<{ status: string; current_step: string }[]>`select status, current_step from processes where workflow_id = ${workflowId}`;
    expect(proc).toEqual({ status: 'completed', current_step: 'closed' });
    const events = (await sql<{ event_key: string }[]>`select event_key from process_events where workflow_id = ${workflowId} order by at, event_key`).map(
      (e) => e.event_key,
    );
    expect(events).toEqual(expect.arrayContaining(['planned', 'returned-1', 'approved', `improvement-${unqualified}-decided`, 'closed']));
    const [closed] = await sql<{ detail: Record<string, number> }[]>`
      select detail from process_events where workflow_id = ${workflowId} and event_key = 'closed'`;
    expect(closed!.detail).toEqual({ onRegister: 5, excellent: 1, qualified: 3, basic: 0, unqualified: 1 });
    const [decided] = await appraisalsOf(sql, unqualified);
    expect(decided!.improvement).toMatchObject({ decision: 'persuade-to-leave' });
  });
});
