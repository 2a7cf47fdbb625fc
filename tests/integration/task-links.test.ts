import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { addOrganizations, countyChain, eventually, orgRow, startStack, uniqueCode, uniqueCodes, type Stack } from '../helpers/context.js';
import { freePort } from '../../src/runtime/ports.js';
import { taskProcess } from '../../workflows/task-process.js';
import { issueTaskLink, taskLinkFor } from '../../src/auth/task-links.js';
import { notifyActivities } from '../../activities/notify.js';

// A message's task link against the real API, PostgreSQL and Temporal dev server: it signs its recipient in for
// one task only (every other task and route answers 403), it is spent once, it expires, it is refused once the task
// is no longer the recipient's (reassigned, done by someone else, cancelled, never theirs), only its hash is stored,
// its redemption is audited, and the e-mail digest carries it.
describe('task links', () => {
  let s: Stack;
  const [root, township, village, other] = uniqueCodes('R', 'Z', 'V', 'O');
  let ids: Record<string, number>;
  type Who = { username: string; authorization: string };
  let sec: Who, sec2: Who, sup: Who;
  const userId = async (w: Who) => (await s.sql<{ id: number }[]>`select id from users where username = ${w.username}`)[0]!.id;

  const api = (who: { authorization: string } | null, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    s.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: who ? { authorization: who.authorization } : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const redeem = (path: string) => api(null, 'POST', '/auth/task-link', { token: path.replace(/^.*\/t\//, '') });
  const startTask = async (key: string, org: string) => {
    const workflowId = `task:${key}:${org}`;
    await s.client.workflow.start(taskProcess, {
      workflowId,
      taskQueue: s.config.TEMPORAL_TASK_QUEUE,
      args: [{ task: { key, step: `季度报告-${key}`, organizationId: ids[org]!, assigneeRole: 'secretary', due: { workingDays: 5 } } }],
    });
    return eventually(`task ${key}`, async () => (await s.sql<{ id: number }[]>`select id from tasks where workflow_id = ${workflowId}`)[0]?.id);
  };

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [
      orgRow(root, '', { type: 'committee', sector: 'regional' }),
      orgRow(township, root, { type: 'committee', sector: 'regional' }),
      orgRow(village, township),
      orgRow(other, township),
    ]);
    ids = Object.fromEntries(
      (await s.sql<{ code: string; id: number }[]>`select code, id from organizations where code in ${s.sql([root, township, village, other])}`).map((r) => [
        r.code,
        r.id,
      ]),
    );
    sec = await s.userWith([{ role: 'secretary', org: village }]);
    sec2 = await s.userWith([{ role: 'secretary', org: village }]);
    sup = await s.userWith([{ role: 'supervisor', org: township }]);
  });
  afterAll(async () => s?.close());

  it('signs its recipient in for that one task only, is spent once, and its redemption is audited', async () => {
    const a = await startTask('a', village);
    const b = await startTask('b', village);
    const c = await startTask('c', other);
    const path = await issueTaskLink(s.sql, { userId: await userId(sec), taskId: a });
    expect(path).toMatch(/^\/t\/[A-Za-z0-9_-]{43}$/);
    const token = path.slice(3);
    // Only the token's hash is kept.
    const stored = await s.sql<{ token_sha256: string }[]>`select token_sha256 from task_links where task_id = ${a}`;
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_sha256).not.toContain(token);
    expect(stored[0]!.token_sha256).toMatch(/^[0-9a-f]{64}$/);

    const r = await redeem(path);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().taskId).toBe(a);
    const link = { authorization: `Bearer ${r.json().token}` };

    const me = await api(link, 'GET', '/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: sec.username, onlyTask: a });
    expect((await api(sec, 'GET', '/me')).json().onlyTask).toBeNull();
    const page = await api(link, 'GET', `/tasks/${a}`);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.json().actions).toContain('complete');
    // No comment form in a link's session (comments and the mention search are outside its one task's routes); the
    // user's own sign-in may comment on the same task.
    expect(page.json().mayComment).toBe(false);
    expect((await api(sec, 'GET', `/tasks/${a}`)).json().mayComment).toBe(true);

    // The same user's other task, a task elsewhere, the inbox and every other route: 403, though the user's own
    // password session reaches them.
    for (const [method, url, body] of [
      ['GET', `/tasks/${b}`],
      ['POST', `/tasks/${b}/complete`, { outcome: {} }],
      ['POST', `/tasks/${b}/claim`, {}],
      ['GET', `/tasks/${c}`],
      ['GET', '/tasks'],
      ['GET', '/tasks?mine=true'],
      ['POST', `/tasks/${a}/delegate`, { to: sec2.username, reason: '外出' }],
      ['GET', '/notifications'],
      ['POST', `/tasks/${a}/comments`, { text: '链接会话不能评论', mentions: [] }],
      ['GET', `/organizations/${village}`],
      ['POST', '/tokens', { name: 'x' }],
      // Evidence is reached only for a pairing deliverable's own village and deliverable; this task is not one.
      ['POST', `/pairing/evidence?organization=${village}&deliverable=venue&filename=a.pdf`, { x: 1 }],
      ['POST', '/calendar/token', {}],
    ] as const) {
      const res = await api(link, method, url, body);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(403);
      expect(res.json().error.code).toBe('task_link_scope');
    }
    expect((await api(sec, 'GET', `/tasks/${b}`)).statusCode).toBe(200);
    expect((await api(sec, 'GET', '/tasks')).statusCode).toBe(200);

    // Used once: the same link is refused now, and nothing was written by the refusal.
    const again = await redeem(path);
    expect(again.statusCode).toBe(403);
    expect(again.json().error).toMatchObject({ code: 'task_link_used', details: { reason: 'used', taskId: a } });

    const done = await api(link, 'POST', `/tasks/${a}/complete`, { outcome: {} });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ state: 'done' });
    const audit = await s.sql<
      { kind: string; actor: string }[]
    >`select kind, actor from task_events where task_id = ${a} and kind in ('link-redeemed', 'completed') order by id`;
    expect(audit).toEqual([
      { kind: 'link-redeemed', actor: sec.username },
      { kind: 'completed', actor: sec.username },
    ]);
    const links = await s.sql<{ n: number }[]>`select count(*)::int as n from task_events where task_id = ${a} and kind = 'link-redeemed'`;
    expect(links[0]!.n).toBe(1);
  });

  it('refuses an expired, unknown or malformed link, and one whose task moved on (reassigned, done by another, cancelled, never theirs)', async () => {
    const refusal = async (path: string) => {
      const r = await redeem(path);
      expect(r.statusCode, r.body).toBe(403);
      return r.json().error.details.reason as string;
    };
    const secId = await userId(sec);
    // Expired: its expiry set in the past (as 72 hours passing would).
    const e = await startTask('e', village);
    const expired = await issueTaskLink(s.sql, { userId: secId, taskId: e });
    await s.sql`update task_links set expires_at = now() - interval '1 minute' where task_id = ${e}`;
    expect(await refusal(expired)).toBe('expired');

    // Reassigned to another secretary after the link was sent.
    const g = await startTask('g', village);
    const moved = await issueTaskLink(s.sql, { userId: secId, taskId: g });
    expect((await api(sup, 'POST', `/tasks/${g}/reassign`, { assigneePerson: sec2.username, reason: '工作调整' })).statusCode).toBe(200);
    expect(await refusal(moved)).toBe('reassigned');

    // Done by someone else.
    const h = await startTask('h', village);
    const late = await issueTaskLink(s.sql, { userId: secId, taskId: h });
    expect((await api(sec2, 'POST', `/tasks/${h}/complete`, { outcome: {} })).statusCode).toBe(200);
    expect(await refusal(late)).toBe('done');

    // Cancelled.
    const k = await startTask('k', village);
    const gone = await issueTaskLink(s.sql, { userId: secId, taskId: k });
    expect((await api(sup, 'POST', `/tasks/${k}/cancel`, { reason: '任务合并' })).statusCode).toBe(200);
    expect(await refusal(gone)).toBe('cancelled');

    // Another village's task: never this secretary's.
    const m = await startTask('m', other);
    expect(await refusal(await issueTaskLink(s.sql, { userId: secId, taskId: m }))).toBe('reassigned');

    expect(await refusal(`/t/${'A'.repeat(43)}`)).toBe('unknown');
    const malformed = await api(null, 'POST', '/auth/task-link', { token: 'not-a-token' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.details[0].field).toBe('body.token');

    // None of the refused links opened anything.
    const spent = await s.sql<{ n: number }[]>`select count(*)::int as n from task_links where task_id in ${s.sql([e, g, h, k, m])} and used_at is not null`;
    expect(spent[0]!.n).toBe(0);
  });

  it("gives messages a one-time link for the recipient's own task and the ordinary page otherwise; the e-mail digest carries it", async () => {
    const n = await startTask('n', village);
    const secId = await userId(sec);
    expect(await taskLinkFor(s.sql, { userId: secId, taskId: n })).toMatch(/^\/t\/[A-Za-z0-9_-]{43}$/);
    expect(await taskLinkFor(s.sql, { userId: secId, taskId: n, publicUrl: 'https://dj.example.gov.cn/' })).toMatch(
      /^https:\/\/dj\.example\.gov\.cn\/t\/[A-Za-z0-9_-]{43}$/,
    );
    // A supervisor told of it does not hold it: the task's page, behind the ordinary sign-in.
    expect(await taskLinkFor(s.sql, { userId: await userId(sup), taskId: n })).toBe(`/tasks/${n}`);

    // The digest e-mail: a local SMTP server receives it; its link opens the task as the secretary.
    const mails: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, done) {
        let body = '';
        stream.setEncoding('utf8');
        stream.on('data', (c: string) => (body += c));
        stream.on('end', () => {
          mails.push(body);
          done();
        });
      },
    });
    const port = await freePort();
    await new Promise<void>((r) => smtp.listen(port, '127.0.0.1', r));
    try {
      await s.sql`update users set email = ${`${sec.username}@example.test`} where id = ${secId}`;
      const notes = await eventually('the notification of task n', async () => {
        const rows = await s.sql<{ id: number }[]>`select id from notifications where user_id = ${secId} and task_id = ${n}`;
        return rows.length ? rows : null;
      });
      const [digest] = await s.sql<{ id: number }[]>`insert into notification_digests (user_id) values (${secId}) returning id`;
      await s.sql`update notifications set digest_id = ${digest!.id} where id in ${s.sql(notes.map((r) => r.id))}`;
      const notify = notifyActivities(s.sql, { smtpUrl: `smtp://127.0.0.1:${port}`, publicUrl: 'http://orglife.test' });
      expect(await notify.sendDigestEmail(digest!.id)).toBe('sent');
      expect(mails).toHaveLength(1);
      const raw = mails[0]!;
      const text = Buffer.from(
        raw
          .split(/\r?\n\r?\n/)
          .slice(1)
          .join('\n')
          .replace(/\s+/g, ''),
        'base64',
      ).toString('utf8');
      const url = /http:\/\/orglife\.test\/t\/[A-Za-z0-9_-]{43}/.exec(text)?.[0];
      expect(url, text).toBeDefined();
      expect(text).toContain('季度报告-n');
      const r = await redeem(url!);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().taskId).toBe(n);
    } finally {
      smtp.close();
    }
  });

  it("reaches the evidence upload of its own pairing deliverable, and no other deliverable's", async () => {
    const { county, rows } = countyChain();
    const [organs, partner, town, pv] = [uniqueCode('G'), uniqueCode('P'), uniqueCode('PT'), uniqueCode('PV')];
    await addOrganizations(s.sql, [
      ...rows,
      orgRow(organs, county, { type: 'committee', sector: 'government' }),
      orgRow(partner, organs, { type: 'branch', sector: 'government', term_years: 3 }),
      orgRow(town, county, { type: 'committee', sector: 'regional' }),
      orgRow(pv, town, {}),
    ]);
    const started = await api(s.admin, 'POST', '/processes/pairing', { organization: pv, partner });
    expect(started.statusCode, started.body).toBe(201);
    const deliverables = await eventually('five deliverable tasks', async () => {
      const r = await s.sql<{ id: number; deliverable: string }[]>`
        select id, context->>'deliverable' as deliverable from tasks where workflow_id = ${`pairing:${pv}`} and step = 'pairing-deliverable' and state = 'open'`;
      return r.length === 5 ? r : null;
    });
    const [mine, theirs] = [deliverables[0]!, deliverables[1]!];
    // A deliverable is the partner's work: its secretary holds the task; the upload names the village.
    const partnerSec = await s.userWith([{ role: 'secretary', org: partner }]);
    const r = await redeem(await issueTaskLink(s.sql, { userId: await userId(partnerSec), taskId: mine.id }));
    expect(r.statusCode, r.body).toBe(200);
    const link = `Bearer ${r.json().token}`;
    const upload = (deliverable: string, org = pv) =>
      s.app.inject({
        method: 'POST',
        url: `/api/v1/pairing/evidence?${new URLSearchParams({ organization: org, deliverable, filename: '签约照片.pdf' })}`,
        headers: { authorization: link, 'content-type': 'application/pdf' },
        payload: Buffer.from('%PDF-1.4 evidence'),
      });
    const ok = await upload(mine.deliverable);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ deliverable: mine.deliverable, filename: '签约照片.pdf' });
    const other = await upload(theirs.deliverable);
    expect(other.statusCode, other.body).toBe(403);
    expect(other.json().error.code).toBe('task_link_scope');
    expect((await upload(mine.deliverable, village)).statusCode).toBe(403);
    const files = await s.sql<
      { deliverable: string; uploaded_by: string }[]
    >`select deliverable, uploaded_by from evidence_files where workflow_id = ${`pairing:${pv}`}`;
    expect(files).toEqual([{ deliverable: mine.deliverable, uploaded_by: partnerSec.username }]);
  });
});
