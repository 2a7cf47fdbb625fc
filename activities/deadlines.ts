// Deadlines as data (migrations/100_task_deadlines.sql): a task's reminders and escalation levels are rows, and the
// deadline sweep of its lane records whatever is due in set-based statements, a batch per transaction — the task
// events, the escalations, the notifications of the holders and their substitutes, and the rows' `recorded_at`
// together, so a batch is recorded whole or not at all. The sweep runs on its own task queue and worker slots
// (workflows/deadline-sweep.ts); a person's Update never waits behind it.
import { Context } from '@temporalio/activity';
import type { Sql } from '../src/db/client.js';
import type { TaskPlan } from '../src/domain/task-plan.js';
import { stepWords } from '../src/domain/step-words.js';
import { holdersOfTasks } from '../src/tasks/holders.js';
import { deadlineSweepId, deadlineQueue, wakeDeadlineSweep, deadlineSweep } from '../workflows/deadline-sweep.js';

type Tx = Sql;

/** The advisory lock of a lane: shared while an instant is planned and compared, exclusive while the sweep sets its wake-up. */
const laneLock = (tx: Tx, lane: string, shared: boolean) =>
  shared
    ? tx`select pg_advisory_xact_lock_shared(hashtextextended(${`deadline-lane:${lane}`}, 0))`
    : tx`select pg_advisory_xact_lock(hashtextextended(${`deadline-lane:${lane}`}, 0))`;

export interface PlannedRow {
  task_id: number;
  key: string;
  generation: number;
  kind: 'reminder' | 'escalation';
  level: number | null;
  at: string;
  lane: string | null;
}

/**
 * The rows of a plan. Reminders at or before `from` are left out (a reminder past when the task opened or was
 * extended is not sent late: the notice says it all), as are escalation levels already reached (`reachedLevel`, a
 * re-plan for a corrected calendar). Of the levels already past, only the highest is kept: a task overdue when it
 * opens escalates straight to the level it has reached.
 */
export function planRows(taskId: number, plan: TaskPlan, o: { generation: number; from: string; lane: string | null; reachedLevel?: number }): PlannedRow[] {
  const from = Date.parse(o.from);
  const reminders = plan.reminders
    .filter((r) => Date.parse(r.at) > from)
    .map((r) => ({ task_id: taskId, key: r.key, generation: o.generation, kind: 'reminder' as const, level: null, at: r.at, lane: o.lane }));
  const levels = plan.escalations.filter((e) => e.level > (o.reachedLevel ?? 0));
  const past = levels.filter((e) => Date.parse(e.at) <= from);
  const highestPast = past.length ? Math.max(...past.map((e) => e.level)) : 0;
  const escalations = levels
    .filter((e) => Date.parse(e.at) > from || e.level === highestPast)
    .map((e) => ({
      task_id: taskId,
      key: `escalation-${e.level}`,
      generation: o.generation,
      kind: 'escalation' as const,
      level: e.level,
      at: e.at,
      lane: o.lane,
    }));
  return [...reminders, ...escalations];
}

/**
 * Inserts planned rows inside the caller's transaction. Answers the lane to wake when a swept row falls before the
 * lane's wake-up (the caller signals after commit: `wakeLane`), else null.
 */
export async function insertPlanned(tx: Tx, rows: PlannedRow[]): Promise<string | null> {
  if (!rows.length) return null;
  await insertRows(tx, rows);
  const swept = rows.filter((r) => r.lane);
  if (!swept.length) return null;
  const lane = swept[0]!.lane!;
  return laneIfEarlier(tx, lane, swept.map((r) => r.at).sort()[0]!);
}

/**
 * The rows as one JSON parameter, not seven parameters a row: a batch of a thousand openings plans five thousand rows,
 * and their 35,000 parameters took PostgreSQL longer to parse and bind than to insert.
 */
