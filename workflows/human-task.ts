// The human-task building block (domain.md §3): every step a person must do in any process is a task.
// A process workflow creates one `HumanTasks` (which installs the task Updates once) and awaits
// `tasks.run(spec)` for each step. Its reminders before the due date and its three escalation levels after it are
// planned by the opening activity (the working-day calendar is data) and carried in workflow state.
//
// Deadlines are data: the plan's instants are rows (migrations/100_task_deadlines.sql) that the deadline sweep of
// the workflow's task queue records (workflows/deadline-sweep.ts), so a province's deadline day wakes no task
// workflow. The workflow derives the escalation level its task has reached from its plan and its own clock
// whenever it handles a message (`reachedLevels`), so validators, views and the task row it writes agree with
// what the sweep records. An extension or a corrected calendar re-plans: the activity replaces the unrecorded rows.
// Tasks opened in runs recorded before the sweep existed keep a durable timer per instant (`patched()`: their
// replay answers false), and the sweep leaves their rows alone.
//
// Openings are data too: tasks known in advance to open at a later instant (a branch's meetings, each period's on its
// first day) are planned in one activity as rows (migrations/116_task_openings.sql) that the same sweep turns into
// tasks when their instant comes (`openAhead`), so a province's first of the month wakes no workflow either.
import { condition, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Role } from '../src/auth/principal.js';
import { shanghaiDate } from '../src/domain/dates.js';
import { actorAllows, actorSteers, escalationActionRoles, taskActionRoles, type Actor, type TaskAction } from '../src/domain/task-rights.js';
import { personMay, stepActionRoles, stepCompletionRoles, type StepDef, type TaskTitle } from '../src/domain/step.js';
import type { TaskDue, TaskPlan } from '../src/domain/task-plan.js';
import {
  escalationActionInput,
  escalationActionUpdate,
  replanTaskInput,
  replanTaskUpdate,
  taskActionInputs,
  taskActionUpdates,
  tasksQuery,
  type TaskState,
  type TaskView,
} from './messages.js';
import { acts, deadlines } from './process-activities.js';

/** Default offsets (domain.md §3), used when a process passes none from its rule set. */
export const DEFAULT_REMINDER_WORKING_DAYS = [7, 1] as const;
export const DEFAULT_ESCALATION_WORKING_DAYS = [3, 10, 20] as const;

/** Tasks opened where this marker is recorded have their deadlines swept; without it, timers of their own. */
export const DEADLINES_AS_DATA_PATCH = 'deadlines-as-data';

export interface HumanTaskSpec {
  /** Unique within the workflow run. */
  key: string;
  process: string;
  step: string;
  organizationId: number;
  assigneeRole: Role;
  assigneePerson?: string | null;
  due: TaskDue;
  reminderWorkingDays?: readonly number[];
  escalationWorkingDays?: readonly [number, number, number];
  /** Instants fixed by the caller (benchmarks, deadlines set in law to the minute) skip the calendar. */
  plan?: TaskPlan;
  title?: string;
  /** What sets this task apart from its step's others (src/domain/step.ts TaskTitle), kept on the task row for its name. */
  titled?: TaskTitle;
  /**
   * The step's own rule on the outcome (a candidate list's margin, a ballot count's quorum): called by the
   * complete Update's validator, so a forbidden outcome is refused before it enters history. Throws to refuse.
   */
  validateOutcome?: (outcome: Record<string, unknown>, actor: Actor) => void;
  /**
   * A check on the outcome that needs a read the validator cannot do (the register on the meeting's day): run by the
   * complete Update's handler before the task closes. Throwing refuses the Update; the task stays open. Whatever it
   * learns it keeps where `validateOutcome` sees it, so the same outcome is then refused by the validator.
   */
  confirmOutcome?: (outcome: Record<string, unknown>, actor: Actor) => Promise<void>;
  /**
   * A catalog step's rights: its role and who records its outcome (workflows/process-control.ts `stepTask` sets it).
   * Absent for a bare task (benchmarks, task-process): the generic rights. Carried here so that a run evaluates the
   * entries of its own process only, never the whole catalog.
   */
  rights?: Pick<StepDef, 'role' | 'recordedBy' | 'byPerson'>;
  /** The step's context (src/domain/steps.ts), written to the task row when it opens. */
  context?: unknown;
}

