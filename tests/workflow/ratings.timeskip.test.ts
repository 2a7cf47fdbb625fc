import { describe, expect, it } from 'vitest';
import { Client } from '@temporalio/client';
import { addOrganizations, countyChain, orgRow, uniqueCode } from '../helpers/context.js';
import { processDriver, refused, timeSkippingPerTest } from '../helpers/time-skipping.js';
import { recordHistory } from '../helpers/histories.js';
import { ratingInterviewId, ratingsRecompute } from '../../workflows/ratings/workflow.js';
import { machineActor } from '../../workflows/messages.js';
import { loadCalendar } from '../../src/tasks/holders.js';
import { addDays, addMonths, shanghaiDate, shanghaiInstant } from '../../src/domain/dates.js';
import { periodOf, ratingRulesFor } from '../../src/domain/ratings.js';
import { DUE_HOUR } from '../../src/domain/task-plan.js';

// Ratings kept current by the recompute (a Temporal Schedule starts ratingsRecompute; here the test starts it at
// the instants it wants), at real durations: periods are calendar months, and red in three of them in a row opens
// the 约谈 for the supervising committee's organizers.
describe('ratings: recompute, history and the 约谈 after red months in a row (time-skipping server, real durations)', () => {
  const t = timeSkippingPerTest();
  const sql = t.sql;
  const actor = machineActor('organizer');

  it('rates from the register, keeps a row per change, and opens one 约谈 in the third red month; a renewed term turns it back', async () => {
    const [county, town, late, fine] = [uniqueCode('K'), uniqueCode('T'), uniqueCode('L'), uniqueCode('G')];
    await addOrganizations(sql, [
      // The county at the tree's third level: its township's villages are villages (domain.md §2).
      ...countyChain(county).rows,
      orgRow(town, county, { type: 'committee', sector: 'regional', term_started_on: '2024-01-01' }),
      // A village whose five-year term ended in 2024 with no renewal and no postponement: 未按期换届, red.
      orgRow(late, town, { term_started_on: '2019-01-01' }),
      // A firm's branch elected last year: nothing against it, green.
      orgRow(fine, town, { sector: 'nonpublic', term_years: 3, term_started_on: addMonths(shanghaiDate(Date.now()), -12) }),
    ]);
    const idOf = async (code: string) => Number((await sql<{ id: number }[]>`select id from organizations where code = ${code}`)[0]!.id);
    const [townId, lateId, fineId] = [await idOf(town), await idOf(late), await idOf(fine)];
    const rating = async (id: number) =>
      (await sql<{ color: string; reasons: string[] }[]>`select color, reasons from ratings where organization_id = ${id}`)[0];
    const changes = async (id: number) =>
      sql<{ color: string; previous: string | null }[]>`select color, previous from rating_changes where organization_id = ${id} order by at, id`;

    await t.worker.worker.runUntil(async () => {
      // Through a client that leaves the clock locked: the test environment's own client lets the server skip time
      // while it waits for a result, and with no timer pending anywhere it skipped years.
      const plain = new Client({ connection: t.ts.env.connection, namespace: t.ts.env.namespace });
      const recompute = () =>
        plain.workflow.execute(ratingsRecompute, { workflowId: `ratings-${uniqueCode('R')}`, taskQueue: t.worker.taskQueue, args: [{ under: county }] });
      /** To the 15th of the next month (Shanghai), so that every recompute below falls in a month of its own. */
      const nextMonth = async () => {
        const now = await t.ts.env.currentTimeMs();
        const target = shanghaiInstant(addDays(addMonths(periodOf(shanghaiDate(now), ratingRulesFor(shanghaiDate(now))), 1), 14), 12).getTime();
        await t.ts.env.sleep(target - now);
      };

      const first = await recompute();
      const rules = ratingRulesFor(shanghaiDate(await t.ts.env.currentTimeMs()));
      // The county (under its prefecture), the township, the village and the firm's branch.
      expect(first).toMatchObject({ ruleSet: rules.id, rated: 4, interviews: [], interviewsStarted: 0 });
      // A village files a yearly return and is paired with an urban unit: neither is on record for this one.
      expect(await rating(lateId)).toEqual({ color: 'red', reasons: ['term-late', 'return-missing', 'village-unpaired'] });
      expect(await rating(fineId)).toEqual({ color: 'green', reasons: [] });
      expect(await rating(townId)).toEqual({ color: 'green', reasons: [] });
      // Nothing changed: no new history.
      expect((await recompute()).changed).toBe(0);
      expect(await changes(lateId)).toEqual([{ color: 'red', previous: null }]);

      expect(rules.redPeriodsForInterview).toBe(3);
      await nextMonth();
      expect(await recompute()).toMatchObject({ interviews: [], interviewsStarted: 0 });
      await nextMonth();
      const third = await recompute();
      expect(third.interviews).toEqual([{ organization: late, period: third.period }]);
      expect(third.interviewsStarted).toBe(1);
      expect(await sql`select period::text, color from rating_periods where organization_id = ${lateId} order by period`).toHaveLength(3);
      // The same month again: the 约谈 of this streak is open already, none is started twice.
      expect(await recompute()).toMatchObject({ interviews: [], interviewsStarted: 0 });

      const workflowId = ratingInterviewId(late, third.period);
      const handle = t.ts.env.client.workflow.getHandle(workflowId);
      const run = processDriver(handle, actor);
      await run.openTask('interview');
      const [task] = await sql<{ organization_id: number; assignee_role: string; opened_at: Date; due_at: Date; context: Record<string, unknown> }[]>`
        select organization_id, assignee_role, opened_at, due_at, context from tasks where workflow_id = ${workflowId}`;
      // The supervising committee's organizers hold it, due as the rule set says on the working-day calendar.
      expect(task).toMatchObject({ organization_id: townId, assignee_role: 'organizer' });
      expect(task!.context).toMatchObject({ organization: late, reasons: ['term-late', 'return-missing', 'village-unpaired'], redPeriods: 3 });
      const cal = await loadCalendar(sql);
      expect(task!.due_at.toISOString()).toBe(
        shanghaiInstant(cal.addWorkingDays(shanghaiDate(task!.opened_at), rules.interview.dueWorkingDays), DUE_HOUR).toISOString(),
      );
      expect((await sql`select interview_period::text as p from ratings where organization_id = ${lateId}`)[0]).toEqual({ p: third.period });

      const today = shanghaiDate(await t.ts.env.currentTimeMs());
      expect(await refused(run.complete('interview', { heldOn: addDays(today, 1), findings: '约谈村党支部书记' }))).toMatchObject({ rule: 'interview-held' });
      await run.complete('interview', { heldOn: today, findings: '约谈村党支部书记，承诺一个月内召开党员大会完成换届' });
      await handle.result();
      expect((await sql`select status, current_step from processes where workflow_id = ${workflowId}`)[0]).toEqual({
        status: 'completed',
        current_step: 'interviewed',
      });
      await recordHistory('rating-interview', workflowId, await handle.fetchHistory());

      // The members' meeting elects a new committee: the term is renewed and the village is no longer red.
      await sql`update organizations set term_started_on = ${today}::date where id = ${lateId}`;
      await recompute();
      expect(await rating(lateId)).toEqual({ color: 'yellow', reasons: ['return-missing', 'village-unpaired'] });
      expect(await changes(lateId)).toEqual([
        { color: 'red', previous: null },
        { color: 'yellow', previous: 'red' },
      ]);
    });
  });
});
