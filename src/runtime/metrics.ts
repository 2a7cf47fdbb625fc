// What an operations team's Prometheus scrapes from an API process (GET /metrics): the process itself (prom-client's
// default Node metrics), the API's requests by route, and the product's own state read from PostgreSQL — open and
// overdue tasks, escalations by level, channel deliveries by state, and how late the deadline work runs. The worker's
// Temporal metrics (workflow and activity tasks, schedule-to-start latency, cache) come from the Temporal SDK's own
// runtime on its own address (src/worker.ts, ORGLIFE_WORKER_METRICS_ADDRESS); deploy/ holds the dashboard and the
// alert rules that read both. The product gauges are the same in every API process (one database): aggregate them
// with max(), not sum().
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Sql } from '../db/client.js';
import { DELIVERY_CHANNELS } from '../channels/kinds.js';
import { DELIVERY_STATES } from '../channels/schemas.js';

/**
 * A scrape reads PostgreSQL at most this often per process: scrapes at once (a Prometheus pair, a person reloading)
 * share one read. Prometheus itself scrapes every 15 s or so.
 */
export const STATE_TTL_MS = 1_000;

interface ProductState {
  tasks: { state: string; n: number }[];
  overdue: number;
  escalations: { level: number; n: number }[];
  deliveries: { channel: string; status: string; n: number }[];
  oldestWaitingDeliverySeconds: number;
  deadlineLagSeconds: number;
}

/** The product's state in six statements, each answered from an index (migrations/099_unsent_reminders.sql). */
async function readState(sql: Sql): Promise<ProductState> {
  const [tasks, overdue, escalations, deliveries, waiting, lag] = await Promise.all([
    sql<{ state: string; n: number }[]>`select state, count(*)::int as n from tasks where state in ('open', 'claimed', 'escalated') group by state`,
    sql<{ n: number }[]>`select count(*)::int as n from tasks where state in ('open', 'claimed', 'escalated') and due_at < now()`,
    sql<{ level: number; n: number }[]>`select level, count(*)::int as n from escalations where state <> 'closed' group by level`,
    sql<{ channel: string; status: string; n: number }[]>`
      select channel, status, count(*)::int as n from channel_deliveries where created_at > now() - interval '1 day' group by channel, status`,
    // Quiet hours hold a non-urgent SMS until 08:00: a delivery held on purpose is not waiting yet.
    sql<{ s: number | null }[]>`
      select extract(epoch from now() - min(created_at))::float8 as s from channel_deliveries
      where status in ('pending', 'sending') and (not_before is null or not_before < now())`,
    // The oldest planned instant (reminder or escalation) past and not recorded, of a task still open: zero while the
    // deadline sweep keeps up. An instant already past when its task opened is not planned (the opening notice says
    // it all), and a closed task's are deleted: neither is lag.
    // A task planned to open whose instant is past and that the sweep has not opened is lag too.
    sql<{ s: number | null }[]>`
      select extract(epoch from now() - least(
        (select min(d.at) from task_deadlines d join tasks t on t.id = d.task_id
         where d.recorded_at is null and d.at < now() and d.at > t.opened_at and t.state in ('open', 'claimed', 'escalated')),
        (select min(opens_at) from task_openings where opens_at < now())))::float8 as s`,
  ]);
  return {
    tasks,
    overdue: overdue[0]?.n ?? 0,
    escalations,
    deliveries,
    oldestWaitingDeliverySeconds: Math.max(0, waiting[0]?.s ?? 0),
    deadlineLagSeconds: Math.max(0, lag[0]?.s ?? 0),
  };
}

export interface ApiMetrics {
  registry: Registry;
  /** One answered request: its route's template (not the URL, whose ids would make a series each), method, status. */
  observe(route: string, method: string, status: number, seconds: number): void;
}

/** A registry of its own per app: several apps in one process (the tests) do not share or clash. */
export function createApiMetrics(sql: Sql): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Histogram({
    name: 'orglife_http_request_duration_seconds',
    help: 'API requests by route template, method and status code, and how long each took to answer',
    labelNames: ['route', 'method', 'status_code'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60],
    registers: [registry],
  });
  const scrapeErrors = new Counter({
    name: 'orglife_metrics_state_errors_total',
    help: 'Scrapes whose read of the product state from PostgreSQL failed (the gauges then keep their last values)',
    registers: [registry],
  });

  let cached: { at: number; state: Promise<ProductState> } | undefined;
  const state = () => {
    if (!cached || Date.now() - cached.at > STATE_TTL_MS) {
      const read = readState(sql);
      cached = { at: Date.now(), state: read };
      // A failed read is not kept: the next scrape tries again.
      read.catch(() => {
        if (cached?.state === read) cached = undefined;
      });
    }
    return cached.state;
  };
  /** A gauge whose values come from the product state at scrape time. */
  const stateGauge = <L extends string>(name: string, help: string, labelNames: readonly L[], set: (g: Gauge<L>, s: ProductState) => void) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        try {
          const s = await state();
          this.reset();
          set(this, s);
        } catch {
          scrapeErrors.inc();
        }
      },
    });

  stateGauge('orglife_tasks_open', 'Open tasks by state (open, claimed, escalated)', ['state'], (g, s) => {
    for (const st of ['open', 'claimed', 'escalated']) g.set({ state: st }, s.tasks.find((t) => t.state === st)?.n ?? 0);
  });
  stateGauge('orglife_tasks_overdue', 'Open tasks past their due instant', [], (g, s) => g.set(s.overdue));
  stateGauge('orglife_escalations_open', 'Escalations not closed, by level (1 secretary, 2 supervising committee, 3 county)', ['level'], (g, s) => {
    for (const level of [1, 2, 3]) g.set({ level: String(level) }, s.escalations.find((e) => e.level === level)?.n ?? 0);
  });
  stateGauge(
    'orglife_channel_deliveries',
    'Channel deliveries (企业微信, 钉钉, SMS, robots) written in the last day, by channel and state',
    ['channel', 'status'],
    (g, s) => {
      // Every channel and state, zero where there were none: a panel or an alert reads 0, not "no data".
      for (const channel of DELIVERY_CHANNELS)
        for (const status of DELIVERY_STATES) g.set({ channel, status }, s.deliveries.find((d) => d.channel === channel && d.status === status)?.n ?? 0);
    },
  );
  stateGauge('orglife_channel_oldest_waiting_seconds', 'How long the oldest delivery due to go (not held by quiet hours) has waited', [], (g, s) =>
    g.set(s.oldestWaitingDeliverySeconds),
  );
  stateGauge('orglife_deadline_lag_seconds', 'How long the oldest reminder past its instant has waited unsent (0: deadline work keeps up)', [], (g, s) =>
    g.set(s.deadlineLagSeconds),
  );

  return {
    registry,
    observe(route, method, status, seconds) {
      requests.observe({ route, method, status_code: String(status) }, seconds);
    },
  };
}
