// The member register at a province's size. (a) One member-system export of N members (1,000,000; --quick 20,000)
// imported through importMembers, the path of POST /api/v1/members/import (read and checked row by row, personal data
// sealed, staged through COPY, checked set-based, written in one transaction, figures recounted): rows/s and seconds
// against the target of 1,000,000 within 60 s. (b) The register filled to a province's size (4,000,000; --quick
// 100,000) by a set-based generator over the same tree, then a branch's register page (listMembers, the first 100 by
// name, random branches) p50/p99 against 20 ms and a county's figures by status and category (statusCounts) p50/p99
// against 50 ms.
//
// The tree is the demo's generator at a province's shape (src/demo/province.ts: 200,000 organizations like Hubei's;
// --quick 4,000), members spread over its branches by their typed figures, so a branch holds tens of members and a
// county tens of thousands, as in a real province.
//   node --import tsx bench/members.ts [--quick]
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { MEMBER_IMPORT_MAX_BYTES, MEMBER_IMPORT_MAX_ROWS } from '../src/api/routes/members.js';
import { initialsOf } from '../src/api/initials.js';
import { loadPrincipal } from '../src/auth/principal.js';
import { createUser } from '../src/auth/users.js';
import { shanghaiDate } from '../src/domain/dates.js';
import { branchShares, generateMembers, memberFile } from '../src/demo/members.js';
import { generateRows, prng } from '../src/demo/province.js';
import { importMembers } from '../src/members/import.js';
import { personalDataKey } from '../src/members/personal-data.js';
import { listMembers, statusCounts } from '../src/members/store.js';
import { recruitmentTargetsFor } from '../src/domain/recruitment/targets.js';
import { villageTargets } from '../src/recruitment/plan-store.js';
import { insertOrganizations } from '../src/organizations/store.js';
import type { ImportProgress } from '../src/organizations/import/import.js';
import { timeIt } from './measure.js';
import { startBenchServers } from './servers.js';
import { argFlag, log, type BenchResult } from './tasks-support.js';

export interface MembersOptions {
  quick?: boolean;
  /** Members in the imported file (default 1,000,000; quick 20,000). */
  imported?: number;
  /** Members on the register when the reads are timed (default 4,000,000; quick 100,000). */
  register?: number;
}

/** The targets: 1,000,000 members imported within 60 s; a branch's page p99 ≤ 20 ms; a county's figures p99 ≤ 50 ms. */
const TARGET = { importRowsPerSecond: 1_000_000 / 60, pageMs: 20, countsMs: 50 };