export interface HumanTaskResult {
  state: 'done' | 'cancelled';
  outcome: Record<string, unknown>;
  actor: string;
  reason: string | null;
  /** Closed by the process itself (`withdraw`), not by a person. */
  byProcess?: boolean;
}

interface Escalation {
  level: number;
  id: number;
  path: string;
  state: 'open' | 'acknowledged' | 'closed';
}

interface Task {
  spec: HumanTaskSpec;
  orgPath: string;
  state: TaskState;
  assigneeRole: Role;
  assigneePerson: string | null;
  claimedBy: string | null;
  plan: TaskPlan;
  /** The deadline sweep records this task's instants; the workflow keeps no timer and derives its escalation level. */
  swept: boolean;
  /** Planned to open at this instant (`openAhead`): until then it has no row, refuses every action and no view shows it. */
  opensAt: string | null;
  /** Bumped by each extension: timers of an older plan stop, event keys stay unique. */
  generation: number;
  fired: Set<string>;
  escalationLevel: number;
  escalations: Escalation[];
  /** Audit event counter: deterministic, unique event keys for the projection. */
  seq: number;
  /** An action is projecting; a second one waits for the caller to retry (the validator refuses it). */
  busy: boolean;
  result?: HumanTaskResult;
}

const isClosed = (t: Task) => t.state === 'done' || t.state === 'cancelled';
/** Opened already: by its opening activity, or by the deadline sweep once its planned instant came. */
const isOpen = (t: Task) => t.opensAt === null || Date.parse(t.opensAt) <= Date.now();
const now = () => new Date().toISOString();

/** ltree path of the organization an escalation level goes to (activities/deadlines.ts `escalationTarget`). */
function escalationPath(t: Task, level: number): string {
  const labels = t.orgPath.split('.');
  const county = labels.slice(0, Math.max(0, Math.min(2, labels.length - 2)) + 1).join('.');
  if (level === 1) return t.assigneeRole === 'liaison_officer' ? county : t.orgPath;
  if (level === 2) return labels.length > 1 ? labels.slice(0, -1).join('.') : t.orgPath;
  return county;
}

/** The escalation levels of a swept task's current plan that its clock has passed and it has not taken in yet. */
function reachedLevels(t: Task): TaskPlan['escalations'] {
  if (!t.swept || isClosed(t)) return [];
  const at = Date.now();
  return t.plan.escalations.filter((e) => Date.parse(e.at) <= at && !t.fired.has(`escalation-${e.level}-g${t.generation}`)).sort((a, b) => a.level - b.level);
}

/** A level reached: what a fired escalation timer does, and what a swept task derives. */
function reach(t: Task, level: 1 | 2 | 3, id: number, path: string) {
  t.fired.add(`escalation-${level}-g${t.generation}`);
  t.escalationLevel = level;
  t.state = 'escalated';
  t.escalations = t.escalations.filter((e) => e.level !== level);
  t.escalations.push({ level, id, path, state: 'open' });
}

/** Takes in the levels reached (handlers: the change is then part of the recorded state). */
function catchUp(t: Task) {
  for (const e of reachedLevels(t)) reach(t, e.level, 0, escalationPath(t, e.level));
}

/** The task as its clock has it, without changing it (validators and queries must not change state). */
function current(t: Task): Task {
  if (!reachedLevels(t).length) return t;
  const c: Task = { ...t, fired: new Set(t.fired), escalations: [...t.escalations] };
  catchUp(c);
  return c;
}

