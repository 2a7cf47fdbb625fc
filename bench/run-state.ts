// `run-state`: what every new workflow run costs the worker before it does anything: evaluating the modules of the
// run's workflow (the SDK gives each run fresh module state) and the heap that state keeps while the run sits in the
// sticky cache. Each workflow module as the worker's bundle loads it (workflows/index.ts loads a run's process on its
// first call, zod preloaded once per worker thread, workflows/shared-modules.ts), against every process's modules
// evaluated for each run, as a bundle importing all of them did; side by side in one process.
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
 * one for each workflow module (the workflow types it holds share its modules), one for every workflow at once.
 */
async function entries(dir: string): Promise<{ modules: { types: string[]; entry: string }[]; all: string }> {
  const index = await readFile(join(workflowsDir, 'index.ts'), 'utf8');
  const byPath = new Map<string, string[]>();
  for (const [, path, name] of index.matchAll(/require\('([^']+)'\)[^,]*,\s*'(\w+)'\)/g)) byPath.set(path!, [...(byPath.get(path!) ?? []), name!]);
  if (byPath.size < 10) throw new Error(`workflows/index.ts: ${byPath.size} workflow modules read`);
  const exportOf = (path: string, types: string[]) => `export { ${types.join(', ')} } from '${resolve(workflowsDir, path).replace(/\.js$/, '.ts')}';`;
  const modules = await Promise.all(
    [...byPath].map(async ([path, types], i) => {
      const entry = join(dir, `one-${i}.ts`);
      await writeFile(entry, `${exportOf(path, types)}\n`);
      return { types, entry };
    }),
  );
  await writeFile(join(dir, 'all.ts'), `${[...byPath].map(([path, types]) => exportOf(path, types)).join('\n')}\n`);
  return { modules, all: join(dir, 'all.ts') };
}

/**
 * Every workflow module's run state, a row each (`run-state.<its first workflow type>`): the heap a run keeps while
 * cached, against every process's modules evaluated for each run; the CPU of evaluating them in its notes. The
 * worker's cache is sized from the largest (src/worker.ts).
 */
export async function run(opts: { runs: number }): Promise<BenchResult[]> {
  // Inside the project, so that the entries resolve its packages; bench/out is not tracked.
  await mkdir(resolve('bench', 'out'), { recursive: true });
  const dir = await mkdtemp(join(resolve('bench', 'out'), 'run-state-'));
  const bundle = async (workflowsPath: string) => (await bundleWorkflowCode({ ...workflowBundleOptions, workflowsPath, logger: quiet })).code;
  try {
    const e = await entries(dir);
    const every = measure(await bundle(e.all), opts.runs);
    const rows: BenchResult[] = [];
    // One after another: each bundle and its runs' kept state weighed alone.
    for (const m of e.modules) {
      const mine = measure(await bundle(m.entry), opts.runs);
      rows.push({
        name: `run-state.${m.types[0]}`,
        value: Math.round(mine.heapKiB),
        unit: 'KiB of heap a run keeps',
        baseline: "every process's modules evaluated for each run (a bundle importing all)",
        baselineValue: Math.round(every.heapKiB),
        ratio: +(every.heapKiB / mine.heapKiB).toFixed(2),
        notes:
          `${opts.runs} runs; ${mine.modules} modules evaluated a run in ${mine.ms.toFixed(2)} ms of CPU (every process's: ${every.modules} in ${every.ms.toFixed(2)} ms)` +
          (m.types.length > 1 ? `; the same modules for ${m.types.slice(1).join(', ')}` : ''),
      });
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
