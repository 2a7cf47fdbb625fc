// `npm test`: make sure the real servers can be had (the Temporal CLI built, the Java test server resolved),
// then run the whole suite and close with a plain "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { ensureTemporalCli, ensureTestServer } from '../src/runtime/temporal-binaries.js';

const log = (m: string) => console.log(`[test] ${m}`);
const cli = await ensureTemporalCli(log);
log(cli ? `Temporal CLI: ${cli}` : 'Go not found: the dev server comes from the SDK download');
log(`time-skipping server: ${await ensureTestServer(log)}`);

mkdirSync('.test-data', { recursive: true });
const report = '.test-data/vitest-report.json';
rmSync(report, { force: true });
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const r = spawnSync('npx', args, { stdio: 'inherit' });
if (existsSync(report)) {
  const j = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number };
  console.log(`\n${j.numPassedTests} passed, ${j.numFailedTests} failed, ${j.numPendingTests} skipped`);
}
process.exit(r.status ?? 1);