function view(task: Task): TaskView {
  const t = current(task);
  return { taskKey: t.spec.key, step: t.spec.step, ...snapshot(t), ...(t.opensAt ? { opensAt: t.opensAt } : {}) };
}

/** What an action changes of a task: its history keeps it before and after. */
function snapshot(t: Task): Pick<TaskView, 'state' | 'dueAt' | 'assigneeRole' | 'assigneePerson' | 'claimedBy' | 'escalationLevel'> {
  return {
    state: t.state,
    dueAt: t.plan.dueAt,
    assigneeRole: t.assigneeRole,
    assigneePerson: t.assigneePerson,
    claimedBy: t.claimedBy,
    escalationLevel: t.escalationLevel,
  };
}

/**
 * What the opening activities keep of a task (its row, or its opening): its step and holder, and its plan — planned
 * from `from` on the working-day calendar by the same activity unless the caller fixed the instants.
 */
function taskRow(spec: HumanTaskSpec, from: string) {
  return {
    taskKey: spec.key,
    process: spec.process,
    step: spec.step,
    organizationId: spec.organizationId,
    assigneeRole: spec.assigneeRole,
    assigneePerson: spec.assigneePerson ?? null,
    plan: spec.plan,
    planInput: spec.plan
      ? undefined
      : {
          due: spec.due,
          from,
          reminderWorkingDays: spec.reminderWorkingDays ?? DEFAULT_REMINDER_WORKING_DAYS,
          escalationWorkingDays: spec.escalationWorkingDays ?? DEFAULT_ESCALATION_WORKING_DAYS,
        },
    title: spec.title,
    titled: spec.titled,
    context: spec.context,
  };
}

/** The state a task returns to when an escalation is resolved by giving it more time or a new holder. */
const working = (t: Task): TaskState => (t.claimedBy ? 'claimed' : 'open');

export class HumanTasks {
  private readonly tasks = new Map<string, Task>();
  /** Keys whose opening activity runs: its row may already be visible to the API before the map has it. */
  private readonly opening = new Set<string>();
  private readonly workflowId = workflowInfo().workflowId;

