// Supervisor and organizer actions on a task (reassign, extend, cancel; claim for assignees). The routes come
// with the task-mechanism work; until the server has them a click shows the "not available yet" notice.
import { useState } from 'preact/hooks';
import { ApiError, cancelTask, claimTask, extendTask, reassignTask, type Task } from '../api.js';
import { ErrorBox, Field, validationText } from '../components.js';
import { t } from '../i18n/index.js';

type Action = 'reassign' | 'extend' | 'cancel';

export function TaskActions({ task, onDone, canClaim = false }: { task: Pick<Task, 'id' | 'state'>; onDone?: () => void; canClaim?: boolean }) {
  const [open, setOpen] = useState<Action | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [result, setResult] = useState<{ ok: true } | { error: unknown } | null>(null);
  const [busy, setBusy] = useState(false);
  const id = (f: string) => `act-${task.id}-${f}`;
  const set = (f: string) => (e: Event) => setValues({ ...values, [f]: (e.currentTarget as HTMLInputElement).value });

  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setResult(null);
    try {
      await fn();
      setResult({ ok: true });
      setOpen(null);
      onDone?.();
    } catch (err) {
      if (err instanceof ApiError && err.details.length) {
        setErrors(Object.fromEntries(err.details.map((d) => [String(d.field ?? '').split('.').pop() ?? '', d.message])));
      }
      setResult({ error: err });
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: Event) => {
    e.preventDefault();
    const reason = (values.reason ?? '').trim();
    const errs: Record<string, string> = {};
    if (!reason) errs.reason = 'v.required';
    if (open === 'reassign' && !(values.assignee ?? '').trim()) errs.assignee = 'v.required';
    if (open === 'extend' && !/^\d{4}-\d{2}-\d{2}$/.test(values.dueAt ?? '')) errs.dueAt = 'v.date';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    if (open === 'reassign') void run(() => reassignTask(task.id, { assignee: values.assignee!.trim(), reason }));
    if (open === 'extend') void run(() => extendTask(task.id, { dueAt: `${values.dueAt}T18:00:00+08:00`, reason }));
    if (open === 'cancel') void run(() => cancelTask(task.id, { reason }));
  };

  const err = (f: string) => (errors[f] ? validationText(errors[f]!) : null);

  return (
    <div class="actions" data-testid={`actions-${task.id}`}>
      <div class="button-row">
        {canClaim && task.state === 'open' && (
          <button type="button" disabled={busy} onClick={() => run(() => claimTask(task.id))}>
            {t('act.claim')}
          </button>
        )}
        {(['reassign', 'extend', 'cancel'] as const).map((a) => (
          <button key={a} type="button" aria-expanded={open === a} onClick={() => (setOpen(open === a ? null : a), setErrors({}), setResult(null))}>
            {t(`act.${a}`)}
          </button>
        ))}
      </div>
      {open && (
        <form class="action-form" onSubmit={submit} noValidate aria-label={t(`act.${open}`)}>
          {open === 'reassign' && (
            <Field id={id('assignee')} label={t('act.assignee')} required error={err('assignee')}>
              <input id={id('assignee')} value={values.assignee ?? ''} onInput={set('assignee')} aria-invalid={!!errors.assignee} />
            </Field>
          )}
          {open === 'extend' && (
            <Field id={id('dueAt')} label={t('act.newDue')} required error={err('dueAt')}>
              <input id={id('dueAt')} type="date" value={values.dueAt ?? ''} onInput={set('dueAt')} aria-invalid={!!errors.dueAt} />
            </Field>
          )}
          <Field id={id('reason')} label={t('common.reason')} required error={err('reason')}>
            <textarea id={id('reason')} rows={2} value={values.reason ?? ''} onInput={set('reason')} aria-invalid={!!errors.reason} />
          </Field>
          <div class="button-row">
            <button class="primary" type="submit" disabled={busy}>
              {t('common.submit')}
            </button>
            <button type="button" onClick={() => setOpen(null)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
      {result && 'ok' in result && (
        <p class="notice ok" role="status">
          {t('act.done')}
        </p>
      )}
      {result && 'error' in result && <ErrorBox error={result.error} what={`POST /api/v1/tasks/{id}/…`} />}
    </div>
  );
}
