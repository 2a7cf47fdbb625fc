import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, freshDatabase, orgRow, startStack, uniqueCode, type Stack } from '../helpers/context.js';
import { memberStatuses, personalDataRoles, withCheckDigit } from '../../src/domain/members.js';
import { shanghaiDate } from '../../src/domain/dates.js';
import type { Role } from '../../src/auth/principal.js';

// Scope and masking of the member register under arbitrary requests (fast-check), by callers who are not admins:
// every member route the OpenAPI document lists, with path parameters drawn from the real ids and codes of two
// counties and from arbitrary values, and the query parameters each route declares. For every answer:
//  - never a 5xx;
//  - nothing of the other county's members (name, masked or clear 身份证号 / phone) reaches a caller of one county;
//  - a member's name only where the caller may see their register (or a transfer from or to it), masked values only
//    where the caller may see the register, and the member-linked user only their own record;
//  - a clear 身份证号 or phone only where the caller's role may unmask it there (personalDataRoles) or it is their
//    own record, and only with a personal_data_reads row written for that very read;
//  - an XLSX export's number and phone columns masked unless so allowed.
// What the caller sent is not held against the answer (a refusal may name the code it was given).

const runs = (n: number) => Number(process.env.ORGLIFE_PROPERTY_RUNS ?? (process.env.ORGLIFE_HEAVY ? n * 4 : n));
const SEED = 20261206;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER = '姓名,性别,民族,出生日期,学历,身份证号,入党日期,转正日期,人员类别,党组织编码,联系电话,工作岗位,党员状态';

type County = 'A' | 'B';
interface Known {
  id: number;
  name: string;
  county: County;
  branch: string;
  idNumber: string;
  phone: string;
  maskedId: string;
  maskedPhone: string;
  row: (code: string, status: string) => string;
}
interface Caller {
  label: string;
  username: string;
  authorization: string;
  county: County | null;
  grants: { role: Role; path: string }[];
}

// Names of three characters, none inside another or inside an organization's name: a name found in an answer is
// that member's.
const NAMES: Record<County, string[]> = {
  A: ['张三丰', '李秀英', '王建国', '赵丽华', '钱文博', '褚志远'],
  B: ['孙悦然', '周海涛', '吴春燕', '郑国强', '冯晓东', '陈雨桐'],
};

const covers = (grant: string, path: string) => grant === '' || path === grant || path.startsWith(`${grant}.`);

