import { useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { listTasks, type Task, type TaskState } from '../api.js';
import { ErrorBox, Loading, OverdueBadge, StateBadge, processName, taskName, useLoad } from '../components.js';
import { fmtDateTime, t, tx } from '../i18n/index.js';
import { CalendarLink, ProvisionalBadge } from './calendar.js';
import { me } from '../auth.js';

const OPEN: TaskState[] = ['open', 'claimed', 'escalated'];
const SOON_MS = 7 * 24 * 3600 * 1000;

/** Overdue first, then the nearest due date: what needs doing now is on top. */
export function byUrgency(a: Task, b: Task): number {
  return Number(b.overdue) - Number(a.overdue) || a.dueAt.localeCompare(b.dueAt) || a.id - b.id;
}

async function loadOpen(): Promise<Task[]> {
  // The API filters one state at a time; "open work" is three of them. `mine`: the caller's own work, not
  // everything in the subtree (an organizer's subtree holds thousands of tasks).
  const pages = await Promise.all(OPEN.map((state) => listTasks({ state, mine: true, limit: 200 })));
  return pages.flatMap((p) => p.items).sort(byUrgency);
}

export function TasksPage() {
  const [tab, setTab] = useState<'open' | 'done'>('open');
  const [tasks, reload] = useLoad(
    () => (tab === 'open' ? loadOpen() : listTasks({ state: 'done', mine: true, limit: 100 }).then((p) => p.items.reverse())),
    [tab],
  );

  return (
    <section>
      <h1>{t('tasks.title')}</h1>
      <div class="tabs" role="group" aria-label={t('tasks.title')}>
        {(['open', 'done'] as const).map((k) => (
          <button key={k} type="button" aria-pressed={tab === k} onClick={() => setTab(k)}>
            {t(`tasks.tab.${k}`)}
          </button>
        ))}
      </div>
      {tasks.state === 'loading' && <Loading />}
      {tasks.state === 'error' && <ErrorBox error={tasks.error} retry={reload} />}
      {tasks.state === 'ok' &&
        (tasks.data.length === 0 ? (
          <p class="muted">{t('tasks.empty')}</p>
        ) : (
          <>
            <p class="muted">{t('tasks.count', { n: tasks.data.length })}</p>
            <ul class="task-list" data-testid="task-list">
              {tasks.data.map((task) => (
                <TaskItem key={task.id} task={task} />
              ))}
            </ul>
          </>
        ))}
      <CalendarLink />
    </section>
  );
}

/** Who holds a task, in words: the person it names ("本人" to themself), else its role. */
function holderWords(task: Task): string | null {
  if (task.assigneePerson) return task.assigneePerson === me.value?.username ? t('tasks.assigneeSelf') : task.assigneePerson;
  return task.assigneeRole ? tx(`role.${task.assigneeRole}`, task.assigneeRole) : null;
}

/** A task in a list; `select`: a checkbox before it (the bulk actions' lists). */
export function TaskItem({ task, select }: { task: Task; select?: ComponentChildren }) {
  const soon = !task.overdue && OPEN.includes(task.state) && new Date(task.dueAt).getTime() - Date.now() < SOON_MS;
  return (
    <li class={`task${task.overdue ? ' is-overdue' : ''}`} data-task-id={task.id}>
      {select}
      <a href={`/tasks/${task.id}`} class="task-link">
        <span class="task-title">
          {taskName(task)} · {task.organizationName}
        </span>
        <span class="task-meta">
          {processName(task.process)} · {t('tasks.due')} {fmtDateTime(task.dueAt)}
          {holderWords(task) && ` · ${t('tasks.assignee')} ${holderWords(task)}`}
        </span>
        <span class="task-badges">
          {task.overdue && <OverdueBadge />}
          {soon && <span class="badge soon">{t('tasks.dueSoon')}</span>}
          {task.escalationLevel > 0 && <span class="badge escalated">{t('tasks.escalation', { n: task.escalationLevel })}</span>}
          {task.nudges > 0 && (
            <span class="badge nudged" data-testid="nudges">
              {t('nudge.count', { n: task.nudges })}
            </span>
          )}
          {task.provisional && <ProvisionalBadge years={task.provisionalYears} />}
          <StateBadge state={task.state} />
        </span>
      </a>
    </li>
  );
}
