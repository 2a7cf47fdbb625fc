// What an attacker or a careless user sends to every upload route: a truncated XLSX, an archive bomb, an archive
// that lies about its sizes, bytes of another kind, too many rows, a body that never ends from a caller who may not
// upload at all. Each must be answered 4xx within seconds while the rest of the API keeps answering, and must cost
// no lock: another import goes through while a stalled one is still arriving.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { addOrganizations, committee, countyChain, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { zip } from '../helpers/zip.js';
import { readRows, spool, UnreadableFile } from '../../src/organizations/import/read.js';
import { Readable } from 'node:stream';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const YEAR = new Date().getFullYear();

async function workbook(rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('s');
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A POST over a real socket whose body is `chunks`, left open unless `end`; resolves with the answer. */
function rawPost(base: string, path: string, headers: Record<string, string>, chunks: Buffer[], end: boolean, ms = 20_000) {
  return new Promise<{ status: number; body: string; req: ReturnType<typeof request> }>((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, req }));
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer to ${path} within ${ms} ms`));
    }, ms);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (e) => (e.message.includes('socket hang up') || (e as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(e)));
    for (const c of chunks) req.write(c);
    if (end) req.end();
  });
}

describe('hostile uploads', () => {
  let s: Stack;
  let base: string;
  const { province, city, county, rows } = countyChain();
  const township = uniqueCode('W');
  const village = uniqueCode('V');
  const auth: Record<string, string> = {};
  let valid: Record<string, Buffer>;

  // Each upload route, the role that may use it, and a valid file for it.
  const routes = () => [
    { name: 'organizations', path: '/api/v1/organizations/import', as: 'townshipOrganizer' },
    { name: 'yearly returns', path: `/api/v1/returns/${YEAR}/import`, as: 'secretary' },
    { name: 'contacts', path: '/api/v1/users/contacts/import', as: 'countyOrganizer' },
    { name: 'holiday notice', path: `/api/v1/calendar/years/${YEAR + 1}/import`, as: 'admin' },
  ];

  beforeAll(async () => {
    s = await startStack();
    await addOrganizations(s.sql, [...rows, orgRow(township, county, committee), orgRow(village, township)]);
    const address = await s.app.listen({ port: 0, host: '127.0.0.1' });
    base = address;
    auth.admin = s.admin.authorization;
    auth.townshipOrganizer = (await s.userWith([{ role: 'organizer', org: township }])).authorization;
    auth.countyOrganizer = (await s.userWith([{ role: 'organizer', org: county }])).authorization;
    const secretary = await s.userWith([{ role: 'secretary', org: village }]);
    auth.secretary = secretary.authorization;
    auth.liaison = (await s.userWith([{ role: 'liaison_officer', org: township }])).authorization;
    valid = {
      organizations: await workbook([
        ['code', 'parent_code', 'name', 'type', 'sector'],
        ...Array.from({ length: 400 }, (_, i) => [`${village}N${i}`, township, `新支部${i}`, 'branch', 'rural']),
      ]),
      'yearly returns': await workbook([['code', 'households'], ...Array.from({ length: 400 }, () => [village, 120])]),
      contacts: await workbook([
        ['username', 'mobile', 'wecom_userid', 'dingtalk_userid'],
        ...Array.from({ length: 400 }, () => [secretary.username, '13800000000', '', '']),
      ]),
      'holiday notice': await workbook([['date', 'type'], ...Array.from({ length: 400 }, () => [`${YEAR + 1}-10-01`, '休'])]),
    };
    void province;
    void city;
  });
  afterAll(async () => s?.close());

  const post = (path: string, as: string, body: Buffer, type = XLSX) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: auth[as]!, 'content-type': type },
      body: new Uint8Array(body),
      signal: AbortSignal.timeout(20_000),
    });

  const stillServing = async () => {
    const [me, ready, login] = await Promise.all([
      fetch(`${base}/api/v1/me`, { headers: { authorization: auth.secretary! }, signal: AbortSignal.timeout(5_000) }),
      fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5_000) }),
      fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'nobody', password: 'not-a-password' }),
        signal: AbortSignal.timeout(5_000),
      }),
    ]);
    expect(me.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(login.status).toBe(401);
  };

  it('refuses the first half of a valid XLSX at every upload route within seconds, with a reason', async () => {
    for (const r of routes()) {
      const file = valid[r.name]!;
      const t0 = Date.now();
      const res = await post(r.path, r.as, file.subarray(0, Math.floor(file.length / 2)));
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status, `${r.name}: ${JSON.stringify(body)}`).toBe(400);
      expect(body.error.message, r.name).toMatch(/XLSX/);
      // Refused for what it holds, not for the 60 s an upload may take: well under that, however slow the machine.
      expect(Date.now() - t0, r.name).toBeLessThan(30_000);
    }
    await stillServing();
  });

  it('answers ten truncated uploads at once while sign-in, /me and /readyz keep answering', async () => {
    const file = valid.organizations!;
    const half = file.subarray(0, Math.floor(file.length / 2));
    const uploads = Array.from({ length: 10 }, () => post('/api/v1/organizations/import', 'townshipOrganizer', half));
    await stillServing();
    const answers = await Promise.all(uploads);
    // Each is refused for what it is, or told at once that the uploads in progress fill this process's slots.
    for (const a of answers) expect([400, 503]).toContain(a.status);
    expect(answers.filter((a) => a.status === 400).length).toBeGreaterThan(0);
    await stillServing();
    // Nothing of any of them was written, and the import lock is free: a good file goes through.
    const ok = await post('/api/v1/organizations/import', 'townshipOrganizer', valid.organizations!);
    expect(ok.status, await ok.clone().text()).toBe(200);
  });

  it('refuses an archive bomb (413) and an archive that lies about its sizes (400) at every route', async () => {
    const zeros = Buffer.alloc(64 * 1024 * 1024);
    const bomb = zip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
      { name: 'xl/worksheets/sheet1.xml', data: zeros },
    ]);
    const liar = zip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
      { name: 'xl/worksheets/sheet1.xml', data: zeros, declaredSize: 1000 },
    ]);
    expect(bomb.length).toBeLessThan(200 * 1024);
    for (const r of routes()) {
      const b = await post(r.path, r.as, bomb);
      expect(b.status, `${r.name}: ${await b.clone().text()}`).toBe(413);
      expect(((await b.json()) as { error: { message: string } }).error.message).toMatch(/inflates/);
      const l = await post(r.path, r.as, liar);
      expect(l.status, `${r.name}: ${await l.clone().text()}`).toBe(400);
    }
    await stillServing();
  });

  it('refuses bytes of another kind and an archive without a workbook at every route', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);
    const noWorkbook = zip([{ name: 'hello.txt', data: Buffer.from('hello') }]);
    for (const r of routes()) {
      const a = await post(r.path, r.as, png, 'application/octet-stream');
      expect(a.status, r.name).toBeGreaterThanOrEqual(400);
      expect(a.status, r.name).toBeLessThan(500);
      const b = await post(r.path, r.as, noWorkbook);
      expect(b.status, `${r.name}: ${await b.clone().text()}`).toBe(400);
      expect(((await b.json()) as { error: { message: string } }).error.message).toMatch(/workbook/);
    }
  });

  it('refuses a file with more rows than its route reads (413) before checking them', async () => {
    const lines = ['code,households', ...Array.from({ length: 50_001 }, (_, i) => `X${i},1`)].join('\n');
    const r = await post(`/api/v1/returns/${YEAR}/import`, 'secretary', Buffer.from(lines), 'text/csv');
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'too_large',
      message: expect.stringMatching(/more than 50,000 rows below its header/),
    });
  });

  it('checks the role before reading: a caller who may not upload is refused while the body is still arriving', async () => {
    // The body never ends: only a refusal that does not wait for it can answer.
    const cases = [
      { path: '/api/v1/users/contacts/import', as: 'liaison' },
      { path: `/api/v1/returns/${YEAR}/import`, as: 'liaison' },
      { path: '/api/v1/organizations/import', as: 'secretary' },
      { path: `/api/v1/calendar/years/${YEAR + 1}/import`, as: 'countyOrganizer' },
    ];
    for (const c of cases) {
      const res = await rawPost(
        base,
        c.path,
        { authorization: auth[c.as]!, 'content-type': 'text/csv' },
        [Buffer.from('code,households\n'), Buffer.alloc(64 * 1024, 0x41)],
        false,
        10_000,
      );
      res.req.destroy();
      expect(res.status, `${c.path} as ${c.as}: ${res.body}`).toBe(403);
    }
  });

  it('takes the import lock only once the file is read: a stalled upload does not hold up another import', async () => {
    const head = Buffer.from(`code,parent_code,name,type,sector\n${village}S1,${township},慢支部,branch,rural\n`);
    const stalled = rawPost(
      base,
      '/api/v1/organizations/import',
      { authorization: auth.townshipOrganizer!, 'content-type': 'text/csv' },
      [head],
      false,
      60_000,
    ).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    const csv = `code,parent_code,name,type,sector\n${village}Q1,${township},快支部,branch,rural\n`;
    const t0 = Date.now();
    const r = await post('/api/v1/organizations/import', 'countyOrganizer', Buffer.from(csv), 'text/csv');
    expect(r.status, await r.clone().text()).toBe(200);
    // Well under the 60 s the stalled upload may hold its socket: the lock was not waited for.
    expect(Date.now() - t0).toBeLessThan(30_000);
    const [row] = await s.sql`select count(*)::int as n from organizations where code = ${`${village}S1`}`;
    expect(row!.n).toBe(0);
    void stalled;
  });
});

describe('reading an upload', () => {
  it('settles on a stream that stops sending: 408 once its time is up', async () => {
    const never = new Readable({ read() {} });
    never.push('code,name\n');
    const t0 = Date.now();
    const err = await spool(never, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreadableFile);
    expect((err as UnreadableFile).status).toBe(408);
    expect(Date.now() - t0).toBeLessThan(30_000); // the 300 ms limit, not a hang
  });

  it('refuses bytes past the limit as they pass (413)', async () => {
    const err = await spool(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), { maxBytes: 1000 }).catch((e: unknown) => e);
    expect((err as UnreadableFile).status).toBe(413);
  });

  it('stops reading at its deadline, however many rows are left', async () => {
    const big = Buffer.from(['code,name', ...Array.from({ length: 300_000 }, (_, i) => `C${i},name ${i}`)].join('\n'));
    const t0 = Date.now();
    let read = 0;
    const err = await (async () => {
      for await (const _ of readRows(Readable.from([big]), { timeoutMs: 150, maxRows: 1_000_000, maxBytes: 100 * 1024 * 1024 })) read++;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreadableFile);
    // Received within its time (400: the contents took too long) or, on a crowded machine, not even received (408).
    expect([400, 408]).toContain((err as UnreadableFile).status);
    expect(read).toBeLessThan(300_001);
    expect(Date.now() - t0).toBeLessThan(30_000); // it settles (the rows read say where it stopped)
  });

  it('refuses a CSV cut inside a quoted cell and one cut inside a UTF-8 character', async () => {
    const read = async (b: Buffer) => {
      const rows = [];
      for await (const r of readRows(Readable.from([b]))) rows.push(r);
      return rows;
    };
    await expect(read(Buffer.from('code,name\nA,"unfinished'))).rejects.toThrow(/CSV/);
    await expect(read(Buffer.concat([Buffer.from('code,name\nA,中'), Buffer.from('文').subarray(0, 2)]))).rejects.toThrow(/UTF-8/);
  });
});
