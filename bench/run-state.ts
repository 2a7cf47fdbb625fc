// `run-state`: what every new workflow run costs the worker before it does anything: evaluating the workflow
// bundle's modules for the run (the SDK gives each run fresh module state) and the heap that state keeps while
// the run sits in the sticky cache. Orglife's bundle (zod preloaded once per worker thread, workflows/shared-modules.ts)
// against the same workflows bundled without the preload, side by side in one process.
//
// The SDK's reusable V8 context routes webpack's module cache through `globalThis.__webpack_module_cache__`:
// modules required while preloading land in a shared map, the others in the running workflow's own map. This
// reproduces that split on the bundle itself, so only module evaluation is timed (no server, no activations).
import { setFlagsFromString } from 'node:v8';
import vm from 'node:vm';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowBundleOptions } from '../src/worker.js';
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

export async function run(opts: { runs: number }): Promise<BenchResult[]> {
  const [ours, unshared] = await Promise.all([
    bundleWorkflowCode({ ...workflowBundleOptions, logger: quiet }),
    bundleWorkflowCode({ ...workflowBundleOptions, preloadModules: [], logger: quiet }),
  ]);
  const base = measure(unshared.code, opts.runs);
  const mine = measure(ours.code, opts.runs);
  const notes = `${opts.runs} runs; modules evaluated per run: ${mine.modules} (without the preload ${base.modules})`;
  return [
    {
      name: 'run-state.evaluate',
      value: +mine.ms.toFixed(2),
      unit: 'ms of CPU a new run',
      baseline: 'the same workflows bundled without the shared zod',
      baselineValue: +base.ms.toFixed(2),
      ratio: +(base.ms / mine.ms).toFixed(2),
      notes,
    },
    {
      name: 'run-state.heap',
      value: Math.round(mine.heapKiB),
      unit: 'KiB of heap a run keeps',
      baseline: 'the same workflows bundled without the shared zod',
      baselineValue: Math.round(base.heapKiB),
      ratio: +(base.heapKiB / mine.heapKiB).toFixed(2),
      notes,
    },
  ];
}
