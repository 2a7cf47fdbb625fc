// The supervisor's list instruments: 一键催办 (one message per person on a list), bulk actions over the tasks
// ticked on a list (each item's result shown), and saved views (a filter by name, kept in the URL too).
import { useEffect, useState } from 'preact/hooks';
import { bulkTasks, deleteView, listViews, nudge, saveView, type BatchResult, type Me, type SavedView, type TaskFilter } from '../api.js';
import { ErrorBox, Field, Loading, useLoad, validationText, useWrite } from '../components.js';
import { signal, useSignal } from '../signal.js';
import { t } from '../i18n/index.js';
import { PickerField } from '../picker.js';

/** The tasks ticked on the page (ids), shared by the list's checkboxes and the bulk bar. */
export const selection = signal<ReadonlySet<number>>(new Set());
const toggle = (id: number, on: boolean) => {
  const next = new Set(selection.value);
  if (on) next.add(id);
  else next.delete(id);
  selection.set(next);
};

export function SelectBox({ id, label }: { id: number; label: string }) {
  const sel = useSignal(selection);
  return (
    <label class="select-box">
      <input type="checkbox" checked={sel.has(id)} onChange={(e) => toggle(id, e.currentTarget.checked)} data-testid={`select-${id}`} />
      <span class="sr-only">{t('batch.select', { what: label })}</span>
    </label>
  );
}

/** 一键催办 of the list the filter describes: the server reads the filter again inside the caller's subtree. */
export function NudgeButton({ filter, label, onDone }: { filter: TaskFilter; label: string; onDone: (m: string) => void }) {
  const { busy, error, run: write } = useWrite();
  const run = () =>
    write(async () => {
      const r = await nudge(filter);
      onDone(t('nudge.done', { tasks: r.tasks, people: r.people }));
    });
  return (
    <span class="nudge">
      <button type="button" disabled={busy} onClick={run} data-testid="nudge">
        {label}
      </button>
      {error !== null && <ErrorBox error={error} />}
    </span>
  );
}

