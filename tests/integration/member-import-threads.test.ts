import { randomInt } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, committee, orgRow, testSql, uniqueCode } from '../helpers/context.js';
import { loadPrincipal, type Principal } from '../../src/auth/principal.js';
import { createUser } from '../../src/auth/users.js';
import type { Sql } from '../../src/db/client.js';
import { withCheckDigit } from '../../src/domain/members.js';
import { importMembers } from '../../src/members/import.js';
import { personalDataKey } from '../../src/members/personal-data.js';
import { ImportRejected } from '../../src/organizations/import/import.js';

// A file large enough for the member import to stage its rows on worker threads (past its first 10,000 rows): the
// rows those threads sealed open with the key, their digests find the members again on the next import, and a row's
// error found on a thread is refused by its row and column like one found on the import's own thread.

const HEADER = '姓名,性别,身份证号,入党日期,转正日期,人员类别,党组织编码,联系电话';
const ROWS = 12_000;

describe('a large member file, staged on worker threads', () => {
  let sql: Sql;
  let principal: Principal;
  const county = uniqueCode('C');
  const branch = uniqueCode('B');
  const key = personalDataKey('member import threads test key, not a secret');
  // 身份证号 of a region of this run's own: one birth date a row, all distinct.
  const region = `43${String(randomInt(10_000)).padStart(4, '0')}`;
  const ids = Array.from({ length: ROWS }, (_, i) => {
    const birth = new Date(Date.UTC(1950, 0, 1) + i * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
    return withCheckDigit(`${region}${birth}${String(randomInt(1000)).padStart(3, '0')}`);
  });
  const file = (bad?: number) =>
    [
      HEADER,
      ...ids.map(
        (id, i) =>
          `${['张伟', '李娜', '王芳'][i % 3]},${i % 3 === 0 ? '男' : '女'},${id},2020-07-01,${i === bad ? '2019-01-01' : '2021-07-01'},正式党员,${branch},1380013${String(i % 10_000).padStart(4, '0')}`,
      ),
    ].join('\n');
  const run = (text: string) => importMembers(sql, Readable.from([text]), { principal, actor: 'test', source: 'threads test', key });

  beforeAll(async () => {
    sql = testSql();
    await addOrganizations(sql, [orgRow(county, '', committee), orgRow(branch, county)]);
    const [c] = await sql<{ id: number }[]>`select id from organizations where code = ${county}`;
    const userId = await createUser(sql, {
      username: `threads-${county}`.toLowerCase(),
      password: 'a member file of twelve thousand rows',
      roles: [{ role: 'organizer', organizationId: c!.id }],
    });
    principal = (await loadPrincipal(sql, userId))!;
  });
  afterAll(async () => {
    await sql?.end();
  });

  it('refuses a row of the file that a thread found wrong, by its row and column', async () => {
    // Row 11,502 of the sheet (the header is row 1): its 转正日期 before its 入党日期.
    const refused = await run(file(11_500)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ImportRejected);
    expect((refused as ImportRejected).errors).toEqual([{ row: 11_502, column: '转正日期', message: '转正日期 2019-01-01 is before 入党日期 2020-07-01' }]);
    expect(await sql`select 1 from members m join organizations o on o.id = m.organization_id where o.code = ${branch}`).toHaveLength(0);
  });

  it('imports every row sealed, finds each again by its digest, and counts them', async () => {
    expect(await run(file())).toMatchObject({ created: ROWS, updated: 0, unchanged: 0 });
    const members = await sql<{ line: number; id_number_sealed: string; id_number_digest: string; phone_sealed: string; name_initials: string }[]>`
      select row_number() over (order by m.id)::int - 1 as line, m.id_number_sealed, m.id_number_digest, m.phone_sealed, m.name_initials
      from members m join organizations o on o.id = m.organization_id where o.code = ${branch} order by m.id`;
    expect(members).toHaveLength(ROWS);
    // Rows staged on the import's thread and on the workers alike (the first rows, the last ones).
    for (const m of [members[0]!, members[9_999]!, members[10_500]!, members[ROWS - 1]!]) {
      expect(key.unseal(m.id_number_sealed)).toBe(ids[m.line]);
      expect(m.id_number_digest).toBe(key.idDigest(ids[m.line]!));
      expect(key.unseal(m.phone_sealed)).toBe(`1380013${String(m.line % 10_000).padStart(4, '0')}`);
      expect(m.name_initials).toBe(['zw', 'ln', 'wf'][m.line % 3]);
    }
    // Every sealed value under its own nonce.
    const [{ n }] = (await sql<{ n: number }[]>`
      select count(distinct split_part(m.id_number_sealed, '.', 2))::int as n from members m join organizations o on o.id = m.organization_id
      where o.code = ${branch}`) as unknown as [{ n: number }];
    expect(n).toBe(ROWS);
    const [org] = await sql`select full_members, probationary_members, members_on_register from organizations where code = ${branch}`;
    expect(org).toEqual({ full_members: ROWS, probationary_members: 0, members_on_register: true });

    expect(await run(file())).toMatchObject({ created: 0, updated: 0, unchanged: ROWS });
  });
});
