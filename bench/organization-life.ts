// Organization life 三会一课 at scale (workflows/organization-life/workflow.ts; migrations/112_organization_life.sql):
//
// (a) Month start. N branches' years planned, then a period's meetings of every branch open at one instant: how long
//     the year's start takes (the Schedule's 1 January: each branch's workflow plans its year and its 32 meetings'
//     openings), then how long after the instant every branch's tasks of the period are rows in `tasks` (the lane's
//     deadline sweep opens them: migrations/116_task_openings.sql; no workflow wakes), the worker's RSS, and a
//     secretary's record (the complete Update through the API) p50/p99 meanwhile. The measured years are next
//     year's, so that every opening lies ahead; the first quarter's and January's (four a branch) are then moved to
//     one instant T a few seconds ahead, as 1 January's are at 00:00, and the sweep is woken to sleep until T.
//     The probe secretaries' branches run this year, their current periods open.
// (a2) A province's first of the month (150,000 branches; --quick 15,000): each branch's four openings written
//     set-based as its year would have planned them, with a secretary to notify, all due at one instant; how long
//     until every task is open with its notice and deadline rows, and a secretary's record meanwhile.
// (a3) The province's month end: the last reminder of each of those tasks (the working day before its due day) moved
//     to one instant; how long until the sweep has recorded every one, and a secretary's record meanwhile.
// (b) Completeness reads. `periodCompleteness` (src/organization-life/store.ts; GET /api/v1/organizations/{code}/
//     meeting-completeness) for a county (300 branches) and the province (150,000 branches; --quick 15,000) at a year
//     of records: 32 obligations per branch, 11 months past due (of those: 82% held on time, 6% late, 2% waived,
//     10% missing), December and the fourth quarter open, inserted set-based. The read's cost is the rows it reads, not how they were written. Missing
//     obligations have their task row (the escalation level is read from it); the others' tasks are not inserted.
//   node --import tsx bench/organization-life.ts [--quick] [--branches N] [--province N]
//   node --import tsx bench/organization-life.ts --only month-start [--branches N] [--province N] [--cache N]
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createUser } from '../src/auth/users.js';
import { shanghaiDate } from '../src/domain/dates.js';
import { lifeRulesFor, obligationsOf, periodWords } from '../src/domain/organization-life/rules.js';
import { meetingRecord } from '../src/domain/organization-life/steps.js';
import { stepTitle } from '../src/domain/step.js';
import { planTask } from '../src/domain/task-plan.js';
import { completenessByChild, periodCompleteness } from '../src/organization-life/store.js';
import { loadCalendar } from '../src/tasks/holders.js';
import { createWorker, workflowBundleOptions } from '../src/worker.js';
import type { Sql } from '../src/db/client.js';
import { deadlineSweepId, wakeDeadlineSweep } from '../workflows/deadline-sweep.js';
import { KIND, organizationLife, organizationLifeId } from '../workflows/organization-life/workflow.js';
import { percentile, pool } from './measure.js';
import { sdkHistograms, sdkMetrics, sdkMoved, startBenchServers } from './servers.js';
import { startBenchStack } from './stack.js';
import { log, type BenchResult } from './tasks-support.js';

/**
 * The runs the measured worker keeps cached. A province has 150,000 branches' years and a worker caches 1,000 runs,
 * so a secretary's record almost always finds its run evicted and replays its history first. The probe branches are
 * recorded one after another, each again only after all the others: a cache of half as many runs makes every probe
 * record do the same (each phase logs the cache's hits and misses).
 */
const probeCache = (probes: number) => Math.max(1, Math.floor(probes / 2));

/** The issue's targets: a record p99 ≤ 300 ms meanwhile; a county's table p99 ≤ 50 ms, a province's ≤ 500 ms. */
const TARGET = { recordMs: 300, countyMs: 50, provinceMs: 500 };

export interface OrganizationLifeOptions {
  quick?: boolean;
  /** Branches whose period opens at one instant (5,000; --quick 2,000). */
  branches?: number;
  /** Branches of the province whose month start is opened and whose completeness is read (150,000; --quick 15,000). */
  province?: number;
}

export async function run(opts: OrganizationLifeOptions = {}): Promise<BenchResult[]> {
  const quick = opts.quick ?? false;
  const province = opts.province ?? (quick ? 15_000 : 150_000);
  const out = await monthStart({ branches: opts.branches ?? (quick ? 2_000 : 5_000), probes: quick ? 25 : 100, province });
  out.push(...(await completeness({ branches: province })));
  return out;
}