async function insertRows(tx: Tx, rows: PlannedRow[]): Promise<void> {
  await tx`
    insert into task_deadlines (task_id, key, generation, kind, level, at, lane)
    select task_id, key, generation, kind, level, at, lane
    from jsonb_to_recordset(${tx.json(rows as never)}) as x(task_id bigint, key text, generation int, kind text, level int, at timestamptz, lane text)
    on conflict do nothing`;
}

/**
 * `lane` when `earliest` falls before the instant its sweep will wake at (or it has none yet), compared under its lock;
 * that wake-up is then brought forward to `earliest` in the same transaction. The planners after this one compare
 * against it and leave the sweep alone: on a deadline day thousands of tasks open with instants before the sweep's
 * wake-up, and each signal is a write to the sweep's history — a flood of them was refused as BusyWorkflow or timed
 * out, each such opening retried after 30 s. Of planners racing on the lane's row, the one that moved it signals.
 */
async function laneIfEarlier(tx: Tx, lane: string, earliest: string | Date): Promise<string | null> {
  await laneLock(tx, lane, true);
  const moved = await tx`
    insert into deadline_lanes (lane, wake_at) values (${lane}, ${earliest}::timestamptz)
    on conflict (lane) do update set wake_at = excluded.wake_at where deadline_lanes.wake_at > excluded.wake_at
    returning 1`;
  return moved.length ? lane : null;
}

/**
 * `insertPlanned`'s answer for rows already committed (a retried activity): the lane, whenever the task has an
 * unrecorded instant. The first attempt may have moved the wake-up and lost its signal, so a retry always signals.
 */
export async function laneToWake(tx: Tx, lane: string | null, taskId: number): Promise<string | null> {
  if (!lane) return null;
  const [r] = await tx<{ at: Date | null }[]>`select min(at) as at from task_deadlines where task_id = ${taskId} and recorded_at is null`;
  if (!r?.at) return null;
  await laneIfEarlier(tx, lane, r.at);
  return lane;
}

/** Wakes (or starts) the lane's sweep: an instant was planned before the one it sleeps until. */
export async function wakeLane(lane: string | null): Promise<void> {
  if (!lane) return;
  await Context.current().client.workflow.signalWithStart(deadlineSweep, {
    workflowId: deadlineSweepId(lane),
    taskQueue: deadlineQueue(lane),
    args: [{ lane }],
    signal: wakeDeadlineSweep,
    signalArgs: [],
  });
}

export interface EscalationTargetRow {
  organization_id: number;
  parent_id: number | null;
  county_id: number;
  assignee_role: string | null;
}

/**
 * Who a level goes to. Level 1: the organization's secretary (for a liaison officer's task: the county organization
 * department that assigned the officer — domain.md §4.4); level 2: the supervising committee (parent), its
 * supervisors; level 3: the county organization department (the ancestor at county level), its organizers.
 */
export function escalationTarget(t: EscalationTargetRow, level: number): { organizationId: number; role: string } {
  if (level === 1)
    return t.assignee_role === 'liaison_officer'
      ? { organizationId: t.county_id, role: 'organizer' }
      : { organizationId: t.organization_id, role: 'secretary' };
  if (level === 2) return { organizationId: t.parent_id ?? t.organization_id, role: 'supervisor' };
  return { organizationId: t.county_id, role: 'organizer' };
}

/** The county of `o` (the ancestor at depth 3 from the province, or the nearest above a shallower tree), as SQL. */
export const countyIdOf = (tx: Tx) => tx`ltree2text(subpath(o.path, greatest(0, least(2, nlevel(o.path) - 2)), 1))::bigint`;

/** Whoever an escalation reaches: the target's role at its organization, its organizers and supervisors, and their substitutes. */
export const escalationRecipients = (tx: Tx, escalations: ReturnType<Tx>, at: string) => tx`
  with e as (${escalations}),
  people as (
    select e.id as escalation_id, r.user_id as id from e
    join user_roles r on r.organization_id = e.organization_id and (r.role = e.role or r.role in ('organizer', 'supervisor')))
  select escalation_id, id from people
  union
  select p.escalation_id, s.substitute_id from substitutions s join people p on p.id = s.user_id
  where s.revoked_at is null and (${at}::timestamptz at time zone 'Asia/Shanghai')::date between s.starts_on and s.ends_on`;