describe('the member routes under arbitrary requests of scoped callers (fast-check)', () => {
  let s: Stack;
  const province = uniqueCode('MSP');
  const city = uniqueCode('MSC');
  const county = { A: uniqueCode('MSA'), B: uniqueCode('MSB') };
  const branches = { A: [uniqueCode('MSA'), uniqueCode('MSA')], B: [uniqueCode('MSB'), uniqueCode('MSB')] };
  const codesOf = (c: County) => [county[c], ...branches[c]];
  const allCodes = [province, city, ...codesOf('A'), ...codesOf('B')];
  const known: Known[] = [];
  let paths = new Map<string, string>();
  const callers: Record<'organizerA' | 'secretaryA1' | 'memberUser' | 'noRoles' | 'organizerB', Caller> = {} as never;
  /** The documented member operations: method, OpenAPI path, and the query parameters each declares. */
  let operations: { method: string; path: string; query: { name: string; schema: { enum?: string[]; type?: string } }[] }[] = [];

  beforeAll(async () => {
    // A database of its own: personal_data_reads, the members and their 身份证号 digests are this file's alone.
    s = await startStack({ databaseUrl: await freshDatabase('memberscope') });
    await addOrganizations(s.sql, [
      orgRow(province, '', committee),
      orgRow(city, province, committee),
      ...(['A', 'B'] as const).flatMap((c) => [
        orgRow(county[c], city, { ...committee, name: `测试县委${county[c]}` }),
        ...branches[c].map((b) => orgRow(b, county[c], { name: `测试村党支部${b}` })),
      ]),
    ]);
    paths = new Map((await s.sql<{ code: string; path: string }[]>`select code, path::text as path from organizations`).map((o) => [o.code, o.path]));
    const caller = async (label: string, c: County | null, roles: { role: Role; org: string }[]): Promise<Caller> => {
      const u = await s.userWith(roles);
      return { label, ...u, county: c, grants: roles.map((r) => ({ role: r.role, path: paths.get(r.org)! })) };
    };
    callers.organizerA = await caller('organizer of county A', 'A', [{ role: 'organizer', org: county.A }]);
    callers.secretaryA1 = await caller('secretary of a branch of A', 'A', [{ role: 'secretary', org: branches.A[0]! }]);
    callers.memberUser = await caller('the user linked to a member of A', 'A', []);
    callers.noRoles = await caller('a user without roles', null, []);
    callers.organizerB = await caller('organizer of county B', 'B', [{ role: 'organizer', org: county.B }]);

    // Three members on each branch, each number's and phone's last four characters their own (from `seq`), so that
    // the masked forms tell them apart too.
    let seq = 101;
    const rows: Record<County, Omit<Known, 'id'>[]> = { A: [], B: [] };
    for (const c of ['A', 'B'] as const) {
      NAMES[c].forEach((name, i) => {
        const n = seq++;
        const idNumber = withCheckDigit(`420102${1960 + i}0${1 + i}1${i}${n}`);
        const phone = `1${c === 'A' ? '38' : '39'}0013${n + 900}`;
        const branch = branches[c][i % 2]!;
        const birth = `${1960 + i}-0${1 + i}-1${i}`;
        const category = i % 3 === 2 ? '预备党员' : '正式党员';
        const fullOn = category === '正式党员' ? '2001-07-01' : '';
        rows[c].push({
          name,
          county: c,
          branch,
          idNumber,
          phone,
          maskedId: `${idNumber.slice(0, 4)}${'*'.repeat(10)}${idNumber.slice(-4)}`,
          maskedPhone: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
          row: (code, status) =>
            [name, i % 2 ? '女' : '男', '汉族', birth, '大专', idNumber, '2000-07-01', fullOn, category, code, phone, '农民', status].join(','),
        });
      });
      const importer = c === 'A' ? callers.organizerA : callers.organizerB;
      const r = await s.app.inject({
        method: 'POST',
        url: '/api/v1/members/import',
        headers: { authorization: importer.authorization, 'content-type': 'text/csv' },
        payload: [HEADER, ...rows[c].map((k) => k.row(k.branch, '正常'))].join('\r\n'),
      });
      expect(r.statusCode, r.body).toBe(200);
    }
    const ids = new Map((await s.sql<{ id: number; name: string }[]>`select id::int as id, name from members`).map((m) => [m.name, m.id]));
    for (const k of [...rows.A, ...rows.B]) known.push({ ...k, id: ids.get(k.name)! });
    expect(known.every((k) => k.id > 0) && new Set(known.map((k) => k.phone)).size === known.length).toBe(true);

    const api = (who: Caller, method: 'POST' | 'PUT', url: string, payload: unknown) =>
      s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: who.authorization }, payload: payload as object });
    const byName = (n: string) => known.find((k) => k.name === n)!;
    // The member-linked user: 褚志远, on the second branch of A (not the secretary's).
    const linked = await api(callers.organizerA, 'PUT', `/members/${byName('褚志远').id}/user`, { username: callers.memberUser.username });
    expect(linked.statusCode, linked.body).toBe(200);
    // Transfers for the registers' transfer lists: one within each county, one by letter to outside the province.
    for (const [who, name, body] of [
      [callers.organizerA, '张三丰', { to: branches.A[1] }],
      [callers.organizerB, '孙悦然', { to: branches.B[1] }],
      [callers.organizerB, '周海涛', { outside: '北京市海淀区' }],
    ] as const) {
      const t = await api(who, 'POST', `/members/${byName(name).id}/transfers`, body);
      expect(t.statusCode, t.body).toBe(201);
    }
    const lost = await api(callers.secretaryA1, 'POST', `/members/${byName('王建国').id}/status`, { status: 'lost', reason: '联系不上' });
    expect(lost.statusCode, lost.body).toBe(200);

    const doc = (await s.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[]; parameters?: { in: string; name: string; schema: { enum?: string[]; type?: string } }[] }>>;
    };
    // Every operation under a path naming members, and those the document files under `members` (a register's
    // transfers, GET /organizations/{code}/transfers).
    operations = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/api/v1/'))
      .flatMap(([path, ops]) =>
        Object.entries(ops)
          .filter(([m, op]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m) && (path.includes('member') || op.tags?.includes('members')))
          .map(([method, op]) => ({ method: method.toUpperCase(), path, query: (op.parameters ?? []).filter((p) => p.in === 'query') })),
      );
  }, 180_000);
  afterAll(async () => s?.close());

  // ---- what the answers may hold -------------------------------------------------------------------------------

  /** Who the caller may see now: members by register (or their own), and members named in a transfer in scope. */
  const visibility = async (c: Caller) => {
    const members = await s.sql<{ id: number; path: string; username: string | null }[]>`
      select m.id::int as id, o.path::text as path, u.username from members m join organizations o on o.id = m.organization_id
      left join users u on u.id = m.user_id`;
    const transfers = await s.sql<{ member: number | null; paths: (string | null)[] }[]>`
      select t.member_id::int as member, array[f.path::text, o.path::text] as paths from member_transfers t
      left join organizations f on f.id = t.from_organization_id left join organizations o on o.id = t.to_organization_id`;
    const inScope = (path: string | null, roles?: readonly Role[]) =>
      path !== null && c.grants.some((g) => (!roles || roles.includes(g.role)) && covers(g.path, path));
    const own = members.find((m) => m.username === c.username)?.id ?? null;
    const register = new Set(members.filter((m) => inScope(m.path)).map((m) => m.id));
    const named = new Set([...register, ...transfers.filter((t) => t.member !== null && t.paths.some((p) => inScope(p))).map((t) => t.member!)]);
    const unmaskable = (id: number, field: 'idNumber' | 'phone') => inScope(members.find((m) => m.id === id)?.path ?? null, personalDataRoles[field]);
    return { own, register, named, unmaskable };
  };

  const lastRead = async () => (await s.sql<{ n: number }[]>`select coalesce(max(id), 0)::int as n from personal_data_reads`)[0]!.n;

  /** The answer as text: JSON as sent, an XLSX file as its cells (row by row, tab-separated). */
  const answerText = async (res: { headers: Record<string, unknown>; rawPayload: Buffer; body: string }) => {
    if (!String(res.headers['content-type'] ?? '').includes(XLSX_TYPE)) return { text: res.body, sheet: null };
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as never);
    const sheet: string[][] = [];
    book.worksheets[0]!.eachRow((row) => sheet.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))));
    return { text: sheet.map((r) => r.join('\t')).join('\n'), sheet };
  };

  const seen = new Map<string, { statuses: Record<number, number>; clear: number; own: number }>();

  /** Every check of the file's header on one answer; `sent` is what the caller sent (URL and body). */
  const checkAnswer = async (c: Caller, what: string, sent: string, res: Awaited<ReturnType<Stack['app']['inject']>>, readsFrom: number) => {
    expect(res.statusCode, `${what} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
    const { text, sheet } = await answerText(res);
    const v = await visibility(c);
    const audited = new Set(
      (
        await s.sql<{ member: number; field: string }[]>`
          select member_id::int as member, field from personal_data_reads where id > ${readsFrom} and actor = ${c.username}`
      ).map((r) => `${r.member}:${r.field}`),
    );
    const stats = seen.get(c.label) ?? { statuses: {}, clear: 0, own: 0 };
    stats.statuses[res.statusCode] = (stats.statuses[res.statusCode] ?? 0) + 1;
    seen.set(c.label, stats);
    const shows = (value: string) => text.includes(value) && !sent.includes(value);
    for (const k of known) {
      const own = v.own === k.id;
      const where = `${what} by ${c.label}: ${k.name} (county ${k.county}) → ${text.slice(0, 400)}`;
      const parts = { name: shows(k.name), masked: shows(k.maskedId) || shows(k.maskedPhone), idNumber: shows(k.idNumber), phone: shows(k.phone) };
      if (!Object.values(parts).some(Boolean)) continue;
      if (!own) expect(k.county, `the other county's member in ${where}`).toBe(c.county);
      if (parts.name) expect(own || v.named.has(k.id), `a name outside the caller's scope in ${where}`).toBe(true);
      if (parts.masked || parts.idNumber || parts.phone)
        expect(own || v.register.has(k.id), `a member's record outside the caller's registers in ${where}`).toBe(true);
      for (const field of ['idNumber', 'phone'] as const) {
        if (!parts[field]) continue;
        expect(own || v.unmaskable(k.id, field), `a clear ${field} the caller's role may not unmask in ${where}`).toBe(true);
        expect(audited.has(`${k.id}:${field}`), `a clear ${field} without its personal_data_reads row in ${where}`).toBe(true);
        if (own) stats.own++;
        else stats.clear++;
      }
    }
    if (sheet) {
      // An export: each number and phone cell masked, empty, or a clear value this caller may unmask (checked above).
      const [head, ...body] = sheet;
      for (const col of ['联系电话', '身份证号']) {
        const i = head!.indexOf(col);
        expect(i, `the export's column ${col}`).toBeGreaterThanOrEqual(0);
        for (const r of body) {
          const cell = r[i] ?? '';
          if (cell === '' || cell.includes('*')) continue;
          const k = known.find((m) => m.phone === cell || m.idNumber === cell);
          expect(k, `an export cell ${col} = ${cell} that is neither masked nor a member's (${what} by ${c.label})`).toBeDefined();
        }
      }
    }
  };

  // ---- what the requests are made of ---------------------------------------------------------------------------

  const garbage = fc.oneof(fc.string({ maxLength: 24 }), fc.constantFrom('', '0', '-1', 'null', '%', '../x', 'idNumber,phone,idNumber'));
  // Ids and codes of the caller's own county most often (where answers are registers, not 404s), any of both
  // counties' often, and arbitrary values.
  const near = <T>(c: Caller, pick: (county: County) => T[], all: T[]) => (c.county ? pick(c.county) : all);
  const memberId = (c: Caller) =>
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...near(c, (n) => known.filter((k) => k.county === n), known).map((k) => String(k.id))) },
      { weight: 3, arbitrary: fc.constantFrom(...known.map((k) => String(k.id))) },
      { weight: 1, arbitrary: fc.integer({ min: -3, max: 2 ** 31 }).map(String) },
      { weight: 1, arbitrary: fc.constantFrom('0', 'abc', '1e3', '9007199254740993', '99999999999999999999') },
    );
  const orgCode = (c: Caller) =>
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...near(c, (n) => branches[n], allCodes)) },
      { weight: 3, arbitrary: fc.constantFrom(...allCodes) },
      { weight: 1, arbitrary: garbage },
    );
  // Mostly values the schemas take (so that the answer is a register, not a 400), some they refuse.
  const orSometimes = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: a }, { weight: 1, arbitrary: garbage });
  const queryValue = (name: string, schema: { enum?: string[] }) => {
    switch (name) {
      case 'reveal':
        return orSometimes(fc.constantFrom('idNumber', 'phone', 'idNumber,phone', 'phone,idNumber'));
      case 'q':
        return orSometimes(fc.constantFrom(...known.map((k) => k.name.slice(0, 1 + (k.id % 3))), 'zsf', 'syr', 'ZH', 'x'));
      case 'limit':
        return orSometimes(fc.integer({ min: 1, max: 500 }).map(String));
      case 'cursor':
        return orSometimes(
          fc
            .record({ name: fc.constantFrom('', ...NAMES.A, ...NAMES.B), id: fc.integer({ min: 0, max: 10_000 }) })
            .map((k) => Buffer.from(JSON.stringify(k)).toString('base64url')),
        );
      default:
        return schema.enum ? orSometimes(fc.constantFrom(...schema.enum)) : garbage;
    }
  };

  /** A request to `op`: its path with parameters filled in, its query, and (for writes) a body. */
  const requestTo = (c: Caller, op: (typeof operations)[number], body: fc.Arbitrary<unknown>) => {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    return fc
      .record({
        path: fc.tuple(...params.map((p) => (p === 'id' ? memberId(c) : orgCode(c)))),
        query: fc.tuple(
          ...op.query.map((q) =>
            fc.oneof(
              // `reveal` most often, each filter now and then: filters together mostly leave a register empty.
              { weight: q.name === 'reveal' ? 1 : 2, arbitrary: fc.constant(null) },
              { weight: q.name === 'reveal' ? 2 : 1, arbitrary: queryValue(q.name, q.schema) },
            ),
          ),
        ),
        body,
      })
      .map(({ path, query, body }) => {
        let i = 0;
        const url = op.path.replace(/\{\w+\}/g, () => encodeURIComponent(path[i++]!) || 'x');
        const qs = new URLSearchParams(op.query.flatMap((q, j) => (query[j] === null ? [] : [[q.name, query[j]!]]))).toString();
        return { op, url: qs ? `${url}?${qs}` : url, body };
      });
  };

  const send = async (c: Caller, r: { op: (typeof operations)[number]; url: string; body: unknown }) => {
    const csv = typeof r.body === 'string';
    const payload = r.body === undefined ? undefined : csv ? (r.body as string) : JSON.stringify(r.body);
    const res = await s.app.inject({
      method: r.op.method as 'GET',
      url: r.url,
      headers: { authorization: c.authorization, ...(payload === undefined ? {} : { 'content-type': csv ? 'text/csv' : 'application/json' }) },
      ...(payload === undefined ? {} : { payload }),
    });
    return {
      res,
      what: `${r.op.method} ${r.url}${payload === undefined ? '' : ` ${payload.slice(0, 200)}`}`,
      sent: `${decodeURIComponent(r.url.replace(/\+/g, ' '))} ${payload ?? ''}`,
    };
  };

  const callerList = () => Object.values(callers);

  it('lists every member route the OpenAPI document names, the export, the transfers and the own record among them', () => {
    const names = operations.map((o) => `${o.method} ${o.path}`);
    for (const expected of [
      'GET /api/v1/organizations/{code}/members',
      'GET /api/v1/organizations/{code}/members.xlsx',
      'GET /api/v1/members/{id}',
      'GET /api/v1/members/{id}/history',
      'GET /api/v1/organizations/{code}/transfers',
      'GET /api/v1/me/member',
      'POST /api/v1/members/import',
      'POST /api/v1/members/{id}/transfers',
      'POST /api/v1/members/transfers/incoming',
      'PUT /api/v1/members/{id}/user',
    ])
      expect(names).toContain(expected);
    expect(operations.find((o) => o.path === '/api/v1/organizations/{code}/members')!.query.map((q) => q.name)).toEqual(
      expect.arrayContaining(['q', 'status', 'category', 'reveal']),
    );
  });

  // Each caller's property starts from the read that must show clear values where their role allows them (their own
  // register with `reveal`, the member's own record), so that the checks below are reached whatever the run count;
  // fast-check then draws the rest.
  const readOf = (path: string, url: string) => ({ op: operations.find((o) => o.method === 'GET' && o.path === path)!, url, body: undefined });
  const registerRead = (code: string, reveal: string) =>
    readOf('/api/v1/organizations/{code}/members', `/api/v1/organizations/${code}/members?reveal=${encodeURIComponent(reveal)}`);
  const firstReads = () => ({
    organizerA: [registerRead(county.A, 'idNumber,phone')],
    // A secretary may unmask a phone, not a 身份证号 (personalDataRoles).
    secretaryA1: [registerRead(branches.A[0]!, 'phone')],
    memberUser: [readOf('/api/v1/me/member', '/api/v1/me/member')],
    noRoles: [registerRead(county.A, 'phone')],
    organizerB: [registerRead(county.B, 'idNumber,phone')],
  });

  // Reads first, on registers no fuzzed write has changed: each caller's view is what the setup made it.
  for (const [n, key] of (['organizerA', 'secretaryA1', 'memberUser', 'noRoles', 'organizerB'] as const).entries()) {
    it(`reads: ${key} sees only their scope, masked unless allowed, every clear value audited`, async () => {
      const c = callers[key];
      const reads = operations.filter((o) => o.method === 'GET');
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...reads).chain((op) => requestTo(c, op, fc.constant(undefined))),
          async (r) => {
            const from = await lastRead();
            const { res, what, sent } = await send(c, r);
            await checkAnswer(c, what, sent, res, from);
          },
        ),
        { numRuns: runs(60), seed: SEED + n, examples: firstReads()[key].map((r) => [r] as [typeof r]) },
      );
    }, 120_000);
  }

  it('reads reached what they test: clear values for the roles that may unmask, the own record for the member', () => {
    const stats = (c: Caller) => seen.get(c.label)!;
    expect(stats(callers.organizerA).clear, JSON.stringify([...seen])).toBeGreaterThan(0);
    expect(stats(callers.organizerB).clear).toBeGreaterThan(0);
    expect(stats(callers.secretaryA1).clear).toBeGreaterThan(0);
    expect(stats(callers.memberUser).own).toBeGreaterThan(0);
    for (const c of callerList().filter((c) => c !== callers.noRoles))
      expect(stats(c).statuses[200] ?? 0, `${c.label}: ${JSON.stringify(stats(c).statuses)}`).toBeGreaterThan(0);
    // A user with no role and no member of their own has nothing to read.
    expect(Object.keys(stats(callers.noRoles).statuses).every((st) => Number(st) >= 400)).toBe(true);
  });

  // ---- writes --------------------------------------------------------------------------------------------------

  /** Each member's register, status, link and history length, by county: a caller's write leaves the other county's alone. */
  const fingerprint = async (c: County | null) => {
    const rows = await s.sql`
      select m.id, m.organization_id, m.status, m.user_id, m.phone_masked, m.name, m.updated_at::text,
             (select count(*) from member_events e where e.member_id = m.id)::int as events
      from members m where m.id = any(${known.filter((k) => c === null || k.county === c).map((k) => k.id)}::bigint[]) order by m.id`;
    const [t] = await s.sql`select count(*)::int as n from member_transfers`;
    return JSON.stringify([rows, c === null ? t : null]);
  };

  /** Bodies the routes' schemas take, around the real members and codes; one in four with a field made arbitrary. */
  const bodyFor = (c: Caller, op: (typeof operations)[number]): fc.Arbitrary<unknown> => {
    const today = shanghaiDate(Date.now());
    const past = fc.constantFrom(today, '2020-01-01');
    const mangled = (valid: fc.Arbitrary<Record<string, unknown>>) =>
      fc.oneof(
        { weight: 3, arbitrary: valid },
        {
          weight: 1,
          arbitrary: fc
            .tuple(valid, fc.nat(), fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom('', 'x', '2027-02-30', '2099-01-01', '123')))
            .map(([body, i, v]) => {
              const keys = Object.keys(body);
              return keys.length ? { ...body, [keys[i % keys.length]!]: v } : body;
            }),
        },
      );
    switch (`${op.method} ${op.path}`) {
      case 'POST /api/v1/members/import':
        // A re-import of known members (their own number, name and phone, so the values checked stay theirs) onto
        // any register, or a row the import refuses.
        return fc
          .array(
            fc.oneof(
              {
                weight: 5,
                arbitrary: fc.tuple(fc.constantFrom(...known), orgCode(c), fc.constantFrom('正常', '失联', '流动', '')).map(([k, code, st]) => k.row(code, st)),
              },
              { weight: 1, arbitrary: fc.oneof(fc.constant('坏行,男,汉族,,,123,2000-07-01,,正式党员,X,,,'), garbage) },
            ),
            { minLength: 1, maxLength: 3 },
          )
          .map((rows) => [HEADER, ...rows].join('\r\n'));
      case 'POST /api/v1/members/{id}/status':
        return mangled(
          fc.record(
            { status: fc.constantFrom(...memberStatuses), since: past, reason: fc.constantFrom('核实', '返乡') },
            { requiredKeys: ['status', 'reason'] },
          ),
        );
      case 'POST /api/v1/members/{id}/away':
        return mangled(
          fc.record(
            {
              kind: fc.constantFrom('away', 'abroad'),
              place: fc.constant('广东省东莞市'),
              since: past,
              contactName: fc.constant('张父'),
              contactPhone: fc.constant('13700000000'),
            },
            { requiredKeys: ['kind', 'place'] },
          ),
        );
      case 'PUT /api/v1/members/{id}/user':
        // Never the member-linked user's name: linking them elsewhere would make another member legitimately theirs.
        return mangled(fc.record({ username: fc.constantFrom(callers.noRoles.username, 'no-such-user', null) }));
      case 'POST /api/v1/members/{id}/transfers':
        // `to` within the transferred member's county (resolved when sent): a move across counties makes the member
        // the receiving county's by design, which the county check would take for a leak.
        return mangled(
          fc
            .tuple(
              fc.oneof(
                fc.nat(2).map((i) => ({ to: { sameCounty: i } })),
                fc.constant({ outside: '北京市海淀区' }),
              ),
              fc.record(
                { letterNumber: fc.constant('京组转〔2026〕1号'), validUntil: fc.constantFrom('2099-01-01', '2000-01-01'), reason: fc.constant('工作调动') },
                { requiredKeys: [] },
              ),
            )
            .map(([where, rest]) => ({ ...where, ...rest })),
        );
      case 'POST /api/v1/members/transfers/incoming':
        return mangled(
          fc.record({
            to: orgCode(c),
            outside: fc.constant('湖南省长沙市'),
            member: fc.record({
              name: fc.constantFrom('新来者', '外来人'),
              gender: fc.constantFrom('male', 'female'),
              // Another county's member's number may be sent: the answer must not tell more than that it is registered.
              idNumber: fc.oneof(
                fc.constantFrom(...known.map((k) => k.idNumber)),
                fc.integer({ min: 100, max: 999 }).map((n) => withCheckDigit(`42010219700101${n}`)),
              ),
              joinedOn: fc.constant('2010-07-01'),
              fullOn: fc.constant('2011-07-01'),
              category: fc.constant('full'),
              phone: fc.constant('13600000000'),
            }),
          }),
        );
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  };

  /** `to: { sameCounty: i }` → a code of the county of the member the URL names (any code for an unknown id). */
  const resolve = (r: { op: (typeof operations)[number]; url: string; body: unknown }) => {
    const b = r.body as { to?: unknown } | null;
    if (!b || typeof b !== 'object' || typeof b.to !== 'object' || b.to === null || !('sameCounty' in b.to)) return r;
    const id = Number(/\/members\/(\d+)\//.exec(r.url)?.[1]);
    const k = known.find((m) => m.id === id);
    const codes = k ? codesOf(k.county) : allCodes;
    return { ...r, body: { ...b, to: codes[(b.to as { sameCounty: number }).sameCounty % codes.length] } };
  };

  for (const [n, key] of (['organizerA', 'secretaryA1', 'memberUser', 'noRoles', 'organizerB'] as const).entries()) {
    it(`writes: ${key} changes only registers they keep, and the answers hold nothing of another scope`, async () => {
      const c = callers[key];
      const writes = operations.filter((o) => o.method !== 'GET' && o.method !== 'DELETE');
      const other: County | null = c.county === 'A' ? 'B' : c.county === 'B' ? 'A' : null;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...writes).chain((op) => requestTo(c, op, bodyFor(c, op))),
          async (generated) => {
            const r = resolve(generated);
            const from = await lastRead();
            const before = await fingerprint(null);
            const otherBefore = other ? await fingerprint(other) : null;
            const target = Number(/^\/api\/v1\/members\/(\d+)\//.exec(r.url)?.[1]);
            const keeps = (await visibility(c)).register.has(target);
            const { res, what, sent } = await send(c, r);
            await checkAnswer(c, what, sent, res, from);
            if (res.statusCode >= 400) expect(await fingerprint(null), `a refused write changed members: ${what} → ${res.body.slice(0, 300)}`).toBe(before);
            else if (!Number.isNaN(target)) expect(keeps, `a write accepted on a member whose register ${c.label} does not keep: ${what}`).toBe(true);
            else if (r.op.path === '/api/v1/members/import')
              expect(
                c.grants.some((g) => g.role === 'organizer'),
                `an import by ${c.label}: ${what}`,
              ).toBe(true);
            else if (r.op.path === '/api/v1/members/transfers/incoming') {
              const to = paths.get(String((r.body as { to?: unknown }).to)) ?? null;
              expect(to !== null && c.grants.some((g) => covers(g.path, to)), `an incoming transfer to a register ${c.label} does not keep: ${what}`).toBe(
                true,
              );
            }
            if (other) expect(await fingerprint(other), `${c.label} changed the other county's members: ${what}`).toBe(otherBefore);
          },
        ),
        { numRuns: runs(30), seed: SEED + n },
      );
    }, 180_000);
  }
});
