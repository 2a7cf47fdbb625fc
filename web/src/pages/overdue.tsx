import { useRef, useState } from 'preact/hooks';
import { actOnEscalation, getOrganization, getOverdue, listEscalations, listTasks, type Escalation, type Me, type Overdue, type Task } from '../api.js';
import { ErrorBox, Field, Loading, OverdueBadge, StateBadge, processName, stepName, useLoad, validationText, useWrite } from '../components.js';
import { fmtDateTime, t } from '../i18n/index.js';
import { TaskActions } from './actions.js';
import { BulkBar, NudgeButton, SelectBox } from './bulk.js';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const lateness = (dueAt: string) => {
  const late = Date.now() - Date.parse(dueAt);
  return late < DAY ? t('overdue.hoursLate', { n: Math.max(1, Math.floor(late / HOUR)) }) : t('overdue.daysLate', { n: Math.floor(late / DAY) });
};
/** Organizations whose tasks are listed at once; the others on request (the summary already counts them). */
const EXPANDED = 10;

/**
 * Supervisor view: escalations to act on, then overdue work in the subtree by organization and escalation level
 * (GET /overdue), each organization's overdue tasks with the actions on them. An action's confirmation shows
 * here at the top: the acted-on task may leave the list when it reloads.
 */
export function OverduePage(_: { user: Me }) {
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const [data, reload] = useLoad(() => getOverdue(), [version]);

  const done = (message: string) => {
    setNotice(message);
    setVersion((v) => v + 1);
    // The row acted on may be gone: keyboard and screen-reader users continue from the confirmation.
    setTimeout(() => noticeRef.current?.focus(), 0);
  };

  return (
    <section>
      <h1>{t('overdue.title')}</h1>
      <div role="status" aria-live="polite">
        {notice && (
          <p class="notice ok" data-testid="action-notice" tabIndex={-1} ref={noticeRef}>
            {notice}
          </p>
        )}
      </div>
      <Escalations version={version} onDone={done} />
      <h2 id="overdue-orgs">{t('overdue.byOrg')}</h2>
      <div class="button-row">
        <NudgeButton filter={{ overdue: true }} label={t('nudge.all')} onDone={done} />
      </div>
      <BulkBar onDone={done} />
      {data.state === 'loading' && <Loading />}
      {data.state === 'error' && <ErrorBox error={data.error} retry={reload} />}
      {data.state === 'ok' && (
        <>
          {data.data.total === 0 ? (
            <p class="muted">{t('overdue.empty')}</p>
          ) : (
            <p class="muted">{t('overdue.total', { n: data.data.total, orgs: data.data.organizations.length })}</p>
          )}
          {data.data.organizations.map((g, i) => (
            <OrgGroup key={g.organization} group={g} expanded={i < EXPANDED} version={version} onDone={done} />
          ))}
        </>
      )}
    </section>
  );
}

function OrgGroup({
  group,
  expanded,
  version,
  onDone,
}: {
  group: Overdue['organizations'][number];
  expanded: boolean;
  version: number;
  onDone: (m: string) => void;
}) {
  const [show, setShow] = useState(expanded);
  const h = `g-${group.organization}`;
  return (
    <section class="card group" aria-labelledby={h} data-org={group.organization}>
      <h3 id={h}>
        <a href={`/orgs/${encodeURIComponent(group.organization)}`}>{group.name}</a>{' '}
        <span class="muted small">{t('overdue.orgTotal', { n: group.total })}</span>
      </h3>
      <table class="levels">
        <thead>
          <tr>
            <th scope="col">{t('overdue.level')}</th>
            <th scope="col" class="num">
              {t('dash.count')}
            </th>
            <th scope="col">{t('overdue.oldest')}</th>
          </tr>
        </thead>
        <tbody>
          {[...group.levels]
            .sort((a, b) => b.level - a.level)
            .map((l) => (
              <tr key={l.level} data-level={l.level}>
                <td>
                  <span class={`badge${l.level > 0 ? ' escalated' : ''}`}>
                    {l.level > 0 ? t('tasks.escalation', { n: l.level }) : t('overdue.notEscalated')}
                  </span>
                </td>
                <td class="num">{l.count}</td>
                <td>{fmtDateTime(l.oldestDueAt)}</td>
              </tr>
            ))}
        </tbody>
      </table>
      <NudgeButton filter={{ org: group.organization, overdue: true }} label={t('nudge.org')} onDone={onDone} />
      {!expanded && (
        <button type="button" aria-expanded={show} onClick={() => setShow(!show)}>
          {t(show ? 'overdue.hideTasks' : 'overdue.showTasks')}
        </button>
      )}
      {show && <OrgTasks code={group.organization} version={version} onDone={onDone} />}
    </section>
  );
}

/** The organization's own overdue tasks (GET /tasks?org=…&overdue=true covers its subtree: keep its own). */
function OrgTasks({ code, version, onDone }: { code: string; version: number; onDone: (m: string) => void }) {
  const [tasks, reload] = useLoad(async () => {
    const page = await listTasks({ org: code, overdue: true, limit: 200 });
    return {
      items: page.items.filter((x) => x.organization === code).sort((a, b) => b.escalationLevel - a.escalationLevel || a.dueAt.localeCompare(b.dueAt)),
      more: !!page.nextCursor,
    };
  }, [code, version]);
  if (tasks.state === 'loading') return <Loading />;
  if (tasks.state === 'error') return <ErrorBox error={tasks.error} retry={reload} />;
  return (
    <>
      <ul class="task-list">
        {tasks.data.items.map((task) => (
          <OverdueTask key={task.id} task={task} onDone={onDone} />
        ))}
      </ul>
      {tasks.data.more && <p class="hint">{t('common.truncated')}</p>}
    </>
  );
}

