import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { addOrganizations, eventually, freshDatabase, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, browserSessions, prepareBrowser, signIn } from '../helpers/browser.js';
import { startWecomServer, startAliyunSmsServer, type WecomServer, type AliyunSmsServer } from '../helpers/vendor-servers.js';
import { notifier } from '../../workflows/notifier.js';
import { pick } from './journeys/journey.js';
import { taskProcess } from '../../workflows/task-process.js';

// The delivery log in a real Chromium: a task reaches two secretaries through 企业微信 and SMS (local protocol
// servers); one is unknown to 企业微信, so that send fails permanently. The township organizer (holding nothing else)
// sees the log with the vendor's answer and resends it; a secretary chooses her channels. Screenshots: tests/artifacts/.
const browser = prepareBrowser();
const PASSWORD = 'correct horse battery';

describe.skipIf('skip' in browser)(`channels in Chromium${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  const executablePath = 'executablePath' in browser ? browser.executablePath : '';
  let s: Stack;
  let wecom: WecomServer;
  let sms: AliyunSmsServer;
  let baseURL: string;
  const town = uniqueCode('CT');
  const [v1, v2] = [uniqueCode('CA'), uniqueCode('CB')];
  const browsers = browserSessions(executablePath, () => baseURL);
  const open = browsers.open;
  afterEach((ctx) => browsers.onFailure(ctx));

  beforeAll(async () => {
    [wecom, sms] = await Promise.all([startWecomServer(), startAliyunSmsServer()]);
    s = await startStack({
      databaseUrl: await freshDatabase('channels_ui'),
      channels: {
        publicBaseUrl: 'https://orglife.example.gov.cn',
        timeoutMs: 1000,
        wecom: { corpId: wecom.corpId, corpSecret: wecom.corpSecret, agentId: wecom.agentId, baseUrl: wecom.url },
        sms: {
          accessKeyId: sms.accessKeyId,
          accessKeySecret: sms.accessKeySecret,
          signName: sms.signName,
          templateCode: sms.templateCode,
          endpoint: sms.endpoint,
          protocol: 'http',
          quietHours: '00:00-00:00',
        },
      },
    });
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    baseURL = `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
    await addOrganizations(s.sql, [
      orgRow(town, '', { type: 'committee', sector: 'regional', name: `渠道测试镇党委${town}` }),
      orgRow(v1, town, { name: `东风村党支部${v1}` }),
      orgRow(v2, town, { name: `西岭村党支部${v2}` }),
    ]);
  });
  afterAll(async () => {
    await browsers.closeAll();
    await s?.close();
    await Promise.all([wecom?.close(), sms?.close()]);
  });

  it('the township organizer sees every send of the township with its status and the vendor answer, and resends the failed one', async () => {
    const organizer = await s.userWith([{ role: 'organizer', org: town }]);
    const a = await s.userWith([{ role: 'secretary', org: v1 }]);
    const b = await s.userWith([{ role: 'secretary', org: v2 }]);
    // Contact points through the API, as the organizer sets them.
    for (const [u, wecomUserid, mobile] of [
      [a.username, 'dongfeng', '13911112222'],
      [b.username, 'xiling-gone', '13933334444'],
    ] as const) {
      const r = await s.app.inject({ method: 'PUT', url: `/api/v1/users/${u}/contacts`, headers: organizer, payload: { wecomUserid, mobile } });
      expect(r.statusCode, r.body).toBe(200);
    }
    wecom.knownUsers.add('dongfeng');
    // Both want new tasks by 企业微信 and SMS (the default is the work apps only).
    for (const u of [a, b]) {
      const r = await s.app.inject({
        method: 'PUT',
        url: '/api/v1/me/channel-preferences',
        headers: u,
        payload: { assigned: ['wecom', 'sms'], reminder: ['wecom'], escalation: ['wecom', 'sms'], digest: ['email'] },
      });
      expect(r.statusCode, r.body).toBe(200);
    }
    for (const [code, key] of [
      [v1, 'q1'],
      [v2, 'q2'],
    ] as const) {
      const [{ id }] = (await s.sql<{ id: number }[]>`select id from organizations where code = ${code}`) as unknown as [{ id: number }];
      await s.client.workflow.start(taskProcess, {
        workflowId: `task:${key}:${code}`,
        taskQueue: s.config.TEMPORAL_TASK_QUEUE,
        args: [{ task: { key, step: '季度组织生活报告', organizationId: id, assigneeRole: 'secretary', due: { workingDays: 10 } } }],
      });
    }
    await eventually('two notifications', async () => (await s.sql`select 1 from notifications where kind = 'task-opened'`).length === 2);
    await s.client.workflow.execute(notifier, { workflowId: `notifier-${randomUUID()}`, taskQueue: s.config.TEMPORAL_TASK_QUEUE, args: [{ once: true }] });
    await eventually('four sends settled', async () => (await s.sql`select 1 from channel_deliveries where status in ('sent', 'failed')`).length === 4);

    const session = await open();
    const { page } = session;
    await signIn(page, organizer.username, PASSWORD);
    await page.getByRole('link', { name: '消息发送记录' }).click();
    await page.getByRole('heading', { name: '消息发送记录' }).waitFor();
    const table = page.getByTestId('deliveries');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(4);
    const failed = table.locator('tr[data-status="failed"]');
    expect(await failed.count()).toBe(1);
    const failedText = await failed.textContent();
    expect(failedText).toContain('发送失败');
    expect(failedText).toContain('81013');
    expect(failedText).toContain('xiling-gone');
    expect(await table.locator('tr[data-status="sent"]').count()).toBe(3);
    expect(await table.locator('tr[data-channel="sms"]').count()).toBe(2);
    await session.shot('channels-1-delivery-log');
    expect(await a11yViolations(page)).toEqual([]);

    // The person now exists in 企业微信: resend.
    wecom.knownUsers.add('xiling-gone');
    await failed.getByRole('button', { name: /重新发送/ }).click();
    await page.getByText(/已重新发送/).waitFor();
    await eventually('the resent message', async () => wecom.messages.some((m) => m.touser === 'xiling-gone'));
    await eventually('the resent row shown as delivered', async () => {
      await page.getByLabel('状态').selectOption('sent');
      await page.getByLabel('状态').selectOption('');
      return (await table.locator('tr[data-status="sent"]').count()) === 4;
    });
    // The failed row is kept, without a second resend button.
    expect(await table.locator('tr[data-status="failed"]').getByRole('button').count()).toBe(0);
    await session.shot('channels-2-resent');
    expect(await a11yViolations(page)).toEqual([]);
  });

  it('the township organizer picks a secretary and sets her contact points, then imports the roster’s contact points', async () => {
    const organizer = await s.userWith([{ role: 'organizer', org: town }]);
    const sec = await s.userWith([{ role: 'secretary', org: v1 }]);
    const other = await s.userWith([{ role: 'secretary', org: v2 }]);
    const session = await open();
    const { page } = session;
    await signIn(page, organizer.username, PASSWORD);
    await page.goto(`${baseURL}/settings/channels`);
    await page.getByRole('heading', { name: '消息接收设置' }).waitFor();
    await pick(page, '#contact-user', sec.username, sec.username);
    await page.getByRole('button', { name: '查询' }).click();
    await page.locator('#contact-mobile').fill('13955556666');
    await page.getByRole('button', { name: '保存' }).last().click();
    await eventually(
      'the contact point stored',
      async () =>
        (await s.sql`select 1 from user_contacts c join users u on u.id = c.user_id where u.username = ${sec.username} and c.mobile = '13955556666'`).length >
        0,
    );

    // The roster's CSV: a bad mobile on row 3 is named by row and column, and nothing is written; then the fixed file.
    const form = page.getByTestId('contacts-import');
    const file = (rows: string[]) => ({
      name: 'contacts.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${['username,mobile,wecom_userid,dingtalk_userid', ...rows].join('\n')}\n`),
    });
    await form.locator('#contacts-file').setInputFiles(file([`${sec.username},,chen-jing,`, `${other.username},1234,,`]));
    await form.getByRole('button', { name: '导入' }).click();
    await form.getByRole('alert').waitFor();
    expect(await form.getByRole('alert').textContent()).toContain('row 3, column mobile');
    // The refused cell in the row-and-column table every import shows.
    expect(await form.getByRole('alert').locator('tbody tr').first().locator('td').allTextContents()).toEqual(['3', 'mobile', expect.any(String)]);
    await session.shot('channels-4-contacts-import-refused');
    expect(await a11yViolations(page)).toEqual([]);
    expect(
      (await s.sql`select 1 from user_contacts c join users u on u.id = c.user_id where u.username = ${sec.username} and c.wecom_userid is not null`).length,
    ).toBe(0);
    // The fixed roster as Excel saves it.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('联系方式');
    for (const r of [
      ['username', 'mobile', 'wecom_userid', 'dingtalk_userid'],
      [sec.username, '', 'chen-jing', ''],
      [other.username, '13977778888', '', ''],
    ])
      ws.addRow(r);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    await form
      .locator('#contacts-file')
      .setInputFiles({ name: 'contacts.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: xlsx });
    await form.getByRole('button', { name: '导入' }).click();
    await form.getByText('已导入 2 人的联系方式').waitFor();
    await session.shot('channels-5-contacts-imported');
    const stored = await s.sql<{ username: string; mobile: string | null; wecom_userid: string | null }[]>`
      select u.username, c.mobile, c.wecom_userid from user_contacts c join users u on u.id = c.user_id where u.username in (${sec.username}, ${other.username}) order by u.username = ${sec.username} desc`;
    expect(stored).toEqual([
      { username: sec.username, mobile: '13955556666', wecom_userid: 'chen-jing' },
      { username: other.username, mobile: '13977778888', wecom_userid: null },
    ]);
  });

  it('a secretary chooses her channels per kind of message on a phone', async () => {
    const sec = await s.userWith([{ role: 'secretary', org: v1 }]);
    const session = await open({ width: 390, height: 844 });
    const { page } = session;
    await signIn(page, sec.username, PASSWORD);
    await page.goto(`${baseURL}/settings/channels`);
    await page.getByRole('heading', { name: '消息接收设置' }).waitFor();
    await page.getByTestId('channel-prefs').waitFor();
    // The delivery log is not hers to see.
    expect(await page.getByRole('link', { name: '消息发送记录' }).count()).toBe(0);
    const reminderSms = page.getByLabel('提醒 · 短信');
    expect(await reminderSms.isChecked()).toBe(false);
    await reminderSms.check();
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('已保存。').waitFor();
    const [stored] =
      await s.sql`select channels from channel_preferences p join users u on u.id = p.user_id where u.username = ${sec.username} and message_kind = 'reminder'`;
    expect(stored!.channels).toContain('sms');
    await session.shot('channels-3-settings-phone');
    expect(await a11yViolations(page)).toEqual([]);
  });
});
