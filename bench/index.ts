// `npm run bench [-- --quick] [-- --only name,name]`: every benchmark against the real servers on this
// machine, each figure with its baseline measured in the same run; writes bench/results.json (`--cluster`: bench/results-cluster.json)
// (contract.md format) and prints a table.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { startBenchServers, type BenchServers } from './servers.js';
import type { BenchResult } from './types.js';
import * as start from './start.js';
import { importBench } from './import.js';
import * as overdue from './overdue.js';
import * as members from './members.js';
import * as storm from './storm.js';
import * as http from './http.js';
import * as lifecycle from './lifecycle.js';
import * as runState from './run-state.js';
import { clusterLifecycle } from './cluster.js';
import * as flowable from './flowable.js';
import * as organizationLife from './organization-life.js';

interface Bench {
  name: string;
  run(s: BenchServers, quick: boolean, size: number | undefined): Promise<BenchResult[]>;
}

// `import`, `overdue`, `members` and `storm` start servers of their own (sizes that would crowd the shared ones).
// `--size storm=5000,lifecycle=1000` overrides a benchmark's size (tasks, rows, workflows, seconds).
// The storm runs last but for the Flowable peer: at full size it is the longest by far, and the others' figures are written before it.
const benches: Bench[] = [
  { name: 'run-state', run: (_s, quick, size) => runState.run({ runs: size ?? (quick ? 200 : 500) }) },
  { name: 'import', run: (_s, quick) => importBench.run({ quick }) },
  { name: 'overdue', run: (_s, quick, size) => overdue.run({ quick, rows: size }) },
  // The member register: one file of 1,000,000 members imported, then a province's 4,000,000 read (--quick 20,000 / 100,000).
  { name: 'members', run: (_s, quick, size) => members.run({ quick, imported: size }) },
  { name: 'start', run: (s, quick, size) => start.run(s, { n: size ?? (quick ? 1_000 : 20_000) }) },
  { name: 'http', run: (s, quick, size) => http.run(s, { seconds: size ?? (quick ? 5 : 30) }) },
  { name: 'lifecycle', run: (s, quick, size) => lifecycle.run(s, { n: size ?? (quick ? 300 : 3_000) }) },
  // 三会一课: N branches' period opening at one instant with a secretary's record meanwhile (5,000; --quick 2,000),
  // then the completeness table of a county and of a province of 150,000 branches (--quick 15,000) at a year of records.
  { name: 'organization-life', run: (_s, quick, size) => organizationLife.run({ quick, branches: size }) },
  { name: 'storm', run: (_s, quick, size) => storm.run({ quick, tasks: size }) },
  // A province's deadline day: every branch's task due at the same instant (150,000; --quick 3,000). At full size its
  // tasks take about an hour to open here (a task workflow each, 43.8/s) before the instant is reached.
  { name: 'storm-province', run: (_s, quick, size) => storm.run({ quick, tasks: size ?? (quick ? 3_000 : 150_000), oneInstant: true }) },
  // The peer last: its ratios divide orglife's lifecycle and storm figures of this run, at the same sizes.
  {
    name: 'flowable',
    run: (s, quick) =>
      flowable.run(s, {
        lifecycles: sizes.get('lifecycle') ?? (quick ? 300 : 3_000),
        tasks: sizes.get('storm') ?? (quick ? 1_000 : 30_000),
        ours: (prefix) => results.find((r) => r.name.startsWith(prefix))?.value ?? NaN,
        log: (m) => console.error(`[bench] ${m}`),
        // --quick keeps the peer the targets name (the tuned executor) and drops the default one's JVM and
        // three-minute storm: the whole quick run within 15 minutes. The full run measures both.
        ...(quick ? { executors: ['tuned'] as const } : {}),
      }),
  },
];

// `--cluster`: lifecycle and storm on the dev server (SQLite) and, in the same run, on the production topology's
// Temporal server 1.29.1 on PostgreSQL; the lifecycle also through the whole topology (balancer, two API and two
// worker processes). Smaller default sizes (lifecycle 1,000, storm 2,000): each runs two or three times.
const CLUSTER_LABEL = '[Temporal server 1.29.1 on PostgreSQL]';
const loadAtStart = loadavg()[0]!.toFixed(1);
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const cluster = args.includes('--cluster');
const only = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1]?.split(',')) : cluster ? new Set(['lifecycle', 'storm']) : null;
if (cluster) {
  const lifecycleBench = benches.find((b) => b.name === 'lifecycle')!;
  const stormBench = benches.find((b) => b.name === 'storm')!;
  const label = (rs: BenchResult[]) => rs.map((r) => ({ ...r, name: `${r.name} ${CLUSTER_LABEL}` }));
  lifecycleBench.run = async (s, q, size) => {
    const n = size ?? (q ? 300 : 1_000);
    const out = await lifecycle.run(s, { n, label: '[dev server, SQLite]' });
    writeResults();
    const onServer = await startBenchServers((m) => console.error(`[bench] ${m}`), { temporal: 'server' });
    try {
      out.push(...(await lifecycle.run(onServer, { n, label: CLUSTER_LABEL })));
    } finally {
      await onServer.stop();
    }
    out.push(...(await clusterLifecycle({ n })));
    return out;
  };
  stormBench.run = async (_s, q, size) => {
    const tasks = size ?? (q ? 1_000 : 2_000);
    const out = await storm.run({ quick: q, tasks });
    results.push(...out.map((r) => ({ ...r, name: `${r.name} [dev server, SQLite]` })));
    writeResults();
    const onServer = label(await storm.run({ quick: q, tasks, temporal: 'server' }));
    results.splice(results.length - out.length, out.length);
    return [...out.map((r) => ({ ...r, name: `${r.name} [dev server, SQLite]` })), ...onServer];
  };
}
const sizes = new Map(
  (args.includes('--size') ? (args[args.indexOf('--size') + 1] ?? '').split(',') : []).map((kv) => {
    const [name, value] = kv.split('=');
    if (!benches.some((b) => b.name === name) || !/^[1-9]\d*$/.test(value ?? ''))
      throw new Error(`--size ${kv}: expected name=N with a benchmark's name and a positive integer`);
    return [name!, Number(value)] as const;
  }),
);

