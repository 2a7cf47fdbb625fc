import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { addOrganizations, committee, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { shanghaiInstant } from '../../src/domain/dates.js';

// The working-day calendar as people see it: the deadlines feed read by a third-party iCalendar parser (ical.js,
// not the ical-generator that writes it), and holiday data loaded by an admin for the years the package lacks.
describe('calendar', () => {
  let s: Stack;
  const [root, village] = [uniqueCode('CR'), uniqueCode('CV')];
  let orgId: number;

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [orgRow(root, '', committee), orgRow(village, root)]);
    orgId = (await s.sql<{ id: number }[]>`select id from organizations where code = ${village}`)[0]!.id;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('puts each deadline in the feed at its instant: a third-party parser reads the event’s end as the task’s due time, whatever the host’s zone', async () => {
    const secretary = await s.userWith([{ role: 'secretary', org: village }]);
    // Due 18:00 Beijing time (10:00 UTC), and one due at 00:30 Beijing time (the previous day in UTC).
    const due = [shanghaiInstant('2026-12-15', 18), shanghaiInstant('2027-03-02', 0, 30)];
    const ids: number[] = [];
    for (const [i, d] of due.entries()) {
      const [row] = await s.sql<{ id: number }[]>`
        insert into tasks (workflow_id, task_key, process, step, organization_id, assignee_role, state, opened_at, due_at)
        values (${`feed:${village}`}, ${`t${i}`}, 'term-election', 'election-request', ${orgId}, 'secretary', 'open', now(), ${d}) returning id`;
      ids.push(row!.id);
    }
    const { url } = (await s.app.inject({ method: 'POST', url: '/api/v1/calendar/token', headers: { authorization: secretary.authorization } })).json();
    const hostZone = process.env.TZ;
    try {
      for (const zone of ['UTC', 'Asia/Shanghai', 'America/New_York']) {
        process.env.TZ = zone; // the zone of the host that writes the feed
        const feed = await s.app.inject({ url });
        expect(feed.statusCode, feed.body).toBe(200);
        const events = new ICAL.Component(ICAL.parse(feed.body)).getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
        const ends = Object.fromEntries(events.map((e) => [e.uid, e.endDate.toJSDate().toISOString()]));
        expect(ends, zone).toEqual({ [`task-${ids[0]}@orglife`]: due[0]!.toISOString(), [`task-${ids[1]}@orglife`]: due[1]!.toISOString() });
        // Neither floating (no Z, no TZID) nor the UTC clock read as local time.
        for (const e of events) expect(e.endDate.zone?.tzid, zone).toBe('UTC');
      }
    } finally {
      if (hostZone === undefined) delete process.env.TZ;
      else process.env.TZ = hostZone;
    }
  });
});
