// Import of a whole province through the HTTP API (contract.md): rows/s, seconds and peak RSS of the API
// process, against a plain COPY of the same CSV into an unindexed table in the same run; then the latency
// of county subtree reads (p50/p99) on the imported tree; then a county organizer's import of new branches under
// stored townships at two sizes (200,000 and 1,000,000 rows; --quick 20,000 and 100,000), whose rows/s must not
// fall with size.
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
      const signIn = async (username: string, role: 'admin' | 'organizer', organizationId: number | null) => {
        await createUser(sql, { username, password: 'import figures run', roles: [{ role, organizationId }] });
        const login = await fetch(`${base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: 'import figures run' }),
        });
        return `Bearer ${((await login.json()) as { token: string }).token}`;
      };
      /** One import through HTTP: seconds, the API process's peak RSS meanwhile, the answer. */
      const importFile = async (authorization: string, path: string) => {
        let peak = process.memoryUsage().rss;
        const sampler = setInterval(() => {
          peak = Math.max(peak, process.memoryUsage().rss);
        }, 50);
        const t0 = performance.now();
        const res = await fetch(`${base}/api/v1/organizations/import`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'text/csv' },
          body: Readable.toWeb(createReadStream(path)) as ReadableStream,
          duplex: 'half',
        } as RequestInit);
        const body = await res.text();
        clearInterval(sampler);
        if (res.status !== 200) throw new Error(`import of ${path} answered ${res.status}: ${body.slice(0, 500)}`);
        return { seconds: (performance.now() - t0) / 1000, peak, body };
      };
      const authorization = await signIn('bench', 'admin', null);

      // Baseline: the same bytes through a plain COPY into an unindexed table.
      await sql`create table bench_copy (code text, parent_code text, name text, type text, sector text, term_years text,
                  term_started_on text, secretary_name text, secretary_phone text, full_members text, probationary_members text)`;
      const c0 = performance.now();
      await pipeline(createReadStream(file), await sql`copy bench_copy from stdin with (format csv, header true)`.writable());
      const copySeconds = (performance.now() - c0) / 1000;

      // The RSS before the import shows what the process holds anyway; the import's own share is the rise.
      const rssBefore = process.memoryUsage().rss;
      const { seconds, peak, body } = await importFile(authorization, file);
      console.error(
        `import of ${n} rows (${(size / 2 ** 20).toFixed(1)} MiB): ${seconds.toFixed(1)} s, ${body}; COPY ${copySeconds.toFixed(2)} s; peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`,
      );

      // County subtree reads: the children listing and a subtree search of each county, as an organizer does.
      const counties = (
        await sql<{ code: string }[]>`select code from organizations where nlevel(path) = 3 and type = 'committee' and sector = 'regional'`
      ).map((r) => r.code);
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

      // A county organizer adds new branches under the county's stored townships: every row hangs under an
      // organization the file does not hold, the case a per-row lookup of the nearest ancestor made quadratic.
      // Two sizes side by side; linear means the larger imports as many rows a second as the smaller.
      const [county] = await sql<{ id: number; code: string }[]>`
        select o.id, o.code from organizations o where nlevel(o.path) = 3 and o.type = 'committee' and o.sector = 'regional' order by o.code limit 1`;
      const townships = (
        await sql<{ code: string }[]>`
        select c.code from organizations c join organizations o on c.parent_id = o.id where o.id = ${county!.id} and c.type = 'committee'`
      ).map((r) => r.code);
      const countyAuth = await signIn('bench-county', 'organizer', county!.id);
      const scoped: { n: number; seconds: number; peak: number }[] = [];
      for (const [k, size] of (quick ? [20_000, 100_000] : [200_000, 1_000_000]).entries()) {
        const sfile = join(dir, `scoped-${size}.csv`);
        const gen = function* () {
          for (let i = 0; i < size; i++) {
            yield {
              code: `B${k}X${i}`,
              parent_code: townships[i % townships.length]!,
              name: `新建支部${k}-${i}`,
              type: 'branch',
              sector: 'rural',
              term_years: 3,
              term_started_on: '2025-01-01',
              secretary_name: '',
              secretary_phone: '',
              full_members: 10,
              probationary_members: 0,
            };
          }
        };
        await pipeline(Readable.from(gen()), stringify({ header: true, columns: [...columns] }), createWriteStream(sfile));
        const r = await importFile(countyAuth, sfile);
        scoped.push({ n: size, seconds: r.seconds, peak: r.peak });
        console.error(
          `county organizer's import of ${size} new rows under stored townships: ${r.seconds.toFixed(1)} s, peak RSS ${(r.peak / 2 ** 20).toFixed(0)} MiB`,
        );
        rmSync(sfile, { force: true });
      }
      await app.close();

      const rowsPerSecond = n / seconds;
      const copyRowsPerSecond = n / copySeconds;
      const results: BenchResult[] = [
        {
          name: `import ${n} rows: throughput`,
          value: Math.round(rowsPerSecond),
          unit: 'rows/s',
          baseline: 'plain COPY of the same CSV into an unindexed table',
          baselineValue: Math.round(copyRowsPerSecond),
          ratio: +(rowsPerSecond / copyRowsPerSecond).toFixed(4),
        },
        {
          name: `import ${n} rows: total time`,
          value: +seconds.toFixed(2),
          unit: 's',
          baseline: 'plain COPY of the same CSV into an unindexed table',
          baselineValue: +copySeconds.toFixed(2),
          ratio: +(copySeconds / seconds).toFixed(4),
        },
        {
          name: `import ${n} rows: peak RSS of the API process`,
          value: Math.round(peak / 2 ** 20),
          unit: 'MiB',
          baseline: null,
          baselineValue: null,
          ratio: null,
        },
        {
          name: `import ${n} rows: RSS of the API process before the import`,
          value: Math.round(rssBefore / 2 ** 20),
          unit: 'MiB',
          baseline: null,
          baselineValue: null,
          ratio: null,
        },
        ...scoped.map((r) => ({
          name: `county organizer imports ${r.n} new rows under stored townships: total time`,
          value: +r.seconds.toFixed(2),
          unit: 's',
          baseline: null,
          baselineValue: null,
          ratio: null,
          notes: `${Math.round(r.n / r.seconds)} rows/s; peak RSS of the API process ${Math.round(r.peak / 2 ** 20)} MiB`,
        })),
        {
          name: `county organizer's import: rows/s at ${scoped[1]!.n} rows`,
          value: Math.round(scoped[1]!.n / scoped[1]!.seconds),
          unit: 'rows/s',
          baseline: `rows/s of the same import at ${scoped[0]!.n} rows (linear: ratio near 1; quadratic: ${scoped[0]!.n / scoped[1]!.n})`,
          baselineValue: Math.round(scoped[0]!.n / scoped[0]!.seconds),
          ratio: +(scoped[1]!.n / scoped[1]!.seconds / (scoped[0]!.n / scoped[0]!.seconds)).toFixed(3),
        },
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
