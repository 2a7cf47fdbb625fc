// 工作清单: tasks and overdue work in the caller's subtree under a filter kept in the URL (so a saved view is a
// link), with the saved views, 一键催办 of the whole list and bulk actions on the ticked tasks.
import { useState } from 'preact/hooks';
import { listTasks, type Me, type TaskFilter } from '../api.js';
import { isSteering } from '../../../src/domain/roles.js';
import { ErrorBox, Loading, stepName, useLoad } from '../components.js';
import { navigate, route } from '../router.js';
import { useSignal } from '../signal.js';
import { t } from '../i18n/index.js';
import { TaskItem } from './tasks.js';
import { BulkBar, NudgeButton, SavedViews, SelectBox, filterFromUrl, filterToQuery, selection } from './bulk.js';

export function WorkPage({ user }: { user: Me }) {
  const url = useSignal(route);
  const filter = filterFromUrl(url);
  const key = filterToQuery(filter);
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const [tasks, reload] = useLoad(() => listTasks({ ...filter, state: undefined, limit: 200 }), [key, version]);
  const steers = user.roles.some((r) => isSteering(r.role));
  const set = (f: TaskFilter) => {
    selection.set(new Set());
    navigate(`/work?${filterToQuery(f)}`, true);
  };
  const done = (m: string) => {
    setNotice(m);
    setVersion((v) => v + 1);
  };
  return (
    <section>
      <h1>{t('work.title')}</h1>
      <div role="status" aria-live="polite">
        {notice && (
          <p class="notice ok" data-testid="action-notice">
            {notice}
          </p>
        )}
      </div>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('work.filter')}>
        <label>
          {t('work.org')} <input value={filter.org ?? ''} onChange={(e) => set({ ...filter, org: e.currentTarget.value || undefined })} />
        </label>
        <label>
          {t('work.step')} <input value={filter.step ?? ''} onChange={(e) => set({ ...filter, step: e.currentTarget.value || undefined })} />
        </label>
        <label>
          <input type="checkbox" checked={filter.overdue === true} onChange={(e) => set({ ...filter, overdue: e.currentTarget.checked || undefined })} />{' '}
          {t('work.overdueOnly')}
        </label>
        <label>
          {t('work.level')}{' '}
          <select
            value={String(filter.escalationLevel ?? '')}
            onChange={(e) => set({ ...filter, escalationLevel: e.currentTarget.value ? Number(e.currentTarget.value) : undefined })}
          >
            <option value="">{t('work.any')}</option>
            {[1, 2, 3].map((n) => (
              <option key={n} value={n}>
                {t('tasks.escalation', { n })}
              </option>
            ))}
          </select>
        </label>
      </form>
      {steers && <NudgeButton filter={filter} label={t('nudge.list')} onDone={done} />}
      {steers && <BulkBar onDone={done} />}
      {tasks.state === 'loading' && <Loading />}
      {tasks.state === 'error' && <ErrorBox error={tasks.error} retry={reload} />}
      {tasks.state === 'ok' &&
        (tasks.data.items.length === 0 ? (
          <p class="muted">{t('tasks.empty')}</p>
        ) : (
          <ul class="task-list selectable" data-testid="work-list">
            {tasks.data.items.map((task) => (
              <TaskItem
                key={task.id}
                task={task}
                select={
                  steers ? <SelectBox id={task.id} label={`${stepName(task.process, task.step, task.settlement)} · ${task.organizationName}`} /> : undefined
                }
              />
            ))}
          </ul>
        ))}
      <SavedViews user={user} filter={filter} onOpen={() => selection.set(new Set())} />
    </section>
  );
}
