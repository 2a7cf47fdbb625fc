// Deadline storm: N tasks (30,000; --quick 1,000) whose reminders all fall in the same minute. Each task is a
// live taskProcess workflow whose durable timer fires; the reminder activities run with bounded concurrency
// on the worker (maxConcurrentActivityTaskExecutions), and one notifier pass turns the reminders into one
// e-mail per person (a real SMTP server on loopback counts them). Meanwhile a probe task takes Updates, to
// show user actions are not starved.
//   node --import tsx bench/storm.ts [--quick]
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { createWorker } from '../src/worker.js';
import { taskProcess } from '../workflows/task-process.js';
import { notifier } from '../workflows/notifier.js';
import { claimTaskUpdate, machineActor, unclaimTaskUpdate } from '../workflows/messages.js';
import { argFlag, insertTree, log, type BenchResult } from './tasks-support.js';
import { percentile } from './measure.js';
import { startBenchServers } from './servers.js';
import { freePort } from '../tests/helpers/ports.js';

export interface StormOptions {
  quick?: boolean;
  tasks?: number;
  /** Activity slots of the worker (the bound under test). */
  activityConcurrency?: number;
  /** People the tasks fall on (secretaries of that many villages). */
  recipients?: number;
}

export async function run(opts: StormOptions = {}): Promise<BenchResult[]> {
  const n = opts.tasks ?? (opts.quick ? 1_000 : 30_000);
  const slots = opts.activityConcurrency ?? 50;
  const env = await startBenchServers(log);
  const { sql, client } = env;
  let mails = 0;
  const smtpPort = await freePort();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _s, done) {
      stream.resume();
      stream.on('end', () => {
        mails++;
        done();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(smtpPort, '127.0.0.1', r));
  try {
    const prefix = `S${randomUUID().slice(0, 6)}`;
    const tree = await insertTree(sql, prefix, opts.quick ? 4 : 6);
    const villages = tree.villages;
    const recipients = Math.min(opts.recipients ?? (opts.quick ? 50 : 300), villages.length);
    // Tasks go to villages round-robin; the first `recipients` villages have a secretary with an e-mail address.
    await sql`
      insert into users (username, password_hash, email)
      select ${prefix} || '-sec-' || g, 'x', ${prefix} || '-sec-' || g || '@example.test' from generate_series(1, ${recipients}) g`;
    await sql`
      insert into user_roles (user_id, role, organization_id)
      select u.id, 'secretary', (${villages}::bigint[])[g]
      from generate_series(1, ${recipients}) g join users u on u.username = ${prefix} || '-sec-' || g`;
    const targets = villages.slice(0, recipients);

    const taskQueue = `bench-storm-${randomUUID()}`;
    const worker = await createWorker({
      connection: env.workerConnection!,
      namespace: 'default',
      taskQueue,
      sql,
      maxConcurrentActivities: slots,
      notify: { smtpUrl: `smtp://127.0.0.1:${smtpPort}` },
    });
    const running = worker.run();

    // All reminders fall inside one minute, far enough ahead for every workflow to start and open its task.
    const startBudgetMs = Math.max(45_000, n * 15);
    const minute = Math.ceil((Date.now() + startBudgetMs) / 60_000) * 60_000;
    const far = (d: number) => new Date(minute + d * 86_400_000).toISOString();
    log(`starting ${n} task workflows; reminders due in the minute of ${new Date(minute).toISOString()}`);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < n) {
          const i = next++;
          await client.workflow.start(taskProcess, {
            workflowId: `storm:${prefix}:${i}`,
            taskQueue,
            args: [{
              task: {
                key: 'report', step: 'monthly-report', organizationId: targets[i % targets.length]!, assigneeRole: 'secretary', due: { workingDays: 1 },
                plan: {
                  dueAt: far(1),
                  reminders: [{ key: 'reminder-1wd', workingDaysBefore: 1, at: new Date(minute + (i % 60) * 1000).toISOString() }],
                  escalations: [{ level: 1, workingDaysAfter: 3, at: far(3) }, { level: 2, workingDaysAfter: 10, at: far(10) }, { level: 3, workingDaysAfter: 20, at: far(20) }],
                },
              },
            }],
          });
        }
      }),
    );
    const startSeconds = (performance.now() - t0) / 1000;
    log(`started in ${startSeconds.toFixed(1)} s`);

    // The probe: an unrelated task whose holder claims and unclaims it throughout.
    const probe = await client.workflow.start(taskProcess, {
      workflowId: `storm-probe:${prefix}`,
      taskQueue,
      args: [{ task: { key: 'probe', step: 'probe', organizationId: targets[0]!, assigneeRole: 'secretary', due: { workingDays: 5 } } }],
    });
    // Wait until the probe's task is open (its Updates are refused before that).
    while (!(await sql`select 1 from tasks where workflow_id = ${`storm-probe:${prefix}`}`).length) await new Promise((r) => setTimeout(r, 200));
    const actor = machineActor('probe');
    let claimed = false;
    const poke = async () => {
      const t = performance.now();
      await probe.executeUpdate(claimed ? unclaimTaskUpdate : claimTaskUpdate, { args: [{ taskKey: 'probe', actor }] });
      claimed = !claimed;
      return performance.now() - t;
    };
    const calm: number[] = [];
    while (Date.now() < minute - 2_000 && calm.length < 20) calm.push(await poke());
    const opened = async () => (await sql<{ n: number }[]>`select count(*)::int as n from tasks where workflow_id like ${`storm:${prefix}:%`}`)[0]!.n;
    log(`tasks opened before the storm: ${await opened()} / ${n}`);
    while (Date.now() < minute) await new Promise((r) => setTimeout(r, 100));

    const stormStart = Date.now();
    const during: number[] = [];
    let reminded = 0;
    const reminders = async () =>
      (await sql<{ n: number }[]>`
        select count(*)::int as n from task_events e join tasks t on t.id = e.task_id
        where t.workflow_id like ${`storm:${prefix}:%`} and e.kind = 'reminded'`)[0]!.n;
    const deadline = stormStart + 30 * 60_000;
    let probing = true;
    const prober = (async () => {
      while (probing) {
        during.push(await poke());
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    // A task that opened after its reminder's instant does not send it late (workflows/human-task.ts): the
    // storm is the reminders that were still ahead of their task's opening.
    const expected = (await sql<{ n: number }[]>`
      select count(*)::int as n from task_reminders r join tasks t on t.id = r.task_id
      where t.workflow_id like ${`storm:${prefix}:%`} and r.at > t.opened_at`)[0]!.n;
    log(`reminders expected: ${expected}`);
    while (reminded < expected && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      reminded = await reminders();
    }
    const drainSeconds = (Date.now() - stormStart) / 1000;
    probing = false;
    await prober;
    log(`${reminded} reminders written ${drainSeconds.toFixed(1)} s after the minute began`);

    const t1 = performance.now();
    const pass = await client.workflow.execute(notifier, { workflowId: `storm-notifier:${prefix}`, taskQueue, args: [{ once: true, batch: n * 3 }] });
    const notifySeconds = (performance.now() - t1) / 1000;
    log(`notifier: ${pass.digests} digests, ${mails} e-mails in ${notifySeconds.toFixed(1)} s`);

    worker.shutdown();
    await running;
    const calmSorted = [...calm].sort((a, b) => a - b);
    const duringSorted = [...during].sort((a, b) => a - b);
    const calmP99 = percentile(calmSorted, 99);
    const duringP99 = percentile(duringSorted, 99);
    const duringP50 = percentile(duringSorted, 50);
    log(`probe Update latency: calm p50 ${percentile(calmSorted, 50).toFixed(0)} ms p99 ${calmP99.toFixed(0)} ms; storm p50 ${duringP50.toFixed(0)} ms p99 ${duringP99.toFixed(0)} ms (${during.length} samples)`);
    return [
      { name: `storm.drain (${n} reminders in one minute, ${slots} activity slots)`, value: drainSeconds, unit: 's', baseline: 'the one-minute due window', baselineValue: 60, ratio: 60 / drainSeconds },
      { name: 'storm.throughput', value: reminded / drainSeconds, unit: 'reminders/s', baseline: 'rate needed to drain within the minute', baselineValue: n / 60, ratio: reminded / drainSeconds / (n / 60) },
      { name: 'storm.probe-update.p50', value: duringP50, unit: 'ms', baseline: 'same Update before the storm (p50)', baselineValue: percentile(calmSorted, 50), ratio: percentile(calmSorted, 50) / duringP50 },
      { name: 'storm.probe-update.p99', value: duringP99, unit: 'ms', baseline: 'same Update before the storm (p99)', baselineValue: calmP99, ratio: calmP99 / duringP99 },
      { name: 'storm.emails', value: mails, unit: 'e-mails', baseline: 'one message per task', baselineValue: n, ratio: n / Math.max(1, mails) },
      { name: 'storm.notifier-pass', value: notifySeconds, unit: 's', baseline: 'the one-minute digest window', baselineValue: 60, ratio: 60 / notifySeconds },
      { name: 'storm.start', value: startSeconds, unit: 's', baseline: 'start budget', baselineValue: startBudgetMs / 1000, ratio: startBudgetMs / 1000 / startSeconds },
    ];
  } finally {
    smtp.close();
    await env.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await run({ quick: argFlag('quick') });
  console.log(JSON.stringify(results, null, 2));
  process.exit(0);
}