  constructor() {
    const a = taskActionInputs;
    this.handle('complete', a.complete.parse, async (t, i) => {
      await t.spec.confirmOutcome?.(i.outcome, i.actor);
      t.state = 'done';
      t.result = { state: 'done', outcome: i.outcome, actor: i.actor.username, reason: i.reason ?? null };
      return { kind: 'completed', reason: i.reason, outcome: i.outcome, closed: true };
    });
    this.handle('claim', a.claim.parse, async (t, i) => {
      // A substitute claims for the absent user: the claim is theirs, and outlives the substitution.
      t.claimedBy = i.actor.onBehalfOf ?? i.actor.username;
      if (t.state === 'open') t.state = 'claimed';
      return { kind: 'claimed', reason: i.reason };
    });
    this.handle('unclaim', a.unclaim.parse, async (t, i) => {
      t.claimedBy = null;
      if (t.state === 'claimed') t.state = 'open';
      return { kind: 'unclaimed', reason: i.reason };
    });
    this.handle('delegate', a.delegate.parse, async (t, i) => {
      t.assigneePerson = i.to;
      t.claimedBy = i.to;
      if (t.state === 'open') t.state = 'claimed';
      return { kind: 'delegated', reason: i.reason, notify: [i.to] };
    });
    this.handle('reassign', a.reassign.parse, async (t, i) => {
      this.reassign(t, i.assigneeRole, i.assigneePerson);
      return { kind: 'reassigned', reason: i.reason, notify: t.assigneePerson ? [t.assigneePerson] : [] };
    });
    this.handle('extend', a.extend.parse, async (t, i) => {
      await this.extend(t, i.dueOn);
      return { kind: 'extended', reason: i.reason, closeOpenEscalations: true };
    });
    this.handle('cancel', a.cancel.parse, async (t, i) => {
      t.state = 'cancelled';
      t.result = { state: 'cancelled', outcome: {}, actor: i.actor.username, reason: i.reason };
      return { kind: 'cancelled', reason: i.reason, closed: true };
    });

    setHandler(
      escalationActionUpdate,
      async (raw) => {
        const i = escalationActionInput.parse(raw);
        const t = this.tasks.get(i.taskKey)!;
        catchUp(t);
        const esc = t.escalations.find((e) => e.level === i.level)!;
        const before = snapshot(t);
        t.busy = true;
        try {
          let next: Escalation['state'] = esc.state;
          let closeOthers = false;
          if (i.action === 'acknowledge') next = 'acknowledged';
          if (i.action === 'close') next = 'closed';
          if (i.action === 'reassign') {
            this.reassign(t, i.assigneeRole, i.assigneePerson);
            next = 'acknowledged';
          }
          if (i.action === 'extend') {
            await this.extend(t, i.dueOn!);
            next = 'closed';
            closeOthers = true;
          }
          esc.state = next;
          if (closeOthers) for (const e of t.escalations) e.state = 'closed';
          await acts.recordTaskChange({
            ...this.change(t, `escalation-${i.action}`, i.actor, i.reason ?? null, before),
            escalations: [{ level: i.level, state: next, action: i.action }],
            closeOpenEscalations: closeOthers,
            notify: i.action === 'reassign' && t.assigneePerson ? [t.assigneePerson] : [],
          });
          return view(t);
        } finally {
          t.busy = false;
        }
      },
      {
        validator: (raw) => {
          const i = escalationActionInput.parse(raw);
          const t = current(this.task(i.taskKey));
          const esc = t.escalations.find((e) => e.level === i.level);
          if (!esc) throw new Error(`task ${i.taskKey} has no escalation at level ${i.level}`);
          if (esc.state === 'closed') throw new Error(`the level ${i.level} escalation of task ${i.taskKey} is closed`);
          if (!actorAllows(i.actor, esc.path, escalationActionRoles) && !actorSteers(i.actor, t.orgPath)) {
            throw new Error(`${i.actor.username} may not act on this escalation`);
          }
          if (i.action !== 'acknowledge' && !i.reason) throw new Error(`a reason is required to ${i.action} an escalation`);
          if (i.action === 'extend') this.checkExtension(i.dueOn);
          if (i.action === 'reassign' && i.assigneeRole === undefined && i.assigneePerson === undefined) {
            throw new Error('name assigneeRole or assigneePerson');
          }
        },
      },
    );

    // A corrected calendar (an admin loaded a year's holidays): the plan computed again replaces a provisional one.
    setHandler(
      replanTaskUpdate,
      async (raw) => {
        const i = replanTaskInput.parse(raw);
        const t = this.tasks.get(i.taskKey)!;
        catchUp(t);
        const before = snapshot(t);
        t.busy = true;
        try {
          this.replan(t, i.plan as TaskPlan);
          await acts.recordTaskChange({ ...this.change(t, 'replanned', i.actor, i.reason, before), plan: { generation: t.generation, plan: t.plan } });
          return view(t);
        } finally {
          t.busy = false;
        }
      },
      {
        validator: (raw) => {
          const i = replanTaskInput.parse(raw);
          const t = this.task(i.taskKey);
          if (!isOpen(t)) throw new Error(`task ${i.taskKey} opens at ${t.opensAt}`);
          if (isClosed(t)) throw new Error(`task ${i.taskKey} is ${t.state}`);
          if (t.busy) throw new Error(`task ${i.taskKey} is being changed; retry`);
          if (!actorAllows(i.actor, t.orgPath, ['admin'])) throw new Error(`${i.actor.username} may not re-plan task ${i.taskKey}`);
        },
      },
    );

    setHandler(tasksQuery, () => this.views());
  }

  /**
   * Views of the tasks of this run (for a process's state query). A task planned ahead says when it opens: a query
   * reads the workflow's clock of its last workflow task, so whether the sweep has opened it is the task row's to say.
   */
  views(): TaskView[] {
    return [...this.tasks.values()].map(view);
  }

