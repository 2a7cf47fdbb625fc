// The overdue dashboard's question — "overdue tasks in my subtree, by organization and escalation level" —
// answered from the PostgreSQL projection at 1,000,000 task rows (inserted directly with generate_series),
// against asking Temporal visibility the same question on a smaller sample of live task workflows
// (list the running workflows, then query each for its task state, since visibility holds no task fields).
//   node --import tsx bench/overdue.ts [--quick]
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createWorker } from '../src/worker.js';
import { overdueGroups } from '../src/tasks/store.js';
import { taskPage } from '../src/tasks/store.js';
import { taskProcess } from '../workflows/task-process.js';
import { tasksQuery } from '../workflows/messages.js';
import { argFlag, insertTree, log, type BenchResult } from './tasks-support.js';
import { timeIt } from './measure.js';
import { startBenchServers } from './servers.js';

export interface OverdueOptions {
  quick?: boolean;
  /** Task rows in PostgreSQL (default 1,000,000; quick 100,000). */
  rows?: number;
  /** Live workflows asked through Temporal (default 300; quick 60). */
  workflows?: number;
  runs?: number;
}

export async function run(opts: OverdueOptions = {}): Promise<BenchResult[]> {
  const rows = opts.rows ?? (opts.quick ? 100_000 : 1_000_000);
  const workflows = opts.workflows ?? (opts.quick ? 60 : 300);
  const runs = opts.runs ?? (opts.quick ? 20 : 50);
  const env = await startBenchServers(log);
  const { sql, client } = env;
  try {
    const prefix = `B${randomUUID().slice(0, 6)}`;
    // 1 + 10 + 100 + 1,000 + 10,000 organizations: a province's shape at a tenth of its size.
    const tree = await insertTree(sql, prefix, 10);
    log(`tree: ${tree.villages.length} villages; inserting ${rows} tasks`);
    const t0 = performance.now();
    // Due dates spread over ±60 days around now; a third done; overdue ones escalated by how late they are.
    await sql`
      insert into tasks (workflow_id, task_key, process, step, organization_id, assignee_role, state, opened_at, due_at, escalation_level)
      select 'bench:' || g, 'report', 'bench', 'monthly-report', v.ids[1 + (g % array_length(v.ids, 1))], 'secretary',
             case when g % 3 = 0 then 'done' when g % 7 = 0 then 'claimed' else 'open' end,
             now() - interval '90 days', d.due,
             case when d.due < now() - interval '28 days' then 3 when d.due < now() - interval '14 days' then 2
                  when d.due < now() - interval '4 days' then 1 else 0 end
      from generate_series(1, ${rows}) g
      cross join (select ${tree.villages}::bigint[] as ids) v
      cross join lateral (select now() + ((g::bigint * 7919) % 120 - 60) * interval '1 day' + (g % 1440) * interval '1 minute' as due) d`;
    await sql`update tasks set state = 'escalated' where process = 'bench' and escalation_level > 0 and state = 'open'`;
    // A live table is vacuumed by autovacuum; a million rows inserted a moment ago are not yet, and without the
    // visibility map every index-only scan would visit the heap. Vacuum once, as autovacuum soon would.
    await sql`vacuum (analyze) tasks`;
    await sql`analyze organizations`;
    log(`inserted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const [county] = await sql<{ path: string }[]>`select path::text as path from organizations where id = ${tree.counties[0]!}`;
    const [province] = await sql<{ path: string }[]>`select path::text as path from organizations where id = ${tree.root}`;
    const countyScope = sql`o.path <@ ${county!.path}::ltree`;
    const provinceScope = sql`o.path <@ ${province!.path}::ltree`;
    const countyTimes = await timeIt(runs, () => overdueGroups(sql, countyScope));
    // A busy officer's inbox: the first page (50 by due date) of every task in a county's subtree.
    const inboxTimes = await timeIt(runs, () => taskPage(sql, countyScope, null, 50));
    const provinceTimes = await timeIt(Math.max(5, Math.floor(runs / 2)), () => overdueGroups(sql, provinceScope));
    const [{ n: overdueRows }] = (await sql<{ n: number }[]>`
      select count(*)::int as n from tasks t join organizations o on o.id = t.organization_id
      where t.state in ('open', 'claimed', 'escalated') and t.due_at < now() and ${provinceScope}`) as unknown as [{ n: number }];
    log(
      `SQL county p50 ${countyTimes.p50.toFixed(1)} ms p99 ${countyTimes.p99.toFixed(1)} ms; inbox p50 ${inboxTimes.p50.toFixed(1)} ms p99 ${inboxTimes.p99.toFixed(1)} ms; province p50 ${provinceTimes.p50.toFixed(1)} ms (${overdueRows} overdue rows)`,
    );

    // Baseline: the same question asked of Temporal for `workflows` live task workflows.
    const taskQueue = `bench-overdue-${randomUUID()}`;
    const worker = await createWorker({ connection: env.workerConnection!, namespace: 'default', taskQueue, sql });
    const running = worker.run();
    const now = Date.now();
    const villages = tree.villages.slice(0, workflows);
    const ids: string[] = [];
    await Promise.all(
      villages.map(async (orgId, i) => {
        const id = `bench-overdue:${prefix}:${i}`;
        ids.push(id);
        const due = now + (i % 2 ? -1 : 1) * (i + 1) * 3_600_000;
        await client.workflow.start(taskProcess, {
          workflowId: id,
          taskQueue,
          args: [
            {
              task: {
                key: 'report',
                step: 'monthly-report',
                organizationId: orgId,
                assigneeRole: 'secretary',
                due: { workingDays: 1 },
                plan: {
                  dueAt: new Date(due).toISOString(),
                  reminders: [],
                  escalations: [1, 2, 3].map((l) => ({ level: l as 1 | 2 | 3, workingDaysAfter: l, at: new Date(now + 86_400_000 * 30 * l).toISOString() })),
                },
              },
            },
          ],
        });
      }),
    );
    // Visibility is eventually consistent: wait until it lists them all.
    const query = `WorkflowType = 'taskProcess' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'`;
    for (let i = 0; i < 600; i++) {
      const { count } = await client.workflow.count(query);
      if (count >= workflows) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const ask = async () => {
      const groups = new Map<string, number>();
      const handles: string[] = [];
      for await (const w of client.workflow.list({ query })) handles.push(w.workflowId);
      // Visibility has no task fields: each workflow must be queried (a workflow task per query).
      await Promise.all(
        handles.map(async (id) => {
          const [t] = await client.workflow.getHandle(id).query(tasksQuery);
          if (t && t.state !== 'done' && t.state !== 'cancelled' && Date.parse(t.dueAt) < Date.now()) {
            const k = `${id}:${t.escalationLevel ?? 0}`;
            groups.set(k, (groups.get(k) ?? 0) + 1);
          }
        }),
      );
      return groups;
    };
    const temporalTimes = await timeIt(Math.max(3, Math.floor(runs / 5)), ask);
    const countTimes = await timeIt(Math.max(3, Math.floor(runs / 5)), () => client.workflow.count(query));
    log(
      `Temporal list+query of ${workflows} workflows p50 ${temporalTimes.p50.toFixed(1)} ms p99 ${temporalTimes.p99.toFixed(1)} ms; count p50 ${countTimes.p50.toFixed(1)} ms`,
    );
    worker.shutdown();
    await running;
    for (const id of ids)
      await client.workflow
        .getHandle(id)
        .terminate('benchmark over')
        .catch(() => {});

    const baseline = `Temporal visibility list + per-workflow query, ${workflows} workflows`;
    return [
      {
        name: `overdue.sql.county.p50 (${rows} rows)`,
        value: countyTimes.p50,
        unit: 'ms',
        baseline,
        baselineValue: temporalTimes.p50,
        ratio: temporalTimes.p50 / countyTimes.p50,
      },
      {
        name: `overdue.sql.county.p99 (${rows} rows)`,
        value: countyTimes.p99,
        unit: 'ms',
        baseline,
        baselineValue: temporalTimes.p99,
        ratio: temporalTimes.p99 / countyTimes.p99,
      },
      {
        name: `overdue.sql.inbox.p50 (${rows} rows; first page of a county's tasks)`,
        value: inboxTimes.p50,
        unit: 'ms',
        baseline,
        baselineValue: temporalTimes.p50,
        ratio: temporalTimes.p50 / inboxTimes.p50,
      },
      {
        name: `overdue.sql.inbox.p99 (${rows} rows; first page of a county's tasks)`,
        value: inboxTimes.p99,
        unit: 'ms',
        baseline,
        baselineValue: temporalTimes.p99,
        ratio: temporalTimes.p99 / inboxTimes.p99,
      },
      {
        name: `overdue.sql.province.p50 (${rows} rows)`,
        value: provinceTimes.p50,
        unit: 'ms',
        baseline,
        baselineValue: temporalTimes.p50,
        ratio: temporalTimes.p50 / provinceTimes.p50,
      },
      {
        name: `overdue.sql.province.p99 (${rows} rows)`,
        value: provinceTimes.p99,
        unit: 'ms',
        baseline,
        baselineValue: temporalTimes.p99,
        ratio: temporalTimes.p99 / provinceTimes.p99,
      },
      {
        name: 'overdue.temporal.count.p50',
        value: countTimes.p50,
        unit: 'ms',
        baseline: 'count only, no grouping possible',
        baselineValue: countTimes.p50,
        ratio: 1,
      },
    ];
  } finally {
    await env.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await run({ quick: argFlag('quick') });
  console.log(JSON.stringify(results, null, 2));
  process.exit(0);
}
