// `http`: a busy officer's inbox (GET /api/v1/tasks, authenticated, scoped, 50 tasks a page out of 2,000)
// under autocannon vs a bare fastify route answering a stored page of the same size, in the same process.
import autocannon from 'autocannon';
import Fastify from 'fastify';
import type { BenchResult, BenchServers } from './servers.js';
import { seedBusyOfficer, startBenchStack } from './stack.js';

async function load(url: string, headers: Record<string, string>, seconds: number) {
  const r = await autocannon({ url, headers, connections: 16, duration: seconds });
  if (r.errors || r.non2xx) throw new Error(`${url}: ${r.errors} errors, ${r.non2xx} non-2xx answers`);
  return { rps: r.requests.average, p99: r.latency.p99 };
}

export async function run(s: BenchServers, opts: { seconds: number }): Promise<BenchResult[]> {
  const stack = await startBenchStack(s, { worker: false });
  const bare = Fastify();
  try {
    const headers = await seedBusyOfficer(s, stack);
    const inbox = `${stack.url}/api/v1/tasks?state=open&limit=50`;
    const page = await (await fetch(inbox, { headers })).text();
    if (JSON.parse(page).items?.length !== 50) throw new Error(`inbox did not answer a full page: ${page.slice(0, 300)}`);

    bare.get('/bare', async (_req, reply) => reply.type('application/json').send(page));
    await bare.listen({ port: 0, host: '127.0.0.1' });
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/bare`;

    await load(inbox, headers, 2); // warm-up
    const ours = await load(inbox, headers, opts.seconds);
    const base = await load(bareUrl, headers, opts.seconds);
    return [
      {
        name: 'http',
        value: Math.round(ours.rps),
        unit: 'requests/s',
        baseline: 'bare fastify route answering the same page, same process',
        baselineValue: Math.round(base.rps),
        ratio: Math.round((ours.rps / base.rps) * 1000) / 1000,
        notes: `inbox p99 ${ours.p99} ms, bare p99 ${base.p99} ms; 16 connections, ${opts.seconds} s each`,
      },
    ];
  } finally {
    await bare.close();
    await stack.close();
  }
}
