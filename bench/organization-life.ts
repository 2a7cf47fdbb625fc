// Organization life 三会一课 at scale (workflows/organization-life/workflow.ts; migrations/112_organization_life.sql):
//
// (a) Month start. N branches' year workflows all owe a period's meetings at one instant: how long until every
//     branch's tasks of the period are rows in `tasks`, the worker's RSS, and a secretary's record (the complete
//     Update through the API) p50/p99 meanwhile. The workflow sleeps on real time until 00:00 Shanghai of a period's
//     first day, which a benchmark cannot bring near; what it measures instead has the same load shape at the worker:
//     the years are started with their first workflow task held by the server until one instant T (startDelay), as
//     N timers due at one instant would hold theirs, the worker polling all along; each year's earlier obligations
//     are already waived in its plan rows (the workflow opens no task for a settled obligation), so at T each branch
//     opens this quarter's and this month's four meetings — a quarter's first day (1 January, 1 April, …). Against a
//     real period start it does more (the year is planned: one activity and its read) and less (no history to replay:
//     a year asleep since its last period has a short one, and its run was likely evicted from the cache).
//     The probe secretaries' branches have their whole year open (32 tasks each), opened before T.
// (b) Completeness reads. `periodCompleteness` (src/organization-life/store.ts; GET /api/v1/organizations/{code}/
//     meeting-completeness) for a county (300 branches) and the province (150,000 branches; --quick 15,000) at a year
//     of records: 32 obligations per branch, 11 months past due (of those: 82% held on time, 6% late, 2% waived,
//     10% missing), December and the fourth quarter open, inserted set-based. The read's cost is the rows it reads, not how they were written. Missing
//     obligations have their task row (the escalation level is read from it); the others' tasks are not inserted.
//   node --import tsx bench/organization-life.ts [--quick] [--branches N] [--province N]
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createUser } from '../src/auth/users.js';
import { shanghaiDate } from '../src/domain/dates.js';
import { lifeRulesFor, obligationsOf } from '../src/domain/organization-life/rules.js';
import { periodCompleteness } from '../src/organization-life/store.js';
import { loadCalendar } from '../src/tasks/holders.js';
import { createWorker, workflowBundleOptions } from '../src/worker.js';
import type { Sql } from '../src/db/client.js';
import { KIND, organizationLife, organizationLifeId } from '../workflows/organization-life/workflow.js';
import { percentile, pool } from './measure.js';
import { sdkMetrics, startBenchServers } from './servers.js';
import { startBenchStack } from './stack.js';
import { log, type BenchResult } from './tasks-support.js';

/** The issue's targets: a record p99 ≤ 300 ms meanwhile; a county's table p99 ≤ 50 ms, a province's ≤ 500 ms. */
const TARGET = { recordMs: 300, countyMs: 50, provinceMs: 500 };

export interface OrganizationLifeOptions {
  quick?: boolean;
  /** Branches whose period opens at one instant (5,000; --quick 2,000). */
  branches?: number;
  /** Branches of the province whose completeness is read (150,000; --quick 15,000). */
  province?: number;
}

export async function run(opts: OrganizationLifeOptions = {}): Promise<BenchResult[]> {
  const quick = opts.quick ?? false;
  const out = await monthStart({ branches: opts.branches ?? (quick ? 2_000 : 5_000), probes: quick ? 10 : 25 });
  out.push(...(await completeness({ branches: opts.province ?? (quick ? 15_000 : 150_000) })));
  return out;
}

/** The year's 32 obligations as the workflow's own plan writes them (planLifeYear: due on the working-day calendar). */
async function planOf(sql: Sql, year: number) {
  const r = lifeRulesFor(`${year}-01-01`);
  const cal = await loadCalendar(sql);
  return obligationsOf(year, r).map((o) => ({ ...o, dueOn: cal.addWorkingDays(o.endsOn, r.recordWithinWorkingDays) }));
}

