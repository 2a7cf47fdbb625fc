// Coverage per county (training, liaison, urban–rural pairing) and the bulk enrolment of secretaries in a training session.
import { useState } from 'preact/hooks';
import {
  ApiError,
  createTrainingSession,
  enrolInSession,
  getLiaisonCoverage,
  getPairingCoverage,
  getTrainingCoverage,
  searchOrganizations,
  type BulkResult,
} from '../api.js';
import { Picker, PickerField } from '../picker.js';
import { ErrorBox, Field, Loading, PickList, RefusedOrganizations, useLoad, validationText } from '../components.js';
import { t } from '../i18n/index.js';
import { addMonthsIso, shanghaiToday } from '../dates.js';
import { NudgeButton } from './bulk.js';

const pct = (v: number | null) => (v === null ? '—' : `${v}%`);

/**
 * A horizontal bar chart that is a table: screen readers and keyboard users read the same figures the bars
 * draw (the bars are decoration, aria-hidden); the percentage is text next to each bar, so colour carries nothing.
 */
function BarTable({
  id,
  caption,
  rows,
  head,
}: {
  id: string;
  caption: string;
  head: [string, string];
  rows: { key: string; label: string; value: number | null; detail: string }[];
}) {
  return (
    <table class="bars" data-testid={id}>
      <caption class="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{head[0]}</th>
          <th scope="col">{head[1]}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} data-county={r.key}>
            <th scope="row">{r.label}</th>
            <td>
              <span class="bar" aria-hidden="true">
                <span style={{ width: `${Math.max(0, Math.min(100, r.value ?? 0))}%` }} />
              </span>
              <span class="bar-value">
                {pct(r.value)} <span class="muted">（{r.detail}）</span>
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * 一键催办 from a coverage table: everyone holding an open step of the process the table counts (a secretary's
 * training, an officer's visit report, a pairing deliverable) in the caller's subtree, one message each.
 */
function CoverageNudge({ process, org }: { process: string; org?: string }) {
  const [msg, setMsg] = useState<string | null>(null);
  return (
    <div class="coverage-nudge" data-testid={`nudge-${process}`}>
      <NudgeButton filter={{ process, ...(org ? { org } : {}) }} label={t('nudge.coverage')} onDone={setMsg} />
      {msg && (
        <p class="notice ok" role="status">
          {msg}
        </p>
      )}
    </div>
  );
}

/** GET /training/coverage: per county, the share of secretaries trained in their current cycle. */
export function TrainingCoverageChart({ org, version }: { org?: string; version: number }) {
  const [data, reload] = useLoad(() => getTrainingCoverage({ org }), [org, version]);
  return (
    <section class="card" aria-labelledby="training-title">
      <h2 id="training-title">{t('cov.training')}</h2>
      {data.state === 'loading' && <Loading />}
      {data.state === 'error' && <ErrorBox error={data.error} retry={reload} />}
      {data.state === 'ok' && data.data.items.length === 0 && <p class="muted">{t('cov.empty')}</p>}
      {data.state === 'ok' && data.data.items.length > 0 && (
        <BarTable
          id="training-coverage"
          caption={t('cov.training')}
          head={[t('cov.county'), t('cov.trainedShare')]}
          rows={data.data.items.map((r) => ({
            key: r.county,
            label: r.name,
            value: r.coverage,
            detail: t('cov.trainedOf', { n: r.trained, of: r.secretaries }),
          }))}
        />
      )}
      {data.state === 'ok' && data.data.items.length > 0 && <CoverageNudge process="rotation-training" org={org} />}
    </section>
  );
}

/** GET /liaison/coverage: units with an officer (应派尽派) and eligible units with their own organization (应建尽建). */
export function LiaisonCoverageTable({ org, version }: { org?: string; version: number }) {
  const [data, reload] = useLoad(() => getLiaisonCoverage({ org }), [org, version]);
  return (
    <section class="card" aria-labelledby="liaison-title">
      <h2 id="liaison-title">{t('cov.liaison')}</h2>
      {data.state === 'loading' && <Loading />}
      {data.state === 'error' && <ErrorBox error={data.error} retry={reload} />}
      {data.state === 'ok' && data.data.items.length === 0 && <p class="muted">{t('cov.noUnits')}</p>}
      {data.state === 'ok' && data.data.items.length > 0 && (
        <>
          <h3>{t('cov.dispatch')}</h3>
          <BarTable
            id="dispatch-coverage"
            caption={t('cov.dispatch')}
            head={[t('cov.county'), t('cov.share')]}
            rows={data.data.items.map((r) => ({
              key: r.county,
              label: r.name,
              value: r.dispatchCoverage,
              detail: t('cov.ofUnits', { n: r.dispatched, of: r.units }),
            }))}
          />
          <h3>{t('cov.establish')}</h3>
          <BarTable
            id="establish-coverage"
            caption={t('cov.establish')}
            head={[t('cov.county'), t('cov.share')]}
            rows={data.data.items.map((r) => ({
              key: r.county,
              label: r.name,
              value: r.establishCoverage,
              detail: t('cov.ofUnits', { n: r.established, of: r.eligible }),
            }))}
          />
          <CoverageNudge process="liaison-dispatch" org={org} />
        </>
      )}
    </section>
  );
}

/** A share in % with one decimal, as the API computes its own coverage figures; null when there is nothing to count. */
const share = (n: number, of: number) => (of ? Math.round((1000 * n) / of) / 10 : null);

/**
 * GET /pairing/coverage: every administrative village should be paired with an urban unit (domain.md §4.5); per
 * county, the villages paired and the "five goods" delivered in the current cycles.
 */
export function PairingCoverageTable({ org, version }: { org?: string; version: number }) {
  const [data, reload] = useLoad(() => getPairingCoverage({ org }), [org, version]);
  return (
    <section class="card" aria-labelledby="pairing-title">
      <h2 id="pairing-title">{t('cov.pairing')}</h2>
      {data.state === 'loading' && <Loading />}
      {data.state === 'error' && <ErrorBox error={data.error} retry={reload} />}
      {data.state === 'ok' && data.data.items.length === 0 && <p class="muted">{t('cov.noVillages')}</p>}
      {data.state === 'ok' && data.data.items.length > 0 && (
        <>
          <h3>{t('cov.paired')}</h3>
          <BarTable
            id="pairing-coverage"
            caption={t('cov.paired')}
            head={[t('cov.county'), t('cov.share')]}
            rows={data.data.items.map((r) => ({
              key: r.county,
              label: r.name,
              value: r.coverage,
              detail: t('cov.ofVillages', { n: r.paired, of: r.villages }),
            }))}
          />
          <h3>{t('cov.delivered')}</h3>
          <BarTable
            id="pairing-deliverables"
            caption={t('cov.delivered')}
            head={[t('cov.county'), t('cov.share')]}
            rows={data.data.items.map((r) => ({
              key: r.county,
              label: r.name,
              value: share(r.delivered, r.deliverables),
              detail: t('cov.deliveredOf', { n: r.delivered, of: r.deliverables }),
            }))}
          />
          <CoverageNudge process="pairing" org={org} />
        </>
      )}
    </section>
  );
}

/**
 * Enrolling many secretaries (their organizations) in one training session: pick the branches, name the session
 * (or create it here), and see which were enrolled and why the others were refused (full, out of scope, no
 * training cycle running).
 */
export function BulkEnrol({ org, onDone }: { org?: string; onDone: () => void }) {
  const [q, setQ] = useState('');
  const [filter, setFilter] = useState('');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [session, setSession] = useState('');
  const [sessionError, setSessionError] = useState<string | null>(null);
  const [pickError, setPickError] = useState<string | null>(null);
  const [result, setResult] = useState<BulkResult | { error: unknown } | null>(null);
  const [busy, setBusy] = useState(false);
  const [orgs, reload] = useLoad(() => searchOrganizations({ under: org, type: 'branch', q: filter || undefined, limit: 200 }), [org, filter]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const s = session.trim();
    setSessionError(s ? null : validationText('v.required'));
    setPickError(picked.size ? null : t('bulk.pickSome'));
    if (!s) return document.getElementById('enrol-session')?.focus();
    if (!picked.size) return;
    setBusy(true);
    setResult(null);
    try {
      setResult(await enrolInSession(s, [...picked]));
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setSessionError(t('bulk.noSession'));
      else setResult({ error: err });
    } finally {
      setBusy(false);
    }
  };

  const items = orgs.state === 'ok' ? orgs.data.items : [];
  return (
    <section class="card" aria-labelledby="bulk-title" data-testid="bulk-enrol">
      <h2 id="bulk-title">{t('bulk.title')}</h2>
      <NewSession org={org} onCreated={(code) => setSession(code)} />
      <form onSubmit={submit} noValidate>
        <PickerField kind="session" id="enrol-session" fieldLabel={t('bulk.session')} value={session} onChange={setSession} error={sessionError} required />
        <div class="field">
          <label for="enrol-filter">{t('bulk.filter')}</label>
          <div class="inline">
            <input
              id="enrol-filter"
              type="search"
              value={q}
              onInput={(e) => setQ(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key !== 'Enter') return;
                e.preventDefault();
                setFilter(q.trim());
              }}
            />
            <button type="button" onClick={() => setFilter(q.trim())}>
              {t('orgs.searchSubmit')}
            </button>
          </div>
        </div>
        <PickList
          id="enrol"
          legend={t('bulk.pick', { n: picked.size })}
          list={orgs}
          retry={reload}
          empty={t('bulk.none')}
          detail={(o) => o.secretaryName ?? ''}
          picked={picked}
          onChange={setPicked}
          error={pickError}
        />
        <button class="primary" type="submit" disabled={busy}>
          {t('bulk.submit')}
        </button>
      </form>
      {result && 'error' in result && <ErrorBox error={result.error} />}
      {result && 'done' in result && (
        <div role="status" data-testid="bulk-result">
          <p class={`notice ${result.refused.length ? 'pending' : 'ok'}`}>{t('bulk.result', { done: result.done.length, refused: result.refused.length })}</p>
          {result.refused.length > 0 && (
            <RefusedOrganizations
              caption={t('bulk.refused')}
              rows={result.refused.map((r) => ({
                code: r.organization,
                name: items.find((o) => o.code === r.organization)?.name ?? r.organization,
                message: r.message,
              }))}
            />
          )}
        </div>
      )}
    </section>
  );
}

/** Creating a training session held by the scope's committee (POST /training-sessions). */
function NewSession({ org, onCreated }: { org?: string; onCreated: (code: string) => void }) {
  const today = shanghaiToday();
  const [open, setOpen] = useState(false);
  const [v, setV] = useState<Record<string, string>>({ organization: org ?? '', startsOn: addMonthsIso(today, 1), endsOn: addMonthsIso(today, 1) });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ ok: string } | { error: unknown } | null>(null);
  const set = (f: string) => (e: Event) => setV({ ...v, [f]: (e.currentTarget as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    for (const f of ['code', 'title', 'organization', 'startsOn', 'endsOn']) if (!(v[f] ?? '').trim()) errs[f] = validationText('v.required');
    if (!errs.endsOn && !errs.startsOn && v.endsOn! < v.startsOn!) errs.endsOn = t('bulk.endsBeforeStart');
    if (v.capacity && !/^\d+$/.test(v.capacity)) errs.capacity = validationText('v.int');
    setErrors(errs);
    const first = ['code', 'title', 'organization', 'startsOn', 'endsOn', 'capacity'].find((f) => errs[f]);
    if (first) return document.getElementById(`ns-${first}`)?.focus();
    setMsg(null);
    try {
      const r = await createTrainingSession({
        code: v.code!.trim(),
        title: v.title!.trim(),
        organization: v.organization!.trim(),
        startsOn: v.startsOn!,
        endsOn: v.endsOn!,
        capacity: v.capacity ? Number(v.capacity) : undefined,
      });
      setMsg({ ok: t('bulk.sessionCreated', { code: r.code }) });
      onCreated(r.code);
      setOpen(false);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setErrors({ code: t('bulk.sessionExists') });
      else if (err instanceof ApiError && err.details.some((d) => d.field))
        setErrors(
          Object.fromEntries(
            err.details.map((d) => [
              String(d.field ?? '')
                .split('.')
                .pop() ?? '',
              d.message,
            ]),
          ),
        );
      else setMsg({ error: err });
    }
  };
  const field = (f: string, label: string, type: 'text' | 'date' = 'text', required = true) => (
    <Field id={`ns-${f}`} label={label} required={required} error={errors[f] ?? null}>
      {f === 'organization' ? (
        <Picker
          kind="organization"
          id={`ns-${f}`}
          value={v[f] ?? ''}
          onChange={(x) => setV((y) => ({ ...y, [f]: x }))}
          invalid={!!errors[f]}
          describedBy={errors[f] ? `ns-${f}-error` : undefined}
          required
        />
      ) : type === 'date' ? (
        <input
          id={`ns-${f}`}
          type="date"
          value={v[f] ?? ''}
          onInput={set(f)}
          aria-invalid={!!errors[f]}
          aria-describedby={errors[f] ? `ns-${f}-error` : undefined}
        />
      ) : (
        <input
          id={`ns-${f}`}
          type="text"
          value={v[f] ?? ''}
          onInput={set(f)}
          aria-invalid={!!errors[f]}
          aria-describedby={errors[f] ? `ns-${f}-error` : undefined}
          inputMode={f === 'capacity' ? 'numeric' : undefined}
        />
      )}
    </Field>
  );
  return (
    <div class="new-session">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {t('bulk.newSession')}
      </button>
      {open && (
        <form class="action-form" onSubmit={submit} noValidate aria-label={t('bulk.newSession')}>
          {field('code', t('bulk.sessionCode'))}
          {field('title', t('bulk.sessionTitle'))}
          {field('organization', t('bulk.sessionOrg'))}
          {field('startsOn', t('bulk.startsOn'), 'date')}
          {field('endsOn', t('bulk.endsOn'), 'date')}
          {field('capacity', t('bulk.capacity'), 'text', false)}
          <button class="primary" type="submit">
            {t('bulk.createSession')}
          </button>
        </form>
      )}
      {msg && 'ok' in msg && (
        <p class="notice ok" role="status">
          {msg.ok}
        </p>
      )}
      {msg && 'error' in msg && <ErrorBox error={msg.error} />}
    </div>
  );
}