function OverdueTask({ task, onDone }: { task: Task; onDone: (m: string) => void }) {
  return (
    <li class="task is-overdue" data-task-id={task.id}>
      <SelectBox id={task.id} label={`${stepName(task.process, task.step, task.settlement)} · ${task.organizationName}`} />
      <div class="task-title">
        {stepName(task.process, task.step, task.settlement)} · {processName(task.process)}
      </div>
      <div class="task-meta">
        {t('tasks.due')} {fmtDateTime(task.dueAt)} · {lateness(task.dueAt)}
        {task.assigneePerson && ` · ${t('tasks.assignee')} ${task.assigneePerson}`}
        {task.claimedBy && ` · ${t('overdue.claimedBy', { who: task.claimedBy })}`}
      </div>
      <div class="task-badges">
        <OverdueBadge />
        {task.escalationLevel > 0 && <span class="badge escalated">{t('tasks.escalation', { n: task.escalationLevel })}</span>}
        {task.nudges > 0 && (
          <span class="badge nudged" data-testid="nudges">
            {t('nudge.count', { n: task.nudges })}
          </span>
        )}
        <StateBadge state={task.state} />
        <a class="button" href={`/tasks/${task.id}`}>
          {task.actions.includes('complete') ? t('act.complete') : t('common.open')}
        </a>
      </div>
      <TaskActions task={task} actions={task.actions} onDone={onDone} />
    </li>
  );
}

/** Escalations sent to a committee in the caller's subtree that are not closed: acknowledge, or close with a reason. */
function Escalations({ version, onDone }: { version: number; onDone: (m: string) => void }) {
  const [data, reload] = useLoad(async () => {
    const items = (await listEscalations({ limit: 200 })).items.filter((e) => e.state !== 'closed');
    // Escalations name organizations by code: look the names up once (a handful per page).
    const codes = [...new Set(items.flatMap((e) => [e.organization, e.taskOrganization]))];
    const names = new Map(
      await Promise.all(
        codes.map(
          async (c) =>
            [
              c,
              await getOrganization(c).then(
                (o) => o.name,
                () => c,
              ),
            ] as const,
        ),
      ),
    );
    return items.map((e) => ({
      ...e,
      organizationName: names.get(e.organization) ?? e.organization,
      taskOrganizationName: names.get(e.taskOrganization) ?? e.taskOrganization,
    }));
  }, [version]);
  return (
    <section class="card" aria-labelledby="esc-title" data-testid="escalations">
      <h2 id="esc-title">{t('esc.title')}</h2>
      {data.state === 'loading' && <Loading />}
      {data.state === 'error' && <ErrorBox error={data.error} retry={reload} />}
      {data.state === 'ok' && data.data.length === 0 && <p class="muted">{t('esc.empty')}</p>}
      {data.state === 'ok' && data.data.length > 0 && (
        <ul class="task-list">
          {data.data.map((e) => (
            <EscalationItem key={e.id} e={e} onDone={onDone} />
          ))}
        </ul>
      )}
    </section>
  );
}

function EscalationItem({ e, onDone }: { e: Escalation & { organizationName: string; taskOrganizationName: string }; onDone: (m: string) => void }) {
  const [closing, setClosing] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  const { busy, error, run } = useWrite();
  const rid = `esc-${e.id}-reason`;
  const act = (what: string, fn: () => Promise<unknown>) =>
    run(async () => {
      await fn();
      onDone(t('act.doneWhat', { what }));
    });
  const close = (ev: Event) => {
    ev.preventDefault();
    const r = reason.trim();
    if (r.length < 2) {
      setReasonError(validationText(r ? 'v.reasonShort' : 'v.required'));
      document.getElementById(rid)?.focus();
      return;
    }
    setReasonError(null);
    void act(t('esc.close'), () => actOnEscalation(e.id, 'close', { reason: r }));
  };
  return (
    <li class="task" data-escalation-id={e.id}>
      <div class="task-title">
        {stepName('', e.step)} · {e.taskOrganizationName}
      </div>
      <div class="task-meta">
        {t('esc.to', { org: e.organizationName, level: e.level })} · {t('tasks.due')} {fmtDateTime(e.dueAt)} · {t('esc.opened')} {fmtDateTime(e.openedAt)}
      </div>
      <div class="task-badges">
        <span class="badge escalated">{t('tasks.escalation', { n: e.level })}</span>
        <span class={`badge state-${e.state}`} data-testid="escalation-state">
          {t(e.state === 'open' ? 'esc.state.open' : 'esc.state.acknowledged')}
        </span>
      </div>
      <div class="button-row">
        {e.state === 'open' && (
          <button type="button" disabled={busy} onClick={() => act(t('act.acknowledge'), () => actOnEscalation(e.id, 'acknowledge', {}))}>
            {t('act.acknowledge')}
          </button>
        )}
        <button type="button" aria-expanded={closing} onClick={() => setClosing(!closing)}>
          {t('esc.close')}
        </button>
      </div>
      {closing && (
        <form class="action-form" onSubmit={close} noValidate aria-label={t('esc.close')}>
          <Field id={rid} label={t('common.reason')} required error={reasonError}>
            <textarea
              id={rid}
              rows={2}
              value={reason}
              onInput={(ev) => setReason(ev.currentTarget.value)}
              aria-invalid={!!reasonError}
              aria-describedby={reasonError ? `${rid}-error` : undefined}
            />
          </Field>
          <button class="primary" type="submit" disabled={busy}>
            {t('common.submit')}
          </button>
        </form>
      )}
      {error !== null && <ErrorBox error={error} />}
    </li>
  );
}
