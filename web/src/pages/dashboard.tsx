import { useEffect, useState } from 'preact/hooks';
import { ApiError, listAllTasks, listTerms, startProcess, getProcess, type Me, type Task, type ProcessState } from '../api.js';
import { orgsWith } from '../auth.js';
import { ErrorBox, Field, Loading, StateBadge, errorText, processName, stepName, useLoad } from '../components.js';
import { fmtDate, fmtDateTime, t } from '../i18n/index.js';

const STARTED_KEY = 'orglife.started';

/** Processes started from this browser tab (ids only; their state is always read from the API). */
export function startedProcesses(): string[] {
  return JSON.parse(sessionStorage.getItem(STARTED_KEY) ?? '[]') as string[];
}
export function rememberStarted(id: string): string[] {
  const next = [id, ...startedProcesses().filter((s) => s !== id)].slice(0, 20);
  sessionStorage.setItem(STARTED_KEY, JSON.stringify(next));
  return next;
}
const addMonths = (d: Date, m: number) => new Date(d.getFullYear(), d.getMonth() + m, d.getDate());
const isoDay = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** Committee / organizer view of their subtree: terms ending, work by step, starting a term election. */
export function DashboardPage({ user }: { user: Me }) {
  const scopes = orgsWith(user, 'admin', 'organizer');
  const [scope, setScope] = useState<string | null>(scopes[0] ?? null);
  const org = scope ?? undefined;
  const [started, setStarted] = useState<string[]>(startedProcesses);
  const [version, setVersion] = useState(0);

  if (scopes.length === 0) return <p class="muted">{t('dash.noScope')}</p>;
  const remember = (id: string) => {
    setStarted(rememberStarted(id));
    setVersion((v) => v + 1);
  };

  return (
    <section>
      <h1>{t('dash.title')}</h1>
      {scopes.length > 1 && (
        <Field id="scope" label={t('dash.scope')}>
          <select id="scope" value={scope ?? ''} onChange={(e) => setScope(e.currentTarget.value || null)}>
            {scopes.map((s) => (
              <option key={s ?? ''} value={s ?? ''}>
                {s ?? '*'}
              </option>
            ))}
          </select>
        </Field>
      )}
      <div class="grid">
        <StartElection defaultOrg="" onStarted={remember} />
        <Started ids={started} />
        <TermsEnding org={org} version={version} />
        <ByStep org={org} version={version} />
      </div>
    </section>
  );
}