interface DueRow extends EscalationTargetRow {
  task_id: number;
  key: string;
  generation: number;
  kind: 'reminder' | 'escalation';
  level: number | null;
  process: string;
  step: string;
  state: string;
  escalation_level: number;
  closed: boolean;
  due_at: Date;
}

/**
 * Records one batch of a lane's due rows (at or before `until`) in one transaction; answers how many rows it took.
 * Rows whose task is locked by a person's action are skipped, for the next batch: the sweep never waits for a person.
 */
export async function recordDueBatch(sql: Sql, lane: string, until: string, limit: number): Promise<number> {
  return sql.begin((tx) => recordDue(tx as unknown as Sql, tx`d.lane = ${lane}`, until, limit));
}

/**
 * Records the due rows `which` selects (a fragment on `d`, the task_deadlines row) inside the caller's transaction:
 * the sweep's batch, or one task's instants passed before a person's action on it is recorded (the task's workflow
 * derived them from its clock; recorded first, they come before the action in the task's history).
 */
export async function recordDue(tx: Tx, which: ReturnType<Tx>, until: string, limit = 1_000_000): Promise<number> {
  {
    const due = await tx<DueRow[]>`
      select d.task_id, d.key, d.generation, d.kind, d.level, t.process, t.step, t.state, t.escalation_level,
             t.closed_at is not null as closed, t.due_at, t.organization_id, t.assignee_role, o.parent_id, ${countyIdOf(tx)} as county_id
      from task_deadlines d join tasks t on t.id = d.task_id join organizations o on o.id = t.organization_id
      where ${which} and d.lane is not null and d.recorded_at is null and d.at <= ${until}
      order by d.at
      limit ${limit}
      for update of d, t skip locked`;
    if (!due.length) return 0;
    const at = until;
    const live = due.filter((d) => !d.closed);
    const words = new Map<string, string>();
    const word = (d: DueRow) => {
      const k = `${d.process}\u0000${d.step}`;
      if (!words.has(k)) words.set(k, stepWords(d.process, d.step, 'zh-CN'));
      return words.get(k)!;
    };

    const reminders = live
      .filter((d) => d.kind === 'reminder')
      .map((d) => {
        const dueAt = d.due_at.toISOString();
        return { task_id: d.task_id, event_key: `${d.key}-g${d.generation}`, after: { reminder: d.key, dueAt }, title: `提醒：${word(d)} 将于 ${dueAt} 到期` };
      });
    if (reminders.length) {
      await tx`
        with r as (select * from jsonb_to_recordset(${tx.json(reminders as never)}) as x(task_id bigint, event_key text, after jsonb, title text)),
        ev as (
          insert into task_events (task_id, event_key, kind, at, after)
          select task_id, event_key, 'reminded', ${at}, after from r
          on conflict do nothing returning task_id, event_key)
        insert into notifications (user_id, event_key, kind, task_id, title, body, created_at)
        select h.id, 'task:' || ev.task_id || ':' || ev.event_key, 'reminder', ev.task_id, r.title, '', ${at}
        from ev join r using (task_id, event_key)
        join (${holdersOfTasks(tx, [...new Set(reminders.map((r) => r.task_id))], at)}) h on h.task_id = ev.task_id
        on conflict do nothing`;
    }

    // Levels in order per task: a task catching up two levels in one batch records both, the higher one last.
    const levels = live.filter((d) => d.kind === 'escalation').sort((a, b) => a.task_id - b.task_id || a.level! - b.level!);
    if (levels.length) {
      const reached = new Map<number, { state: string; level: number }>();
      const escalations = levels.map((d) => {
        const before = reached.get(d.task_id) ?? { state: d.state, level: d.escalation_level };
        const target = escalationTarget(d, d.level!);
        const raises = d.level! > before.level;
        reached.set(d.task_id, raises ? { state: 'escalated', level: d.level! } : before);
        return {
          task_id: d.task_id,
          event_key: `escalated-${d.level}-g${d.generation}`,
          level: d.level!,
          organization_id: target.organizationId,
          role: target.role,
          before: { state: before.state, escalationLevel: before.level },
          raises,
          title: `督办（${d.level}级）：${word(d)} 已逾期`,
        };
      });
      const inserted = await tx<{ id: number; task_id: number; event_key: string }[]>`
        with x as (select * from jsonb_to_recordset(${tx.json(escalations as never)}) as x(task_id bigint, event_key text, level int, organization_id bigint, role text))
        insert into escalations (task_id, event_key, level, organization_id, role, opened_at, updated_at)
        select task_id, event_key, level, organization_id, role, ${at}, ${at} from x
        on conflict (task_id, event_key) do nothing
        returning id, task_id, event_key`;
      const ids = new Map(inserted.map((i) => [`${i.task_id}:${i.event_key}`, i.id]));
      const recorded = escalations.flatMap((e) => {
        const id = ids.get(`${e.task_id}:${e.event_key}`);
        return id === undefined ? [] : [{ ...e, id }];
      });
      if (recorded.length) {
        await tx`
          with x as (select * from jsonb_to_recordset(${tx.json(recorded as never)}) as x(id bigint, task_id bigint, event_key text, level int, organization_id bigint, role text, before jsonb, raises boolean))
          insert into task_events (task_id, event_key, kind, at, before, after)
          select task_id, event_key, 'escalated', ${at}, before,
                 jsonb_build_object('state', case when raises then 'escalated' else before->>'state' end, 'escalationLevel', greatest(level, (before->>'escalationLevel')::int),
                                    'escalationId', id, 'to', jsonb_build_object('organizationId', organization_id, 'role', role))
          from x
          on conflict do nothing`;
        await tx`
          with x as (select * from jsonb_to_recordset(${tx.json(recorded as never)}) as x(id bigint, task_id bigint, title text))
          insert into notifications (user_id, event_key, kind, task_id, escalation_id, title, body, created_at)
          select distinct r.id, 'escalation:' || x.id, 'escalation', x.task_id, x.id, x.title, '', ${at}::timestamptz
          from (${escalationRecipients(
            tx,
            tx`select e.id, e.organization_id, e.role from escalations e where e.id = any(${recorded.map((r) => r.id)}::bigint[])` as never,
            at,
          )}) r join x on x.id = r.escalation_id
          on conflict do nothing`;
        // Last, and only where a level is higher than the task's: an action the task's workflow recorded after
        // deriving the level itself has already set it.
        const raised = [...reached].filter(([, r]) => r.state === 'escalated').map(([task_id, r]) => ({ task_id, level: r.level }));
        if (raised.length) {
          await tx`
            update tasks t set state = 'escalated', escalation_level = x.level, updated_at = ${at}
            from jsonb_to_recordset(${tx.json(raised as never)}) as x(task_id bigint, level int)
            where t.id = x.task_id and x.level > t.escalation_level and t.closed_at is null`;
        }
      }
    }

    const keys = due.map((d) => ({ task_id: d.task_id, key: d.key, generation: d.generation }));
    await tx`
      update task_deadlines d set recorded_at = ${at}
      from jsonb_to_recordset(${tx.json(keys as never)}) as x(task_id bigint, key text, generation int)
      where d.task_id = x.task_id and d.key = x.key and d.generation = x.generation`;
    return due.length;
  }
}