  /**
   * Opens the task and waits until a person completes or cancels it, firing reminders and escalations on
   * the way. Returns how it ended.
   */
  async run(spec: HumanTaskSpec): Promise<HumanTaskResult> {
    return (await this.open(spec)).result;
  }

  /** Opens the task; `result` settles when it is done or cancelled (meanwhile the process may do more). */
  async open(spec: HumanTaskSpec): Promise<{ task: TaskView; result: Promise<HumanTaskResult> }> {
    const openedAt = now();
    const swept = patched(DEADLINES_AS_DATA_PATCH);
    this.opening.add(spec.key);
    const opened = await acts.openHumanTask({
      workflowId: this.workflowId,
      ...taskRow(spec, openedAt),
      openedAt,
      lane: swept ? workflowInfo().taskQueue : null,
    });
    const t = this.track(spec, opened.orgPath, opened.plan, swept, openedAt, null);
    this.opening.delete(spec.key);
    return { task: view(t), result: this.watch(t) };
  }

  /**
   * Tasks that open at later instants (a branch's meetings, each period's on its first day): planned in one activity
   * and opened by the lane's deadline sweep when their instant comes, so that instant wakes no workflow. Until then a
   * task refuses every action (its view says when it opens); `result` settles when it is done or cancelled. Swept
   * tasks only.
   */
  async openAhead(items: { spec: HumanTaskSpec; opensAt: string }[]): Promise<{ result: Promise<HumanTaskResult> }[]> {
    if (!items.length) return [];
    const planned = await acts.planTaskOpenings({
      workflowId: this.workflowId,
      lane: workflowInfo().taskQueue,
      openings: items.map(({ spec, opensAt }) => ({ ...taskRow(spec, opensAt), opensAt })),
    });
    return items.map(({ spec, opensAt }, i) => ({ result: this.watch(this.track(spec, planned[i]!.orgPath, planned[i]!.plan, true, opensAt, opensAt)) }));
  }

  /** A task opened (or planned to open at `opensAt`) as the workflow keeps it, from the plan its activity answered. */
  private track(spec: HumanTaskSpec, orgPath: string, plan: TaskPlan, swept: boolean, openedAt: string, opensAt: string | null): Task {
    const t: Task = {
      spec,
      orgPath,
      state: 'open',
      assigneeRole: spec.assigneeRole,
      assigneePerson: spec.assigneePerson ?? null,
      claimedBy: null,
      plan,
      swept,
      opensAt,
      generation: 0,
      fired: new Set(),
      escalationLevel: 0,
      escalations: [],
      seq: 0,
      busy: false,
    };
    // A reminder whose instant passed before the task opened is not sent: the opening notice says it all.
    for (const r of plan.reminders) if (Date.parse(r.at) <= Date.parse(openedAt)) t.fired.add(`${r.key}-g0`);
    // A task already overdue when it opens escalates straight to the highest level reached, not level by level.
    const past = plan.escalations.filter((e) => Date.parse(e.at) <= Date.parse(openedAt)).map((e) => e.level);
    for (const level of past.slice(0, -1)) t.fired.add(`escalation-${level}-g0`);
    this.tasks.set(spec.key, t);
    return t;
  }

  /**
   * The process itself moves an open task's due date (its own deadline moved: a corrected term), re-planned and
   * recorded like an extension, with who and why. A closed or unknown task is left alone.
   */
  async moveDue(key: string, dueOn: string, actor: Actor, reason: string): Promise<void> {
    const t = this.tasks.get(key);
    if (!t || isClosed(t) || !isOpen(t)) return;
    await condition(() => !t.busy);
    if (isClosed(t)) return;
    catchUp(t);
    const before = snapshot(t);
    t.busy = true;
    try {
      await this.extend(t, dueOn);
      await acts.recordTaskChange({ ...this.change(t, 'extended', actor, reason, before), closeOpenEscalations: true });
    } finally {
      t.busy = false;
    }
  }

