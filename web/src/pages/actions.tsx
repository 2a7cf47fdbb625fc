// Claiming, reassigning, extending, cancelling a task: the buttons of the actions the API says the caller may
// take now (GET /tasks, GET /tasks/{id} `actions`), no rights restated here. Bodies as workflows/messages.ts.
import { useState } from 'preact/hooks';
import { ApiError, cancelTask, claimTask, extendTask, reassignTask, unclaimTask, type TaskAction } from '../api.js';
import { ErrorBox, Field, validationText } from '../components.js';
import { t } from '../i18n/index.js';
import { Picker } from '../picker.js';

type Action = 'reassign' | 'extend' | 'cancel';
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The action buttons and their forms. `onDone` gets the confirmation text: a page whose list may lose the task
 * after the action (the overdue list) shows it itself; without `onDone` it shows here.
 */
export function TaskActions({ task, actions, onDone }: { task: { id: number }; actions: readonly TaskAction[]; onDone?: (message: string) => void }) {
  const [open, setOpen] = useState<Action | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [result, setResult] = useState<{ ok: string } | { error: unknown } | null>(null);
  const [busy, setBusy] = useState(false);
  const id = (f: string) => `act-${task.id}-${f}`;
  const set = (f: string) => (e: Event) => setValues({ ...values, [f]: (e.currentTarget as HTMLInputElement).value });

  const run = async (what: string, fn: () => Promise<unknown>) => {
    setBusy(true);
    setResult(null);
    try {
      await fn();
      const message = t('act.doneWhat', { what });
      setOpen(null);
      setValues({});
      if (onDone) onDone(message);
      else setResult({ ok: message });
    } catch (err) {
      // Field errors name body.<field>: show each next to its field (the person picked is sent as assigneePerson).
      if (err instanceof ApiError && err.details.some((d) => d.field)) {
        const formField = (f: string) => (f === 'assigneePerson' ? 'assignee' : f);
        setErrors(
          Object.fromEntries(
            err.details.map((d) => [
              formField(
                String(d.field ?? '')
                  .split('.')
                  .pop() ?? '',
              ),
              d.message,
            ]),
          ),
        );
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
    else if (reason.length < 2) errs.reason = 'v.reasonShort';
    if (open === 'reassign' && !(values.assignee ?? '').trim()) errs.assignee = 'v.required';
    if (open === 'extend' && !ISO_DAY.test(values.dueOn ?? '')) errs.dueOn = 'v.date';
    setErrors(errs);
    if (Object.keys(errs).length) {
      // Keyboard users land on the first wrong field.
      const first = ['assignee', 'dueOn', 'reason'].find((f) => errs[f]);
      if (first) document.getElementById(id(first))?.focus();
      return;
    }
    if (open === 'reassign') void run(t('act.reassign'), () => reassignTask(task.id, { assigneePerson: values.assignee!.trim(), reason }));
    if (open === 'extend') void run(t('act.extend'), () => extendTask(task.id, { dueOn: values.dueOn!, reason }));
    if (open === 'cancel') void run(t('act.cancel'), () => cancelTask(task.id, { reason }));
  };

  const err = (f: string) => (errors[f] ? validationText(errors[f]!) : null);
  const described = (f: string) => (errors[f] ? `${id(f)}-error` : undefined);

  if (!(['claim', 'unclaim', 'reassign', 'extend', 'cancel'] as const).some((a) => actions.includes(a)) && !result) return null;
  return (
    <div class="actions" data-testid={`actions-${task.id}`}>
      <div class="button-row">
        {actions.includes('claim') && (
          <button type="button" disabled={busy} onClick={() => run(t('act.claim'), () => claimTask(task.id))}>
            {t('act.claim')}
          </button>
        )}
        {actions.includes('unclaim') && (
          <button type="button" disabled={busy} onClick={() => run(t('act.unclaim'), () => unclaimTask(task.id))}>
            {t('act.unclaim')}
          </button>
        )}
        {(['reassign', 'extend', 'cancel'] as const)
          .filter((a) => actions.includes(a))
          .map((a) => (
            <button
              key={a}
              type="button"
              aria-expanded={open === a}
              onClick={() => {
                setOpen(open === a ? null : a);
                setErrors({});
                setResult(null);
              }}
            >
              {t(`act.${a}`)}
            </button>
          ))}
      </div>
      {open && (
        <form class="action-form" onSubmit={submit} noValidate aria-label={t(`act.${open}`)}>
          {open === 'reassign' && (
            <Field id={id('assignee')} label={t('act.assignee')} required error={err('assignee')}>
              <Picker
                kind="person"
                id={id('assignee')}
                holderOf={task.id}
                value={values.assignee ?? ''}
                onChange={(v) => setValues((x) => ({ ...x, assignee: v }))}
                invalid={!!errors.assignee}
                describedBy={described('assignee')}
                required
              />
            </Field>
          )}
          {open === 'extend' && (
            <Field id={id('dueOn')} label={t('act.newDue')} required error={err('dueOn')}>
              <input
                id={id('dueOn')}
                type="date"
                value={values.dueOn ?? ''}
                onInput={set('dueOn')}
                aria-invalid={!!errors.dueOn}
                aria-describedby={described('dueOn')}
              />
            </Field>
          )}
          <Field id={id('reason')} label={t('common.reason')} required error={err('reason')}>
            <textarea
              id={id('reason')}
              rows={2}
              value={values.reason ?? ''}
              onInput={set('reason')}
              aria-invalid={!!errors.reason}
              aria-describedby={described('reason')}
            />
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
          {result.ok}
        </p>
      )}
      {result && 'error' in result && <ErrorBox error={result.error} />}
    </div>
  );
}
