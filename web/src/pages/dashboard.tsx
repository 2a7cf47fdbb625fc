import { useEffect, useState } from 'preact/hooks';
import {
  ApiError,
  listAllTasks,
  listTerms,
  startProcess,
  getProcess,
  type Me,
  type Organization,
  type ProcessKind,
  type ProcessStarted,
  type ProcessState,
  type Term,
} from '../api.js';
import { isPairingPartner, kindAppliesTo, kindsStartedByHand, startRoles } from '../../../src/domain/process-starts.js';
import { organizingRoles } from '../../../src/domain/roles.js';
import { PickerField } from '../picker.js';
import { orgsWith } from '../auth.js';
import { ColumnHeads, ErrorBox, Field, Loading, StateBadge, errorText, processName, stepName, useLoad } from '../components.js';
import { fmtDate, t, tx } from '../i18n/index.js';
import { addMonthsIso, shanghaiToday } from '../dates.js';
import { BulkOfficers } from './officers.js';
import { HolidayYears } from './calendar.js';
import { BulkEnrol, LiaisonCoverageTable, PairingCoverageTable, TrainingCoverageChart } from './coverage.js';
import { RecruitmentPlanCard } from './recruitment-plan.js';

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

/**
 * Committee / organizer view of their subtree: terms ending, work by step, starting a process, training,
 * liaison and urban–rural pairing coverage per county, enrolling many secretaries in a training session.
 */
export function DashboardPage({ user }: { user: Me }) {
  const scopes = orgsWith(user, ...organizingRoles);
  const canStart = orgsWith(user, ...startRoles).length > 0;
  const [scope, setScope] = useState<string | null>(scopes[0] ?? null);
  const org = scope ?? undefined;
  const [started, setStarted] = useState<string[]>(startedProcesses);
  // What each start answered in this page (its first task): shown as is, not read again.
  const [answers, setAnswers] = useState<Record<string, ProcessStarted>>({});
  const [version, setVersion] = useState(0);

  if (scopes.length === 0) return <p class="muted">{t('dash.noScope')}</p>;
  const remember = (id: string, answer?: ProcessStarted) => {
    if (answer) setAnswers((a) => ({ ...a, [id]: answer }));
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
        {canStart && <StartProcess onStarted={remember} />}
        <Started ids={started} answers={answers} />
        <TermsEnding org={org} version={version} />
        <ByStep org={org} version={version} />
        <TrainingCoverageChart org={org} version={version} />
        <LiaisonCoverageTable org={org} version={version} />
        <PairingCoverageTable org={org} version={version} />
      </div>
      {org && <RecruitmentPlanCard org={org} version={version} />}
      <BulkEnrol org={org} onDone={() => setVersion((v) => v + 1)} />
      <BulkOfficers org={org} onDone={() => setVersion((v) => v + 1)} />
      {orgsWith(user, 'admin').length > 0 && <HolidayYears />}
    </section>
  );
}

/** An organization as the shared start checks read it (src/domain/process-starts.ts). */
export const startFacts = (o: Organization) => ({
  type: o.type,
  sector: o.sector,
  hasParent: o.parentCode !== null,
  settlement: o.settlement,
  termEndsOn: o.termEndsOn,
  electionBody: o.electionBody,
});

/** The message of a refused start: already running (naming the kind), not in the subtree, or the API's reason. */
export function startRefusal(kind: ProcessKind, err: unknown): string {
  if (err instanceof ApiError && err.status === 409) return t('dash.alreadyRunning', { process: processName(kind) });
  if (err instanceof ApiError && err.status === 404) return t('dash.noSuchOrg');
  return err instanceof ApiError && err.details[0]?.message ? `${err.message}（${err.details[0].message}）` : errorText(err);
}