export async function run(opts: MembersOptions = {}): Promise<BenchResult[]> {
  const quick = opts.quick ?? false;
  const imported = opts.imported ?? (quick ? 20_000 : 1_000_000);
  const register = Math.max(imported, opts.register ?? (quick ? 100_000 : 4_000_000));
  const treeRows = quick ? 4_000 : 200_000;
  const today = shanghaiDate(Date.now());
  const dir = mkdtempSync(join(tmpdir(), 'orglife-bench-members-'));
  // The register needs no Temporal: its client is never dialled.
  const servers = await startBenchServers(log, { temporal: false });
  const { sql } = servers;
  try {
    const rows = [...generateRows(treeRows, today)];
    const t0 = performance.now();
    await insertOrganizations(sql, rows);
    log(`tree of ${rows.length} organizations in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const [root] = await sql<{ id: number }[]>`select id from organizations where code = ${rows[0]!.code}`;
    const userId = await createUser(sql, {
      username: 'bench-admin',
      password: 'member register figures run',
      roles: [{ role: 'admin', organizationId: root!.id }],
    });
    const principal = (await loadPrincipal(sql, userId))!;

    // (a) The file: N members over the branches, each branch's share by its typed figures (exactly N in all).
    const shares = branchShares(rows, imported);
    const file = join(dir, 'members.csv');
    const g0 = performance.now();
    // Written to a file first, as an upload is received whole before it is read: the figure is the import's alone.
    await pipeline(memberFile(generateMembers(shares, today)), createWriteStream(file));
    const bytes = statSync(file).size;
    log(`file of ${imported} members (${(bytes / 2 ** 20).toFixed(1)} MiB) written in ${((performance.now() - g0) / 1000).toFixed(1)} s`);

    const phases: Partial<Record<ImportProgress['phase'], number>> = {};
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 100);
    const i0 = performance.now();
    const result = await importMembers(sql, createReadStream(file), {
      principal,
      actor: 'bench-admin',
      source: 'bench',
      key: personalDataKey('member register benchmark key, not a secret'),
      maxBytes: MEMBER_IMPORT_MAX_BYTES,
      maxRows: MEMBER_IMPORT_MAX_ROWS,
      timeoutMs: 30 * 60_000,
      onProgress: (p) => {
        phases[p.phase] ??= performance.now();
      },
    });
    const seconds = (performance.now() - i0) / 1000;
    clearInterval(sampler);
    if (result.created !== imported) throw new Error(`the import created ${result.created} members of ${imported}`);
    // Phases: reading (parse, check, seal, write the COPY file), checking (COPY and the set-based checks), writing.
    const at = (p: ImportProgress['phase']) => ((phases[p] ?? i0) - i0) / 1000;
    const phaseNote = `reading and sealing ${at('checking').toFixed(1)} s, staging and checks ${(at('writing') - at('checking')).toFixed(1)} s, writing ${(seconds - at('writing')).toFixed(1)} s`;
    log(`import of ${imported} members: ${seconds.toFixed(1)} s (${phaseNote}); peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`);
    rmSync(file, { force: true });

    // (b) The rest of the register, set-based: the same shares by typed figures, names and initials from a pool made
    // by the same generator, sealed values of the stored length (never unsealed here), 5 % probationary, the statuses'
    // mix of the demo. The import above wrote each member's history; these rows have none (no read below uses it).
    const pool = [...generateMembers([{ code: '420101', sector: 'rural', full: 5_000, probationary: 0 }], today, 11)].map((m) => m.姓名);
    const f0 = performance.now();
    await sql.begin(async (tx) => {
      await tx`select setseed(0.42)`;
      await tx`
        create temp table fill on commit drop as
        with b as (select id, (full_members + probationary_members)::numeric as w from organizations where type = 'branch'),
             t as (select id, w, sum(w) over (order by id) as cum, sum(w) over () as tot from b)
        select id, (floor(${register - imported}::numeric * cum / tot) - floor(${register - imported}::numeric * (cum - w) / tot))::int as k from t`;
      await tx`create temp table names on commit drop as select * from unnest(${pool}::text[], ${pool.map(initialsOf)}::text[]) with ordinality as p(name, initials, i)`;
      const chunks = Math.max(1, Math.ceil((register - imported) / 250_000));
      for (let c = 0; c < chunks; c++) {
        await tx`
          insert into members (organization_id, name, name_initials, gender, ethnicity, birth_date, education, id_number_sealed, id_number_digest,
                               id_number_masked, phone_sealed, phone_masked, joined_on, full_on, category, status, status_since, occupation)
          select f.id, n.name, n.initials, case when x.r1 < 0.7 then 'male' else 'female' end, case when x.r2 < 0.94 then '汉族' else '土家族' end,
                 x.birth, case when x.r3 < 0.3 then '初中' when x.r3 < 0.6 then '高中' when x.r3 < 0.8 then '大专' else '大学本科' end,
                 'v1.' || left(md5(f.id || ':' || g || 'iv'), 16) || '.' || left(md5(f.id || ':' || g || 'tag'), 22) || '.' || left(md5(f.id || ':' || g), 24),
                 'fill-' || md5(f.id || ':' || g), '4201**********' || lpad((g % 10000)::text, 4, '0'),
                 'v1.' || left(md5(f.id || ':' || g || 'p'), 60), '138****' || lpad((g % 10000)::text, 4, '0'),
                 case when x.r4 < 0.05 then current_date - (x.r5 * 330)::int else least(current_date - 400, x.birth + 7000 + (x.r5 * 9000)::int) end,
                 case when x.r4 < 0.05 then null else least(current_date - 400, x.birth + 7000 + (x.r5 * 9000)::int) + 365 end,
                 case when x.r4 < 0.05 then 'probationary' else 'full' end,
                 case when x.r6 < 0.08 then 'away' when x.r6 < 0.084 then 'abroad' when x.r6 < 0.087 then 'lost' when x.r6 < 0.09 then 'deceased' else 'normal' end,
                 current_date - 400, '农民'
          from fill f cross join generate_series(1, f.k) g
          cross join lateral (select random() + 0 * g as r1, random() as r2, random() as r3, random() as r4, random() as r5, random() as r6,
                                     date '1938-01-01' + (random() * 24000)::int as birth, 1 + floor(random() * ${pool.length})::int as pick) x
          join names n on n.i = x.pick
          where f.id % ${chunks} = ${c}`;
        log(`register: chunk ${c + 1} of ${chunks} inserted, ${((performance.now() - f0) / 1000).toFixed(0)} s`);
      }
      // The figures of every branch from its register, as an import's recount writes them.
      await tx`
        update organizations o set members_on_register = true, full_members = c.full, probationary_members = c.probationary
        from (select organization_id, count(*) filter (where category = 'full')::int as full, count(*) filter (where category = 'probationary')::int as probationary
              from members where status <> 'deceased' group by organization_id) c
        where o.id = c.organization_id`;
    });
    // A live table is vacuumed and analyzed by autovacuum soon after a bulk insert; do it once, as it would.
    await sql`vacuum (analyze) members`;
    await sql`analyze organizations`;
    const [{ n: total }] = (await sql<{ n: number }[]>`select count(*)::int as n from members`) as unknown as [{ n: number }];
    const fillSeconds = (performance.now() - f0) / 1000;
    log(`register of ${total} members (${total - imported} by the set-based generator in ${fillSeconds.toFixed(1)} s, vacuum included)`);

    // Reads: random branches' first page, random counties' figures (a deterministic draw).
    const rnd = prng(5);
    const branchIds = (await sql<{ id: number }[]>`select o.id from organizations o where o.type = 'branch' order by o.id`).map((r) => r.id);
    const counties = (
      await sql<
        { path: string }[]
      >`select path::text as path from organizations where nlevel(path) = 3 and type = 'committee' and sector = 'regional' order by code`
    ).map((r) => r.path);
    const pageRuns = quick ? 300 : 1_000;
    const countRuns = quick ? 60 : 200;
    // Warm-up, as a running API's pool and the database's cache would be.
    for (let i = 0; i < 20; i++) await listMembers(sql, { organizationId: branchIds[Math.floor(rnd() * branchIds.length)]!, limit: 100 });
    const page = await timeIt(pageRuns, () => listMembers(sql, { organizationId: branchIds[Math.floor(rnd() * branchIds.length)]!, limit: 100 }));
    const [{ n: countyMembers }] = (await sql<{ n: number }[]>`
      select (count(*) / ${counties.length})::int as n from members m join organizations o on o.id = m.organization_id where nlevel(o.path) >= 3`) as unknown as [
      { n: number },
    ];
    for (let i = 0; i < 5; i++) await statusCounts(sql, counties[Math.floor(rnd() * counties.length)]!);
    const counts = await timeIt(countRuns, () => statusCounts(sql, counties[Math.floor(rnd() * counties.length)]!));
    // The village targets of 发展党员 (src/recruitment/plan-store.ts villageTargets: every village's figures in grouped
    // passes over the cases and the register, the first page of 100 in full), a county's and the province's.
    const targetRules = recruitmentTargetsFor(today);
    const targetsOf = (path: string) => villageTargets(sql, path, Number(today.slice(0, 4)), targetRules, today, { limit: 100 });
    const [province] = await sql<{ path: string }[]>`select path::text as path from organizations where id = ${root!.id}`;
    for (let i = 0; i < 3; i++) await targetsOf(counties[Math.floor(rnd() * counties.length)]!);
    const countyTargets = await timeIt(countRuns, () => targetsOf(counties[Math.floor(rnd() * counties.length)]!));
    const provinceRuns = quick ? 10 : 5;
    const provinceRead = await targetsOf(province!.path);
    const provinceTargets = await timeIt(provinceRuns, () => targetsOf(province!.path));
    log(
      `village targets: a county's p50 ${countyTargets.p50.toFixed(1)} ms p99 ${countyTargets.p99.toFixed(1)} ms; the province's (${provinceRead.summary.villages} villages) p50 ${provinceTargets.p50.toFixed(0)} ms p99 ${provinceTargets.p99.toFixed(0)} ms`,
    );
    log(
      `branch page p50 ${page.p50.toFixed(2)} ms p99 ${page.p99.toFixed(2)} ms; county figures p50 ${counts.p50.toFixed(2)} ms p99 ${counts.p99.toFixed(2)} ms (${counties.length} counties, about ${countyMembers} members each)`,
    );

    // The plans of the two reads, for whoever looks into a figure that misses its target.
    const branch = branchIds[Math.floor(rnd() * branchIds.length)]!;
    const county = counties[Math.floor(rnd() * counties.length)]!;
    for (const [what, plan] of [
      [
        'branch page',
        sql`explain (analyze, buffers) select m.id, m.name from members m join organizations o on o.id = m.organization_id
            where m.organization_id = ${branch} order by m.name, m.id limit 100`,
      ],
      [
        'county figures',
        sql`explain (analyze, buffers) select m.status, m.category, count(*)::int as n from members m join organizations o on o.id = m.organization_id
            where o.path <@ ${county}::ltree group by m.status, m.category order by m.status, m.category`,
      ],
    ] as const)
      log(`plan of the ${what}:\n${((await plan) as unknown as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n')}`);

    const rowsPerSecond = imported / seconds;
    const goalSeconds = imported / TARGET.importRowsPerSecond;
    const scale = `${branchIds.length} branches, ${counties.length} counties`;
    return [
      {
        name: `members.import ${imported} rows: throughput`,
        value: Math.round(rowsPerSecond),
        unit: 'rows/s',
        baseline: 'target: 1,000,000 members within 60 s',
        baselineValue: Math.round(TARGET.importRowsPerSecond),
        ratio: +(rowsPerSecond / TARGET.importRowsPerSecond).toFixed(3),
        notes: `${(bytes / 2 ** 20).toFixed(0)} MiB CSV through importMembers; ${phaseNote}; peak RSS ${Math.round(peak / 2 ** 20)} MiB`,
      },
      {
        name: `members.import ${imported} rows: total time`,
        value: +seconds.toFixed(2),
        unit: 's',
        baseline: `target: 1,000,000 members within 60 s (${imported} in ${+goalSeconds.toFixed(2)} s)`,
        baselineValue: +goalSeconds.toFixed(2),
        ratio: +(goalSeconds / seconds).toFixed(3),
      },
      {
        name: `members.page.p50 (${total} members; first 100 of a random branch's register)`,
        value: +page.p50.toFixed(2),
        unit: 'ms',
        baseline: 'target: p99 ≤ 20 ms',
        baselineValue: TARGET.pageMs,
        ratio: +(TARGET.pageMs / page.p50).toFixed(2),
        notes: `${pageRuns} reads; ${scale}`,
      },
      {
        name: `members.page.p99 (${total} members; first 100 of a random branch's register)`,
        value: +page.p99.toFixed(2),
        unit: 'ms',
        baseline: 'target: p99 ≤ 20 ms',
        baselineValue: TARGET.pageMs,
        ratio: +(TARGET.pageMs / page.p99).toFixed(2),
        notes: `${pageRuns} reads; ${scale}`,
      },
      {
        name: `members.county-counts.p50 (${total} members; a random county's figures by status and category)`,
        value: +counts.p50.toFixed(2),
        unit: 'ms',
        baseline: 'target: p99 ≤ 50 ms',
        baselineValue: TARGET.countsMs,
        ratio: +(TARGET.countsMs / counts.p50).toFixed(2),
        notes: `${countRuns} reads; about ${countyMembers} members a county; ${scale}`,
      },
      {
        name: `members.county-counts.p99 (${total} members; a random county's figures by status and category)`,
        value: +counts.p99.toFixed(2),
        unit: 'ms',
        baseline: 'target: p99 ≤ 50 ms',
        baselineValue: TARGET.countsMs,
        ratio: +(TARGET.countsMs / counts.p99).toFixed(2),
        notes: `${countRuns} reads; about ${countyMembers} members a county; ${scale}`,
      },
      {
        name: `members.village-targets.county.p99 (${total} members; a random county's villages against the seed's targets, first page)`,
        value: +countyTargets.p99.toFixed(2),
        unit: 'ms',
        baseline: 'the county figures’ target: p99 ≤ 50 ms',
        baselineValue: TARGET.countsMs,
        ratio: +(TARGET.countsMs / countyTargets.p99).toFixed(2),
        notes: `${countRuns} reads of villageTargets (page of 100); p50 ${countyTargets.p50.toFixed(1)} ms; ${scale}`,
      },
      {
        name: `members.village-targets.province.p99 (${total} members; the province's ${provinceRead.summary.villages} villages against the seed's targets, first page)`,
        value: +provinceTargets.p99.toFixed(0),
        unit: 'ms',
        baseline: 'the API’s statement timeout: 30 s',
        baselineValue: 30_000,
        ratio: +(30_000 / provinceTargets.p99).toFixed(2),
        notes: `${provinceRuns} reads of villageTargets (page of 100, the summary over every village); p50 ${provinceTargets.p50.toFixed(0)} ms; ${scale}`,
      },
    ];
  } finally {
    await servers.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await run({ quick: argFlag('quick') });
  console.log(JSON.stringify(results, null, 2));
  process.exit(0);
}
