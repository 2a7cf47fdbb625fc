// Small measuring tools shared by the benchmarks.

/** Runs `task` for every item with at most `concurrency` in flight. */
export async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

/** Nearest-rank percentile of ascending samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Runs `fn` `runs` times one after another: p50, p99 and the samples, in milliseconds. */
export async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<{ p50: number; p99: number; samples: number[] }> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), samples };
}

/**
 * A storm watched from its start, the same way for orglife and its peer: a person's action every 250 ms, the
 * engine's RSS every 250 ms, and the records counted every 500 ms until `done` says all are in after the
 * storm's last instant (or 30 minutes after it).
 */
export async function watchStorm<C>(opts: {
  poke: () => Promise<number>;
  rss: () => number;
  count: () => Promise<C>;
  done: (c: C) => boolean;
  lastInstant: number;
}) {
  const rssBefore = opts.rss();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, opts.rss())), 250);
  const during: number[] = [];
  let probing = true;
  const prober = (async () => {
    while (probing) {
      during.push(await opts.poke());
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const deadline = opts.lastInstant + 30 * 60_000;
  let count = await opts.count();
  while ((Date.now() < opts.lastInstant || !opts.done(count)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    count = await opts.count();
  }
  const doneAt = Date.now();
  clearInterval(sampler);
  probing = false;
  await prober;
  return { count, doneAt, during, rssBefore, rssPeak };
}