  /**
   * The process itself completes an open task with an outcome kept elsewhere (one meeting's record meets the
   * obligations of the kinds held with it), recorded as a completion by whoever kept it. A closed or unknown task is
   * left alone, as is one not opened yet (it has no row to record on); answers whether it completed one.
   */
  async settle(key: string, outcome: Record<string, unknown>, actor: Actor, reason: string): Promise<boolean> {
    return this.closeByProcess(key, { state: 'done', outcome, actor: actor.username, reason }, actor, 'completed');
  }

  /**
   * The process itself closes an open task it no longer waits for (a year of organization life closed on its day
   * with a meeting never recorded), recorded as cancelled with who and why. Its result says the process closed it
   * (`byProcess`), so the process tells it from a person's cancel. Left alone as `settle` leaves them; answers whether
   * it closed one.
   */
  async withdraw(key: string, actor: Actor, reason: string): Promise<boolean> {
    return this.closeByProcess(key, { state: 'cancelled', outcome: {}, actor: actor.username, reason, byProcess: true }, actor, 'cancelled');
  }

  /** `settle` and `withdraw`: the task closed with `result`, recorded as the action `kind`, its escalations closed. */
  private async closeByProcess(key: string, result: HumanTaskResult, actor: Actor, kind: 'completed' | 'cancelled'): Promise<boolean> {
    const t = this.tasks.get(key);
    if (!t || isClosed(t) || !isOpen(t)) return false;
    await condition(() => !t.busy);
    if (isClosed(t)) return false;
    catchUp(t);
    const before = snapshot(t);
    t.busy = true;
    try {
      t.state = result.state;
      t.result = result;
      await acts.recordTaskChange({ ...this.change(t, kind, actor, result.reason, before), closeOpenEscalations: true });
    } finally {
      t.busy = false;
    }
    return true;
  }

  /** The task's timers: the next reminder or escalation, re-planned whenever an action changes the plan. */
  private async watch(t: Task): Promise<HumanTaskResult> {
    const spec = t.spec;
    // The sweep records a swept task's deadlines: nothing to wait for but its end.
    if (t.swept) await condition(() => isClosed(t));
    while (!isClosed(t)) {
      const generation = t.generation;
      const changed = () => isClosed(t) || t.generation !== generation;
      const next = this.nextTimer(t);
      if (!next) {
        await condition(changed);
        continue;
      }
      const wait = Date.parse(next.at) - Date.now();
      if (wait > 0 && (await condition(changed, wait))) continue;
      if (changed()) continue;
      t.fired.add(next.firedKey);
      if (next.kind === 'reminder') {
        await deadlines.fireTaskReminder({
          workflowId: this.workflowId,
          taskKey: spec.key,
          reminderKey: next.name,
          generation,
          at: now(),
          dueAt: t.plan.dueAt,
        });
      } else {
        const target = await deadlines.escalateTask({ workflowId: this.workflowId, taskKey: spec.key, level: next.level, generation, at: now() });
        // An action that arrived while the escalation was being written wins (it re-planned or closed the task).
        if (t.generation === generation && !isClosed(t)) {
          t.escalationLevel = next.level;
          t.state = 'escalated';
        }
        t.escalations = t.escalations.filter((e) => e.level !== next.level);
        t.escalations.push({ level: next.level, id: target.id, path: target.path, state: 'open' });
      }
    }
    // The closing action's projection finishes before the process moves on.
    await condition(() => !t.busy);
    return t.result!;
  }

