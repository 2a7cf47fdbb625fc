import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, orgRow, testSql, uniqueCode, uniqueCodes } from '../helpers/context.js';
import { assessmentActivities } from '../../activities/assessment.js';
import { shanghaiDate } from '../../src/domain/dates.js';

// 按期换届 in the yearly assessment (domain.md §4.6) is judged by the members' meeting the term election recorded
// (its day, the day it was due, heldOnTime), not by the register as it stands on 31 December: an election held on
// time with its approval still pending is on time, one held ten months late and approved by December is not. The
// history lines are written here as the term election's recordStep writes them; tests/workflow/term-election
// shows the workflow writing them. A past year, so the day assessed is fixed (31 December).
describe('terms on time in the yearly assessment', () => {
  const sql = testSql();
  const y = 2022;
  const { county, rows: chain } = countyChain();
  const town = uniqueCode('T');
  const [pending, lateApproved, lateUnrecordedDue, unheld, postponed, lastYear] = uniqueCodes('V', 'V', 'V', 'V', 'V', 'V');
  const idOf = async (code: string) => (await sql<{ id: number }[]>`select id from organizations where code = ${code}`)[0]!.id;
  /** One term election's history lines, as its run recorded them (run 1). */
  const recorded = async (code: string, events: { key: string; step: string; detail: Record<string, unknown>; verb?: string }[]) => {
    const workflowId = `term-election:${code}`;
    await sql`insert into processes (workflow_id, kind, organization_id, status, current_step) values (${workflowId}, 'term-election', ${await idOf(code)}, 'running', 'result-approval')`;
    for (const [i, e] of events.entries()) {
      await sql`insert into process_events (workflow_id, event_key, at, step, detail, verb, run)
                values (${workflowId}, ${e.key}, ${new Date(Date.UTC(y, 0, 1) + i * 60_000)}, ${e.step}, ${sql.json(e.detail as never)}, ${e.verb ?? null}, 1)`;
    }
  };

  beforeAll(async () => {
    await addOrganizations(sql, [
      ...chain,
      orgRow(town, county, { type: 'committee', sector: 'regional' }),
      // Its term ended on 1 March; the meeting was held on 20 February; the result awaits approval (the register unchanged).
      orgRow(pending, town, { term_years: 5, term_started_on: `${y - 5}-03-01` }),
      // Its term ended on 1 February; the meeting was held on 1 December and approved: the register shows the new term.
      orgRow(lateApproved, town, { term_years: 5, term_started_on: `${y}-12-01` }),
      // The same, recorded before the meeting's line carried the day due: the run's own term end says it.
      orgRow(lateUnrecordedDue, town, { term_years: 5, term_started_on: `${y}-06-01` }),
      // Its term ended on 1 May and no meeting was held.
      orgRow(unheld, town, { term_years: 5, term_started_on: `${y - 5}-05-01` }),
      // Its term ended on 1 October, its election postponed to next January: not due this year.
      orgRow(postponed, town, { term_years: 5, term_started_on: `${y - 5}-10-01` }),
      // Its election was held late last year: this year's record is clean.
      orgRow(lastYear, town, { term_years: 5, term_started_on: `${y - 1}-10-01` }),
    ]);
    await sql`update organizations set term_postponed_until = ${`${y + 1}-01-01`} where code = ${postponed}`;
    const counted = (meetingDate: string, extra: Record<string, unknown>) => ({
      key: 'members-meeting-counted',
      step: 'members-meeting-held',
      detail: { elected: ['甲'], committee: ['甲'], round: 1, meetingDate, ...extra },
    });
    await recorded(pending, [counted(`${y}-02-20`, { dueOn: `${y}-03-01`, heldOnTime: true })]);
    await recorded(lateApproved, [
      counted(`${y}-12-01`, { dueOn: `${y}-02-01`, heldOnTime: false }),
      { key: 'term-renewed', step: 'term-renewed', detail: { startedOn: `${y}-12-01`, termEndsOn: `${y + 5}-12-01`, secretary: '甲' } },
    ]);
    await recorded(lateUnrecordedDue, [
      { key: 'registered', step: 'term-register', detail: { termEndsOn: `${y}-01-15`, term: 1 } },
      { key: 'election-reply-postpone', step: 'election-replied', detail: { decision: 'postpone', postponeMonths: 2 }, verb: 'postpone' },
      counted(`${y}-06-01`, { heldOnTime: false }),
      { key: 'term-renewed', step: 'term-renewed', detail: { startedOn: `${y}-06-01`, termEndsOn: `${y + 5}-06-01`, secretary: '甲' } },
    ]);
    await recorded(lastYear, [counted(`${y - 1}-10-01`, { dueOn: `${y - 1}-03-01`, heldOnTime: false })]);
  });
  afterAll(async () => sql.end());

  it('judges each election due in the year by its meeting: on time with the approval pending, late though approved', async () => {
    await assessmentActivities(sql).assessYear({ year: y, today: shanghaiDate(Date.now()), workflowId: `test-${uniqueCode('A')}` });
    const rows = await sql<{ code: string; term_on_time: boolean }[]>`
      select o.code, s.term_on_time from assessment_scores s join organizations o on o.id = s.organization_id
      where s.year = ${y} and o.code in ${sql([pending, lateApproved, lateUnrecordedDue, unheld, postponed, lastYear])}`;
    const by = Object.fromEntries(rows.map((r) => [r.code, r.term_on_time]));
    expect(by).toEqual({ [pending]: true, [lateApproved]: false, [lateUnrecordedDue]: false, [unheld]: false, [postponed]: true, [lastYear]: true });
  });
});
