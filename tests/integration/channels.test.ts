import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, eventually, freshDatabase, orgRow, startStack, uniqueCodes, type Stack } from '../helpers/context.js';
import {
  startAliyunSmsServer,
  startDingtalkServer,
  startWecomServer,
  type AliyunSmsServer,
  type DingtalkServer,
  type WecomServer,
} from '../helpers/vendor-servers.js';
import { createActivities } from '../../activities/index.js';
import { notifier } from '../../workflows/notifier.js';
import { channelDelivery, channelDeliveryId } from '../../workflows/channel-delivery.js';
import { taskProcess } from '../../workflows/task-process.js';
import { seal } from '../../src/channels/secrets.js';
import { quietUntil } from '../../src/channels/sms.js';
import { channelActivities, type ChannelOptions } from '../../activities/channels.js';

// 企业微信, 钉钉 and Aliyun SMS against local servers that check tokens and signatures as the vendors do: a task
// assigned, a reminder, an escalation (to the person and to the organizations' group robots) and a digest arrive
// through each; "too fast", a timeout and a permanent error; 25 robot messages spaced into 20-a-window.
describe('channels: 企业微信, 钉钉, SMS and group robots', () => {
  let s: Stack;
  let wecom: WecomServer;
  let ding: DingtalkServer;
  let sms: AliyunSmsServer;
  let queue = '';
  let channels: ChannelOptions;
  const secretsKey = 'test-secrets-key-0123456789abcdef0123';
  const windowMs = 2000;
  const [root, township, village] = uniqueCodes('R', 'Z', 'V');
  let villageId = 0;
  let townshipId = 0;
  let secretaryId = 0;
  const pass = () => s.client.workflow.execute(notifier, { workflowId: `notifier-${randomUUID()}`, taskQueue: queue, args: [{ once: true }] });
  const rows = (where: ReturnType<Stack['sql']>) => s.sql<
    {
      id: number;
      channel: string;
      recipient: string;
      message_kind: string;
      status: string;
      attempts: number;
      vendor_answer: string | null;
      message: { title: string; lines: string[] };
    }[]
  >`
    select id, channel, recipient, message_kind, status, attempts, vendor_answer, message from channel_deliveries where ${where} order by id`;

  beforeAll(async () => {
    [wecom, ding, sms] = await Promise.all([
      startWecomServer({ robotWindowMs: windowMs }),
      startDingtalkServer({ robotWindowMs: windowMs }),
      startAliyunSmsServer(),
    ]);
    channels = {
      publicBaseUrl: 'https://orglife.example.gov.cn',
      secretsKey,
      timeoutMs: 1000,
      robotRate: { perWindow: 20, windowMs },
      wecom: { corpId: wecom.corpId, corpSecret: wecom.corpSecret, agentId: wecom.agentId, baseUrl: wecom.url },
      wecomRobotBaseUrl: wecom.url,
      dingtalk: { appKey: ding.appKey, appSecret: ding.appSecret, agentId: ding.agentId, baseUrl: ding.url },
      dingtalkRobotBaseUrl: ding.url,
      sms: {
        accessKeyId: sms.accessKeyId,
        accessKeySecret: sms.accessKeySecret,
        signName: sms.signName,
        templateCode: sms.templateCode,
        endpoint: sms.endpoint,
        protocol: 'http',
        quietHours: '00:00-00:00',
      },
    };
    s = await startStack({ databaseUrl: await freshDatabase('channels'), channels });
    queue = s.config.TEMPORAL_TASK_QUEUE;

    await addOrganizations(s.sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(township, root, { type: 'committee', sector: 'regional' }),
      orgRow(village, township),
    ]);
    [{ id: villageId }, { id: townshipId }] = (await s.sql<{ id: number }[]>`
      select id from organizations where code in (${village}, ${township}) order by (code = ${township})`) as unknown as [{ id: number }, { id: number }];
    // The village's group has a 企业微信 robot, the township's a 钉钉 robot with its signing secret; both sealed.
    await s.sql`insert into organization_robots (organization_id, vendor, key_sealed) values (${villageId}, 'wecom', ${seal(secretsKey, wecom.robotKey)})`;
    await s.sql`insert into organization_robots (organization_id, vendor, key_sealed, secret_sealed)
      values (${townshipId}, 'dingtalk', ${seal(secretsKey, ding.robotToken)}, ${seal(secretsKey, ding.robotSecret)})`;

    await s.userWith([{ role: 'supervisor', org: township }]);
    const sec = await s.userWith([{ role: 'secretary', org: village }]);
    [{ id: secretaryId }] = (await s.sql<{ id: number }[]>`select id from users where username = ${sec.username}`) as unknown as [{ id: number }];
    await s.sql`insert into user_contacts (user_id, mobile, wecom_userid, dingtalk_userid) values (${secretaryId}, '13912345678', 'zhangwei', 'ding-zhangwei')`;
    await s.sql`insert into channel_preferences ${s.sql(['assigned', 'reminder', 'escalation', 'digest'].map((k) => ({ user_id: secretaryId, message_kind: k, channels: s.sql.array(['wecom', 'dingtalk', 'sms']) })) as never)}`;
    wecom.knownUsers.add('zhangwei');
    ding.knownUsers.add('ding-zhangwei');
  });
  afterAll(async () => {
    await s?.close();
    await Promise.all([wecom?.close(), ding?.close(), sms?.close()]);
  });

  const received = () => ({
    wecom: wecom.messages.map((m) => m.textcard.title),
    ding: ding.messages.map((m) => m.msg.action_card.title),
    sms: sms.messages.map((m) => m.params.title),
  });

  it('a task assigned, a reminder, an escalation and a digest arrive through each channel, tokens and signatures checked', async () => {
    await s.client.workflow.start(taskProcess, {
      workflowId: `task:chan:${village}`,
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      args: [{ task: { key: 'chan', step: '季度报告-渠道', organizationId: villageId, assigneeRole: 'secretary', due: { workingDays: 10 } } }],
    });
    const [task] = await eventually('the task row', async () => {
      const r = await s.sql<
        { id: number; workflow_id: string; task_key: string }[]
      >`select id, workflow_id, task_key from tasks where workflow_id = ${`task:chan:${village}`}`;
      return r.length ? r : null;
    });

    // Assigned.
    await pass();
    await eventually(
      'the assigned task on each channel',
      async () => received().wecom.length === 1 && received().ding.length === 1 && received().sms.length === 1,
    );
    expect(received().wecom[0]).toContain('新任务：季度报告-渠道');
    const card = wecom.messages[0]!;
    expect(card.touser).toBe('zhangwei');
    // Each channel's link is the person's own: a one-use link that signs them in to this task only.
    const oneUse = /^https:\/\/orglife\.example\.gov\.cn\/t\/[\w-]{20,}$/;
    expect(card.textcard.url).toMatch(oneUse);
    expect(card.textcard.description).toContain(`测试党组织${village}`);
    expect(card.textcard.description).toMatch(/截止：\d{4}-\d{2}-\d{2}/);
    expect(ding.messages[0]!.msg.action_card.single_url).toMatch(oneUse);
    expect(sms.messages[0]).toMatchObject({ phone: '13912345678', params: { link: expect.stringMatching(oneUse) } });
    const links = [card.textcard.url, ding.messages[0]!.msg.action_card.single_url as string, sms.messages[0]!.params.link as string];
    expect(new Set(links).size).toBe(3);
    for (const link of links) {
      const redeemed = await s.app.inject({ method: 'POST', url: '/api/v1/auth/task-link', payload: { token: link.split('/t/')[1] } });
      expect(redeemed.statusCode, redeemed.body).toBe(200);
      expect(redeemed.json().taskId).toBe(task!.id);
    }
    expect(sms.messages[0]!.params.due).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sms.badSignatures).toBe(0);
    expect(wecom.tokensIssued).toBe(1);

    // A reminder; the 企业微信 token expired meanwhile: 42001, a new token, the message goes.
    wecom.expireTokens();
    const acts = createActivities(s.sql);
    await acts.fireTaskReminder({
      workflowId: task!.workflow_id,
      taskKey: task!.task_key,
      reminderKey: 'r-test',
      generation: 0,
      at: new Date().toISOString(),
      dueAt: '2030-01-01',
    });
    await pass();
    await eventually('the reminder on each channel', async () => received().wecom.length === 2 && received().ding.length === 2 && received().sms.length === 2);
    for (const list of Object.values(received())) expect(list[1]).toContain('提醒：季度报告-渠道');
    expect(wecom.tokensIssued).toBe(2);

    // An escalation at level 1 (the village: its secretary and its 企业微信 group) and level 2 (the township's 钉钉 group).
    await acts.escalateTask({ workflowId: task!.workflow_id, taskKey: task!.task_key, level: 1, generation: 0, at: new Date().toISOString() });
    await pass();
    await acts.escalateTask({ workflowId: task!.workflow_id, taskKey: task!.task_key, level: 2, generation: 0, at: new Date().toISOString() });
    await pass();
    await eventually(
      'the escalation on each channel and both robots',
      async () =>
        received().wecom.length === 3 &&
        received().ding.length === 3 &&
        received().sms.length === 3 &&
        wecom.robotMessages.length === 1 &&
        ding.robotMessages.length === 1,
    );
    for (const list of Object.values(received())) expect(list[2]).toContain('督办（1级）');
    expect(wecom.robotMessages[0]!.content).toContain('督办（1级）');
    expect(wecom.robotMessages[0]!.content).toContain(`/tasks/${task!.id}`);
    expect(ding.robotMessages[0]!.title).toContain('督办（2级）');
    expect(ding.badSigns).toBe(0);

    // Two reminders in one window: one digest per channel, listing both.
    for (const key of ['r-d1', 'r-d2']) {
      await acts.fireTaskReminder({
        workflowId: task!.workflow_id,
        taskKey: task!.task_key,
        reminderKey: key,
        generation: 0,
        at: new Date().toISOString(),
        dueAt: '2030-01-01',
      });
    }
    await pass();
    await eventually('the digest on each channel', async () => received().wecom.length === 4 && received().ding.length === 4 && received().sms.length === 4);
    expect(wecom.messages[3]!.textcard.title).toBe('您有 2 条待办提醒');
    expect(wecom.messages[3]!.textcard.url).toBe('https://orglife.example.gov.cn/tasks');
    expect(ding.messages[3]!.msg.action_card.markdown.match(/提醒：季度报告-渠道/g)).toHaveLength(2);

    // The vendor has the message before its delivery row says so: the row is written when the vendor's answer is in.
    const log = await eventually('every delivery marked sent', async () => {
      const r = await rows(s.sql`user_id = ${secretaryId} or recipient like 'robot:%'`);
      return r.every((x) => x.status === 'sent') ? r : null;
    });
    expect(log.map((r) => r.status)).toEqual(log.map(() => 'sent'));
    const kinds = (ch: string) => log.filter((r) => r.channel === ch).map((r) => r.message_kind);
    for (const ch of ['wecom', 'dingtalk', 'sms']) expect(kinds(ch)).toEqual(['assigned', 'reminder', 'escalation', 'digest']);
    expect(kinds('wecom-robot')).toEqual(['escalation']);
    expect(kinds('dingtalk-robot')).toEqual(['escalation']);

    // Nothing is sent twice: another pass has nothing to send, and starting a row's workflow again sends nothing.
    await pass();
    const again = await s.client.workflow.execute(channelDelivery, {
      workflowId: `channel-delivery-again-${randomUUID()}`,
      taskQueue: queue,
      args: [log[0]!.id],
    });
    expect(again).toBe('sent');
    expect(received().wecom).toHaveLength(4);
    expect(received().sms).toHaveLength(4);
  });

  /** One delivery row written as the channel pass writes them, sent by its workflow. */
  async function deliver(channel: string, recipient: string, title: string, organizationId = villageId) {
    const [d] = await s.sql<{ id: number; uid: string }[]>`
      insert into channel_deliveries (event_key, channel, recipient, user_id, organization_id, message_kind, urgent, message)
      values (${`test:${randomUUID()}`}, ${channel}, ${recipient}, ${channel.endsWith('robot') ? null : secretaryId}, ${organizationId}, 'reminder', false,
              ${s.sql.json({ title, lines: [], taskId: null })})
      returning id, uid`;
    const handle = await s.client.workflow.start(channelDelivery, { workflowId: channelDeliveryId(d!.uid), taskQueue: queue, args: [d!.id] });
    return { id: d!.id, result: handle.result() };
  }

  it('"too fast" and a timeout are retried with backoff; a permanent error stops and is kept with the vendor\'s answer', async () => {
    wecom.faults.push('too-fast');
    ding.faults.push('timeout');
    sms.faults.push('too-fast');
    const fast = await deliver('wecom', 'zhangwei', '重试-企业微信');
    const slow = await deliver('dingtalk', 'ding-zhangwei', '重试-钉钉');
    const limited = await deliver('sms', '13912345678', '重试-短信');
    expect(await fast.result).toBe('sent');
    expect(await slow.result).toBe('sent');
    expect(await limited.result).toBe('sent');
    const [a, b, c] = await rows(s.sql`id in (${fast.id}, ${slow.id}, ${limited.id})`);
    expect([a!.attempts, b!.attempts, c!.attempts]).toEqual([2, 2, 2]);
    expect(wecom.messages.filter((m) => m.textcard.title === '重试-企业微信')).toHaveLength(1);
    expect(sms.messages.filter((m) => m.params.title === '重试-短信')).toHaveLength(1);

    const unknownUser = await deliver('wecom', 'nobody-here', '永久失败-企业微信');
    sms.faults.push('permanent');
    const template = await deliver('sms', '13912345678', '永久失败-短信');
    expect(await unknownUser.result).toBe('failed');
    expect(await template.result).toBe('failed');
    const [u, t] = await rows(s.sql`id in (${unknownUser.id}, ${template.id})`);
    expect(u).toMatchObject({ status: 'failed', attempts: 1 });
    expect(u!.vendor_answer).toContain('81013');
    expect(t).toMatchObject({ status: 'failed', attempts: 1 });
    expect(t!.vendor_answer).toContain('isv.SMS_TEMPLATE_ILLEGAL');
  });

  it('organizers set contact points in their subtree, people choose channels, the log shows failures and resends them', async () => {
    const organizer = await s.userWith([{ role: 'organizer', org: township }]);
    const person = await s.userWith([{ role: 'secretary', org: village }]);
    const put = await s.app.inject({
      method: 'PUT',
      url: `/api/v1/users/${person.username}/contacts`,
      headers: organizer,
      payload: { mobile: '13700001111', wecomUserid: 'lisi' },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({ username: person.username, mobile: '13700001111', wecomUserid: 'lisi', dingtalkUserid: null });
    const bad = await s.app.inject({ method: 'PUT', url: `/api/v1/users/${person.username}/contacts`, headers: organizer, payload: { mobile: '12345' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('mobile');
    const kept = await s.app.inject({ method: 'GET', url: `/api/v1/users/${person.username}/contacts`, headers: organizer });
    expect(kept.json().mobile).toBe('13700001111');
    // A secretary manages no one's contact points.
    const refused = await s.app.inject({
      method: 'PUT',
      url: `/api/v1/users/${person.username}/contacts`,
      headers: person,
      payload: { mobile: '13700002222' },
    });
    expect(refused.statusCode).toBe(403);

    // With the roster: a CSV of many people's contact points. A bad cell, a duplicate and someone outside the
    // organizer's subtree are each named by row and column, and nothing is written; an empty cell keeps what is stored.
    const second = await s.userWith([{ role: 'secretary', org: village }]);
    const outsider = await s.userWith([{ role: 'secretary', org: root }]); // above the township: not the organizer's
    const csv = (...rows: string[]) => `${['username,mobile,wecom_userid,dingtalk_userid', ...rows].join('\n')}\n`;
    const importCsv = (body: string, who = organizer) =>
      s.app.inject({ method: 'POST', url: '/api/v1/users/contacts/import', headers: { ...who, 'content-type': 'text/csv' }, payload: body });
    const refusedFile = await importCsv(
      csv(`${person.username},,wangwu,`, `${second.username},123,,`, `${second.username},,,`, `${outsider.username},13800000001,,`),
    );
    expect(refusedFile.statusCode, refusedFile.body).toBe(422);
    expect(refusedFile.json().error.details.map((d: { row: number; column: string }) => `${d.row}:${d.column}`)).toEqual([
      '3:mobile',
      '4:username',
      '5:username',
    ]);
    expect((await s.app.inject({ method: 'GET', url: `/api/v1/users/${person.username}/contacts`, headers: organizer })).json()).toMatchObject({
      mobile: '13700001111',
      wecomUserid: 'lisi',
    });
    const imported = await importCsv(csv(`${person.username},,wangwu,ding-wangwu`, `${second.username},13600001111,,`));
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json()).toEqual({ updated: 2 });
    expect((await s.app.inject({ method: 'GET', url: `/api/v1/users/${person.username}/contacts`, headers: organizer })).json()).toEqual({
      username: person.username,
      mobile: '13700001111',
      wecomUserid: 'wangwu',
      dingtalkUserid: 'ding-wangwu',
    });
    expect((await s.app.inject({ method: 'GET', url: `/api/v1/users/${second.username}/contacts`, headers: organizer })).json().mobile).toBe('13600001111');
    // A secretary organizes no one: refused for the role before the file is read.
    expect((await importCsv(csv(`${second.username},13600002222,,`), person)).statusCode).toBe(403);

    const defaults = await s.app.inject({ method: 'GET', url: '/api/v1/me/channel-preferences', headers: person });
    expect(defaults.json().escalation).toContain('sms');
    const chosen = await s.app.inject({
      method: 'PUT',
      url: '/api/v1/me/channel-preferences',
      headers: person,
      payload: { assigned: ['wecom'], reminder: ['wecom', 'sms'], escalation: ['sms'], digest: ['email'] },
    });
    expect(chosen.statusCode, chosen.body).toBe(200);
    const [stored] =
      await s.sql`select channels from channel_preferences p join users u on u.id = p.user_id where u.username = ${person.username} and message_kind = 'reminder'`;
    expect(stored!.channels).toEqual(['wecom', 'sms']);
    const wrong = await s.app.inject({
      method: 'PUT',
      url: '/api/v1/me/channel-preferences',
      headers: person,
      payload: { assigned: ['fax'], reminder: [], escalation: [], digest: [] },
    });
    expect(wrong.statusCode).toBe(400);

    // The failed send of the previous test is on the township organizer's log with 企业微信's answer; once the
    // person exists in 企业微信 the organizer resends it, as a new row.
    const log = await s.app.inject({ method: 'GET', url: '/api/v1/channel-deliveries?status=failed', headers: organizer });
    expect(log.statusCode, log.body).toBe(200);
    const failed = log.json().items.find((d: { title: string }) => d.title === '永久失败-企业微信');
    expect(failed).toMatchObject({ status: 'failed', channel: 'wecom', recipient: 'nobody-here', attempts: 1 });
    expect(failed.vendorAnswer).toContain('81013');
    wecom.knownUsers.add('nobody-here');
    // Two organizers press resend at the same instant: one new row, the other told it was resent already.
    const both = await Promise.all(
      [1, 2].map(() => s.app.inject({ method: 'POST', url: `/api/v1/channel-deliveries/${failed.id}/resend`, headers: organizer })),
    );
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const again = both.find((r) => r.statusCode === 201)!;
    expect(await s.sql`select 1 from channel_deliveries where resent_from = ${failed.id}`).toHaveLength(1);
    await eventually('the resent message', async () => wecom.messages.some((m) => m.touser === 'nobody-here'));
    const [resent] = await rows(s.sql`id = ${again.json().id}`);
    await eventually('the resent row sent', async () => (await rows(s.sql`id = ${again.json().id}`))[0]!.status === 'sent');
    expect(resent!.channel).toBe('wecom');
    const sentTwice = await s.app.inject({ method: 'POST', url: `/api/v1/channel-deliveries/${again.json().id}/resend`, headers: organizer });
    expect(sentTwice.statusCode).toBe(409);
    const resentTwice = await s.app.inject({ method: 'POST', url: `/api/v1/channel-deliveries/${failed.id}/resend`, headers: organizer });
    expect(resentTwice.statusCode).toBe(409);
    expect(resentTwice.json().error.message).toContain('resent already');
  });

  it('rows a pass wrote but whose workflows never started (the worker stopped in between) are started by the next pass, once', async () => {
    const title = `提醒：中断后补发 ${randomUUID().slice(0, 6)}`;
    await s.sql`insert into notifications (user_id, event_key, kind, title, body, created_at) values (${secretaryId}, ${`orphan:${randomUUID()}`}, 'reminder', ${title}, '', now())`;
    // The pass's activity alone: its rows are written, nothing starts them.
    const { rows, fresh } = await channelActivities(s.sql, channels).collectChannelDeliveries({ limit: 1000 });
    expect(fresh).toBeGreaterThanOrEqual(3);
    const ours = await s.sql<{ id: number }[]>`select id from channel_deliveries where message->>'title' = ${title}`;
    expect(ours).toHaveLength(3); // 企业微信, 钉钉, SMS
    expect(rows.map((r) => r.id)).toEqual(expect.arrayContaining(ours.map((r) => Number(r.id))));
    // A minute later the next pass finds them without a workflow and starts them; another pass sends nothing twice.
    await s.sql`update channel_deliveries set created_at = created_at - interval '2 minutes' where message->>'title' = ${title}`;
    await pass();
    const arrived = () => [received().wecom, received().ding, received().sms].map((list) => list.filter((t) => t === title).length);
    await eventually('the orphaned rows sent', async () => arrived().every((n) => n === 1));
    await pass();
    expect(arrived()).toEqual([1, 1, 1]);
    expect(await s.sql`select status, workflow_started from channel_deliveries where message->>'title' = ${title}`).toEqual(
      Array(3).fill({ status: 'sent', workflow_started: true }),
    );
  });

  it("25 messages to each group robot: all arrive, never more than 20 in the robot's window, none refused as too fast", async () => {
    const before = { wecom: wecom.robotMessages.length, ding: ding.robotMessages.length };
    const sends = await Promise.all(
      Array.from({ length: 25 }, (_, i) => [
        deliver('wecom-robot', `robot:${villageId}`, `限流-${i}`),
        deliver('dingtalk-robot', `robot:${townshipId}`, `限流-${i}`, townshipId),
      ]).flat(),
    );
    const results = await Promise.all(sends.map((x) => x.result));
    expect(results.filter((r) => r === 'sent')).toHaveLength(50);
    expect(wecom.robotMessages.length - before.wecom).toBe(25);
    expect(ding.robotMessages.length - before.ding).toBe(25);
    expect(wecom.overLimit).toEqual([]);
    expect(ding.overLimit).toEqual([]);
    // On the servers' own clocks: no 21 accepted messages fall within one window.
    for (const list of [wecom.robotMessages, ding.robotMessages]) {
      const at = list.map((m) => m.at).sort((x, y) => x - y);
      for (let i = 20; i < at.length; i++) expect(at[i]! - at[i - 20]!).toBeGreaterThanOrEqual(windowMs);
    }
    expect(ding.badSigns).toBe(0);
  });

  it('quiet hours hold a non-urgent SMS until 08:00 Shanghai, and never past a day', () => {
    // 23:30 Shanghai = 15:30 UTC: held until 08:00 Shanghai the next day (00:00 UTC).
    expect(quietUntil(new Date('2026-12-01T15:30:00Z'))?.toISOString()).toBe('2026-12-02T00:00:00.000Z');
    // 07:00 Shanghai = 23:00 UTC the day before: held one hour.
    expect(quietUntil(new Date('2026-11-30T23:00:00Z'))?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    // 12:00 Shanghai: not quiet.
    expect(quietUntil(new Date('2026-12-01T04:00:00Z'))).toBeNull();
  });
});
