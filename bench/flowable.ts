// `flowable`: the peer in the same run. Flowable 7.1 (bench/flowable-peer.ts) on the bench's PostgreSQL server,
// driven through its own REST API by the same load generator as orglife's figures (bench/measure.ts's pool,
// the same concurrency and sizes), and compared with orglife's figures of this run:
// - lifecycle: start → task in the assignee's list → completed (orglife: `lifecycle`);
// - storm: N tasks whose reminder falls in the minute before one minute and whose first escalation in the minute
//   after (orglife: `storm`), with the default async executor and with a tuned one; drain after the last
//   instant, a person's claim/unclaim on an unrelated task meanwhile (p50/p99), the engine's peak RSS.
import { randomUUID } from 'node:crypto';
import { createSql } from '../src/db/client.js';
import { flowableClient, FLOWABLE_VERSION, rssBytes, startFlowablePeer, type ExecutorProfile, type FlowablePeer } from './flowable-peer.js';
import { percentile, pool, watchStorm } from './measure.js';
import type { BenchResult, BenchServers } from './servers.js';

const round1 = (x: number) => Math.round(x * 10) / 10;
const ratio = (x: number) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);
const iso = (ms: number) => new Date(ms).toISOString();

/** orglife's figure of this run whose name starts with `prefix` (NaN when that benchmark did not run). */
type Ours = (prefix: string) => number;

export async function run(
  s: BenchServers,
  opts: { lifecycles: number; tasks: number; ours: Ours; log: (m: string) => void; concurrency?: number; executors?: readonly ExecutorProfile[] },
): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  // A fresh JVM and database per storm: the tuned run inherits neither the default run's tables nor its heap.
  // The lifecycles share the first storm's JVM (they leave no timer behind): one JVM start less per run.
  const executors = opts.executors ?? (['default', 'tuned'] as const);
  for (const [i, executor] of executors.entries()) {
    const p = await start(s, executor, opts.log);
    try {
      if (i === 0) out.push(await lifecycle(p, opts.lifecycles, opts.concurrency ?? 32, opts.ours));
      out.push(...(await storm(p, executor, opts.tasks, opts.ours, opts.log)));
    } finally {
      await p.stop();
    }
  }
  return out;
}

function start(s: BenchServers, executor: ExecutorProfile, log: (m: string) => void): Promise<FlowablePeer> {
  return startFlowablePeer({
    databaseUrl: s.databaseUrl,
    database: `flowable_${executor}_${randomUUID().slice(0, 8)}`,
    executor,
    log,
    createDatabase: async (name) => void (await s.sql.unsafe(`create database ${name}`)),
  });
}

async function lifecycle(peer: FlowablePeer, n: number, concurrency: number, ours: Ours): Promise<BenchResult> {
  const flowable = flowableClient(peer.api);
  // The same deadlines as orglife's lifecycle task: far ahead (the task is done long before them).
  const later = (d: number) => iso(Date.now() + d * 86_400_000);
  const phases = { start: [] as number[], listed: [] as number[], complete: [] as number[] };
  const once = async (i: number) => {
    const assignee = `lc-${i}`;
    const t0 = performance.now();
    const { id } = await flowable.start({ assignee, remindAt: later(30), escalateAt: later(33) });
    const t1 = performance.now();
    let task = (await flowable.tasksOf(assignee, id)).data[0]?.id;
    while (!task) {
      await new Promise((r) => setTimeout(r, 50));
      task = (await flowable.tasksOf(assignee, id)).data[0]?.id;
    }
    const t2 = performance.now();
    await flowable.complete(task);
    phases.start.push(t1 - t0);
    phases.listed.push(t2 - t1);
    phases.complete.push(performance.now() - t2);
  };
  const t0 = performance.now();
  await pool(
    Array.from({ length: n }, (_, i) => i),
    concurrency,
    once,
  );
  const rate = n / ((performance.now() - t0) / 1000);
  const orglife = ours('lifecycle');
  const p50 = (xs: number[]) =>
    Math.round(
      percentile(
        [...xs].sort((a, b) => a - b),
        50,
      ),
    );
  return {
    name: `flowable.lifecycle (${n} lifecycles, concurrency ${concurrency})`,
    value: orglife,
    unit: 'lifecycles/s (orglife, this run)',
    baseline: `Flowable ${FLOWABLE_VERSION} through its REST API (start → task in the assignee's list → complete)`,
    baselineValue: round1(rate),
    ratio: ratio(orglife / rate),
    notes: `Flowable p50 of its phases: start ${p50(phases.start)} ms, in the list ${p50(phases.listed)} ms later, complete ${p50(phases.complete)} ms`,
  };
}