  /** The earliest reminder or escalation of the current plan not fired yet. */
  private nextTimer(t: Task): { kind: 'reminder' | 'escalation'; firedKey: string; name: string; at: string; level: 1 | 2 | 3 } | null {
    const g = t.generation;
    const candidates = [
      ...t.plan.reminders.map((r) => ({ kind: 'reminder' as const, firedKey: `${r.key}-g${g}`, at: r.at, level: 1 as const, name: r.key })),
      ...t.plan.escalations.map((e) => ({
        kind: 'escalation' as const,
        firedKey: `escalation-${e.level}-g${g}`,
        at: e.at,
        level: e.level,
        name: `escalation-${e.level}`,
      })),
    ].filter((c) => !t.fired.has(c.firedKey));
    candidates.sort((a, b) => a.at.localeCompare(b.at));
    return candidates[0] ?? null;
  }

  private task(key: string): Task {
    const t = this.tasks.get(key);
    if (!t) throw new Error(`no task ${key} in this process`);
    return t;
  }

  private reassign(t: Task, role: Role | undefined, person: string | null | undefined) {
    if (role !== undefined) t.assigneeRole = role;
    if (person !== undefined) t.assigneePerson = person;
    t.claimedBy = null;
    // The reached escalation level stays (the record is history); the new holder starts from an open task.
    if (t.state === 'claimed' || t.state === 'escalated') t.state = 'open';
  }

  private checkExtension(dueOn: string | undefined) {
    if (!dueOn) throw new Error('an extension needs dueOn');
    if (dueOn < shanghaiDate(Date.now())) throw new Error(`cannot extend to ${dueOn}: the date is past`);
  }

  /** Re-plans from the new due date; the loop's condition sees the new generation and moves its timers. */
  private async extend(t: Task, dueOn: string) {
    const plan = await acts.planHumanTask({
      due: { on: dueOn },
      from: now(),
      reminderWorkingDays: t.spec.reminderWorkingDays ?? DEFAULT_REMINDER_WORKING_DAYS,
      escalationWorkingDays: t.spec.escalationWorkingDays ?? DEFAULT_ESCALATION_WORKING_DAYS,
    });
    t.plan = plan;
    t.generation++;
    // Reminders already past under the new plan are not sent late in a burst.
    const at = Date.now();
    for (const r of plan.reminders) if (Date.parse(r.at) <= at) t.fired.add(`${r.key}-g${t.generation}`);
    t.escalationLevel = 0;
    t.state = working(t);
    for (const e of t.escalations) e.state = 'closed';
  }

  /**
   * A new plan for the same due rule (the calendar changed, not the deadline): timers move to it; reminders already
   * past are not sent late, and escalation levels already reached are not reached again.
   */
  private replan(t: Task, plan: TaskPlan) {
    t.plan = plan;
    t.generation++;
    const at = Date.now();
    for (const r of plan.reminders) if (Date.parse(r.at) <= at) t.fired.add(`${r.key}-g${t.generation}`);
    for (const e of plan.escalations) if (t.escalations.some((x) => x.level === e.level)) t.fired.add(`escalation-${e.level}-g${t.generation}`);
  }

  private change(t: Task, kind: string, actor: Actor, reason: string | null, before: Record<string, unknown>) {
    const closed = isClosed(t);
    return {
      workflowId: this.workflowId,
      taskKey: t.spec.key,
      eventKey: `a${++t.seq}-${kind}`,
      kind,
      at: now(),
      actor: actor.username,
      // Not a command: an activity's argument, so recorded histories replay unchanged.
      onBehalfOf: actor.onBehalfOf ?? null,
      reason,
      before,
      after: { ...snapshot(t), ...(t.result ? { outcome: t.result.outcome } : {}) },
      set: {
        state: t.state,
        assigneeRole: t.assigneeRole,
        assigneePerson: t.assigneePerson,
        claimedBy: t.claimedBy,
        dueAt: t.plan.dueAt,
        escalationLevel: t.escalationLevel,
        outcome: t.result?.outcome,
        closed,
      },
      plan: kind.endsWith('extended') || kind === 'escalation-extend' ? { generation: t.generation, plan: t.plan } : undefined,
    };
  }

