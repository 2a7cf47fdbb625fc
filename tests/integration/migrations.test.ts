import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createSql } from '../../src/db/client.js';
import { migrate, readMigrations } from '../../src/db/migrate.js';

describe('migrations against a real PostgreSQL', () => {
  const admin = createSql(inject('databaseUrl'), { max: 1 });
  const db = `migrations_${process.pid}_${Date.now()}`;
  const url = inject('databaseUrl').replace(/\/orglife$/, `/${db}`);

  afterAll(async () => {
    await admin.unsafe(`drop database if exists ${db} with (force)`);
    await admin.end();
  });

  it('applies every file once even when two migrators start together, and a second run does nothing', async () => {
    await admin.unsafe(`create database ${db}`);
    const a = createSql(url, { max: 1 });
    const b = createSql(url, { max: 1 });
    try {
      const [first, second] = await Promise.all([migrate(a), migrate(b)]);
      const all = readMigrations().map((m) => m.name);
      expect([...first, ...second].sort()).toEqual(all.sort());
      expect(first.length === 0 || second.length === 0).toBe(true);
      const rows = await a<{ version: number }[]>`select version from schema_migrations order by version`;
      expect(rows.map((r) => r.version)).toEqual(readMigrations().map((m) => m.version));
      expect(await migrate(a)).toEqual([]);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('rolls a failing migration back whole and records nothing for it', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'mig-'));
    writeFileSync(join(dir, '001_ok.sql'), 'create table mig_ok (id int);');
    writeFileSync(join(dir, '002_broken.sql'), 'create table mig_half (id int); select * from no_such_table;');
    const name = `${db}_broken`;
    await admin.unsafe(`create database ${name}`);
    const s = createSql(inject('databaseUrl').replace(/\/orglife$/, `/${name}`), { max: 1 });
    try {
      await expect(migrate(s, () => {}, dir)).rejects.toThrow(/002_broken.sql failed/);
      const tables = await s<{ t: string }[]>`select tablename as t from pg_tables where tablename like 'mig_%' order by 1`;
      expect(tables.map((r) => r.t)).toEqual(['mig_ok']);
      expect((await s`select version from schema_migrations`).map((r) => r.version)).toEqual([1]);
    } finally {
      await s.end();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
    }
  });
});
