import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, eventually, freshDatabase, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { startWecomServer, type WecomServer } from '../helpers/vendor-servers.js';
import { calendarNotice } from '../../workflows/calendar.js';
import { notifier } from '../../workflows/notifier.js';
import { CALENDAR_NOTICE_SCHEDULE_ID, ensureCalendarNoticeSchedule } from '../../src/processes/calendar.js';

// Next year's holidays missing, told to the admins from 1 November on: the daily notice is run with the day it judges
// (its `today` input, as the Schedule's run takes today's Shanghai date), far enough ahead (2031 → 2032) that no other
// file's loaded year meets it; a database of its own, so no other file's admin sees its banner.
describe('calendar notice: next year without holiday data, from 1 November', () => {
  let s: Stack;
  let wecom: WecomServer;
  const province = uniqueCode('CP');

  beforeAll(async () => {
    wecom = await startWecomServer();
    s = await startStack({
      databaseUrl: await freshDatabase('calendar_notice'),
      channels: {
        publicBaseUrl: 'https://orglife.example.gov.cn',
        timeoutMs: 1000,
        wecom: { corpId: wecom.corpId, corpSecret: wecom.corpSecret, agentId: wecom.agentId, baseUrl: wecom.url },
      },
    });
    await addOrganizations(s.sql, [orgRow(province, '', committee)]);
  });
  afterAll(async () => {
    await s?.client.schedule
      .getHandle(CALENDAR_NOTICE_SCHEDULE_ID)
      .delete()
      .catch(() => {});
    await s?.close();
    await wecom?.close();
  });

  const notice = (today: string) =>
    s.client.workflow.execute(calendarNotice, { workflowId: `calendar-notice-${randomUUID()}`, taskQueue: s.config.TEMPORAL_TASK_QUEUE, args: [{ today }] });
  const years = async (authorization: string) => {
    const r = await s.app.inject({ url: '/api/v1/calendar/years', headers: { authorization } });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as { notice: number | null };
  };
  const told = () => s.sql<{ username: string }[]>`
    select u.username from notifications n join users u on u.id = n.user_id where n.event_key = 'calendar-missing:2032' order by u.username`;

  it('tells every admin once, in-app and through their work app, and shows the year until it is loaded', async () => {
    // The province's admin and the admin of the whole tree (s.admin, a role at no organization) have 企业微信 ids; an
    // organizer is not told.
    const provinceAdmin = await s.userWith([{ role: 'admin', org: province }]);
    const organizer = await s.userWith([{ role: 'organizer', org: province }]);
    const [{ id: adminId }] = (await s.sql<{ id: number }[]>`select id from users where username = ${provinceAdmin.username}`) as unknown as [{ id: number }];
    const [{ id: rootAdminId }] = (await s.sql<
      { id: number }[]
    >`select r.user_id as id from user_roles r where r.role = 'admin' and r.organization_id is null`) as unknown as [{ id: number }];
    await s.sql`insert into user_contacts (user_id, wecom_userid) values (${adminId}, 'sheng-admin'), (${rootAdminId}, 'root-admin')`;
    wecom.knownUsers.add('sheng-admin');
    wecom.knownUsers.add('root-admin');
    const admins = (
      await s.sql<{ username: string }[]>`select distinct u.username from users u join user_roles r on r.user_id = u.id where r.role = 'admin' order by 1`
    ).map((r) => r.username);
    expect(admins).toContain(provinceAdmin.username);

    // 31 October: nothing yet. A year the package holds (2026, from 1 November 2025): nothing either.
    expect(await notice('2031-10-31')).toEqual({ year: null, notified: 0 });
    expect(await notice('2025-11-01')).toEqual({ year: null, notified: 0 });
    expect(await told()).toEqual([]);
    expect((await years(provinceAdmin.authorization)).notice).toBeNull();

    // 1 November: 2032 has no holiday data; every admin is told, the organizer is not.
    expect(await notice('2031-11-01')).toEqual({ year: 2032, notified: admins.length });
    expect((await told()).map((r) => r.username)).toEqual(admins);
    const inbox = await s.app.inject({ url: '/api/v1/notifications', headers: { authorization: provinceAdmin.authorization } });
    expect(inbox.json().items).toEqual([expect.objectContaining({ kind: 'calendar-missing', title: expect.stringContaining('2032年节假日安排尚未载入') })]);
    expect((await s.app.inject({ url: '/api/v1/notifications', headers: { authorization: organizer.authorization } })).json().items).toEqual([]);
    expect((await years(provinceAdmin.authorization)).notice).toBe(2032);

    // Once: the next days tell nobody again; an admin added meanwhile is told the next day.
    expect(await notice('2031-11-02')).toEqual({ year: 2032, notified: 0 });
    const later = await s.userWith([{ role: 'admin', org: province }]);
    expect(await notice('2031-11-03')).toEqual({ year: 2032, notified: 1 });
    expect((await told()).map((r) => r.username)).toContain(later.username);
    expect(await s.sql`select year, noticed_on::text, admins from calendar_notices`).toEqual([
      { year: 2032, noticed_on: '2031-11-01', admins: admins.length + 1 },
    ]);

    // The notifier's pass: the e-mail digest and the 企业微信 message (a reminder: the work apps by default).
    await s.client.workflow.execute(notifier, { workflowId: `notifier-${randomUUID()}`, taskQueue: s.config.TEMPORAL_TASK_QUEUE, args: [{ once: true }] });
    expect(await s.sql`select 1 from notifications where event_key = 'calendar-missing:2032' and digest_id is null`).toEqual([]);
    for (const touser of ['sheng-admin', 'root-admin']) {
      const delivered = await eventually(`the 企业微信 message to ${touser}`, async () => wecom.messages.find((m) => m.touser === touser), 60_000);
      expect(delivered.textcard.title).toContain('2032年节假日安排尚未载入');
    }

    // The year loaded: the banner's year is gone (the notice stays on record).
    const load = await s.app.inject({
      method: 'PUT',
      url: '/api/v1/calendar/years/2032',
      headers: s.admin,
      payload: { days: [{ day: '2032-10-01', isWorkday: false }] },
    });
    expect(load.statusCode, load.body).toBe(200);
    expect(load.json()).toMatchObject({ replanned: 0, replanWorkflowId: null });
    expect((await years(provinceAdmin.authorization)).notice).toBeNull();
    expect(await notice('2031-11-04')).toEqual({ year: null, notified: 0 });
  });

  it('runs daily from a Schedule the worker puts in place, at 07:00 Shanghai', async () => {
    await s.client.schedule
      .getHandle(CALENDAR_NOTICE_SCHEDULE_ID)
      .delete()
      .catch(() => {});
    await ensureCalendarNoticeSchedule(s.client, s.config.TEMPORAL_TASK_QUEUE);
    await ensureCalendarNoticeSchedule(s.client, s.config.TEMPORAL_TASK_QUEUE); // idempotent: every worker start calls it
    const d = await s.client.schedule.getHandle(CALENDAR_NOTICE_SCHEDULE_ID).describe();
    expect(d.spec.timezone).toBe('Asia/Shanghai');
    // 07:00 in Shanghai is 23:00 UTC the day before; every day.
    const [a, b] = d.info.nextActionTimes;
    expect(a!.toISOString()).toMatch(/T23:00:00\.000Z$/);
    expect(b!.getTime() - a!.getTime()).toBe(24 * 3600_000);
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'calendarNotice' });
  });
});
