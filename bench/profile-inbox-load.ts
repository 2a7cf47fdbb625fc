// The inbox under the http figure's load (autocannon, 16 connections, in this process as in bench/http.ts):
// `node --import tsx bench/profile-inbox-load.ts [seconds]` prints requests/s and the CPU each request cost this
// process and the bench's PostgreSQL (the two share the machine's cores), and writes bench/out/inbox-load.cpuprofile
// of the load alone. PROFILE=0: no profile (the profiler slows the API). BARE=1: the bench's baseline route instead.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { startBenchServers } from './servers.js';
import { seedBusyOfficer, startBenchStack } from './stack.js';

const seconds = Number(process.argv[2] ?? 10);
const s = await startBenchServers();
const st = await startBenchStack(s, { worker: false });
const bare = Fastify();
try {
  const headers = await seedBusyOfficer(s, st);
  let url = `${st.url}/api/v1/tasks?state=open&limit=50`;
  if (process.env.BARE === '1') {
    const page = await (await fetch(url, { headers })).text();
    bare.get('/bare', async (_req, reply) => reply.type('application/json').send(page));
    await bare.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/bare`;
  }
  await autocannon({ url, headers, connections: 16, duration: 2 }); // warm-up

  // CPU seconds (utime + stime) of a process, and of the bench's postmaster with its backends.
  const stat = (pid: string) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const cpuOf = (pid: string) => (Number(stat(pid)[11]) + Number(stat(pid)[12])) / 100;
  const pgPort = new URL(s.databaseUrl).port;
  const cpu = () => {
    const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
    const cmdline = (pid: string) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    const postmaster = pids.find((pid) => {
      try {
        return cmdline(pid).includes(`-p ${pgPort}`);
      } catch {
        return false;
      }
    });
    let pg = 0;
    for (const pid of pids) {
      try {
        if (pid === postmaster || stat(pid)[1] === postmaster) pg += cpuOf(pid);
      } catch {
        /* ended meanwhile */
      }
    }
    return { node: cpuOf(String(process.pid)), pg };
  };

  const session = process.env.PROFILE === '0' ? null : new Session();
  session?.connect();
  await session?.post('Profiler.enable');
  await session?.post('Profiler.start');
  const before = cpu();
  const r = await autocannon({ url, headers, connections: 16, duration: seconds });
  const after = cpu();
  if (session) writeFileSync('bench/out/inbox-load.cpuprofile', JSON.stringify((await session.post('Profiler.stop')).profile));
  const per = (k: 'node' | 'pg') => (((after[k] - before[k]) / r.requests.total) * 1000).toFixed(3);
  console.log(
    `${r.requests.average} requests/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.non2xx} non-2xx; CPU per request: this process ${per('node')} ms, PostgreSQL ${per('pg')} ms`,
  );
} finally {
  await bare.close();
  await st.close();
  await s.stop();
}
