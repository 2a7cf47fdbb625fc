// Import of a whole province through the HTTP API (contract.md): rows/s, seconds and peak RSS of the API
// process, against a plain COPY of the same CSV into an unindexed table in the same run; then the latency
// of county subtree reads (p50/p99) on the imported tree.
import { mkdtempSync, rmSync, createReadStream, createWriteStream, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pino from 'pino';
import { stringify } from 'csv-stringify';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/api/app.js';
import { createUser } from '../src/auth/users.js';
import { generateRows } from '../src/demo/province.js';
import { columns } from '../src/organizations/import/columns.js';
import { shanghaiDate } from '../src/domain/dates.js';
import type { Bench, BenchResult } from './types.js';
import { percentile } from './measure.js';
import { startBenchServers } from './servers.js';

export const importBench: Bench = {
  name: 'import',
  async run({ quick }) {
    const n = quick ? 20_000 : 200_000;
    const dir = mkdtempSync(join(tmpdir(), 'orglife-bench-'));
    const file = join(dir, 'province.csv');
    // Written as it is generated, so the peak RSS measured later is the import's, not the generator's.
    await pipeline(Readable.from(generateRows(n, shanghaiDate(Date.now()))), stringify({ header: true, columns: [...columns] }), createWriteStream(file));
    const size = statSync(file).size;

    // The import needs no Temporal: its client is never dialled.
    const servers = await startBenchServers(() => {}, { temporal: false });
    const { sql } = servers;
    const log = pino({ level: 'silent' });
    try {
      const config = loadConfig({ DATABASE_URL: servers.databaseUrl, TEMPORAL_ADDRESS: servers.temporalAddress, LOG_LEVEL: 'silent' });
      const app = await buildApp({ sql, temporal: servers.client, config, log });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      await createUser(sql, { username: 'bench', password: 'bench-password', roles: [{ role: 'admin', organizationId: null }] });
      const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: 'bench-password' }) });
      const authorization = `Bearer ${((await login.json()) as { token: string }).token}`;

      // Baseline: the same bytes through a plain COPY into an unindexed table.
      await sql`create table bench_copy (code text, parent_code text, name text, type text, sector text, term_years text,
                  term_started_on text, secretary_name text, secretary_phone text, full_members text, probationary_members text)`;
      const c0 = performance.now();
      await pipeline(createReadStream(file), await sql`copy bench_copy from stdin with (format csv, header true)`.writable());
      const copySeconds = (performance.now() - c0) / 1000;

      // The RSS before the import shows what the process holds anyway; the import's own share is the rise.
      const rssBefore = process.memoryUsage().rss;
      let peak = rssBefore;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 50);
      const t0 = performance.now();
      const res = await fetch(`${base}/api/v1/organizations/import`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'text/csv' },
        body: Readable.toWeb(createReadStream(file)) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      const body = await res.text();
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(sampler);
      if (res.status !== 200) throw new Error(`import answered ${res.status}: ${body.slice(0, 500)}`);
      console.error(`import of ${n} rows (${(size / 2 ** 20).toFixed(1)} MiB): ${seconds.toFixed(1)} s, ${body}; COPY ${copySeconds.toFixed(2)} s; peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`);

      // County subtree reads: the children listing and a subtree search of each county, as an organizer does.
      const counties = (await sql<{ code: string }[]>`select code from organizations where nlevel(path) = 3 and type = 'committee' and sector = 'regional'`).map((r) => r.code);
      const lat: number[] = [];
      const rounds = quick ? 100 : 500;
      for (let i = 0; i < rounds; i++) {
        const code = counties[i % counties.length]!;
        const s0 = performance.now();
        const r = await fetch(`${base}/api/v1/organizations?under=${code}&limit=100`, { headers: { authorization } });
        await r.arrayBuffer();
        lat.push(performance.now() - s0);
      }
      lat.sort((a, b) => a - b);
      await app.close();

      const rowsPerSecond = n / seconds;
      const copyRowsPerSecond = n / copySeconds;
      const results: BenchResult[] = [
        { name: `import ${n} rows: throughput`, value: Math.round(rowsPerSecond), unit: 'rows/s', baseline: 'plain COPY of the same CSV into an unindexed table', baselineValue: Math.round(copyRowsPerSecond), ratio: +(rowsPerSecond / copyRowsPerSecond).toFixed(4) },
        { name: `import ${n} rows: total time`, value: +seconds.toFixed(2), unit: 's', baseline: 'plain COPY of the same CSV into an unindexed table', baselineValue: +copySeconds.toFixed(2), ratio: +(copySeconds / seconds).toFixed(4) },
        { name: `import ${n} rows: peak RSS of the API process`, value: Math.round(peak / 2 ** 20), unit: 'MiB', baseline: null, baselineValue: null, ratio: null },
        { name: `import ${n} rows: RSS of the API process before the import`, value: Math.round(rssBefore / 2 ** 20), unit: 'MiB', baseline: null, baselineValue: null, ratio: null },
        { name: 'county subtree read p50', value: +percentile(lat, 50).toFixed(2), unit: 'ms', baseline: null, baselineValue: null, ratio: null },
        { name: 'county subtree read p99', value: +percentile(lat, 99).toFixed(2), unit: 'ms', baseline: null, baselineValue: null, ratio: null },
      ];
      return results;
    } finally {
      await servers.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
