import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { inject } from 'vitest';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { addOrganizations, eventually, orgRow, startStack, uniqueCodes, type Stack } from '../helpers/context.js';
import { freePort } from '../../src/runtime/ports.js';
import { createWorker } from '../../src/worker.js';
import { notifier } from '../../workflows/notifier.js';
import { taskProcess } from '../../workflows/task-process.js';
import { SIGNATURE_HEADER, verifyWebhook } from '../../activities/notify.js';

// Delivery against real servers on loopback: an SMTP server (smtp-server) and an HTTP webhook receiver that
// fails twice before it accepts, so the notifier's activity retries (Temporal's backoff) are exercised.
describe('notifier: one e-mail digest per person, signed webhooks retried with backoff', () => {
  let s: Stack;
  let smtp: SMTPServer;
  let hook: Server;
  let notifyWorker: Worker;
  let notifyRun: Promise<void>;
  let notifyConnection: NativeConnection;
  const mails: { to: string[]; body: string }[] = [];
  const hits: { body: string; signature: string; status: number }[] = [];
  const notifyQueue = `notify-${randomUUID()}`;
  const [root, township, village] = uniqueCodes('R', 'Z', 'V');
  const secret = 'whsec-test-0123456789';

  beforeAll(async () => {
    s = await startStack();
    const smtpPort = await freePort();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, done) {
        let body = '';
        stream.setEncoding('utf8');
        stream.on('data', (c: string) => (body += c));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
          done();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(smtpPort, '127.0.0.1', r));

    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        // The receiver is down for the first two attempts.
        const status = hits.length < 2 ? 503 : 204;
        hits.push({ body, signature: String(req.headers[SIGNATURE_HEADER] ?? ''), status });
        res.statusCode = status;
        res.end();
      });
    });
    const hookPort = await freePort();
    await new Promise<void>((r) => hook.listen(hookPort, '127.0.0.1', r));

    notifyConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
    notifyWorker = await createWorker({
      connection: notifyConnection,
      namespace: 'default',
      taskQueue: notifyQueue,
      sql: s.sql,
      workflowBundlePath: inject('workflowBundlePath'),
      notify: { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, mailFrom: 'orglife <noreply@orglife.test>' },
    });
    notifyRun = notifyWorker.run();

    await addOrganizations(s.sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(township, root, { type: 'committee', sector: 'regional' }),
      orgRow(village, township),
    ]);
    await s.sql`insert into webhooks (organization_id, url, secret) select id, ${`http://127.0.0.1:${hookPort}/orglife`}, ${secret} from organizations where code = ${township}`;
  });
  afterAll(async () => {
    notifyWorker?.shutdown();
    await notifyRun;
    await notifyConnection?.close();
    await s?.close();
    smtp?.close();
    hook?.close();
  });

  it('sends three tasks that fell on one secretary as one e-mail, and one signed webhook delivery after two failures', async () => {
    const sec = await s.userWith([{ role: 'secretary', org: village }]);
    const address = `${sec.username}@example.test`;
    await s.sql`update users set email = ${address} where username = ${sec.username}`;
    const [{ id: villageId }] = (await s.sql<{ id: number }[]>`select id from organizations where code = ${village}`) as unknown as [{ id: number }];
    for (const key of ['r1', 'r2', 'r3']) {
      await s.client.workflow.start(taskProcess, {
        workflowId: `task:${key}:${village}`,
        taskQueue: s.config.TEMPORAL_TASK_QUEUE,
        args: [{ task: { key, step: `季度报告-${key}`, organizationId: villageId, assigneeRole: 'secretary', due: { workingDays: 10 } } }],
      });
    }
    await eventually('three notifications', async () => {
      const [r] = await s.sql<
        { n: number }[]
      >`select count(*)::int as n from notifications n join users u on u.id = n.user_id where u.username = ${sec.username}`;
      return r!.n === 3;
    });

    const pass = await s.client.workflow.execute(notifier, { workflowId: `notifier-test-${randomUUID()}`, taskQueue: notifyQueue, args: [{ once: true }] });
    expect(pass.digests).toBeGreaterThanOrEqual(1);

    const mine = mails.filter((m) => m.to.includes(address));
    expect(mine).toHaveLength(1);
    const text = Buffer.from(
      mine[0]!.body
        .split(/\r?\n\r?\n/)
        .slice(1)
        .join('\n')
        .replace(/\s+/g, ''),
      'base64',
    ).toString('utf8');
    const decoded = /季度报告/.test(mine[0]!.body) ? mine[0]!.body : text;
    for (const key of ['r1', 'r2', 'r3']) expect(decoded).toContain(`季度报告-${key}`);
    const [digest] = await s.sql`
      select d.sent_at is not null as sent, count(n.id)::int as n from notification_digests d join notifications n on n.digest_id = d.id
      join users u on u.id = d.user_id where u.username = ${sec.username} group by d.id`;
    expect(digest).toEqual({ sent: true, n: 3 });

    // Webhook: two 503s, then accepted; the same body each time, signed with HMAC-SHA256 of the secret.
    expect(hits.map((h) => h.status)).toEqual([503, 503, 204]);
    const last = hits[2]!;
    expect(verifyWebhook(secret, last.body, last.signature)).toBe(true);
    expect(verifyWebhook('wrong-secret', last.body, last.signature)).toBe(false);
    expect(verifyWebhook(secret, last.body.replace('r1', 'r9'), last.signature)).toBe(false);
    const payload = JSON.parse(last.body);
    expect(payload.events.map((e: { task: { key: string } }) => e.task.key).sort()).toEqual(['r1', 'r2', 'r3']);
    const [delivery] =
      await s.sql`select attempts, last_status, delivered_at is not null as delivered from webhook_deliveries where id = ${payload.deliveryId}`;
    expect(delivery).toEqual({ attempts: 3, last_status: 204, delivered: true });

    // A second pass has nothing left for this person: no second e-mail.
    await s.client.workflow.execute(notifier, { workflowId: `notifier-test-${randomUUID()}`, taskQueue: notifyQueue, args: [{ once: true }] });
    expect(mails.filter((m) => m.to.includes(address))).toHaveLength(1);
  });
});