  /** One task action: validator (payload, state, caller's right) and handler (state change + projection). */
  private handle<A extends TaskAction, I extends { taskKey: string; actor: Actor }>(
    action: A,
    parse: (raw: unknown) => I,
    apply: (
      t: Task,
      input: I,
    ) => Promise<{ kind: string; reason?: string; outcome?: Record<string, unknown>; closed?: boolean; notify?: string[]; closeOpenEscalations?: boolean }>,
  ) {
    const update = taskActionUpdates[action];
    const check = (input: I) => this.checkAction(action, input);
    setHandler(
      update as never,
      (async (raw: unknown) => {
        const input = parse(raw);
        // Accepted while the task was still opening: wait for it, then apply the checks the validator deferred.
        if (!this.tasks.has(input.taskKey)) {
          await condition(() => this.tasks.has(input.taskKey));
          check(input);
        }
        const t = this.tasks.get(input.taskKey)!;
        catchUp(t);
        const before = snapshot(t);
        t.busy = true;
        try {
          const r = await apply(t, input);
          await acts.recordTaskChange({
            ...this.change(t, r.kind, input.actor, r.reason ?? null, before),
            closeOpenEscalations: r.closed || r.closeOpenEscalations,
            notify: r.notify,
          });
          return view(t);
        } finally {
          t.busy = false;
        }
      }) as never,
      {
        validator: ((raw: unknown) => {
          const input = parse(raw);
          if (this.opening.has(input.taskKey) && !this.tasks.has(input.taskKey)) return;
          check(input);
        }) as never,
      },
    );
  }

  /** The validator's checks: task state and the caller's right, from the grants the API resolved. */
  private checkAction(action: TaskAction, input: { taskKey: string; actor: Actor }) {
    const t = this.task(input.taskKey);
    if (!isOpen(t)) throw new Error(`task ${input.taskKey} opens at ${t.opensAt}`);
    if (isClosed(t)) throw new Error(`task ${input.taskKey} is ${t.state}`);
    if (t.busy) throw new Error(`task ${input.taskKey} is being changed; retry`);
    // A catalog step's rights follow its role; a bare task (benchmarks, task-process) has the generic ones.
    const def = t.spec.rights;
    // A step of the person's own (a member's yearly report): the person the task names does it without a role.
    const own = personMay(def, t.assigneePerson, input.actor.username, action);
    if (!own && !actorAllows(input.actor, t.orgPath, def ? stepActionRoles(def, action) : taskActionRoles[action])) {
      throw new Error(`${input.actor.username} may not ${action} task ${input.taskKey}`);
    }
    // A step whose outcome someone else certifies (attendance: the session's organizer) is completed only by them.
    if (action === 'complete' && !own && def?.recordedBy && !actorAllows(input.actor, t.orgPath, stepCompletionRoles(def))) {
      throw new Error(`${input.actor.username} may not record the outcome of task ${input.taskKey}`);
    }
    const steers = actorSteers(input.actor, t.orgPath);
    const who = input.actor.username;
    // A substitute holds what the absent user holds: their claim is the substitute's to complete or release.
    const mine = (holder: string) => holder === who || holder === input.actor.onBehalfOf;
    if (action === 'claim' && t.claimedBy && !mine(t.claimedBy) && !steers) throw new Error(`task ${input.taskKey} is claimed by ${t.claimedBy}`);
    if (action === 'unclaim' && !t.claimedBy) throw new Error(`task ${input.taskKey} is not claimed`);
    if ((action === 'unclaim' || action === 'delegate' || action === 'complete') && t.claimedBy && !mine(t.claimedBy) && !steers) {
      throw new Error(`task ${input.taskKey} is claimed by ${t.claimedBy}`);
    }
    if (action === 'extend') this.checkExtension((input as unknown as { dueOn: string }).dueOn);
    // The step's own rule on its outcome (e.g. the candidate margin): refused before it enters history.
    if (action === 'complete') t.spec.validateOutcome?.((input as unknown as { outcome: Record<string, unknown> }).outcome, input.actor);
  }
}