export interface PlannedOpening {
  workflow_id: string;
  task_key: string;
  opens_at: string;
  lane: string;
  process: string;
  step: string;
  organization_id: number;
  assignee_role: string | null;
  assignee_person: string | null;
  due_at: string;
  plan: TaskPlan;
  provisional_years: number[];
  plan_input: unknown;
  context: unknown;
  title: string;
  title_parts: unknown;
}

/**
 * Inserts tasks planned to open later (migrations/116_task_openings.sql) inside the caller's transaction; an opening
 * already planned stays as planned (a retried activity). Answers the lane to wake when one opens before the lane's
 * wake-up, as `insertPlanned` does.
 */
export async function insertOpenings(tx: Tx, rows: PlannedOpening[]): Promise<string | null> {
  if (!rows.length) return null;
  await tx`
    insert into task_openings ${tx(
      rows.map((r) => ({
        ...r,
        plan: tx.json(r.plan as never),
        plan_input: r.plan_input === undefined || r.plan_input === null ? null : tx.json(r.plan_input as never),
        context: r.context === undefined || r.context === null ? null : tx.json(r.context as never),
        title_parts: r.title_parts === undefined || r.title_parts === null ? null : tx.json(r.title_parts as never),
      })),
    )}
    on conflict do nothing`;
  return laneIfEarlier(tx, rows[0]!.lane, rows.map((r) => r.opens_at).sort()[0]!);
}