/**
 * Where `records` records spent their time in the worker (the SDK's metrics between two reads): how many found their
 * run in the sticky cache, its workflow tasks, and their local activities.
 */
function recordsInWorker(before: Map<string, number>, after: Map<string, number>, records: number): string {
  const moved = (key: string) => sdkMoved(before, after, key);
  const avg = (m: { count: number; sum: number }) => (m.count ? m.sum / m.count : 0).toFixed(1);
  const counter = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const cached = counter('sticky_cache_hit{workflow_type="organizationLife"}');
  const replays = counter('sticky_cache_miss{}');
  const wft = moved('workflow_task_execution_latency{workflow_type="organizationLife"}');
  const las = ['registerOfDay', 'recordTaskChange', 'recordMeeting', 'recordStep'].map(
    (a) => `${a} ${avg(moved(`local_activity_execution_latency{activity_type="${a}",workflow_type="organizationLife"}`))}`,
  );
  return `${records} records: ${replays} found their run evicted and replayed it, ${cached} found it cached; a workflow task ${avg(wft)} ms on average (${wft.count}), its local activities ${las.join(', ')} ms`;
}

/** A secretary's record's p99 (sorted latencies) against the issue's goal. */
const recordP99 = (name: string, sorted: number[], notes: string): BenchResult => ({
  name,
  value: +percentile(sorted, 99).toFixed(0),
  unit: 'ms',
  baseline: 'goal (the issue): p99 ≤ 300 ms',
  baselineValue: TARGET.recordMs,
  ratio: +(TARGET.recordMs / percentile(sorted, 99)).toFixed(3),
  notes,
});

/**
 * A secretary's record every 250 ms until `stop` (or until no task is left to record): the latencies, in ms. The
 * event loop's delay meanwhile is logged beside them: the API, the worker and the sweep's activity share this process,
 * so a delay there is a record's wait that is not the database's.
 */
