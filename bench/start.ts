// `start`: orglife starting term-register workflows for N organizations (organization lookup, workflow start,
// projection row) vs a bare @temporalio/client start loop of the same workflow type on the same server, same
// concurrency. No worker polls either task queue: this measures starting, not running.
import { randomUUID } from 'node:crypto';
import { insertOrganizations } from '../src/organizations/store.js';
import { generateProvince } from '../src/demo/province.js';
import { shanghaiDate } from '../src/domain/dates.js';
import { startTermElections } from '../src/processes/term-election.js';
import type { BenchResult, BenchServers } from './servers.js';
import { pool } from './measure.js';

export async function run(s: BenchServers, opts: { n: number; concurrency?: number }): Promise<BenchResult[]> {
  const concurrency = opts.concurrency ?? 32;
  // A province shaped to hold about n organizations with a term.
  const villages = Math.max(1, Math.ceil(opts.n / (17 * 6 * 10)));
  const rows = [
    ...generateProvince({ cities: 17, countiesPerCity: 6, townshipsPerCounty: 10, villagesPerTownship: villages }, shanghaiDate(Date.now()), 7),
  ].map((r) => ({ ...r, code: `B${r.code}`, parent_code: r.parent_code ? `B${r.parent_code}` : '' }));
  await insertOrganizations(s.sql, rows);
  const codes = rows
    .filter((r) => r.term_years)
    .map((r) => r.code)
    .slice(0, opts.n);
  const run = randomUUID().slice(0, 8);

  // Warm both paths (connections, server caches) before timing.
  await pool(codes.slice(0, 50), concurrency, (c) =>
    s.client.workflow.start('termElection', { workflowId: `warm-${run}-${c}`, taskQueue: `bench-warm-${run}`, args: [{ organization: c }] }),
  );

  const t0 = performance.now();
  await pool(codes, concurrency, (c) =>
    s.client.workflow.start('termElection', { workflowId: `bare-${run}-${c}`, taskQueue: `bench-bare-${run}`, args: [{ organization: c }] }),
  );
  const bareSeconds = (performance.now() - t0) / 1000;

  const t1 = performance.now();
  const started = await startTermElections(s.sql, s.client, `bench-orglife-${run}`, codes, concurrency);
  const orglifeSeconds = (performance.now() - t1) / 1000;
  if (started !== codes.length) throw new Error(`started ${started} of ${codes.length}`);

  const orglifeRate = codes.length / orglifeSeconds;
  const bareRate = codes.length / bareSeconds;
  return [
    {
      name: 'start',
      value: round(orglifeRate),
      unit: 'workflows/s',
      baseline: 'bare @temporalio/client start loop, same server and concurrency',
      baselineValue: round(bareRate),
      ratio: round(orglifeRate / bareRate, 3),
      notes: `${codes.length} term-register workflows, concurrency ${concurrency}`,
    },
  ];
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