/**
 * Opens the tasks `which` selects (a fragment on task_openings) whose instant has come (at or before `until`) inside
 * the caller's transaction: the sweep's batch of a lane, or one task a person's action reaches before the sweep has
 * opened it. Each opening becomes its task row with the 'opened' event, the opening notice to its holders and their
 * substitutes, and its deadline rows (planned from the instant it opened at, as `openHumanTask` plans from its
 * opening), and the opening row goes. A task already opened under the same key (a retried plan) is not opened twice.
 * Answers how many openings it took.
 */
export async function openDue(tx: Tx, which: ReturnType<Tx>, until: string, o: { limit: number; skipLocked: boolean }): Promise<number> {
  // The sweep passes over openings another pass holds; a person's action waits for the sweep that holds its task's.
  const due = await tx<{ workflow_id: string; task_key: string }[]>`
    select workflow_id, task_key from task_openings where ${which} and opens_at <= ${until}
    order by opens_at limit ${o.limit} for update ${o.skipLocked ? tx`skip locked` : tx``}`;
  if (!due.length) return 0;
  const opened = await tx<
    { id: number; lane: string; opens_at: Date; due_at: Date; plan: TaskPlan; title: string; assignee_role: string; assignee_person: string | null }[]
  >`
    with d as (
      delete from task_openings o using jsonb_to_recordset(${tx.json(due as never)}) as x(workflow_id text, task_key text)
      where o.workflow_id = x.workflow_id and o.task_key = x.task_key
      returning o.*),
    ins as (
      insert into tasks (workflow_id, task_key, process, step, organization_id, assignee_role, assignee_person, state, opened_at, due_at, updated_at,
                         provisional_years, plan_input, context, deadline_lane, title_parts)
      select workflow_id, task_key, process, step, organization_id, assignee_role, assignee_person, 'open', opens_at, due_at, ${until},
             provisional_years, plan_input, context, lane, title_parts
      from d
      on conflict (workflow_id, task_key) do nothing
      returning id, workflow_id, task_key)
    select ins.id::int as id, d.lane, d.opens_at, d.due_at, d.plan, d.title, d.assignee_role, d.assignee_person
    from ins join d using (workflow_id, task_key)`;
  if (!opened.length) return due.length;
  const ids = opened.map((t) => t.id);
  const events = opened.map((t) => ({
    task_id: t.id,
    at: t.opens_at.toISOString(),
    after: { state: 'open', dueAt: t.due_at.toISOString(), assigneeRole: t.assignee_role, assigneePerson: t.assignee_person },
    title: `新任务：${t.title}`,
    body: `截止 ${t.due_at.toISOString()}`,
  }));
  await tx`
    with x as (select * from jsonb_to_recordset(${tx.json(events as never)}) as x(task_id bigint, at timestamptz, after jsonb, title text, body text)),
    ev as (
      insert into task_events (task_id, event_key, kind, at, after)
      select task_id, 'opened', 'opened', at, after from x
      on conflict do nothing returning task_id)
    insert into notifications (user_id, event_key, kind, task_id, title, body, created_at)
    select h.id, 'task:' || x.task_id || ':opened', 'task-opened', x.task_id, x.title, x.body, x.at
    from ev join x using (task_id) join (${holdersOfTasks(tx, ids, until)}) h on h.task_id = x.task_id
    on conflict do nothing`;
  const rows = opened.flatMap((t) => planRows(t.id, t.plan, { generation: 0, from: t.opens_at.toISOString(), lane: t.lane }));
  if (rows.length) await insertRows(tx, rows);
  return due.length;
}