/**
 * A run of some benchmarks (`--only`) replaces their figures in the last full run's file and table and keeps the
 * others, each of its own figures saying which run measured it; a full run (or `--cluster`, whose file is its own)
 * writes everything anew. Figures written before they named their benchmark are known by the name they begin with.
 */
const resultsFile = cluster ? 'bench/results-cluster.json' : 'bench/results.json';
const previous: { machine: string; date: string; command?: string; results: BenchResult[] } | null =
  only && !cluster && existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : null;
const measuredBy = (r: BenchResult, name: string) =>
  r.figure ? r.figure === name : r.name === name || r.name.startsWith(`${name}.`) || r.name.startsWith(`${name} `);
const kept = previous ? previous.results.filter((r) => ![...only!].some((name) => measuredBy(r, name))) : [];

const servers = await startBenchServers((m) => console.error(`[bench] ${m}`));
const results: BenchResult[] = [];
// One benchmark failing (a timeout on a crowded machine) does not lose the others' figures; the run still fails.
const failed: string[] = [];
try {
  for (const b of benches) {
    if (only && !only.has(b.name)) continue;
    console.error(`[bench] ${b.name} ${quick ? '(quick)' : ''} ...`);
    try {
      results.push(...(await b.run(servers, quick, sizes.get(b.name))).map((r) => ({ ...r, figure: b.name })));
    } catch (err) {
      failed.push(b.name);
      console.error(`[bench] ${b.name} FAILED: ${(err as Error).stack ?? String(err)}`);
    }
    // Written after every benchmark: a run stopped during a long one keeps the figures it finished.
    writeResults();
  }
} finally {
  await servers.stop();
}

console.table(results.map(({ notes, ...r }) => r));
writeResults();
if (failed.length) {
  console.error(`[bench] failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}

function writeResults(): void {
  // The load average says how quiet the machine was: other work on the two cores moves every absolute figure.
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${loadAtStart} at the start and ${loadavg()[0]!.toFixed(1)} at the end`;
  const command = `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`;
  const run = previous
    ? {
        machine: previous.machine,
        date: previous.date,
        command: previous.command ?? 'npm run bench',
        results: [
          ...kept,
          ...results.map((r) => ({
            ...r,
            notes: `${r.notes ? `${r.notes}; ` : ''}run of its own: \`${command}\`, ${new Date().toISOString().slice(0, 10)}, load average ${loadAtStart} → ${loadavg()[0]!.toFixed(1)}`,
          })),
        ],
      }
    : { machine, date: new Date().toISOString(), command, results };
  // `--cluster` is a run of its own (two figures on two topologies): its own file, so the full run's stays.
  writeFileSync(resultsFile, `${JSON.stringify(run, null, 2)}\n`);
  writeBenchmarksTable(run);
}

/** The results table of docs/benchmarks.md, between its markers; the prose around it is written by hand. */
function writeBenchmarksTable(run: { machine: string; date: string; command: string; results: BenchResult[] }): void {
  const file = 'docs/benchmarks.md';
  // `--cluster` has a table of its own (dev server beside the cluster's Temporal), under its own heading.
  const start = cluster ? '<!-- cluster-results:start -->' : '<!-- results:start -->';
  const end = cluster ? '<!-- cluster-results:end -->' : '<!-- results:end -->';
  const table = [
    start,
    `Machine: ${run.machine}. Date: ${run.date}. Command: \`${run.command}\`.`,
    '',
    '| figure | orglife | unit | baseline | baseline value | ratio (higher is better) | notes |',
    '|---|---|---|---|---|---|---|',
    ...run.results.map((r) => `| ${r.name} | ${r.value} | ${r.unit} | ${r.baseline} | ${r.baselineValue} | ${r.ratio} | ${r.notes ?? ''} |`),
    end,
  ].join('\n');
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmarks\n\n${start}\n${end}\n`;
  const at = doc.indexOf(start);
  const to = doc.indexOf(end);
  writeFileSync(file, at >= 0 && to > at ? doc.slice(0, at) + table + doc.slice(to + end.length) : `${doc}\n${table}\n`);
}
