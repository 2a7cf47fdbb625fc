// What an operations team's Prometheus gets from `npm run cluster`: every member serves metrics where the cluster's
// state (and the targets file it writes) says, and every series the dashboard (deploy/grafana/orglife.json) and the
// alert rules (deploy/prometheus/alerts.yml) query is served by the job they name, once the cluster has done work.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrapeTargets } from '../../src/runtime/cluster.js';
import { eventually } from '../helpers/context.js';
import { clusterFixture, requestOutcome, type ClusterFixture } from './helpers.js';

const dashboard = JSON.parse(readFileSync('deploy/grafana/orglife.json', 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
const alerts = readFileSync('deploy/prometheus/alerts.yml', 'utf8');

/** Every query: the dashboard's panels and the alert rules' expressions. */
const queries = [
  ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}"`, expr: t.expr }))),
  ...[...alerts.matchAll(/- alert: (\w+)\n\s+expr: (.+)/g)].map((m) => ({ where: `alert ${m[1]}`, expr: m[2]! })),
];

/** PromQL's words that are not series: functions, aggregations, keywords. */
const PROMQL = new Set(['sum', 'max', 'min', 'avg', 'count', 'rate', 'increase', 'by', 'without', 'histogram_quantile', 'or', 'and', 'unless', 'offset', 'le']);

/** The series a query reads, each with the job its selector names (if any). */
function seriesOf(expr: string): { name: string; job: RegExp | null }[] {
  const found: { name: string; job: RegExp | null }[] = [];
  // A name followed by a selector, a range, a closing parenthesis, an operator or the end; label names inside
  // braces and "by (...)" lists are skipped.
  const stripped = expr.replace(/by \([^)]*\)/g, '').replace(/\[[^\]]*\]/g, '');
  for (const m of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?/g)) {
    const name = m[1]!;
    if (PROMQL.has(name) || /^\d/.test(name)) continue;
    // Inside a selector's braces the regex also meets label names and values; only names outside count.
    const before = stripped.slice(0, m.index);
    if ((before.match(/\{/g)?.length ?? 0) > (before.match(/\}/g)?.length ?? 0)) continue;
    if (before.endsWith('"')) continue;
    const job = /job=~?"([^"]+)"/.exec(m[2] ?? '')?.[1];
    found.push({ name, job: job ? new RegExp(`^(${job})$`) : null });
  }
  return found;
}

describe('metrics of the cluster', () => {
  let f: ClusterFixture;
  let scraped: { job: string; member: string; text: string }[];
  beforeAll(async () => {
    f = await clusterFixture(2);
    // Work for every panel to show: requests, a workflow task and activities on the workers, the server's persistence.
    const h = { authorization: f.authorization, 'content-type': 'application/json' };
    for (const code of f.villages) {
      const r = await fetch(`${f.state.url}/api/v1/processes/term-election`, { method: 'POST', headers: h, body: JSON.stringify({ organization: code }) });
      expect(r.status, await r.clone().text()).toBe(201);
      const id = ((await r.json()) as { id: string }).id;
      const taskId = await eventually(
        `the request task of ${id}`,
        async () => (await f.sql<{ id: number }[]>`select id from tasks where workflow_id = ${id} and state = 'open'`)[0]?.id,
        60_000,
      );
      const c = await fetch(`${f.state.url}/api/v1/tasks/${taskId}/complete`, {
        method: 'POST',
        headers: { ...h, 'idempotency-key': `metrics-${taskId}` },
        body: JSON.stringify(requestOutcome()),
      });
      expect(c.status, await c.clone().text()).toBe(200);
    }
  });
  afterAll(async () => {
    await f?.close();
  });

  it('serves metrics on every member, at the addresses the targets file lists', async () => {
    const targets = scrapeTargets(f.state.members);
    expect(targets.map((t) => t.labels.job).sort()).toEqual(['orglife-api', 'orglife-api', 'orglife-worker', 'orglife-worker', 'temporal']);
    scraped = [];
    for (const t of targets) {
      const r = await fetch(`http://${t.targets[0]}/metrics`);
      expect(r.status, `${t.labels.instance_name} at ${t.targets[0]}`).toBe(200);
      scraped.push({ job: t.labels.job!, member: t.labels.instance_name!, text: await r.text() });
    }
    // Each kind serves its own: the API's requests and state, the worker's Temporal SDK, the server's services.
    for (const s of scraped.filter((x) => x.job === 'orglife-api')) expect(s.text).toContain('orglife_tasks_open{state="open"}');
    for (const s of scraped.filter((x) => x.job === 'orglife-worker')) expect(s.text).toMatch(/^temporal_num_pollers\{/m);
    expect(scraped.find((x) => x.job === 'temporal')!.text).toMatch(/^service_requests\{/m);
  });

  it('serves every series the dashboard and the alert rules query, from the job they name', async () => {
    expect(queries.length).toBeGreaterThanOrEqual(dashboard.panels.length + 6);
    // Workers' histograms appear once a task of their kind ran: poll the workers until each query's series shows.
    const missing = await eventually(
      'every queried series on its job',
      async () => {
        const fresh = await Promise.all(
          scrapeTargets(f.state.members).map(async (t) => ({ job: t.labels.job!, text: await (await fetch(`http://${t.targets[0]}/metrics`)).text() })),
        );
        const absent: string[] = [];
        for (const q of queries) {
          for (const s of seriesOf(q.expr)) {
            // `up` is Prometheus's own, about each scrape.
            if (s.name === 'up') continue;
            const served = fresh.some((x) => (!s.job || s.job.test(x.job)) && new RegExp(`^${s.name}[{ ]`, 'm').test(x.text));
            if (!served) absent.push(`${s.name} (${q.where})`);
          }
        }
        if (absent.length === 0) return [];
        lastAbsent = absent;
        return null;
      },
      60_000,
    ).catch(() => lastAbsent);
    expect(missing).toEqual([]);
  });
});

let lastAbsent: string[] = [];