/** What may be done to every ticked task at once; each item's answer listed after. */
export function BulkBar({ onDone }: { onDone: (m: string) => void }) {
  const sel = useSignal(selection);
  // The ticks belong to the list on screen: leaving the page (the bar goes with it) leaves nothing ticked for the next.
  useEffect(() => () => selection.set(new Set()), []);
  const [mode, setMode] = useState<'reassign' | 'extend' | null>(null);
  const [person, setPerson] = useState('');
  const [dueOn, setDueOn] = useState('');
  const [reason, setReason] = useState('');
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);
  const [result, setResult] = useState<BatchResult | null>(null);
  const { busy, error, run: write } = useWrite();
  if (sel.size === 0 && !result) return null;
  const ids = [...sel];
  const run = (what: string, fn: () => Promise<BatchResult>) =>
    write(async () => {
      const r = await fn();
      setResult(r);
      selection.set(new Set(r.results.filter((x) => x.result !== 'done').map((x) => x.id)));
      setMode(null);
      onDone(t('batch.done', { what, done: r.done, refused: r.refused + r.failed }));
    });
  const submit = (e: Event) => {
    e.preventDefault();
    const r = reason.trim();
    if (mode === 'reassign' && !person.trim()) return setFieldError({ field: 'bulk-person', message: validationText('v.required') });
    if (mode === 'extend' && !dueOn) return setFieldError({ field: 'bulk-due', message: validationText('v.required') });
    if (r.length < 2) return setFieldError({ field: 'bulk-reason', message: validationText(r ? 'v.reasonShort' : 'v.required') });
    setFieldError(null);
    if (mode === 'reassign') void run(t('act.reassign'), () => bulkTasks('reassign', ids, { assigneePerson: person.trim(), reason: r }));
    if (mode === 'extend') void run(t('act.extend'), () => bulkTasks('extend', ids, { dueOn, reason: r }));
  };
  const err = (f: string) => (fieldError?.field === f ? fieldError.message : null);
  return (
    <section class="card bulk-bar" aria-labelledby="bulk-title" data-testid="bulk-bar">
      <h2 id="bulk-title">{t('batch.title', { n: sel.size })}</h2>
      {sel.size > 0 && (
        <div class="button-row">
          <button type="button" disabled={busy} onClick={() => run(t('act.claim'), () => bulkTasks('claim', ids, {}))}>
            {t('act.claim')}
          </button>
          <button type="button" aria-expanded={mode === 'reassign'} onClick={() => setMode(mode === 'reassign' ? null : 'reassign')}>
            {t('act.reassign')}
          </button>
          <button type="button" aria-expanded={mode === 'extend'} onClick={() => setMode(mode === 'extend' ? null : 'extend')}>
            {t('act.extend')}
          </button>
          <button type="button" onClick={() => selection.set(new Set())}>
            {t('batch.clear')}
          </button>
        </div>
      )}
      {mode && (
        <form class="action-form" onSubmit={submit} noValidate aria-label={t(`act.${mode}`)}>
          {mode === 'reassign' && (
            <PickerField
              kind="person"
              id="bulk-person"
              fieldLabel={t('batch.person')}
              value={person}
              onChange={setPerson}
              error={err('bulk-person')}
              required
            />
          )}
          {mode === 'extend' && (
            <Field id="bulk-due" label={t('batch.dueOn')} required error={err('bulk-due')}>
              <input id="bulk-due" type="date" value={dueOn} onInput={(e) => setDueOn(e.currentTarget.value)} aria-invalid={!!err('bulk-due')} />
            </Field>
          )}
          <Field id="bulk-reason" label={t('batch.reason')} required error={err('bulk-reason')}>
            <textarea id="bulk-reason" rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} aria-invalid={!!err('bulk-reason')} />
          </Field>
          <button class="primary" type="submit" disabled={busy}>
            {t('common.submit')}
          </button>
        </form>
      )}
      {error !== null && <ErrorBox error={error} />}
      {result && (
        <ul class="bulk-results" data-testid="bulk-results">
          {result.results.map((r) => (
            <li key={r.id} data-result={r.result}>
              <a href={`/tasks/${r.task?.id ?? r.id}`}>{t('batch.item', { id: r.id })}</a> · {t(`batch.result.${r.result}`)}
              {r.error && ` · ${r.error.message}`}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The URL's query as a filter (and back): a view opened, changed or shared is a link. */
export function filterFromUrl(url: URL): TaskFilter {
  const q = url.searchParams;
  const f: TaskFilter = {};
  for (const k of ['org', 'process', 'step', 'dueAfter', 'dueBefore'] as const) {
    const v = q.get(k);
    if (v) f[k] = v;
  }
  if (q.get('overdue') === 'true') f.overdue = true;
  const level = Number(q.get('escalationLevel'));
  if (q.get('escalationLevel') && Number.isInteger(level)) f.escalationLevel = level;
  const rating = q.get('rating');
  if (rating === 'green' || rating === 'yellow' || rating === 'red') f.rating = rating;
  return f;
}
export function filterToQuery(f: TaskFilter): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') q.set(k, String(v));
  return q.toString();
}

/** The caller's saved views and those shared with their organizations; saving the filter shown now. */
export function SavedViews({ user, filter, onOpen }: { user: Me; filter: TaskFilter; onOpen: (v: SavedView) => void }) {
  const [version, setVersion] = useState(0);
  const [views, reload] = useLoad(() => listViews().then((r) => r.items), [version]);
  const [name, setName] = useState('');
  const [share, setShare] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const orgs = [...new Set(user.roles.map((r) => r.org).filter((o): o is string => !!o))];
  const save = async (e: Event) => {
    e.preventDefault();
    if (!name.trim()) return setNameError(validationText('v.required'));
    setNameError(null);
    setError(null);
    try {
      await saveView({ name: name.trim(), filter, sharedWith: share || null });
      setName('');
      setVersion((v) => v + 1);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section class="card" aria-labelledby="views-title" data-testid="saved-views">
      <h2 id="views-title">{t('views.title')}</h2>
      {views.state === 'loading' && <Loading />}
      {views.state === 'error' && <ErrorBox error={views.error} retry={reload} />}
      {views.state === 'ok' &&
        (views.data.length === 0 ? (
          <p class="muted">{t('views.empty')}</p>
        ) : (
          <ul class="views">
            {views.data.map((v) => (
              <li key={v.id} data-view-id={v.id}>
                <a href={`/work?view=${v.id}&${filterToQuery(v.filter)}`} onClick={() => onOpen(v)}>
                  {v.name}
                </a>{' '}
                <span class="muted small">
                  {v.mine ? (v.sharedWith ? t('views.sharedWith', { org: v.sharedWith }) : t('views.private')) : t('views.by', { who: v.owner })}
                </span>
                {v.mine && (
                  <button type="button" class="link" onClick={() => deleteView(v.id).then(() => setVersion((x) => x + 1), setError)}>
                    {t('views.delete', { name: v.name })}
                  </button>
                )}
              </li>
            ))}
          </ul>
        ))}
      <form class="action-form" onSubmit={save} noValidate aria-label={t('views.save')}>
        <Field id="view-name" label={t('views.name')} required error={nameError}>
          <input id="view-name" value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} aria-invalid={!!nameError} />
        </Field>
        <Field id="view-share" label={t('views.share')}>
          <select id="view-share" value={share} onChange={(e) => setShare(e.currentTarget.value)}>
            <option value="">{t('views.private')}</option>
            {orgs.map((o) => (
              <option key={o} value={o}>
                {t('views.sharedWith', { org: o })}
              </option>
            ))}
          </select>
        </Field>
        <button class="primary" type="submit">
          {t('views.save')}
        </button>
      </form>
      {error !== null && <ErrorBox error={error} />}
    </section>
  );
}
