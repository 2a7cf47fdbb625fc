import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { addOrganizations, freshDatabase, orgRow, uniqueCode } from '../helpers/context.js';
import { createSql } from '../../src/db/client.js';
import { startWecomServer } from '../helpers/vendor-servers.js';
import { channelDelivery, channelDeliveryId } from '../../workflows/channel-delivery.js';

// A worker killed (SIGKILL, as a power cut) right after 企业微信 accepted a message and before the delivery row says
// so: the row is not sent again blindly — it ends "unknown" on the organizer's log, the person got it once — and
// the rows the dead worker never reached are sent by the next worker: nothing lost, nothing doubled.
describe('channels: a worker killed mid-send', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, 'SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('the message in flight arrives once and is marked unknown; the others arrive once each', async () => {
    const wecom = await startWecomServer();
    const databaseUrl = await freshDatabase('channels_crash');
    const sql = createSql(databaseUrl, { max: 2 });
    const client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
    const taskQueue = `channels-crash-${randomUUID()}`;
    const dir = mkdtempSync(join(resolve('.test-data'), 'channels-crash-'));
    dirs.push(dir);
    const worker = (failpoints: string) => {
      const out = openSync(join(dir, 'worker.log'), 'a');
      const c = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          TEMPORAL_TASK_QUEUE: taskQueue,
          LOG_LEVEL: 'warn',
          ORGLIFE_FAILPOINTS: failpoints,
          ORGLIFE_WECOM_CORP_ID: wecom.corpId,
          ORGLIFE_WECOM_CORP_SECRET: wecom.corpSecret,
          ORGLIFE_WECOM_AGENT_ID: String(wecom.agentId),
          ORGLIFE_WECOM_BASE_URL: wecom.url,
        },
        stdio: ['ignore', out, out],
        detached: true,
      });
      children.push(c);
      return c;
    };
    try {
      const village = uniqueCode('V');
      await addOrganizations(sql, [orgRow(village, '')]);
      const [org] = await sql<{ id: number }[]>`select id from organizations where code = ${village}`;
      const ids: number[] = [];
      const uids: string[] = [];
      for (const [i, who] of ['wang', 'li', 'zhao'].entries()) {
        wecom.knownUsers.add(who);
        const [d] = await sql<{ id: number; uid: string }[]>`
          insert into channel_deliveries (event_key, channel, recipient, organization_id, message_kind, message)
          values (${`crash:${i}`}, 'wecom', ${who}, ${org!.id}, 'reminder', ${sql.json({ title: `崩溃测试-${who}`, lines: [], taskId: null })})
          returning id, uid`;
        ids.push(Number(d!.id));
        uids.push(d!.uid);
      }

      const first = worker('channel-after-send');
      const exited = new Promise((r) => first.once('exit', r));
      await client.workflow.start(channelDelivery, { workflowId: channelDeliveryId(uids[0]!), taskQueue, args: [ids[0]!] });
      await exited; // the failpoint: 企业微信 has the message, the row still says "sending"
      expect(wecom.messages.map((m) => m.touser)).toEqual(['wang']);
      const [mid] = await sql`select status from channel_deliveries where id = ${ids[0]!}`;
      expect(mid!.status).toBe('sending');

      // Two more rows, then a healthy worker: they go; the one in flight is retried after its timeout and not resent.
      for (const i of [1, 2]) await client.workflow.start(channelDelivery, { workflowId: channelDeliveryId(uids[i]!), taskQueue, args: [ids[i]!] });
      worker('');
      const results = await Promise.all(uids.map((uid) => client.workflow.getHandle(channelDeliveryId(uid)).result()));
      expect(results).toEqual(['unknown', 'sent', 'sent']);
      const rows = await sql<
        { status: string; vendor_answer: string | null }[]
      >`select status, vendor_answer from channel_deliveries where id = any(${ids}) order by id`;
      expect(rows.map((r) => r.status)).toEqual(['unknown', 'sent', 'sent']);
      expect(rows[0]!.vendor_answer).toContain('not sent again automatically');
      expect(wecom.messages.map((m) => m.touser).sort()).toEqual(['li', 'wang', 'zhao']);
    } finally {
      await sql.end();
      await client.connection.close();
      await wecom.close();
    }
  }, 180_000);
});
