import { loadOverdue, type Me } from '../api.js';
import { hasRole } from '../auth.js';
import { ErrorBox, Loading, OverdueBadge, StateBadge, processName, stepName, useLoad } from '../components.js';
import { fmtDateTime, t } from '../i18n/index.js';
import { TaskActions } from './actions.js';

const DAY = 24 * 3600 * 1000;

/** Supervisor view: overdue work in the subtree by organization and escalation level, with the actions on it. */
export function OverduePage({ user }: { user: Me }) {
  const [data, reload] = useLoad(() => loadOverdue(), []);
  const canComplete = hasRole(user, 'admin', 'organizer', 'secretary', 'liaison_officer');
  return (
    <section>
      <h1>{t('overdue.title')}</h1>
      {data.state === 'loading' && <Loading />}
      {data.state === 'error' && <ErrorBox error={data.error} retry={reload} />}
      {data.state === 'ok' && (
        <>
          {data.data.source === 'tasks' && <p class="hint">{t('overdue.source.tasks')}</p>}
          {data.data.truncated && <p class="hint">{t('common.truncated')}</p>}
          {data.data.groups.length === 0 && <p class="muted">{t('overdue.empty')}</p>}
          {data.data.groups.map((g) => (
            <section class="card group" key={`${g.organization}|${g.escalationLevel}`} aria-labelledby={`g-${g.organization}-${g.escalationLevel}`} data-org={g.organization}>
              <h2 id={`g-${g.organization}-${g.escalationLevel}`}>
                <a href={`/orgs/${encodeURIComponent(g.organization)}`}>{g.organizationName}</a>
                <span class="badge escalated">{g.escalationLevel > 0 ? `${t('overdue.level')} ${g.escalationLevel}` : t('overdue.notEscalated')}</span>
              </h2>
              <ul class="task-list">
                {g.items.map((task) => (
                  <li key={task.id} class="task is-overdue" data-task-id={task.id}>
                    <div class="task-title">
                      {stepName(task.process, task.step)} · {processName(task.process)}
                    </div>
                    <div class="task-meta">
                      {t('tasks.due')} {fmtDateTime(task.dueAt)} · {t('overdue.daysLate', { n: Math.max(1, Math.floor((Date.now() - Date.parse(task.dueAt)) / DAY)) })}
                    </div>
                    <div class="task-badges">
                      <OverdueBadge />
                      <StateBadge state={task.state} />
                      <a class="button" href={`/tasks/${task.id}?p=${encodeURIComponent(task.workflowId)}`}>
                        {canComplete ? t('act.complete') : t('common.open')}
                      </a>
                    </div>
                    <TaskActions task={task} onDone={reload} />
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </>
      )}
    </section>
  );
}