/**
 * After a pass: the lane's next unrecorded instant or opening becomes its wake-up (infinity when none), under the lane's
 * exclusive lock, so a planner comparing against the old wake-up has committed its rows and is seen here, and one
 * comparing after sees the new one.
 */
export async function nextWake(sql: Sql, lane: string): Promise<string | null> {
  return sql.begin(async (tx) => {
    await laneLock(tx as unknown as Sql, lane, false);
    const [r] = await tx<{ next: Date | null }[]>`
      select least((select min(at) from task_deadlines where lane = ${lane} and recorded_at is null),
                   (select min(opens_at) from task_openings where lane = ${lane})) as next`;
    const next = r?.next ?? null;
    await tx`
      insert into deadline_lanes (lane, wake_at) values (${lane}, coalesce(${next}::timestamptz, 'infinity'))
      on conflict (lane) do update set wake_at = excluded.wake_at`;
    return next ? next.toISOString() : null;
  });
}

export interface SweepOptions {
  /** Rows per transaction. */
  batch?: number;
  /** Transactions recording deadlines in flight at once (each takes one connection). */
  parallel?: number;
  /** Transactions opening tasks in flight at once. */
  openingParallel?: number;
}

/**
 * Deadlines are recorded two batches at a time: a province's month-end is to be recorded within a minute of its
 * instant. Tasks are opened one batch at a time: a task opened at 00:00 on the 1st is due weeks later, so a province's
 * first of the month takes longer, and the database keeps a core for the people recording meanwhile (docs/
 * benchmarks.md, "A record's wait during a storm").
 */
export function deadlineActivities(sql: Sql, o: SweepOptions = {}) {
  const batch = o.batch ?? 1_000;
  const parallel = o.parallel ?? 2;
  const openingParallel = o.openingParallel ?? 1;
  return {
    /**
     * One pass of a lane's sweep: every row due at `until` (the sweep workflow's clock, so that time-skipping tests
     * move it), in batches until none is left; answers the rows recorded and the next instant to wake at.
     */
    async recordDueDeadlines(i: { lane: string; until: string }): Promise<{ recorded: number; nextAt: string | null }> {
      let recorded = 0;
      // Openings first: a task opened overdue has its deadline rows recorded in the same pass.
      await Promise.all(
        Array.from({ length: openingParallel }, async () => {
          for (;;) {
            const n = await sql.begin((tx) => openDue(tx as unknown as Sql, tx`lane = ${i.lane}`, i.until, { limit: batch, skipLocked: true }));
            recorded += n;
            Context.current().heartbeat(recorded);
            if (n < batch) return;
          }
        }),
      );
      await Promise.all(
        Array.from({ length: parallel }, async () => {
          for (;;) {
            const n = await recordDueBatch(sql, i.lane, i.until, batch);
            recorded += n;
            Context.current().heartbeat(recorded);
            if (n < batch) return;
          }
        }),
      );
      return { recorded, nextAt: await nextWake(sql, i.lane) };
    },
  };
}
