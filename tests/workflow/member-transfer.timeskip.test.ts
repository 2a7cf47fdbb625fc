import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addOrganizations, countyChain, orgRow, uniqueCode } from '../helpers/context.js';
import { processDriver, refused, timeSkippingPerTest } from '../helpers/time-skipping.js';
import { memberTransfer, memberTransferId } from '../../workflows/member-transfer/workflow.js';
import { machineActor } from '../../workflows/messages.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { personalDataKey, sealPersonalData } from '../../src/members/personal-data.js';

// 组织关系转接 at its real lengths on the time-skipping server: the receiving secretary does not record the member's
// report within the letter's three months; they are reminded before its last day and the task escalates past it, level
// by level up to the county (domain.md §3); the report recorded four months on moves the member in one statement.
describe('a member transfer at real durations (time-skipping server)', () => {
  const t = timeSkippingPerTest();
  const { county, rows: chain } = countyChain();
  const township = uniqueCode('T');
  const [from, to] = [uniqueCode('V'), uniqueCode('V')];

  it('reminds and escalates the receiving side until the member reports, then moves them', async () => {
    const { sql, ts } = t;
    await addOrganizations(sql, [...chain, orgRow(township, county, { type: 'committee', sector: 'regional' }), orgRow(from, township), orgRow(to, township)]);
    const orgs = new Map(
      (await sql<{ code: string; id: number }[]>`select code, id from organizations where code in ${sql([from, to])}`).map((o) => [o.code, o.id]),
    );
    const key = personalDataKey('a test key of thirty-two characters or more');
    const id = withCheckDigit('42010219800101777');
    const [m] = await sql<{ id: number }[]>`
      insert into members ${sql({
        organization_id: orgs.get(from)!,
        name: '郑五',
        gender: 'male',
        birth_date: '1980-01-01',
        joined_on: '2005-07-01',
        full_on: '2006-07-01',
        category: 'full',
        ...sealPersonalData(key, id, null),
      })} returning id`;
    const today = shanghaiDate(await ts.env.currentTimeMs());
    const validUntil = addMonths(today, 3);
    const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`select nextval(pg_get_serial_sequence('member_transfers', 'id'))::int as n`;
    const workflowId = memberTransferId(randomUUID());
    await sql`insert into member_transfers ${sql({
      id: n,
      workflow_id: workflowId,
      direction: 'within',
      member_id: m!.id,
      from_organization_id: orgs.get(from)!,
      to_organization_id: orgs.get(to)!,
      valid_until: validUntil,
      issued_by: 'sec-from',
    })}`;

    await t.worker.worker.runUntil(async () => {
      const handle = await ts.env.client.workflow.start(memberTransfer, { workflowId, taskQueue: t.worker.taskQueue, args: [{ transfer: n }] });
      const p = processDriver(handle, machineActor('organizer'));
      const task = await p.openTask('accept');
      // The task is due on the letter's last day (or the workday before it).
      expect(shanghaiDate(Date.parse(task.dueAt)) <= validUntil).toBe(true);

      await ts.env.sleep('120 days');
      const events = await sql<{ kind: string; level: number | null }[]>`
        select e.kind, (e.after->>'escalationLevel')::int as level from task_events e join tasks k on k.id = e.task_id
        where k.workflow_id = ${workflowId} and e.kind in ('reminded', 'escalated') order by e.id`;
      expect(events).toEqual([
        { kind: 'reminded', level: null },
        { kind: 'reminded', level: null },
        { kind: 'escalated', level: 1 },
        { kind: 'escalated', level: 2 },
        { kind: 'escalated', level: 3 },
      ]);
      const targets = await sql<{ level: number; role: string; code: string }[]>`
        select e.level, e.role, o.code from escalations e join tasks k on k.id = e.task_id join organizations o on o.id = e.organization_id
        where k.workflow_id = ${workflowId} order by e.level`;
      expect(targets.map((e) => [e.level, e.role, e.code])).toEqual([
        [1, 'secretary', to],
        [2, 'supervisor', township],
        [3, 'organizer', county],
      ]);
      // Still on the sending register while the receiving side has not recorded the report.
      expect((await sql`select 1 from members where id = ${m!.id} and organization_id = ${orgs.get(from)!}`).length).toBe(1);

      // Months after the task opened, the day of the report is checked against the day it is recorded.
      const now = shanghaiDate(await ts.env.currentTimeMs());
      expect(await refused(p.complete('accept', { decision: 'accepted', reportedOn: addMonths(now, 1) }))).toMatchObject({ rule: 'reported-on' });
      await p.complete('accept', { decision: 'accepted', reportedOn: now });
      await p.waitFor('completed', (s) => s.step === 'completed');
    });
    const [after] = await sql<{ organization_id: number; placed_by: string }[]>`select organization_id, placed_by from members where id = ${m!.id}`;
    expect(after).toEqual({ organization_id: orgs.get(to)!, placed_by: 'orglife' });
    const [row] = await sql<
      { state: string; reported_on: string }[]
    >`select state, to_char(reported_on, 'YYYY-MM-DD') as reported_on from member_transfers where id = ${n}`;
    expect(row!.state).toBe('completed');
  });
});