function probeRecords(label: string, record: () => Promise<number | null>): { stop: () => Promise<number[]> } {
  const samples: number[] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let going = true;
  const running = (async () => {
    while (going) {
      const ms = await record();
      if (ms === null) break;
      samples.push(ms);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    stop: async () => {
      going = false;
      await running;
      loop.disable();
      log(
        `${label}: event loop delay p50/p99/max ${(loop.percentile(50) / 1e6).toFixed(0)}/${(loop.percentile(99) / 1e6).toFixed(0)}/${(loop.max / 1e6).toFixed(0)} ms`,
      );
      return samples;
    },
  };
}

/** The year's 32 obligations as the workflow's own plan writes them (planLifeYear: due on the working-day calendar). */
async function planOf(sql: Sql, year: number) {
  const r = lifeRulesFor(`${year}-01-01`);
  const cal = await loadCalendar(sql);
  return obligationsOf(year, r).map((o) => ({ ...o, dueOn: cal.addWorkingDays(o.endsOn, r.recordWithinWorkingDays) }));
}

/**
 * `cache`: the measured worker's cache instead of `probeCache` (`--cache N`, run directly): what a cache full of years
 * weighs, its records then mostly on cached runs.
 */
async function monthStart(o: { branches: number; probes: number; province?: number; cache?: number }): Promise<BenchResult[]> {
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

    const plan = await planOf(sql, year + 1);
    const opening = plan.filter((p) => p.startsOn === `${year + 1}-01-01`);
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
        maxCachedWorkflows: o.cache ?? probeCache(o.probes),
      });
      const running = w.run();
      stopWorker = async () => {
        if (w.getState() === 'RUNNING') w.shutdown();
        await running.catch(() => {});
      };
      return w;
    };
    const startYears = async (codes: { id: number; code: string }[], y: number) => {
      // As startLifeYears (src/organization-life/start.ts) starts each, 16 in flight (its branch list leaves out
      // branches with plan rows, so the list is given here).
      await pool(codes, 16, async (b) => {
        await client.workflow.start(organizationLife, {
          workflowId: organizationLifeId(b.code, y),
          taskQueue: stack.taskQueue,
          args: [{ organization: b.code, year: y }],
        });
      });
      // startProcess's projection row, for all at once (the workflow's first activity takes it over).
      await sql`
        insert into processes (workflow_id, kind, organization_id, current_step, started_at, updated_at)
        select ${`${KIND}:`} || o.code || ${`:${y}`}, ${KIND}, o.id, 'started', now(), '-infinity'
        from organizations o where o.id = any(${codes.map((c) => c.id)}::bigint[])
        on conflict do nothing`;
    };
    const tasksLike = async (pattern: string) => (await sql<{ n: number }[]>`select count(*)::int as n from tasks where workflow_id like ${pattern}`)[0]!.n;

    // The probes: their secretaries' years, the periods begun open, one record per task of the current periods.
    const worker = await startWorker();
    const probeOrgs = await sql<{ id: number; code: string }[]>`select id::int as id, code from organizations where code like ${`${prefix}p%`} order by id`;
    await startYears(probeOrgs, year);
    const probeTasks = probeOrgs.length * (await planOf(sql, year)).filter((p) => p.startsOn <= today).length;
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
    // Each held on its period's first day (or today, for the period under way): a record the rule takes, late or not.
    // Branch after branch, each branch again only after all the others (the queue is taken from its end): every
    // record's run has been evicted since its last, as at a province's size (probeCache).
    const queue = await sql<{ id: string; organization_id: number; task_key: string; held_on: string }[]>`
      select id, organization_id, task_key, held_on from (
        select id::text as id, organization_id::int as organization_id, task_key, least(context->>'startsOn', ${today}) as held_on,
               row_number() over (partition by organization_id order by random()) as round, random() as r
        from tasks where workflow_id like ${`${KIND}:${prefix}p%`} and state = 'open') t
      order by round desc, r`;
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
        payload: { outcome: { meetingOn: t.held_on, kinds: [kind], topic: '学习贯彻全会精神', minutes: '支部书记传达全会精神，党员逐一发言。' } },
      });
      const ms = performance.now() - s;
      if (res.statusCode !== 200) {
        refused++;
        if (refused <= 3) log(`record refused ${res.statusCode}: ${res.body.slice(0, 300)}`);
      }
      return ms;
    };
    const calm: number[] = [];
    const hCalm = await sdkHistograms();
    for (let i = 0; i < 20; i++) {
      const ms = await record();
      if (ms !== null) calm.push(ms);
      await new Promise((r) => setTimeout(r, 100));
    }
    log(`calm: ${recordsInWorker(hCalm, await sdkHistograms(), calm.length)}`);

    // The year's start: every measured branch's year of next year planned, its openings rows.
    const orgs = await sql<{ id: number; code: string }[]>`select id::int as id, code from organizations where code like ${`${prefix}b%`} order by id`;
    const openingsLike = async () =>
      (await sql<{ n: number }[]>`select count(*)::int as n from task_openings where workflow_id like ${`${KIND}:${prefix}b%`}`)[0]!.n;
    const s0 = performance.now();
    await startYears(orgs, year + 1);
    while ((await openingsLike()) < n * plan.length && performance.now() - s0 < 30 * 60_000) await new Promise((r) => setTimeout(r, 500));
    const startSeconds = (performance.now() - s0) / 1000;
    log(`${n} years planned in ${startSeconds.toFixed(1)} s (${await openingsLike()} openings); moving the first period's to one instant`);
    // The first period's openings to one instant T, the sweep woken to sleep until it (as at 00:00 on 1 January).
    const instant = Date.now() + 15_000;
    await sql`
      update task_openings set opens_at = ${new Date(instant)}
      where workflow_id like ${`${KIND}:${prefix}b%`} and task_key = any(${opening.map((x) => `${x.period}:${x.kind}`)}::text[])`;
    await client.workflow.getHandle(deadlineSweepId(stack.taskQueue)).signal(wakeDeadlineSweep);
    while (Date.now() < instant - 1_000) await new Promise((r) => setTimeout(r, 100));
    const sdkNames = ['sticky_cache_total_forced_eviction', 'workflow_task_execution_latency_count', 'workflow_task_schedule_to_start_latency_sum'] as const;
    const sdkBefore = await sdkMetrics(stack.taskQueue, sdkNames);
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 250);
    while (Date.now() < instant) await new Promise((r) => setTimeout(r, 10));
    const t0 = performance.now();
    const probe = probeRecords('month start', record);
    let opened = await tasksLike(`${KIND}:${prefix}b%`);
    const progress: string[] = [];
    while (opened < expected && performance.now() - t0 < 30 * 60_000) {
      await new Promise((r) => setTimeout(r, 500));
      opened = await tasksLike(`${KIND}:${prefix}b%`);
      const sec = Math.round((performance.now() - t0) / 1000);
      if (sec % 30 === 0 && progress.length < sec / 30) progress.push(`${sec} s: ${opened}`);
    }
    const openSeconds = (performance.now() - t0) / 1000;
    const during = await probe.stop();
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
    const province = o.province
      ? await provinceStart({ ...o, province: o.province, sql, client, taskQueue: stack.taskQueue, prefix, year: year + 1, opening, record, log })
      : [];
    await stopWorker();
    const what = `${n} branches, ${opening.length} meetings each, at one instant`;
    return [
      {
        name: `organization-life.year-start (${n} branches, ${plan.length} meetings each planned)`,
        value: +(n / startSeconds).toFixed(1),
        unit: 'branches planned per second',
        // December's sweep has the month; a day is what it should need at most.
        baseline: 'a province’s 150,000 planned within a day (1 December)',
        baselineValue: +(150_000 / 86_400).toFixed(2),
        ratio: +(n / startSeconds / (150_000 / 86_400)).toFixed(1),
        notes: `${n} in ${startSeconds.toFixed(1)} s, 16 started at a time, each planning its year and its ${plan.length} openings in one activity; 150,000 at this rate: ${Math.round(150_000 / (n / startSeconds) / 60)} min`,
      },
      {
        name: `organization-life.month-start (${what})`,
        value: +openSeconds.toFixed(1),
        unit: 's until every task is open',
        // The issue sets no goal for a period's opening; its month-end goal (60 s) is the nearest.
        baseline: 'the month-end storm’s goal: within 60 s',
        baselineValue: 60,
        ratio: +(60 / openSeconds).toFixed(3),
        notes: `${opened} of ${expected} open; ${(opened / openSeconds).toFixed(1)} tasks/s; ${cacheNote}`,
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
      recordP99(
        `organization-life.month-start.record.p99 (${what})`,
        duringS,
        `before the instant: p99 ${percentile(calmS, 99).toFixed(0)} ms over ${calm.length} records`,
      ),
      {
        name: `organization-life.month-start.peak-rss (${what})`,
        value: Math.round(rssPeak / 2 ** 20),
        unit: 'MiB (the bench process: API and worker)',
        baseline: 'the same process just before the instant (probe years open, measured years planned)',
        baselineValue: Math.round(rssBefore / 2 ** 20),
        ratio: +(rssBefore / rssPeak).toFixed(3),
      },
      ...province,
    ];
  } finally {
    await stopWorker();
    await stack.close();
    await servers.stop();
  }
}