async function storm(peer: FlowablePeer, executor: ExecutorProfile, n: number, ours: Ours, log: (m: string) => void): Promise<BenchResult[]> {
  const flowable = flowableClient(peer.api);
  const db = createSql(peer.databaseUrl, { max: 2 });
  try {
    // How fast this peer starts tasks, on a sample with instants far ahead (as orglife's storm calibrates): the
    // storm's minute leaves 1.5× the time starting every task takes.
    const sample = Math.min(n, 200);
    const far = iso(Date.now() + 30 * 86_400_000);
    const c0 = performance.now();
    await pool(
      Array.from({ length: sample }, (_, i) => i),
      64,
      (i) => flowable.start({ assignee: `cal-${i}`, remindAt: far, escalateAt: far }),
    );
    const startRate = sample / ((performance.now() - c0) / 1000);
    const startBudgetMs = Math.max(45_000, (1.5 * n * 1000) / startRate);
    // Not rounded to a wall-clock minute (orglife's storm is): nothing in the peer depends on it, and the quick
    // run saves the wait.
    const minute = Date.now() + startBudgetMs + 60_000;
    const stormStart = minute - 60_000;
    const lastInstant = minute + 120_000;
    log(`Flowable (${executor}): ${n} tasks due in the minute of ${iso(minute)}, reminded the minute before, escalated the minute after`);
    // Tasks fall on 300 people (orglife's storm: the secretaries of its villages).
    const t0 = performance.now();
    await pool(
      Array.from({ length: n }, (_, i) => i),
      64,
      (i) => {
        const due = minute + (i % 60) * 1000;
        return flowable.start({ assignee: `sec-${i % 300}`, remindAt: iso(due - 60_000), escalateAt: iso(due + 60_000) });
      },
    );
    const startSeconds = (performance.now() - t0) / 1000;
    const openedBefore = Date.now() < stormStart ? n : 0;
    log(`Flowable (${executor}): started in ${startSeconds.toFixed(1)} s`);

    // The probe: an unrelated person's task, given back and claimed again throughout (orglife's probe Update).
    const { id: probeId } = await flowable.start({ assignee: 'probe', remindAt: far, escalateAt: far });
    const probeTask = (await flowable.tasksOf('probe', probeId)).data[0]!.id;
    let claimed = true;
    const poke = async () => {
      const t = performance.now();
      await flowable.claim(probeTask, claimed ? null : 'probe');
      claimed = !claimed;
      return performance.now() - t;
    };
    const calm: number[] = [];
    while (calm.length < 5 || (Date.now() < stormStart - 2_000 && calm.length < 20)) calm.push(await poke());
    while (Date.now() < stormStart) await new Promise((r) => setTimeout(r, 100));

    const count = async () =>
      (
        await db<{ reminded: number; escalated: number }[]>`
        select count(*) filter (where kind = 'reminded')::int as reminded, count(*) filter (where kind = 'escalated')::int as escalated from peer_record`
      )[0]!;
    const {
      count: c,
      doneAt,
      during,
      rssBefore,
      rssPeak,
    } = await watchStorm({ poke, rss: () => rssBytes(peer.pid), count, done: (x) => x.reminded >= n && x.escalated >= n, lastInstant });
    const drain = Math.max(0, (doneAt - lastInstant) / 1000);
    const sorted = [...during].sort((a, b) => a - b);
    const calmSorted = [...calm].sort((a, b) => a - b);
    log(
      `Flowable (${executor}): ${c.reminded}/${n} reminders and ${c.escalated}/${n} escalations recorded ${drain.toFixed(1)} s after the last instant; probe p50 ${percentile(sorted, 50).toFixed(0)} ms p99 ${percentile(sorted, 99).toFixed(0)} ms; peak RSS ${Math.round(rssPeak / 2 ** 20)} MiB`,
    );

    const label = `Flowable ${FLOWABLE_VERSION}, ${executor === 'tuned' ? 'tuned async executor (24 threads, 2,048 jobs per acquisition)' : 'default async executor (8 threads, 512 timer jobs per acquisition)'}`;
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    const rssMiB = Math.round(rssPeak / 2 ** 20);
    // Times and memory: lower is better, so the ratio is Flowable's ÷ orglife's (orglife's speed ÷ Flowable's).
    const drainOurs = ours('storm.drain');
    const p50Ours = ours('storm.probe-update.p50');
    const p99Ours = ours('storm.probe-update.p99');
    const rssOurs = ours('storm.peak-worker-rss');
    const notes = `${n} tasks; ${c.reminded} reminders + ${c.escalated} escalations recorded of ${2 * n}; started at ${round1(n / startSeconds)}/s (${openedBefore === n ? 'all' : 'NOT all'} before the storm); probe calm p50 ${Math.round(percentile(calmSorted, 50))} ms`;
    return [
      {
        name: `flowable.storm.drain [${executor}]`,
        value: drainOurs,
        unit: 's after the last instant (orglife, this run)',
        baseline: label,
        baselineValue: round1(drain),
        ratio: ratio(Math.max(1, drain) / Math.max(1, drainOurs)),
        notes,
      },
      {
        name: `flowable.storm.probe.p50 [${executor}]`,
        value: p50Ours,
        unit: 'ms (orglife probe Update; Flowable: claim/unclaim through REST)',
        baseline: label,
        baselineValue: Math.round(p50),
        ratio: ratio(p50 / p50Ours),
      },
      {
        name: `flowable.storm.probe.p99 [${executor}]`,
        value: p99Ours,
        unit: 'ms (orglife probe Update; Flowable: claim/unclaim through REST)',
        baseline: label,
        baselineValue: Math.round(p99),
        ratio: ratio(p99 / p99Ours),
      },
      {
        name: `flowable.storm.peak-rss [${executor}]`,
        value: rssOurs,
        unit: 'MiB (orglife worker process; Flowable JVM)',
        baseline: label,
        baselineValue: rssMiB,
        ratio: ratio(rssMiB / rssOurs),
        notes: `Flowable JVM RSS just before the storm ${Math.round(rssBefore / 2 ** 20)} MiB (default heap limit: a quarter of RAM)`,
      },
    ];
  } finally {
    await db.end({ timeout: 5 });
  }
}
