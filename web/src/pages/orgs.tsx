import { useState } from 'preact/hooks';
import {
  ApiError,
  getChildren,
  getOrganization,
  getProcess,
  listTasks,
  recordSecretaryChange,
  searchOrganizations,
  startProcess,
  type Me,
  type Organization,
  type ProcessKind,
} from '../api.js';
import { isPairingPartner, kindAppliesTo, kindsStartedByHand, processIdOf, secretaryChangeRoles, startRoles } from '../../../src/domain/process-starts.js';
import { roles } from '../../../src/domain/roles.js';
import { rememberStarted, startFacts, startRefusal } from './dashboard.js';
import { PickerField } from '../picker.js';
import { TaskItem, byUrgency } from './tasks.js';
import { hasRole, orgsWith } from '../auth.js';
import { ErrorBox, Field, Loading, StateBadge, errorText, processName, stepName, useLoad } from '../components.js';
import { fmtDate, t, tx } from '../i18n/index.js';
import { navigate } from '../router.js';
import { registerReaders } from './members.js';
import { BranchMeetings } from './organization-life.js';

/** The organization tree from the user's own organizations down, children loaded on demand, details beside. */
export function OrgsPage({ user, code }: { user: Me; code?: string }) {
  const roots = orgsWith(user, ...roles).filter((c): c is string => !!c);
  return (
    <section>
      <h1>{t('orgs.title')}</h1>
      <Search />
      <div class="split">
        <div class="card tree-card">
          <ul class="tree" aria-label={t('orgs.title')}>
            {roots.map((r) => (
              <RootNode key={r} code={r} selected={code} />
            ))}
          </ul>
        </div>
        <div class="card">{code ? <Details code={code} user={user} /> : <p class="muted">{t('orgs.select')}</p>}</div>
      </div>
    </section>
  );
}