/** Starting a process: its kind (those the caller may start), the organization, and a pairing's partner. */
function StartProcess({ onStarted }: { onStarted: (id: string, answer?: ProcessStarted) => void }) {
  const [kind, setKind] = useState<ProcessKind>(kindsStartedByHand[0]);
  const [code, setCode] = useState('');
  const [partner, setPartner] = useState('');
  const [startsOn, setStartsOn] = useState('');
  const [error, setError] = useState<{ field: 'organization' | 'partner' | 'startsOn'; text: string } | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const pairing = kind === 'pairing';
  const submit = async (e: Event) => {
    e.preventDefault();
    setOk(null);
    if (!code.trim()) return setError({ field: 'organization', text: t('v.required') });
    if (pairing && !partner.trim()) return setError({ field: 'partner', text: t('v.required') });
    setBusy(true);
    setError(null);
    try {
      const answer = await startProcess(kind, code.trim(), pairing ? { partner: partner.trim(), ...(startsOn ? { startsOn } : {}) } : {});
      setOk(t('dash.started', { id: answer.id }));
      onStarted(answer.id, answer);
    } catch (err) {
      // 409 (already running) names the running process: remember it too, so it shows below.
      if (err instanceof ApiError && err.status === 409) {
        const running = (err.raw as { error?: { details?: { id?: string } } })?.error?.details?.id;
        if (running) onStarted(running);
      }
      const field = err instanceof ApiError ? err.details[0]?.field : undefined;
      // The start date's refusal in words (the API's reason is for scripts): not a day to come, not too long ago.
      if (field === 'body.startsOn') setError({ field: 'startsOn', text: t('dash.startPairingOnInvalid') });
      else setError({ field: field === 'body.partner' ? 'partner' : 'organization', text: startRefusal(kind, err) });
    } finally {
      setBusy(false);
    }
  };
  const orgError = error?.field === 'organization' ? error.text : null;
  const partnerError = error?.field === 'partner' ? error.text : null;
  const startsOnError = error?.field === 'startsOn' ? error.text : null;
  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="start-title" data-testid="start-process">
      <h2 id="start-title">{t('dash.start')}</h2>
      <Field id="start-kind" label={t('dash.startKind')} hint={tx(`dash.about.${kind}`, '')}>
        <select
          id="start-kind"
          value={kind}
          onChange={(e) => {
            setKind(e.currentTarget.value as ProcessKind);
            setError(null);
            setOk(null);
          }}
        >
          {kindsStartedByHand.map((k) => (
            <option key={k} value={k}>
              {processName(k)}
            </option>
          ))}
        </select>
      </Field>
      <PickerField
        kind="organization"
        id="start-org"
        fieldLabel={pairing ? t('dash.startVillage') : t('dash.startOrg')}
        value={code}
        onChange={setCode}
        accept={(o) => kindAppliesTo[kind](startFacts(o))}
        error={orgError}
        required
      />
      {pairing && (
        <PickerField
          kind="organization"
          id="start-partner"
          fieldLabel={t('dash.startPartner')}
          value={partner}
          onChange={setPartner}
          accept={isPairingPartner}
          error={partnerError}
          required
        />
      )}
      {pairing && (
        // A pairing agreed before it is registered here: its reviews and deliverables fall due from its own day.
        <Field id="start-starts-on" label={t('dash.startPairingOn')} hint={t('dash.startPairingOnHint')} error={startsOnError}>
          <input
            id="start-starts-on"
            type="date"
            value={startsOn}
            onInput={(e) => setStartsOn(e.currentTarget.value)}
            aria-invalid={!!startsOnError}
            aria-describedby={['start-starts-on-hint', startsOnError ? 'start-starts-on-error' : ''].filter(Boolean).join(' ')}
          />
        </Field>
      )}
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

/** Processes started from this browser session: as their start answered, or read from the API. */
function Started({ ids, answers }: { ids: string[]; answers: Record<string, ProcessStarted> }) {
  const [read, setRead] = useState<Record<string, ProcessStarted | ProcessState | { error: string }>>({});
  // A start answers once its run has settled (its first task): that answer is shown as is. The others (started
  // earlier in this tab, already running, or not settled within the start's wait) are read once.
  const unread = ids.filter((id) => !answers[id]?.settled);
  useEffect(() => {
    let live = true;
    void Promise.all(unread.map(async (id) => [id, await getProcess(id).catch((e: unknown) => ({ error: errorText(e) }))] as const)).then(
      (entries) => live && setRead(Object.fromEntries(entries)),
    );
    return () => {
      live = false;
    };
  }, [unread.join('|')]);
  const states: Record<string, ProcessStarted | ProcessState | { error: string }> = {
    ...read,
    ...Object.fromEntries(ids.flatMap((id) => (answers[id]?.settled ? [[id, answers[id]]] : []))),
  };
  if (ids.length === 0) return null;
  return (
    <section class="card" aria-labelledby="started-title">
      <h2 id="started-title">{t('dash.startedList')}</h2>
      <table data-testid="started">
        <ColumnHeads cols={[t('task.org'), t('dash.currentStep'), t('dash.nextDeadline')]} />
        <tbody>
          {ids.map((id) => {
            const p = states[id];
            return (
              <tr key={id} data-process={id}>
                <td>
                  <a href={p && 'organization' in p ? `/orgs/${encodeURIComponent(p.organization)}` : '#'}>{p && 'organization' in p ? p.organization : id}</a>
                </td>
                <td>
                  {!p ? (
                    '…'
                  ) : 'error' in p ? (
                    p.error
                  ) : (
                    <>
                      {stepName(p.kind, p.currentStep)} <StateBadge state={p.status} />
                      {p.openTasks[0] && (
                        <>
                          {' '}
                          <a href={`/tasks/${p.openTasks[0].id}`}>{t('common.open')}</a>
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

/** The term register (GET /terms): terms already over, and ending in the next 6 and 12 months. */
function TermsEnding({ org, version }: { org?: string; version: number }) {
  const [data, reload] = useLoad(async () => {
    const today = shanghaiToday();
    const six = addMonthsIso(today, 6);
    const [coming, over] = await Promise.all([
      listTerms({ under: org, endsFrom: today, endsTo: addMonthsIso(today, 12), limit: 500 }),
      listTerms({ under: org, overdue: true, limit: 100 }),
    ]);
    return {
      over: over.items,
      overMore: !!over.nextCursor,
      six: coming.items.filter((x) => x.termEndsOn < six),
      twelve: coming.items.filter((x) => x.termEndsOn >= six),
      truncated: !!coming.nextCursor,
    };
  }, [org, version]);
  const list = (items: Term[]) => (
    <ul>
      {items.slice(0, 50).map((x) => (
        <li key={x.code}>
          <a href={`/orgs/${encodeURIComponent(x.code)}`}>{x.name}</a> · {fmtDate(x.termEndsOn)}
          {x.postponedUntil && <span> · {t('orgs.postponedUntil', { date: fmtDate(x.postponedUntil) })}</span>}
          {x.secretaryName && <span class="muted"> · {x.secretaryName}</span>}
        </li>
      ))}
    </ul>
  );
  return (
    <section class="card" aria-labelledby="terms-title" data-testid="terms">
      <h2 id="terms-title">{t('dash.terms')}</h2>
      {data.state === 'loading' && <Loading />}
      {data.state === 'error' && <ErrorBox error={data.error} retry={reload} />}
      {data.state === 'ok' && (
        <>
          {data.data.over.length > 0 && (
            <div data-testid="terms-over">
              <h3>
                {t('dash.termsOver')}（{data.data.over.length}
                {data.data.overMore ? '+' : ''}）
              </h3>
              {list(data.data.over)}
            </div>
          )}
          <div data-testid="terms-6">
            <h3>
              {t('dash.terms6')}（{data.data.six.length}）
            </h3>
            {list(data.data.six)}
          </div>
          <div data-testid="terms-12">
            <h3>
              {t('dash.terms12')}（{data.data.twelve.length}）
            </h3>
            {list(data.data.twelve)}
          </div>
          {data.data.truncated && <p class="hint">{t('common.truncated')}</p>}
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
                <th scope="col" class="num">
                  {t('dash.count')}
                </th>
                <th scope="col" class="num">
                  {t('tasks.overdue')}
                </th>
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