function StartElection({ onStarted, defaultOrg }: { onStarted: (id: string) => void; defaultOrg: string }) {
  const [code, setCode] = useState(defaultOrg);
  const [error, setError] = useState<string | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setOk(null);
    if (!code.trim()) return setError(t('v.required'));
    setBusy(true);
    setError(null);
    try {
      const { id } = await startProcess('term-election', code.trim());
      setOk(t('dash.started', { id }));
      onStarted(id);
    } catch (err) {
      // 409 (already running) names the running process: remember it too, so it shows below.
      if (err instanceof ApiError && err.status === 409) {
        const running = (err.raw as { error?: { details?: { id?: string } } })?.error?.details?.id;
        if (running) onStarted(running);
      }
      if (err instanceof ApiError && err.status === 409) setError(t('dash.alreadyRunning'));
      else if (err instanceof ApiError && err.status === 404) setError(t('dash.noSuchOrg'));
      else setError(err instanceof ApiError && err.details[0]?.message ? `${err.message}（${err.details[0].message}）` : errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="start-title" data-testid="start-election">
      <h2 id="start-title">{t('dash.start')}</h2>
      <Field id="start-org" label={t('dash.startOrg')} required error={error}>
        <input id="start-org" value={code} onInput={(e) => setCode(e.currentTarget.value)} aria-invalid={!!error} aria-describedby={error ? 'start-org-error' : undefined} />
      </Field>
      <button class="primary" type="submit" disabled={busy}>
        {t('dash.startSubmit')}
      </button>
      {ok && (
        <p class="notice ok" role="status">
          {ok}
        </p>
      )}
    </form>
  );
}

/** Processes started from this browser session, read live from the API. */
function Started({ ids }: { ids: string[] }) {
  const [states, setStates] = useState<Record<string, ProcessState | { error: string }>>({});
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (round: number) => {
      const entries = await Promise.all(ids.map(async (id) => [id, await getProcess(id).catch((e: unknown) => ({ error: errorText(e) }))] as const));
      if (!live) return;
      setStates(Object.fromEntries(entries));
      // A new process takes a moment to reach its first step: look again a few times.
      if (round < 10) timer = setTimeout(() => void poll(round + 1), 1000);
    };
    void poll(0);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [ids.join('|')]);
  if (ids.length === 0) return null;
  return (
    <section class="card" aria-labelledby="started-title">
      <h2 id="started-title">{t('dash.startedList')}</h2>
      <table data-testid="started">
        <thead>
          <tr>
            <th scope="col">{t('task.org')}</th>
            <th scope="col">{t('dash.currentStep')}</th>
            <th scope="col">{t('dash.nextDeadline')}</th>
          </tr>
        </thead>
        <tbody>
          {ids.map((id) => {
            const p = states[id];
            return (
              <tr key={id} data-process={id}>
                <td>
                  <a href={p && 'organization' in p ? `/orgs/${encodeURIComponent(p.organization)}` : '#'}>{p && 'organization' in p ? p.organization : id}</a>
                </td>
                <td>
                  {!p ? '…' : 'error' in p ? p.error : (
                    <>
                      {stepName(p.kind, p.currentStep)} <StateBadge state={p.status} />
                      {p.openTasks[0] && (
                        <>
                          {' '}
                          <a href={`/tasks/${p.openTasks[0].id}?p=${encodeURIComponent(id)}`}>{t('common.open')}</a>
                        </>
                      )}
                    </>
                  )}
                </td>
                <td>{p && 'nextDeadline' in p && p.nextDeadline ? fmtDate(p.nextDeadline) : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** Terms ending in the next 6 and 12 months: the term register when the server has /terms, else open election requests. */
function TermsEnding({ org, version }: { org?: string; version: number }) {
  const [data, reload] = useLoad(async () => {
    const now = new Date();
    try {
      const r = await listTerms({ org, endsBefore: isoDay(addMonths(now, 12)) });
      const six = isoDay(addMonths(now, 6));
      return { source: 'terms' as const, six: r.items.filter((x) => x.termEndsOn < six), twelve: r.items.filter((x) => x.termEndsOn >= six) };
    } catch (err) {
      if (!(err instanceof ApiError && err.notAvailable)) throw err;
    }
    const { items, truncated } = await listAllTasks({ org, process: 'term-election', state: 'open' }, 2);
    return { source: 'tasks' as const, tasks: items.filter((x) => x.step === 'election-request'), truncated };
  }, [org, version]);
  return (
    <section class="card" aria-labelledby="terms-title" data-testid="terms">
      <h2 id="terms-title">{t('dash.terms')}</h2>
      {data.state === 'loading' && <Loading />}
      {data.state === 'error' && <ErrorBox error={data.error} retry={reload} />}
      {data.state === 'ok' && data.data.source === 'terms' && (
        <>
          {(['six', 'twelve'] as const).map((k) => (
            <div key={k}>
              <h3>
                {t(k === 'six' ? 'dash.terms6' : 'dash.terms12')}（{data.data.source === 'terms' ? data.data[k].length : 0}）
              </h3>
              <ul>
                {data.data.source === 'terms' &&
                  data.data[k].slice(0, 50).map((x) => (
                    <li key={x.organization}>
                      <a href={`/orgs/${encodeURIComponent(x.organization)}`}>{x.organizationName}</a> · {fmtDate(x.termEndsOn)}
                    </li>
                  ))}
              </ul>
            </div>
          ))}
        </>
      )}
      {data.state === 'ok' && data.data.source === 'tasks' && (
        <>
          <h3>
            {t('dash.terms6')}（{data.data.tasks.length}）
          </h3>
          <p class="hint">{t('dash.termsFromTasks')}</p>
          {data.data.truncated && <p class="hint">{t('common.truncated')}</p>}
          <ul>
            {data.data.tasks.slice(0, 50).map((x: Task) => (
              <li key={x.id}>
                <a href={`/tasks/${x.id}?p=${encodeURIComponent(x.workflowId)}`}>{x.organizationName}</a> · {t('tasks.due')} {fmtDateTime(x.dueAt)}
                {x.overdue && <span class="badge overdue">⚠ {t('tasks.overdue')}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** Open work in the subtree counted by process and step. */
function ByStep({ org, version }: { org?: string; version: number }) {
  const [data, reload] = useLoad(async () => {
    const parts = await Promise.all((['open', 'claimed', 'escalated'] as const).map((state) => listAllTasks({ org, state }, 4)));
    const counts = new Map<string, { process: string; step: string; n: number; overdue: number }>();
    for (const task of parts.flatMap((p) => p.items)) {
      const key = `${task.process}|${task.step}`;
      const c = counts.get(key) ?? { process: task.process, step: task.step, n: 0, overdue: 0 };
      c.n++;
      if (task.overdue) c.overdue++;
      counts.set(key, c);
    }
    return { rows: [...counts.values()].sort((a, b) => b.n - a.n), truncated: parts.some((p) => p.truncated) };
  }, [org, version]);
  return (
    <section class="card" aria-labelledby="bystep-title">
      <h2 id="bystep-title">{t('dash.byStep')}</h2>
      {data.state === 'loading' && <Loading />}
      {data.state === 'error' && <ErrorBox error={data.error} retry={reload} />}
      {data.state === 'ok' &&
        (data.data.rows.length === 0 ? (
          <p class="muted">{t('dash.byStepEmpty')}</p>
        ) : (
          <table data-testid="by-step">
            <thead>
              <tr>
                <th scope="col">{t('task.process')}</th>
                <th scope="col">{t('task.step')}</th>
                <th scope="col" class="num">{t('dash.count')}</th>
                <th scope="col" class="num">{t('tasks.overdue')}</th>
              </tr>
            </thead>
            <tbody>
              {data.data.rows.map((r) => (
                <tr key={`${r.process}|${r.step}`}>
                  <td>{processName(r.process)}</td>
                  <td>{stepName(r.process, r.step)}</td>
                  <td class="num">{r.n}</td>
                  <td class="num">{r.overdue}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {data.state === 'ok' && data.data.truncated && <p class="hint">{t('common.truncated')}</p>}
    </section>
  );
}
