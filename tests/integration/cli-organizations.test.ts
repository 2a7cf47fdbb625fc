import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testSql, uniqueCode } from '../helpers/context.js';
import type { Sql } from '../../src/db/client.js';

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
      env: { ...process.env, DATABASE_URL: inject('databaseUrl'), LOG_LEVEL: 'silent', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('CLI: generate, import, user add', () => {
  let sql: Sql;
  const dir = mkdtempSync(join(tmpdir(), 'orglife-cli-'));
  const P = uniqueCode('K');
  beforeAll(() => {
    sql = testSql();
  });
  afterAll(async () => {
    await sql.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates a province as CSV and imports it through a spawned process', async () => {
    const gen = await cli(['generate', '--orgs', '400']);
    expect(gen.code, gen.stderr).toBe(0);
    const lines = gen.stdout.trim().split('\n');
    expect(lines[0]).toBe('code,parent_code,name,type,sector,term_years,term_started_on,secretary_name,secretary_phone,full_members,probationary_members');
    expect(lines).toHaveLength(401);
    expect(gen.stdout).toContain('中共湖北省委员会');
    // The shared test database: give the generated codes a prefix of this test's own.
    const prefixed = [
      lines[0],
      ...lines.slice(1).map((l) => {
        const [code, parent, ...rest] = l.split(',');
        return [`${P}${code}`, parent ? `${P}${parent}` : '', ...rest].join(',');
      }),
    ].join('\n');
    const file = join(dir, 'province.csv');
    writeFileSync(file, prefixed);

    const imp = await cli(['import', file]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(JSON.parse(imp.stdout)).toMatchObject({ created: 400, updated: 0, unchanged: 0, routed: [], refused: [] });
    expect(imp.stderr).toMatch(/rows/);
    const [n] = await sql<{ n: number }[]>`select count(*)::int as n from organizations where code like ${`${P}%`}`;
    expect(n!.n).toBe(400);
    const again = await cli(['import', file]);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: 0, updated: 0, unchanged: 400, routed: [], refused: [] });
  });

  it('rejects a bad file with exit code 1, naming row and column, writing nothing', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, `code,parent_code,name,type,sector\n${P}B1,,根,committee,regional\n${P}B2,${P}B1,坏,cell,rural\n`);
    const r = await cli(['import', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('row 3, column type');
    expect((await sql`select 1 from organizations where code like ${`${P}B%`}`).length).toBe(0);
    expect((await cli(['import', join(dir, 'missing.csv')])).code).toBe(2);
  });

  it('adds a user with a role at an organization', async () => {
    const root = `${P}U`;
    await sql`insert into organizations (code, name, type, sector) values (${root}, '用户测试', 'committee', 'regional')`;
    const name = `cli-${P.toLowerCase()}`;
    const r = await cli(['user', 'add', name, '--role', 'organizer', '--org', root], { ORGLIFE_NEW_PASSWORD: 'a long password' });
    expect(r.code, r.stderr).toBe(0);
    const rows =
      await sql`select r.role, o.code from users u join user_roles r on r.user_id = u.id join organizations o on o.id = r.organization_id where u.username = ${name}`;
    expect(rows).toEqual([{ role: 'organizer', code: root }]);
    expect((await cli(['user', 'add', `${name}2`, '--role', 'organizer', '--org', root])).code).toBe(2);
  });
});