/**
 * (a2) A province's first of the month: `province` branches, each with its secretary, and their period's four
 * openings written set-based as the branches' years would have planned them (the planning itself is measured above,
 * at its own rate), all due at one instant: how long until every task is open with its notice and its deadline rows,
 * and a secretary's record meanwhile. No workflow runs for these branches: opening wakes none.
 */
async function provinceStart(o: {
  province: number;
  sql: Sql;
  client: Awaited<ReturnType<typeof startBenchServers>>['client'];
  taskQueue: string;
  prefix: string;
  year: number;
  opening: Awaited<ReturnType<typeof planOf>>;
  record: () => Promise<number | null>;
  log: (m: string) => void;
}): Promise<BenchResult[]> {
  const { sql, prefix, province: p } = o;
  const [root] = await sql<{ id: number }[]>`select id from organizations where code = ${prefix}`;
  await sql`
    insert into organizations (code, parent_id, name, type, sector)
    select ${prefix} || 'y' || g, ${root!.id}, ${prefix} || 'y' || g || ' 县委', 'committee', 'regional' from generate_series(0, ${Math.ceil(p / 300) - 1}) g`;
  await sql`
    insert into organizations (code, parent_id, name, type, sector, term_years, term_started_on)
    select ${prefix} || 'v' || g, c.id, ${prefix} || 'v' || g || ' 党支部', 'branch', 'rural', 3, date '2025-01-01'
    from generate_series(0, ${p - 1}) g join organizations c on c.code = ${prefix} || 'y' || (g / 300)`;
  // A secretary a branch, who gets the opening notice (no one signs in as them: the hash is no password's).
  await sql`
    insert into users (username, password_hash, display_name)
    select 'sv-' || lower(code), 'bench: no sign-in', name || '书记' from organizations where code like ${`${prefix}v%`}`;
  await sql`
    insert into user_roles (user_id, role, organization_id)
    select u.id, 'secretary', o.id from organizations o join users u on u.username = 'sv-' || lower(o.code) where o.code like ${`${prefix}v%`}`;
  const r = lifeRulesFor(`${o.year}-01-01`);
  const cal = await loadCalendar(sql);
  const instant = Date.now() + 20_000;
  const from = new Date(instant).toISOString();
  const planned = o.opening.map((x) => {
    const titled = { variant: x.kind, part: periodWords(x.period) };
    return {
      task_key: `${x.period}:${x.kind}`,
      plan: planTask(cal, { due: { on: x.dueOn }, from, reminderWorkingDays: r.reminderWorkingDays, escalationWorkingDays: r.escalationWorkingDays }),
      title: stepTitle(meetingRecord, titled),
      titled,
    };
  });
  const s0 = performance.now();
  await sql`
    insert into task_openings (workflow_id, task_key, opens_at, lane, process, step, organization_id, assignee_role, due_at, plan, title, title_parts)
    select ${`${KIND}:`} || b.code || ${`:${o.year}`}, x.task_key, ${from}, ${o.taskQueue}, ${KIND}, ${meetingRecord.step}, b.id, 'secretary',
           (x.plan->>'dueAt')::timestamptz, x.plan, x.title, x.titled
    from organizations b cross join jsonb_to_recordset(${sql.json(planned as never)}) as x(task_key text, plan jsonb, title text, titled jsonb)
    where b.code like ${`${prefix}v%`}`;
  await sql`analyze task_openings`;
  const expected = p * o.opening.length;
  o.log(`province: ${p} branches, ${expected} openings written in ${((performance.now() - s0) / 1000).toFixed(1)} s; waiting for the instant`);
  await o.client.workflow.getHandle(deadlineSweepId(o.taskQueue)).signal(wakeDeadlineSweep);
  while (Date.now() < instant) await new Promise((res) => setTimeout(res, 10));
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 250);
  const t0 = performance.now();
  const probe = probeRecords('province month start', o.record);
  const count = async () => (await sql<{ n: number }[]>`select count(*)::int as n from tasks where workflow_id like ${`${KIND}:${prefix}v%`}`)[0]!.n;
  let opened = 0;
  while (opened < expected && performance.now() - t0 < 30 * 60_000) {
    await new Promise((res) => setTimeout(res, 1_000));
    opened = await count();
  }
  const seconds = (performance.now() - t0) / 1000;
  const during = await probe.stop();
  clearInterval(sampler);
  // Fresh statistics first: the planner's estimate of rows written seconds ago would choose nested loops.
  await sql`analyze tasks, notifications, task_deadlines, task_events`;
  const [side] = await sql<{ notices: number; deadlines: number }[]>`
    with t as (select id from tasks where workflow_id like ${`${KIND}:${prefix}v%`})
    select (select count(*)::int from notifications n join t on t.id = n.task_id where n.kind = 'task-opened') as notices,
           (select count(*)::int from task_deadlines d join t on t.id = d.task_id) as deadlines`;
  const sorted = [...during].sort((a, b) => a - b);
  o.log(
    `province: ${opened} / ${expected} open ${seconds.toFixed(1)} s after the instant, ${side!.notices} notices, ${side!.deadlines} deadline rows; record p50/p99 ${percentile(sorted, 50).toFixed(0)}/${percentile(sorted, 99).toFixed(0)} ms (${during.length}); RSS peak ${Math.round(rssPeak / 2 ** 20)} MiB`,
  );
  // (a3) The period's end: every one of those tasks reminded the working day before its due day, all at one instant
  // (a quarter's end: the month's and the quarter's meetings), recorded by the lane's sweep while secretaries record.
  const lastReminder = `reminder-${Math.min(...r.reminderWorkingDays)}wd`;
  const instant2 = Date.now() + 15_000;
  const [moved] = await sql<{ n: number }[]>`
    with m as (
      update task_deadlines d set at = ${new Date(instant2)} from tasks t
      where t.id = d.task_id and t.workflow_id like ${`${KIND}:${prefix}v%`} and d.key = ${lastReminder} and d.recorded_at is null
      returning 1)
    select count(*)::int as n from m`;
  await sql`analyze task_deadlines`;
  await o.client.workflow.getHandle(deadlineSweepId(o.taskQueue)).signal(wakeDeadlineSweep);
  o.log(`month end: ${moved!.n} reminders moved to one instant`);
  while (Date.now() < instant2) await new Promise((res) => setTimeout(res, 10));
  const end0 = performance.now();
  const h0 = await sdkHistograms();
  const endProbe = probeRecords('province month end', o.record);
  const unrecorded = async () =>
    (
      await sql<{ n: number }[]>`
        select count(*)::int as n from task_deadlines where key = ${lastReminder} and recorded_at is null and at = ${new Date(instant2)}`
    )[0]!.n;
  let left = moved!.n;
  while (left > 0 && performance.now() - end0 < 30 * 60_000) {
    await new Promise((res) => setTimeout(res, 1_000));
    left = await unrecorded();
  }
  const endSeconds = (performance.now() - end0) / 1000;
  const endDuring = await endProbe.stop();
  o.log(`month end: ${recordsInWorker(h0, await sdkHistograms(), endDuring.length)}`);
  await sql`analyze notifications, task_events`;
  const [reminded] = await sql<{ events: number; notices: number }[]>`
    with t as (select id from tasks where workflow_id like ${`${KIND}:${prefix}v%`})
    select (select count(*)::int from task_events e join t on t.id = e.task_id where e.kind = 'reminded') as events,
           (select count(*)::int from notifications n join t on t.id = n.task_id where n.kind = 'reminder') as notices`;
  const endSorted = [...endDuring].sort((a, b) => a - b);
  o.log(
    `month end: ${moved!.n - left} of ${moved!.n} reminders recorded ${endSeconds.toFixed(1)} s after the instant (${reminded!.events} events, ${reminded!.notices} notices); record p50/p99 ${percentile(endSorted, 50).toFixed(0)}/${percentile(endSorted, 99).toFixed(0)} ms (${endDuring.length})`,
  );
  const what = `${p} branches, ${o.opening.length} meetings each, at one instant`;
  const endWhat = `${p} branches, ${moved!.n} reminders at one instant`;
  return [
    {
      name: `organization-life.month-end.province (${endWhat})`,
      value: +endSeconds.toFixed(1),
      unit: 's until every reminder is recorded',
      baseline: 'goal (the issue): within 60 s of the instant',
      baselineValue: 60,
      ratio: +(60 / endSeconds).toFixed(3),
      notes: `${moved!.n - left} of ${moved!.n} recorded, ${reminded!.events} reminder events and ${reminded!.notices} notices (exactly once a task: the counts match)`,
    },
    recordP99(
      `organization-life.month-end.province.record.p99 (${endWhat})`,
      endSorted,
      `${endDuring.length} records through POST /api/v1/tasks/{id}/complete while the sweep recorded them; p50 ${percentile(endSorted, 50).toFixed(0)} ms`,
    ),
    {
      name: `organization-life.month-start.province (${what})`,
      value: +seconds.toFixed(1),
      unit: 's until every task is open',
      baseline: 'the month-end storm’s goal: within 60 s',
      baselineValue: 60,
      ratio: +(60 / seconds).toFixed(3),
      notes: `${opened} of ${expected} open (${(opened / seconds).toFixed(0)} tasks/s), ${side!.notices} opening notices, ${side!.deadlines} deadline rows; the openings written set-based in ${((t0 - s0) / 1000 - 20).toFixed(0)} s before it; peak RSS of the bench process ${Math.round(rssPeak / 2 ** 20)} MiB (${Math.round(rssBefore / 2 ** 20)} before)`,
    },
    recordP99(
      `organization-life.month-start.province.record.p99 (${what})`,
      sorted,
      `${during.length} records through POST /api/v1/tasks/{id}/complete while the sweep opened them; p50 ${percentile(sorted, 50).toFixed(0)} ms`,
    ),
  ];
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
    await sql`vacuum analyze organizations, meetings, life_obligations, life_tallies, tasks`;
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
    // The product's own statement, explained as it runs (`completenessByChild`), not a copy of it.
    const explain = async () =>
      (await sql<{ 'QUERY PLAN': string }[]>`explain (analyze, buffers) ${completenessByChild(sql, { path: province!.path, period: month, today })}`)
        .map((r) => r['QUERY PLAN'])
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
        ? await monthStart({
            branches: arg('branches') ?? (quick ? 2_000 : 5_000),
            probes: quick ? 25 : 100,
            province: arg('province') ?? (quick ? 15_000 : 150_000),
            cache: arg('cache'),
          })
        : await run({ quick, branches: arg('branches'), province: arg('province') });
  console.log(JSON.stringify(results, null, 2));
  process.exit(0);
}
