// `run-state`: what every new workflow run costs the worker before it does anything: evaluating the modules of the
// run's workflow (the SDK gives each run fresh module state) and the heap that state keeps while the run sits in the
// sticky cache. A run of organization life — the process a province runs for every branch — as the worker's bundle
// loads it (workflows/index.ts loads a run's process on its first call, zod preloaded once per worker thread,
// workflows/shared-modules.ts), against every process's modules evaluated for each run, as a bundle importing all of
// them did; side by side in one process.
//
// The SDK's reusable V8 context routes webpack's module cache through `globalThis.__webpack_module_cache__`:
// modules required while preloading land in a shared map, the others in the running workflow's own map. This
// reproduces that split on bundles of one entry each, so only module evaluation is timed (no server, no activations).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import vm from 'node:vm';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowBundleOptions, workflowsDir } from '../src/worker.js';
import type { BenchResult } from './types.js';

setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const quiet = { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never;

interface RunState {
  modules: number;
  ms: number;
  heapKiB: number;
}

function measure(code: string, runs: number): RunState {
  const shared = new Map<PropertyKey, unknown>();
  let perRun: Map<PropertyKey, unknown> | null = null;
  const cache = new Proxy(
    {},
    {
      get: (_t, p) => shared.get(p) ?? perRun?.get(p),
      set: (_t, p, v) => {
        (perRun ?? shared).set(p, v);
        return true;
      },
    },
  );
  const context = vm.createContext({ console });
  Object.defineProperty(context, '__webpack_module_cache__', { value: cache });
  vm.runInContext(code, context);
  vm.runInContext('__TEMPORAL__.preloadModules?.()', context);
  const load = () => {
    perRun = new Map();
    vm.runInContext('__TEMPORAL__.importWorkflows()', context);
    return perRun;
  };
  for (let i = 0; i < 20; i++) load(); // warm the compiled code
  // Every run's module state is kept, as the sticky cache keeps it, and weighed after a full collection.
  const kept: Map<PropertyKey, unknown>[] = [];
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) kept.push(load());
  const ms = (performance.now() - t0) / runs;
  gc();
  const heapKiB = (process.memoryUsage().heapUsed - heap0) / runs / 1024;
  return { modules: kept[0]!.size, ms, heapKiB };
}

/**
 * Entries re-exporting workflows statically from workflows/index.ts's list (`lazy(() => require('<path>') …, '<name>')`):
 * one for the measured workflow, one for every workflow at once.
 */
async function entries(dir: string, measured: string): Promise<{ one: string; all: string }> {
  const index = await readFile(join(workflowsDir, 'index.ts'), 'utf8');
  const lines = [...index.matchAll(/require\('([^']+)'\)[^,]*,\s*'(\w+)'\)/g)].map(
    ([, path, name]) => `export { ${name} } from '${resolve(workflowsDir, path!).replace(/\.js$/, '.ts')}';`,
  );
  const one = lines.filter((l) => l.startsWith(`export { ${measured} }`));
  if (one.length !== 1 || lines.length < 10) throw new Error(`workflows/index.ts: ${lines.length} workflows read, ${measured} ${one.length} times`);
  await writeFile(join(dir, 'one.ts'), `${one[0]}\n`);
  await writeFile(join(dir, 'all.ts'), `${lines.join('\n')}\n`);
  return { one: join(dir, 'one.ts'), all: join(dir, 'all.ts') };
}

export async function run(opts: { runs: number }): Promise<BenchResult[]> {
  // Inside the project, so that the entries resolve its packages; bench/out is not tracked.
  await mkdir(resolve('bench', 'out'), { recursive: true });
  const dir = await mkdtemp(join(resolve('bench', 'out'), 'run-state-'));
  try {
    const e = await entries(dir, 'organizationLife');
    const [ours, every] = await Promise.all([
      bundleWorkflowCode({ ...workflowBundleOptions, workflowsPath: e.one, logger: quiet }),
      bundleWorkflowCode({ ...workflowBundleOptions, workflowsPath: e.all, logger: quiet }),
    ]);
    const base = measure(every.code, opts.runs);
    const mine = measure(ours.code, opts.runs);
    const baseline = "every process's modules evaluated for each run (a bundle importing all)";
    const notes = `${opts.runs} runs of organization life; modules evaluated per run: ${mine.modules} (every process's: ${base.modules})`;
    return [
      {
        name: 'run-state.evaluate',
        value: +mine.ms.toFixed(2),
        unit: 'ms of CPU a new run',
        baseline,
        baselineValue: +base.ms.toFixed(2),
        ratio: +(base.ms / mine.ms).toFixed(2),
        notes,
      },
      {
        name: 'run-state.heap',
        value: Math.round(mine.heapKiB),
        unit: 'KiB of heap a run keeps',
        baseline,
        baselineValue: Math.round(base.heapKiB),
        ratio: +(base.heapKiB / mine.heapKiB).toFixed(2),
        notes,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
