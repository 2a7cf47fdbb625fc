// `npm run bench [-- --quick] [-- --only name,name]`: every benchmark against the real servers on this
// machine, each figure with its baseline measured in the same run; writes bench/results.json
// (contract.md format) and prints a table.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { startBenchServers, type BenchResult, type BenchServers } from './servers.js';
import * as start from './start.js';
import * as http from './http.js';
import * as lifecycle from './lifecycle.js';

interface Bench {
  name: string;
  run(s: BenchServers, quick: boolean): Promise<BenchResult[]>;
}

const benches: Bench[] = [
  { name: 'start', run: (s, quick) => start.run(s, { n: quick ? 1_000 : 20_000 }) },
  { name: 'http', run: (s, quick) => http.run(s, { seconds: quick ? 5 : 30 }) },
  { name: 'lifecycle', run: (s, quick) => lifecycle.run(s, { n: quick ? 300 : 3_000 }) },
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1]?.split(',')) : null;

const servers = await startBenchServers((m) => console.error(`[bench] ${m}`));
const results: BenchResult[] = [];
try {
  for (const b of benches) {
    if (only && !only.has(b.name)) continue;
    console.error(`[bench] ${b.name} ${quick ? '(quick)' : ''} ...`);
    results.push(...(await b.run(servers, quick)));
  }
} finally {
  await servers.stop();
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
writeFileSync('bench/results.json', `${JSON.stringify({ machine, date: new Date().toISOString(), results }, null, 2)}\n`);
console.table(results.map(({ notes, ...r }) => r));
