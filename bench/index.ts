// `npm run bench [-- --quick] [-- NAME ...]`: runs the registered benches and writes bench/results.json in the
// contract's format. Each bench is a module of its own; add one by adding it to `benches`.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench, BenchResult } from './types.js';
import { importBench } from './import.js';

const benches: Bench[] = [importBench];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
const results: BenchResult[] = [];
for (const b of benches) {
  if (only.length && !only.includes(b.name)) continue;
  console.error(`bench ${b.name}${quick ? ' (quick)' : ''} ...`);
  results.push(...(await b.run({ quick })));
}
const out = {
  machine: `${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  date: new Date().toISOString(),
  results,
};
const file = join(dirname(fileURLToPath(import.meta.url)), 'results.json');
writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
console.log(JSON.stringify(out, null, 2));
console.error(`wrote ${file}`);
process.exit(0);
