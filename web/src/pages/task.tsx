import { useState } from 'preact/hooks';
import { ApiError, completeTask, getOrganization, getProcess, type Me, type TaskState } from '../api.js';
import { hasRole } from '../auth.js';
import { ErrorBox, Field, Loading, StateBadge, errorText, eventName, processName, stepName, useLoad, validationText } from '../components.js';
import { fmtDate, fmtDateTime, t, tx } from '../i18n/index.js';
import { route } from '../router.js';
import { useSignal } from '../signal.js';
import { formFor, formToOutcome, isShown, ruleField, validateOutcome, type FieldSpec, type StepForm } from '../../../src/domain/step-outcomes.js';
import type { StepHistory } from '../../../src/domain/step-context.js';
import { TaskActions } from './actions.js';
import { ProvisionalBadge } from './calendar.js';

/** A task, found through its process (the link carries the workflow id): form for its step, and the history. */
export function TaskPage({ id, user }: { id: number; user: Me }) {
  const url = useSignal(route);
  const workflowId = url.searchParams.get('p') ?? '';
  const [data, reload] = useLoad(async () => {
    const process = await getProcess(workflowId);
    const org = await getOrganization(process.organization).catch(() => null);
    return { process, org };
  }, [workflowId, id]);
  const [done, setDone] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  if (!workflowId) return <p class="notice error">{t('task.notFound')}</p>;
  if (data.state === 'loading') return <Loading />;
  if (data.state === 'error') {
    if (data.error instanceof ApiError && data.error.status === 404) return <p class="notice error">{t('task.notFound')}</p>;
    return <ErrorBox error={data.error} retry={reload} />;
  }
  const { process, org } = data.data;
  const task = process.openTasks.find((x) => x.id === id);
  const canComplete = hasRole(user, 'admin', 'organizer', 'secretary', 'liaison_officer');
  const canSupervise = hasRole(user, 'admin', 'organizer', 'supervisor');

  return (
    <section>
      <h1>
        {t('task.heading', { step: task ? stepName(process.kind, task.step) : processName(process.kind) })}
      </h1>
      <dl class="facts">
        <dt>{t('task.org')}</dt>
        <dd>
          <a href={`/orgs/${encodeURIComponent(process.organization)}`}>{org ? `${org.name}（${org.code}）` : process.organization}</a>
        </dd>
        <dt>{t('task.process')}</dt>
        <dd>
          {processName(process.kind)} · <StateBadge state={process.status} />
        </dd>
        {org?.termEndsOn && (
          <>
            <dt>{t('task.termEndsOn')}</dt>
            <dd>{fmtDate(org.termEndsOn)}</dd>
          </>
        )}
        {task && (
          <>
            <dt>{t('tasks.due')}</dt>
            <dd>
              {fmtDateTime(task.dueAt)}
              {new Date(task.dueAt).getTime() < Date.now() && <span class="badge overdue">⚠ {t('tasks.overdue')}</span>}
              {task.provisionalYears.length > 0 && <ProvisionalBadge years={task.provisionalYears} />}
            </dd>
            <dt>{t('task.state')}</dt>
            <dd>
              <StateBadge state={task.state} />
            </dd>
          </>
        )}
      </dl>

      {done && (
        <p class="notice ok" role="status" data-testid="task-done">
          {t('task.done')}
        </p>
      )}
      {!task && !done && <p class="notice">{t('task.notOpen')}</p>}
      {task && !done && canComplete && (
        <TaskForm
          taskId={id}
          form={formFor(process.kind, task.step)}
          history={process.history}
          onDone={() => {
            setDone(true);
            // The workflow records the step a moment after the task closes: read the process again shortly.
            for (const ms of [0, 700, 2000, 5000]) setTimeout(reload, ms);
          }}
        />
      )}
      {task && !done && !canComplete && <p class="muted">{t('task.noPermission')}</p>}
      {notice && (
        <p class="notice ok" role="status" data-testid="action-notice">
          {notice}
        </p>
      )}
      {task && canSupervise && (
        <TaskActions
          task={{ id, state: task.state as TaskState }}
          canClaim
          onDone={(m) => {
            setNotice(m);
            reload();
          }}
        />
      )}

      <h2>{t('task.history')}</h2>
      <ol class="history" data-testid="history">
        {process.history.map((h) => (
          <li key={`${h.at}-${h.event}`}>
            <time dateTime={h.at}>{fmtDateTime(h.at)}</time> {eventName(h.event)}
            <span class="muted"> · {stepName(process.kind, h.step)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The API's refusal as errors by field: a broken rule (422 rule_violation names it) or the schema's fields. */
function serverErrors(form: StepForm | undefined, err: ApiError): Record<string, string> {
  const rule = (err.raw as { error?: { details?: { rule?: unknown } } } | undefined)?.error?.details?.rule;
  if (form && typeof rule === 'string') return { [ruleField(form, rule)]: `r.${rule}` };
  // Fields come as body.outcome.<name>[.<key>] (request schema) or outcome.<name>[.<key>] (the workflow's).
  return Object.fromEntries(err.details.map((d) => [String(d.field ?? '').replace(/^(body\.)?(outcome\.)?/, '').split('.')[0] || '_', d.message]));
}

function TaskForm({ taskId, form, history, onDone }: { taskId: number; form: StepForm | undefined; history: StepHistory; onDone: () => void }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const shown = form?.fields.filter((f) => isShown(f, values)) ?? [];

  const submit = async (e: Event) => {
    e.preventDefault();
    setFormError(null);
    const outcome = form ? formToOutcome(form, values) : {};
    // The step's rule is checked with what the history tells, as the workflow will check it.
    const errs = form ? validateOutcome(form, outcome, history) : null;
    setErrors(errs ?? {});
    if (errs) {
      setFormError(errs._ ? validationText(errs._) : t('task.fixErrors'));
      // Keyboard and screen-reader users land on the first wrong field.
      const first = shown.find((f) => errs[f.name]);
      if (first) document.getElementById(`f-${first.name}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      await completeTask(taskId, outcome);
      onDone();
    } catch (err) {
      const byField = err instanceof ApiError ? serverErrors(form, err) : {};
      setErrors(byField);
      setFormError(err instanceof ApiError && err.status === 403 ? t('task.noPermission') : byField._ ? validationText(byField._) : errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="form-title" data-testid="task-form">
      <h2 id="form-title">{t('task.form')}</h2>
      {!form && <p class="muted">{t('task.noForm')}</p>}
      {shown.map((f) => (
        <FormField key={f.name} spec={f} value={values[f.name] ?? ''} error={errors[f.name]} onInput={(v) => setValues({ ...values, [f.name]: v })} />
      ))}
      {formError && (
        <p class="notice error" role="alert">
          {formError}
        </p>
      )}
      <button class="primary" type="submit" disabled={busy}>
        {t('common.submit')}
      </button>
    </form>
  );
}

function FormField({ spec, value, error, onInput }: { spec: FieldSpec; value: string; error?: string; onInput: (v: string) => void }) {
  const id = `f-${spec.name}`;
  const label = tx(`field.${spec.name}`, spec.name);
  const msg = error ? validationText(error, { min: spec.min ?? '', max: spec.max ?? '' }) : null;
  // Lists are typed one entry a line: the hint says how.
  const hint = spec.kind === 'names' || spec.kind === 'votes' ? t(spec.kind === 'names' ? 'hint.names' : 'hint.votes') : undefined;
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: spec.name,
    'aria-invalid': !!error,
    'aria-describedby': describedBy,
    required: spec.required,
  };
  return (
    <Field id={id} label={label} required={spec.required} error={msg} hint={hint}>
      {spec.kind === 'select' ? (
        <select {...common} value={value} onChange={(e) => onInput(e.currentTarget.value)}>
          <option value="">{t('opt.choose')}</option>
          {spec.options!.map((o) => (
            <option key={o} value={o}>
              {tx(`opt.${spec.name}.${o}`, o)}
            </option>
          ))}
        </select>
      ) : spec.kind === 'check' ? (
        <input {...common} type="checkbox" checked={value === 'true'} onChange={(e) => onInput(e.currentTarget.checked ? 'true' : '')} />
      ) : spec.kind === 'text' || spec.kind === 'names' || spec.kind === 'votes' ? (
        <textarea {...common} rows={spec.kind === 'text' ? 3 : 4} maxLength={spec.kind === 'text' ? spec.max : undefined} value={value} onInput={(e) => onInput(e.currentTarget.value)} />
      ) : spec.kind === 'date' ? (
        <input {...common} type="date" value={value} onInput={(e) => onInput(e.currentTarget.value)} />
      ) : (
        <input {...common} type="text" inputMode="numeric" value={value} onInput={(e) => onInput(e.currentTarget.value)} />
      )}
    </Field>
  );
}
