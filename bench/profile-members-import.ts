// Profiles the member import alone, at a size of its own, without the 4,000,000 register bench/members.ts fills after
// it: `node --import tsx bench/profile-members-import.ts [N] [--again] [--plans]` (N members, default 200,000, over
// the demo province's 200,000 organizations; `--again` imports the same file a second time, every row then unchanged,
// and a third time with 王 written 汪, those rows then updates; `--plans` logs the plans of a register's search by
// name after the first). Add `--cpu-prof` to node for the import's own thread.
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MEMBER_IMPORT_MAX_BYTES, MEMBER_IMPORT_MAX_ROWS } from '../src/api/routes/members.js';
import { loadPrincipal } from '../src/auth/principal.js';
import { createUser } from '../src/auth/users.js';
import { shanghaiDate } from '../src/domain/dates.js';
import { branchShares, generateMembers, memberFile } from '../src/demo/members.js';
import { generateRows } from '../src/demo/province.js';
import { importMembers } from '../src/members/import.js';
import { personalDataKey } from '../src/members/personal-data.js';
import { insertOrganizations } from '../src/organizations/store.js';
import type { ImportProgress } from '../src/organizations/import/import.js';
import { postgresDataDir } from '../src/runtime/postgres.js';
import { startBenchServers } from './servers.js';
import { log } from './tasks-support.js';

const imported = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 200_000);
const again = process.argv.includes('--again');
const today = shanghaiDate(Date.now());
const dir = mkdtempSync(join(tmpdir(), 'orglife-profile-members-'));
const servers = await startBenchServers(log, { temporal: false });
const { sql } = servers;
try {
  const rows = [...generateRows(200_000, today)];
  await insertOrganizations(sql, rows);
  const [root] = await sql<{ id: number }[]>`select id from organizations where code = ${rows[0]!.code}`;
  const userId = await createUser(sql, {
    username: 'profile-admin',
    password: 'member import profile run',
    roles: [{ role: 'admin', organizationId: root!.id }],
  });
  const principal = (await loadPrincipal(sql, userId))!;
  const shares = branchShares(rows, imported);
  const file = join(dir, 'members.csv');
  await pipeline(memberFile(generateMembers(shares, today)), createWriteStream(file));
  log(`file of ${imported} members, ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB`);
  const key = personalDataKey('member import profile key, not a secret');

  // CPU seconds of this process (its threads) and of the database's processes (those in its data directory): what a
  // run cost whatever else the machine ran meanwhile.
  const port = new URL(servers.databaseUrl).port;
  const dataDir = readdirSync('bench/out')
    .map((d) => postgresDataDir(join(process.cwd(), 'bench/out', d, 'postgres')))
    .find((d) => existsSync(join(d, 'postmaster.pid')) && readFileSync(join(d, 'postmaster.pid'), 'utf8').split('\n')[3] === port);
  const pgCpu = () => {
    let ticks = 0;
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        if (readlinkSync(`/proc/${pid}/cwd`) !== dataDir) continue;
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        ticks += Number(f[11]) + Number(f[12]);
      } catch {}
    }
    return ticks / 100;
  };
  const nodeCpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const once = async (what: string, input: NodeJS.ReadableStream) => {
    const cpu0 = { node: nodeCpu(), pg: pgCpu() };
    const phases: Partial<Record<ImportProgress['phase'], number>> = {};
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 100);
    const i0 = performance.now();
    const r = await importMembers(sql, input as never, {
      principal,
      actor: 'profile-admin',
      source: 'profile',
      key,
      maxBytes: MEMBER_IMPORT_MAX_BYTES,
      maxRows: MEMBER_IMPORT_MAX_ROWS,
      timeoutMs: 30 * 60_000,
      onProgress: (p) => {
        phases[p.phase] ??= performance.now();
      },
    });
    clearInterval(sampler);
    const s = (performance.now() - i0) / 1000;
    const at = (p: ImportProgress['phase']) => ((phases[p] ?? i0) - i0) / 1000;
    log(`${what}: CPU of this process ${(nodeCpu() - cpu0.node).toFixed(1)} s, of the database ${(pgCpu() - cpu0.pg).toFixed(1)} s`);
    log(
      `${what}: ${s.toFixed(1)} s (${Math.round(imported / s)} rows/s): reading ${at('checking').toFixed(1)} s, checking ${(at('writing') - at('checking')).toFixed(1)} s, writing ${(s - at('writing')).toFixed(1)} s; created ${r.created}, updated ${r.updated}, unchanged ${r.unchanged}; peak RSS ${Math.round(peak / 2 ** 20)} MiB`,
    );
  };
  await once('first import', createReadStream(file));
  if (process.argv.includes('--plans')) {
    await sql`vacuum (analyze) members`;
    const [b] = await sql<{ id: number }[]>`select organization_id as id from members group by 1 order by count(*) desc limit 1`;
    for (const q of ['张', '张伟', 'zw', '丰'])
      for (const r of await sql.unsafe<{ 'QUERY PLAN': string }[]>(
        `explain analyze select m.id from members m join organizations o on o.id = m.organization_id where m.organization_id = ${b!.id} and ${/^[a-z]+$/.test(q) ? `(m.name_initials like '${q}%' or m.name like '%${q}%')` : `m.name like '%${q}%'`} order by m.name, m.id limit 100`,
      ))
        log(`${q}: ${r['QUERY PLAN']}`);
  }
  if (again) {
    await once('the same file again', createReadStream(file));
    // Every member's name changed: a re-import where every row is an update.
    const renamed = new Transform({
      decodeStrings: false,
      transform(chunk: string, _enc, done) {
        done(null, chunk.replaceAll('王', '汪'));
      },
    });
    await once('the file with 王 renamed 汪', createReadStream(file, { encoding: 'utf8' }).pipe(renamed));
  }
} finally {
  await servers.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