function Search() {
  const [q, setQ] = useState('');
  const [result, setResult] = useState<{ items: Organization[] } | { error: unknown } | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!q.trim()) return;
    try {
      setResult(await searchOrganizations({ q: q.trim(), limit: 50 }));
    } catch (error) {
      setResult({ error });
    }
  };
  return (
    <form class="search" role="search" onSubmit={submit}>
      <Field id="org-q" label={t('orgs.search')}>
        <div class="inline">
          <input id="org-q" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
          <button type="submit">{t('orgs.searchSubmit')}</button>
        </div>
      </Field>
      {result && 'error' in result && <ErrorBox error={result.error} />}
      {result && 'items' in result && (
        <ul>
          {result.items.map((o) => (
            <li key={o.code}>
              <a href={`/orgs/${encodeURIComponent(o.code)}`}>
                {o.name}（{o.code}）
              </a>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}

function RootNode({ code, selected }: { code: string; selected?: string }) {
  const [org] = useLoad(() => getOrganization(code), [code]);
  if (org.state === 'loading')
    return (
      <li>
        <Loading />
      </li>
    );
  if (org.state === 'error')
    return (
      <li>
        <ErrorBox error={org.error} />
      </li>
    );
  return <Node org={org.data} selected={selected} initiallyOpen />;
}

function Node({ org, selected, initiallyOpen = false, level = 1 }: { org: Organization; selected?: string; initiallyOpen?: boolean; level?: number }) {
  const [open, setOpen] = useState(initiallyOpen);
  const leaf = org.type === 'unit' || (org.type === 'branch' && level > 1);
  return (
    <li data-code={org.code} data-level={level}>
      <div class={`node${selected === org.code ? ' selected' : ''}`}>
        {!leaf ? (
          <button
            type="button"
            class="toggle"
            aria-label={t(open ? 'orgs.collapse' : 'orgs.expand', { name: org.name })}
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            {open ? '▾' : '▸'}
          </button>
        ) : (
          <span class="toggle" aria-hidden="true" />
        )}
        <a href={`/orgs/${encodeURIComponent(org.code)}`} aria-current={selected === org.code ? 'true' : undefined} onClick={() => !leaf && setOpen(true)}>
          {org.name}
        </a>
        <span class="muted small"> {tx(`type.${org.type}`, org.type)}</span>
      </div>
      {open && !leaf && <Children code={org.code} selected={selected} level={level + 1} />}
    </li>
  );
}

function Children({ code, selected, level }: { code: string; selected?: string; level: number }) {
  const [kids, reload] = useLoad(() => getChildren(code), [code]);
  if (kids.state === 'loading') return <Loading />;
  if (kids.state === 'error') return <ErrorBox error={kids.error} retry={reload} />;
  if (kids.data.items.length === 0) return <p class="muted small indent">{t('orgs.noChildren')}</p>;
  return (
    <ul>
      {kids.data.items.map((o) => (
        <Node key={o.code} org={o} selected={selected} level={level} />
      ))}
    </ul>
  );
}

function Details({ code, user }: { code: string; user: Me }) {
  const [org, reload] = useLoad(() => getOrganization(code), [code]);
  if (org.state === 'loading') return <Loading />;
  if (org.state === 'error') return <ErrorBox error={org.error} retry={reload} />;
  const o = org.data;
  const facts = startFacts(o);
  const kinds = hasRole(user, ...startRoles) ? kindsStartedByHand.filter((k) => kindAppliesTo[k](facts)) : [];
  return (
    <div data-testid="org-details">
      <h2>
        {o.name}（{o.code}）
      </h2>
      <p class="button-row">
        <a href={`/orgs/${encodeURIComponent(o.code)}/life`}>{t('life.link')}</a>
        {hasRole(user, ...registerReaders) && o.type !== 'unit' && (
          <a href={`/orgs/${encodeURIComponent(o.code)}/members`} data-testid="org-members">
            {t('mem.link')}
          </a>
        )}
      </p>
      <dl class="facts">
        <dt>{t('orgs.type')}</dt>
        <dd>{tx(`type.${o.type}`, o.type)}</dd>
        <dt>{t('orgs.sector')}</dt>
        <dd>{tx(`sector.${o.sector}`, o.sector)}</dd>
        {o.termYears !== null && (
          <>
            <dt>{t('orgs.term')}</dt>
            <dd>
              {t('orgs.termYears', { n: o.termYears })}
              {o.termStartedOn && ` · ${fmtDate(o.termStartedOn)}`}
              {o.termEndsOn && ` – ${fmtDate(o.termEndsOn)}`}
              {o.postponedUntil && ` · ${t('orgs.postponedUntil', { date: fmtDate(o.postponedUntil) })}`}
            </dd>
          </>
        )}
        <dt>{t('orgs.secretary')}</dt>
        <dd>{o.secretaryName ?? t('common.none')}</dd>
        <dt>{t('orgs.members')}</dt>
        <dd>
          {o.fullMembers} / {o.probationaryMembers}
        </dd>
      </dl>
      {kinds.length > 0 && <Processes key={o.code} code={o.code} kinds={kinds} settlement={o.settlement} />}
      {hasRole(user, ...secretaryChangeRoles) && kindAppliesTo['rotation-training'](facts) && <SecretaryChange key={o.code} code={o.code} onDone={reload} />}
      {o.type === 'branch' && <BranchMeetings key={o.code} code={o.code} />}
      <OpenWork code={o.code} />
    </div>
  );
}

/**
 * The processes that apply to this organization (src/domain/process-starts.ts): a running one with its step (read
 * from GET /processes/{kind}:{code}), or a button starting it — for a pairing, with the partner picked first.
 */
function Processes({ code, kinds, settlement }: { code: string; kinds: ProcessKind[]; settlement: 'village' | 'community' | null }) {
  const [states, reload] = useLoad(
    () =>
      Promise.all(
        kinds.map(async (kind) => {
          try {
            return { kind, process: await getProcess(processIdOf(kind, code)) };
          } catch (err) {
            if (err instanceof ApiError && err.status === 404) return { kind, process: null };
            throw err;
          }
        }),
      ),
    [code, kinds.join('|')],
  );
  const [partner, setPartner] = useState('');
  const [msg, setMsg] = useState<{ kind: ProcessKind; text: string; field?: 'partner' } | null>(null);
  const start = async (kind: ProcessKind) => {
    setMsg(null);
    if (kind === 'pairing' && !partner.trim()) return setMsg({ kind, text: t('v.required'), field: 'partner' });
    try {
      const { id } = await startProcess(kind, code, kind === 'pairing' ? { partner: partner.trim() } : {});
      rememberStarted(id);
      navigate('/dashboard');
    } catch (err) {
      const onPartner = err instanceof ApiError && err.details[0]?.field === 'body.partner';
      setMsg({ kind, text: startRefusal(kind, err), field: onPartner ? 'partner' : undefined });
      if (err instanceof ApiError && err.status === 409) reload();
    }
  };
  if (states.state === 'loading') return <Loading />;
  if (states.state === 'error') return <ErrorBox error={states.error} retry={reload} />;
  const partnerError = msg?.field === 'partner' ? msg.text : null;
  return (
    <section aria-labelledby="org-processes" data-testid="org-processes">
      <h3 id="org-processes">{t('orgs.processes')}</h3>
      <ul class="plain">
        {states.data.map(({ kind, process }) => (
          <li key={kind} data-kind={kind}>
            {process?.status === 'running' ? (
              <p>
                {t('orgs.running', { process: processName(kind), step: stepName(kind, process.currentStep, settlement) })} <StateBadge state={process.status} />
                {process.openTasks[0] && (
                  <>
                    {' '}
                    <a href={`/tasks/${process.openTasks[0].id}`}>{t('common.open')}</a>
                  </>
                )}
              </p>
            ) : (
              <>
                {kind === 'pairing' && (
                  <PickerField
                    kind="organization"
                    id="org-partner"
                    fieldLabel={t('orgs.startPartner')}
                    value={partner}
                    onChange={setPartner}
                    accept={isPairingPartner}
                    error={partnerError}
                    required
                  />
                )}
                <button type="button" onClick={() => void start(kind)}>
                  {t('orgs.start', { process: processName(kind) })}
                </button>
              </>
            )}
            {msg?.kind === kind && !msg.field && (
              <p class="notice error" role="status">
                {msg.text}
              </p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** 书记变更: a new secretary closes the current rotation-training cycle and opens a new one (POST /training/secretary-changes). */
function SecretaryChange({ code, onDone }: { code: string; onDone: () => void }) {
  const [secretary, setSecretary] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setMsg(null);
    if (!secretary.trim()) return setError(t('v.required'));
    setError(null);
    setBusy(true);
    try {
      const { closedCycle } = await recordSecretaryChange(code, secretary.trim(), reason.trim() || undefined);
      setMsg({ ok: true, text: t('orgs.changeDone', { name: secretary.trim(), n: closedCycle }) });
      setSecretary('');
      setReason('');
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setMsg({ ok: false, text: t('orgs.changeNoTraining') });
      else if (err instanceof ApiError && err.status === 403) setMsg({ ok: false, text: t('orgs.changeForbidden') });
      else setMsg({ ok: false, text: err instanceof ApiError && err.details[0]?.message ? `${err.message}（${err.details[0].message}）` : errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="secretary-change-title" data-testid="secretary-change">
      <h3 id="secretary-change-title">{t('orgs.secretaryChange')}</h3>
      <Field id="sc-secretary" label={t('orgs.newSecretary')} required error={error}>
        <input
          id="sc-secretary"
          value={secretary}
          maxLength={100}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'sc-secretary-error' : undefined}
          onInput={(e) => setSecretary(e.currentTarget.value)}
        />
      </Field>
      <Field id="sc-reason" label={t('orgs.changeReason')}>
        <input id="sc-reason" value={reason} maxLength={2000} onInput={(e) => setReason(e.currentTarget.value)} />
      </Field>
      <button type="submit" disabled={busy}>
        {t('orgs.changeSubmit')}
      </button>
      {msg && (
        <p class={`notice ${msg.ok ? 'ok' : 'error'}`} role="status">
          {msg.text}
        </p>
      )}
    </form>
  );
}

/** Open work in this organization's subtree, most urgent first. */
function OpenWork({ code }: { code: string }) {
  const [tasks, reload] = useLoad(async () => {
    const pages = await Promise.all((['open', 'claimed', 'escalated'] as const).map((state) => listTasks({ org: code, state, limit: 20 })));
    return {
      items: pages
        .flatMap((p) => p.items)
        .sort(byUrgency)
        .slice(0, 20),
      more: pages.some((p) => p.nextCursor),
    };
  }, [code]);
  return (
    <section aria-labelledby="org-work">
      <h3 id="org-work">{t('orgs.openWork')}</h3>
      {tasks.state === 'loading' && <Loading />}
      {tasks.state === 'error' && <ErrorBox error={tasks.error} retry={reload} />}
      {tasks.state === 'ok' && tasks.data.items.length === 0 && <p class="muted">{t('tasks.empty')}</p>}
      {tasks.state === 'ok' && tasks.data.items.length > 0 && (
        <ul class="task-list">
          {tasks.data.items.map((task) => (
            <TaskItem key={task.id} task={task} />
          ))}
        </ul>
      )}
      {tasks.state === 'ok' && tasks.data.more && <p class="hint">{t('common.truncated')}</p>}
    </section>
  );
}