async function monthStart(o: { branches: number; probes: number }): Promise<BenchResult[]> {
  const n = o.branches;
  const servers = await startBenchServers(log);
  const { sql, client } = servers;
  const stack = await startBenchStack(servers, { worker: false });
  let stopWorker = async () => {};
  try {
    const today = shanghaiDate(Date.now());
    const year = Number(today.slice(0, 4));
    const prefix = `L${randomUUID().slice(0, 6).toUpperCase()}`;
    // Root → counties of 300 branches → branches; the probes' branches under a county of their own.
    const [root] = await sql<{ id: number }[]>`
      insert into organizations (code, name, type, sector) values (${prefix}, ${`${prefix} 市委`}, 'committee', 'regional') returning id`;
    const counties = Math.ceil(n / 300);
    await sql`
      insert into organizations (code, parent_id, name, type, sector)
      select ${prefix} || 'x' || g, ${root!.id}, ${prefix} || 'x' || g || ' 县委', 'committee', 'regional' from generate_series(0, ${counties}) g`;
    // Branch i lies under county i / 300; county `counties` holds the probes.
    await sql`
      insert into organizations (code, parent_id, name, type, sector, term_years, term_started_on)
      select ${prefix} || 'b' || g, c.id, ${prefix} || 'b' || g || ' 党支部', 'branch', 'rural', 3, date '2025-01-01'
      from generate_series(0, ${n - 1}) g join organizations c on c.code = ${prefix} || 'x' || (g / 300)`;
    await sql`
      insert into organizations (code, parent_id, name, type, sector, term_years, term_started_on)
      select ${prefix} || 'p' || g, c.id, ${prefix} || 'p' || g || ' 党支部', 'branch', 'rural', 3, date '2025-01-01'
      from generate_series(0, ${o.probes - 1}) g join organizations c on c.code = ${prefix} || 'x' || ${counties}`;

    // The measured branches' plan rows, the obligations of periods begun before this quarter waived: the workflow
    // reads its plan back (`on conflict do nothing` keeps these) and opens the four the quarter's first day opens.
    const plan = await planOf(sql, year);
    const quarterStart = `${year}-${String(Math.floor((Number(today.slice(5, 7)) - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
    const monthStartDay = `${today.slice(0, 7)}-01`;
    const opening = plan.filter((p) => (p.period.includes('Q') ? p.startsOn === quarterStart : p.startsOn === monthStartDay));
    await sql`
      insert into life_obligations (organization_id, year, period, kind, starts_on, ends_on, due_on, workflow_id, waived_reason)
      select b.id, ${year}, p.period, p.kind, p."startsOn"::date, p."endsOn"::date, p."dueOn"::date, ${`${KIND}:`} || b.code || ${`:${year}`},
             case when p.period = any(${opening.map((x) => x.period)}::text[]) then null else 'bench: a period before the one measured' end
      from organizations b cross join jsonb_to_recordset(${sql.json(plan)}) as p(period text, kind text, "startsOn" text, "endsOn" text, "dueOn" text)
      where b.code like ${`${prefix}b%`}`;
    const expected = n * opening.length;
    log(`month start: ${n} branches, ${opening.length} tasks each (${opening.map((x) => `${x.period}:${x.kind}`).join(', ')})`);

    // The worker, bundled once: it runs in this process beside the API (its RSS is the process's).
    const bundle = await bundleWorkflowCode({
      ...workflowBundleOptions,
      logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } as never,
    });
    const bundlePath = join(resolve('bench', 'out'), `organization-life-bundle-${process.pid}.js`);
    writeFileSync(bundlePath, bundle.code);
    const startWorker = async () => {
      const w = await createWorker({
        connection: servers.workerConnection!,
        namespace: 'default',
        taskQueue: stack.taskQueue,
        sql,
        workflowBundlePath: bundlePath,
      });
      const running = w.run();
      stopWorker = async () => {
        if (w.getState() === 'RUNNING') w.shutdown();
        await running.catch(() => {});
      };
      return w;
    };
    const startYears = async (codes: { id: number; code: string }[], at?: number) => {
      // As startLifeYears (src/organization-life/start.ts) starts each, 16 in flight (its branch list leaves out
      // branches with plan rows, so the list is given here); with `at`, each year's first workflow task is held by
      // the server until that instant (startDelay), as N timers due at one instant would hold theirs.
      let late = 0;
      await pool(codes, 16, async (b) => {
        const delay = at === undefined ? 0 : at - Date.now();
        if (at !== undefined && delay <= 0) late++;
        await client.workflow.start(organizationLife, {
          workflowId: organizationLifeId(b.code, year),
          taskQueue: stack.taskQueue,
          args: [{ organization: b.code, year }],
          ...(delay > 0 ? { startDelay: delay } : {}),
        });
      });
      // startProcess's projection row, for all at once (the workflow's first activity takes it over).
      await sql`
        insert into processes (workflow_id, kind, organization_id, current_step, started_at, updated_at)
        select ${`${KIND}:`} || o.code || ${`:${year}`}, ${KIND}, o.id, 'started', now(), '-infinity'
        from organizations o where o.id = any(${codes.map((c) => c.id)}::bigint[])
        on conflict do nothing`;
      return late;
    };
    const tasksLike = async (pattern: string) => (await sql<{ n: number }[]>`select count(*)::int as n from tasks where workflow_id like ${pattern}`)[0]!.n;

    // The probes: their secretaries' whole years open before the instant, one record per task.
    const worker = await startWorker();
    const probeOrgs = await sql<{ id: number; code: string }[]>`select id::int as id, code from organizations where code like ${`${prefix}p%`} order by id`;
    await startYears(probeOrgs);
    const probeTasks = probeOrgs.length * plan.length;
    const p0 = Date.now();
    while ((await tasksLike(`${KIND}:${prefix}p%`)) < probeTasks && Date.now() - p0 < 600_000) await new Promise((r) => setTimeout(r, 500));
    log(`probe tasks open: ${await tasksLike(`${KIND}:${prefix}p%`)} / ${probeTasks} in ${((Date.now() - p0) / 1000).toFixed(1)} s`);
    const secretaries = new Map<number, string>();
    for (const b of probeOrgs) {
      const username = `sec-${b.code.toLowerCase()}`;
      await createUser(sql, { username, password: 'bench password', roles: [{ role: 'secretary', organizationId: b.id }] });
      const login = await stack.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: 'bench password' } });
      secretaries.set(b.id, `Bearer ${login.json().token}`);
    }
    const queue = await sql<{ id: string; organization_id: number; task_key: string }[]>`
      select id::text as id, organization_id::int as organization_id, task_key from tasks
      where workflow_id like ${`${KIND}:${prefix}p%`} and state = 'open' order by random()`;
    let refused = 0;
    const record = async (): Promise<number | null> => {
      const t = queue.pop();
      if (!t) return null;
      const kind = t.task_key.split(':')[1]!;
      const s = performance.now();
      const res = await stack.app.inject({
        method: 'POST',
        url: `/api/v1/tasks/${t.id}/complete`,
        headers: { authorization: secretaries.get(t.organization_id)! },
        payload: { outcome: { meetingOn: today, kinds: [kind], topic: '学习贯彻全会精神', minutes: '支部书记传达全会精神，党员逐一发言。' } },
      });
      const ms = performance.now() - s;
      if (res.statusCode !== 200) {
        refused++;
        if (refused <= 3) log(`record refused ${res.statusCode}: ${res.body.slice(0, 300)}`);
      }
      return ms;
    };
    const calm: number[] = [];
    for (let i = 0; i < 20; i++) {
      const ms = await record();
      if (ms !== null) calm.push(ms);
      await new Promise((r) => setTimeout(r, 100));
    }

    // The instant: every measured year started with its first workflow task held by the server until T, the worker
    // polling all along (the probes' runs stay in its cache, as a secretary's busy year would).
    const orgs = await sql<{ id: number; code: string }[]>`select id::int as id, code from organizations where code like ${`${prefix}b%`} order by id`;
    const instant = Date.now() + 20_000 + n * 15;
    const s0 = performance.now();
    const late = await startYears(orgs, instant);
    const startSeconds = (performance.now() - s0) / 1000;
    log(`${n} years started in ${startSeconds.toFixed(1)} s, ${late} of them after the instant; waiting for it`);
    while (Date.now() < instant - 1_000) await new Promise((r) => setTimeout(r, 100));
    const sdkNames = ['sticky_cache_total_forced_eviction', 'workflow_task_execution_latency_count', 'workflow_task_schedule_to_start_latency_sum'] as const;
    const sdkBefore = await sdkMetrics(stack.taskQueue, sdkNames);
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 250);
    while (Date.now() < instant) await new Promise((r) => setTimeout(r, 10));
    const t0 = performance.now();
    const during: number[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const ms = await record();
        if (ms === null) break;
        during.push(ms);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    let opened = await tasksLike(`${KIND}:${prefix}b%`);
    const progress: string[] = [];
    while (opened < expected && performance.now() - t0 < 30 * 60_000) {
      await new Promise((r) => setTimeout(r, 500));
      opened = await tasksLike(`${KIND}:${prefix}b%`);
      const sec = Math.round((performance.now() - t0) / 1000);
      if (sec % 30 === 0 && progress.length < sec / 30) progress.push(`${sec} s: ${opened}`);
    }
    const openSeconds = (performance.now() - t0) / 1000;
    probing = false;
    await prober;
    clearInterval(sampler);
    const sdkAfter = await sdkMetrics(stack.taskQueue, sdkNames);
    const wfts = sdkAfter.workflow_task_execution_latency_count - sdkBefore.workflow_task_execution_latency_count;
    const evictions = sdkAfter.sticky_cache_total_forced_eviction - sdkBefore.sticky_cache_total_forced_eviction;
    const waitS = (sdkAfter.workflow_task_schedule_to_start_latency_sum - sdkBefore.workflow_task_schedule_to_start_latency_sum) / Math.max(1, wfts) / 1000;
    const cacheNote = `${wfts} workflow tasks, ${evictions} cache evictions, ${waitS.toFixed(1)} s average wait on the server; the worker caches ${worker.options.maxCachedWorkflows} workflows`;
    log(`${opened} / ${expected} tasks open ${openSeconds.toFixed(1)} s after the instant (${progress.join('; ')}); ${cacheNote}`);
    const calmS = [...calm].sort((a, b) => a - b);
    const duringS = [...during].sort((a, b) => a - b);
    log(
      `record p50/p99: before ${percentile(calmS, 50).toFixed(0)}/${percentile(calmS, 99).toFixed(0)} ms; meanwhile ${percentile(duringS, 50).toFixed(0)}/${percentile(duringS, 99).toFixed(0)} ms (${during.length} records, ${refused} refused); RSS ${Math.round(rssBefore / 2 ** 20)} → peak ${Math.round(rssPeak / 2 ** 20)} MiB`,
    );
    await stopWorker();
    const what = `${n} branches, ${opening.length} meetings each, at one instant`;
    return [
      {
        name: `organization-life.month-start (${what})`,
        value: +openSeconds.toFixed(1),
        unit: 's until every task is open',
        // The issue sets no goal for a period's opening; its month-end goal (60 s) is the nearest.
        baseline: 'the month-end storm’s goal: within 60 s',
        baselineValue: 60,
        ratio: +(60 / openSeconds).toFixed(3),
        notes: `${opened} of ${expected} open; ${(opened / openSeconds).toFixed(1)} tasks/s; ${cacheNote}; the years started in ${startSeconds.toFixed(1)} s before the instant, ${late} after it`,
      },
      {
        name: `organization-life.month-start.record.p50 (${what})`,
        value: +percentile(duringS, 50).toFixed(0),
        unit: 'ms',
        baseline: 'the same record before the instant (p50)',
        baselineValue: +percentile(calmS, 50).toFixed(0),
        ratio: +(percentile(calmS, 50) / percentile(duringS, 50)).toFixed(3),
        notes: `${during.length} records through POST /api/v1/tasks/{id}/complete, ${refused} refused`,
      },
      {
        name: `organization-life.month-start.record.p99 (${what})`,
        value: +percentile(duringS, 99).toFixed(0),
        unit: 'ms',
        baseline: 'goal (the issue): p99 ≤ 300 ms',
        baselineValue: TARGET.recordMs,
        ratio: +(TARGET.recordMs / percentile(duringS, 99)).toFixed(3),
        notes: `before the instant: p99 ${percentile(calmS, 99).toFixed(0)} ms over ${calm.length} records`,
      },
      {
        name: `organization-life.month-start.peak-rss (${what})`,
        value: Math.round(rssPeak / 2 ** 20),
        unit: 'MiB (the bench process: API and worker)',
        baseline: 'the same process just before the instant (probe years open, measured years waiting)',
        baselineValue: Math.round(rssBefore / 2 ** 20),
        ratio: +(rssBefore / rssPeak).toFixed(3),
      },
    ];
  } finally {
    await stopWorker();
    await stack.close();
    await servers.stop();
  }
}

/** A period's completeness read for random counties and for the province, at a year of records. */
export async function completeness(o: { branches: number; explore?: (sql: Sql, province: string) => Promise<void> }): Promise<BenchResult[]> {
  const servers = await startBenchServers(log, { temporal: false });
  const { sql } = servers;
  try {
    const today = shanghaiDate(Date.now());
    const year = Number(today.slice(0, 4));
    const plan = await planOf(sql, year);
    // Province → cities of 25 counties → counties of 10 townships → townships of 30 branches (300 a county).
    const counties = Math.max(1, Math.round(o.branches / 300));
    const cities = Math.ceil(counties / 25);
    const t0 = performance.now();
    const [root] = await sql<{ id: number }[]>`
      insert into organizations (code, name, type, sector) values ('P', '省委', 'committee', 'regional') returning id`;
    await sql`
      insert into organizations (code, parent_id, name, type, sector)
      select 'P' || g, ${root!.id}, '市委' || g, 'committee', 'regional' from generate_series(1, ${cities}) g`;
    await sql`
      insert into organizations (code, parent_id, name, type, sector)
      select 'P' || ((g - 1) / 25 + 1) || 'x' || g, c.id, '县委' || g, 'committee', 'regional'
      from generate_series(1, ${counties}) g join organizations c on c.code = 'P' || ((g - 1) / 25 + 1)`;
    await sql`
      insert into organizations (code, parent_id, name, type, sector)
      select c.code || 'z' || g, c.id, c.name || '乡镇' || g, 'committee', 'regional'
      from organizations c cross join generate_series(1, 10) g where c.code like 'P%x%'`;
    await sql`
      insert into organizations (code, parent_id, name, type, sector, term_years, term_started_on)
      select t.code || 'b' || g, t.id, t.name || '第' || g || '党支部', 'branch', 'rural', 3, date '2025-01-01'
      from organizations t cross join generate_series(1, 30) g where t.code like 'P%x%z%'`;
    const branches = (await sql<{ n: number }[]>`select count(*)::int as n from organizations where type = 'branch'`)[0]!.n;
    // Each obligation's fate by a hash of branch and obligation; held ones met by the branch's meeting of the month
    // the period ends in (a quarter's by the meeting of its last month), ids chosen so no join is needed.
    await sql`
      insert into meetings (id, organization_id, workflow_id, task_key, held_on, kinds, topic, minutes, on_register, present, recorded_by, recorded_at)
      overriding system value
      select b.id * 100 + m, b.id, ${`${KIND}:`} || b.code || ${`:${year}`}, 'bench:' || m, make_date(${year}, m, 20),
             array['branch-committee', 'theme-day'], '学习贯彻全会精神', '支部书记传达全会精神。', 28, 25, 'bench', make_timestamptz(${year}, m, 21, 10, 0, 0, 'Asia/Shanghai')
      from organizations b cross join generate_series(1, 11) m where b.type = 'branch'`;
    await sql`
      insert into life_obligations (organization_id, year, period, kind, starts_on, ends_on, due_on, workflow_id, meeting_id, recorded_at, late, waived_reason)
      select b.id, ${year}, p.period, p.kind, p."startsOn"::date, p."endsOn"::date, p."dueOn"::date, ${`${KIND}:`} || b.code || ${`:${year}`},
             case when f.held then b.id * 100 + extract(month from p."endsOn"::date)::int end,
             case when f.held then make_timestamptz(${year}, extract(month from p."endsOn"::date)::int, 21, 10, 0, 0, 'Asia/Shanghai') end,
             case when f.held then f.h >= 82 end,
             case when f.due and f.h >= 95 and f.h < 97 then '支部撤并' end
      from organizations b cross join jsonb_to_recordset(${sql.json(plan)}) as p(period text, kind text, "startsOn" text, "endsOn" text, "dueOn" text)
      cross join lateral (select abs(hashtext(b.id || p.period || p.kind)) % 100 as h, p."dueOn"::date < ${today}::date as due) x
      cross join lateral (select x.h, x.due, x.due and x.h < 88 as held) f
      where b.type = 'branch'`;
    // The missing obligations' tasks (the read takes each one's escalation level from it).
    await sql`
      insert into tasks (workflow_id, task_key, process, step, organization_id, assignee_role, state, opened_at, due_at, escalation_level)
      select l.workflow_id, l.period || ':' || l.kind, ${KIND}, 'meeting-record', l.organization_id, 'secretary', 'escalated',
             l.starts_on::timestamptz, l.due_on::timestamptz, 1 + abs(hashtext(l.workflow_id || l.period)) % 3
      from life_obligations l where l.meeting_id is null and l.waived_reason is null and l.due_on < ${today}::date`;
    // As autovacuum leaves the tables within a minute of such inserts (bench/overdue.ts does the same).
    await sql`vacuum analyze organizations, meetings, life_obligations, tasks`;
    const [counts] = await sql<{ obligations: number; missing: number; meetings: number }[]>`
      select (select count(*) from life_obligations)::int as obligations,
             (select count(*) from tasks)::int as missing,
             (select count(*) from meetings)::int as meetings`;
    log(
      `completeness: ${branches} branches, ${counts!.obligations} obligations, ${counts!.meetings} meetings, ${counts!.missing} missing with tasks, in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const countyPaths = (await sql<{ path: string }[]>`select path::text as path from organizations where code like 'P%x%' and code not like '%z%'`).map(
      (r) => r.path,
    );
    const [province] = await sql<{ path: string }[]>`select path::text as path from organizations where code = 'P'`;
    // The periods past due: months 1–11 and quarters 1–3, picked at random per read.
    const periods = plan.filter((p) => p.dueOn < today).map((p) => p.period);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;
    const measure = async (runs: number, path: () => string) => {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const s = performance.now();
        await periodCompleteness(sql, { path: path(), period: pick(periods), today });
        samples.push(performance.now() - s);
      }
      return samples.sort((a, b) => a - b);
    };
    await measure(10, () => pick(countyPaths)); // the prepared statements planned and the pages warm
    const county = await measure(300, () => pick(countyPaths));
    await measure(2, () => province!.path);
    const prov = await measure(30, () => province!.path);
    const month = `${year}-06`;
    const explain = async () =>
      (
        await sql.unsafe(
          `explain (analyze, buffers) with l as (
      select l.*, b.path as bpath
      from life_obligations l join organizations b on b.id = l.organization_id
      where l.period = $1 and b.path <@ $2::ltree
    ),
    g as (
      select case when nlevel(l.bpath) > nlevel($2::ltree) then subpath(l.bpath, 0, nlevel($2::ltree) + 1) else l.bpath end as gpath,
             l.organization_id, l.meeting_id, l.late, l.waived_reason, l.due_on
      from l
    )
    select o.code, o.name, o.type, count(distinct g.organization_id)::int as branches,
           count(*) filter (where g.late = false)::int as held
    from g join organizations o on o.path = g.gpath
    group by o.code, o.name, o.type`,
          [month, province!.path],
        )
      )
        .map((r) => (r as Record<string, string>)['QUERY PLAN'])
        .join('\n');
    const plan1 = await explain();
    const planFile = join(resolve('bench', 'out'), `organization-life-province-plan-${process.pid}.txt`);
    writeFileSync(planFile, plan1);
    log(`province read's first statement, EXPLAIN ANALYZE (${planFile}):\n${plan1}`);
    log(
      `completeness p50/p99: county ${percentile(county, 50).toFixed(1)}/${percentile(county, 99).toFixed(1)} ms; province ${percentile(prov, 50).toFixed(1)}/${percentile(prov, 99).toFixed(1)} ms`,
    );
    // A way to try other plans on the same rows (bench/out scripts); the figures above are the product's statements.
    await o.explore?.(sql, province!.path);
    const at = `${branches} branches × ${plan.length} obligations`;
    return [
      {
        name: `organization-life.completeness.county.p50 (${at}; a random county of 300, a random past period)`,
        value: +percentile(county, 50).toFixed(1),
        unit: 'ms',
        baseline: null,
        baselineValue: null,
        ratio: null,
      },
      {
        name: `organization-life.completeness.county.p99 (${at}; a random county of 300, a random past period)`,
        value: +percentile(county, 99).toFixed(1),
        unit: 'ms',
        baseline: 'goal (the issue): p99 ≤ 50 ms',
        baselineValue: TARGET.countyMs,
        ratio: +(TARGET.countyMs / percentile(county, 99)).toFixed(3),
        notes: `${county.length} reads of periodCompleteness (both statements)`,
      },
      {
        name: `organization-life.completeness.province.p50 (${at}; the whole province, a random past period)`,
        value: +percentile(prov, 50).toFixed(1),
        unit: 'ms',
        baseline: null,
        baselineValue: null,
        ratio: null,
      },
      {
        name: `organization-life.completeness.province.p99 (${at}; the whole province, a random past period)`,
        value: +percentile(prov, 99).toFixed(1),
        unit: 'ms',
        baseline: 'goal (the issue): p99 ≤ 500 ms',
        baselineValue: TARGET.provinceMs,
        ratio: +(TARGET.provinceMs / percentile(prov, 99)).toFixed(3),
        notes: `${prov.length} reads of periodCompleteness (both statements)`,
      },
    ];
  } finally {
    await servers.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => (process.argv.includes(`--${name}`) ? Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) : undefined);
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const quick = process.argv.includes('--quick');
  const results =
    only === 'completeness'
      ? await completeness({ branches: arg('province') ?? (quick ? 15_000 : 150_000) })
      : only === 'month-start'
        ? await monthStart({ branches: arg('branches') ?? (quick ? 2_000 : 5_000), probes: quick ? 10 : 25 })
        : await run({ quick, branches: arg('branches'), province: arg('province') });
  console.log(JSON.stringify(results, null, 2));
  process.exit(0);
}
