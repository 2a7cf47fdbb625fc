/** One figure of bench/results.json (contract.md): ratio = orglife ÷ baseline, oriented so higher is better. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline: string | null;
  baselineValue: number | null;
  ratio: number | null;
  notes?: string;
  /** The benchmark that measured it (`--only`'s name): a run of some benchmarks replaces their figures only. */
  figure?: string;
}

export interface Bench {
  name: string;
  run(opts: { quick: boolean }): Promise<BenchResult[]>;
}
