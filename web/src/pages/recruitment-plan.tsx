// 发展党员计划 and the seed's targets on the dashboard: the year's plan at the organization (entered at the county,
// allocated further down by each township), each organization against its allocation, each village against the
// seed's targets with the villages that recruited no one for years, and the one-click nudges of those behind.
import { useRef, useState } from 'preact/hooks';
import {
  ApiError,
  allocateRecruitmentPlan,
  getRecruitmentPlan,
  getVillageTargets,
  nudgeRecruitment,
  type RecruitmentPlan,
  type VillageTargets,
} from '../api.js';
import { ColumnHeads, ErrorBox, Loading, errorText, useLoad, useWrite } from '../components.js';
import { fmtDate, t, tx } from '../i18n/index.js';
import { shanghaiToday } from '../dates.js';
import './recruitment-plan.css';

const thisYear = () => Number(shanghaiToday().slice(0, 4));

export function RecruitmentPlanCard({ org, version }: { org: string; version: number }) {
  const year = thisYear();
  const [n, setN] = useState(0);
  // What was just done (saved, nudged): kept here, as the lists it changed reload under it.
  const [notice, setNotice] = useState<string | null>(null);
  const done = (msg: string) => {
    setNotice(msg);
    setN((x) => x + 1);
  };
  const [plan, reloadPlan] = useLoad(() => getRecruitmentPlan(org, year), [org, version, n]);
  const [targets, reloadTargets] = useLoad(() => getVillageTargets(org, year), [org, version, n]);
  return (
    <section class="card rplan" aria-labelledby="rplan-title" data-testid="recruitment-plan">
      <h2 id="rplan-title">{t('rplan.title', { year })}</h2>
      {plan.state === 'loading' && <Loading />}
      {plan.state === 'error' && <ErrorBox error={plan.error} retry={reloadPlan} />}
      {plan.state === 'ok' && <PlanForm key={`${org}:${n}`} org={org} plan={plan.data} onDone={done} />}
      {targets.state === 'loading' && <Loading />}
      {targets.state === 'error' && <ErrorBox error={targets.error} retry={reloadTargets} />}
      {targets.state === 'ok' && <Targets key={`${org}:${n}`} org={org} data={targets.data} onDone={done} />}
      {notice && (
        <p class="notice ok" role="status" data-testid="rplan-notice">
          {notice}
        </p>
      )}
    </section>
  );
}

/** The plan at `org`: what it was given, and an allocation input for each organization directly under it. */
function PlanForm({ org, plan, onDone }: { org: string; plan: RecruitmentPlan; onDone: (msg: string) => void }) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(plan.items.map((i) => [i.code, i.admissions === null ? '' : String(i.admissions)])),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const total = plan.items.reduce((s, i) => s + (Number(values[i.code]) || 0), 0);
  // The plan by sector (系统) as it is being entered: the organizations' own sectors, summed.
  const bySector = new Map<string, { planned: number; admitted: number }>();
  for (const i of plan.items) {
    const x = bySector.get(i.sector) ?? { planned: 0, admitted: 0 };
    bySector.set(i.sector, { planned: x.planned + (Number(values[i.code]) || 0), admitted: x.admitted + i.admitted });
  }
  const blocked = !plan.entersPlan && plan.given === null;
  const save = async (e: Event) => {
    e.preventDefault();
    const allocations = plan.items.filter((i) => values[i.code] !== '').map((i) => ({ organization: i.code, admissions: Number(values[i.code]) }));
    if (allocations.length === 0) return setError(t('rplan.nothing'));
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      await allocateRecruitmentPlan(org, plan.year, allocations);
      onDone(t('rplan.saved'));
    } catch (err) {
      // A refusal by field names the row (body.allocations.<i>.…) or the whole allocation (body.allocations).
      if (err instanceof ApiError && err.details.length) {
        const byRow: Record<string, string> = {};
        const whole: string[] = [];
        for (const d of err.details) {
          const m = /^body\.allocations\.(\d+)\.(\w+)/.exec(d.field ?? '');
          const code = m ? allocations[Number(m[1])]?.organization : undefined;
          const row = plan.items.find((i) => i.code === code);
          if (code && row && m?.[2] === 'admissions') byRow[code] = t('rplan.belowAllocated', { n: row.allocated });
          else if (code) byRow[code] = d.message;
          else if (d.field === 'body.allocations' && plan.given !== null) whole.push(t('rplan.over', { given: plan.given }));
          else if (d.field === 'params.code') whole.push(t('rplan.notGiven'));
          else whole.push(d.message);
        }
        setErrors(byRow);
        setError(whole.length ? t('rplan.refused', { reason: whole.join('；') }) : null);
      } else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={save} aria-labelledby="rplan-alloc" data-testid="plan-form">
      <h3 id="rplan-alloc">{plan.entersPlan ? t('rplan.enter') : t('rplan.allocate')}</h3>
      <p data-testid="plan-summary">
        {plan.entersPlan
          ? t('rplan.summaryCounty', { allocated: plan.allocated, admitted: plan.admitted })
          : plan.given === null
            ? t('rplan.notGiven')
            : t('rplan.summary', { given: plan.given, allocated: plan.allocated, admitted: plan.admitted })}
      </p>
      <div class="table-scroll" role="region" aria-labelledby="rplan-alloc" tabIndex={0}>
        <table data-testid="plan-table">
          <ColumnHeads cols={[t('rplan.org'), t('rplan.sector'), t('rplan.admissions'), t('rplan.allocatedBelow'), t('rplan.admitted')]} />
          <tbody>
            {plan.items.map((i) => (
              <tr key={i.code} data-code={i.code}>
                <th scope="row">{i.name}</th>
                <td>{tx(`sector.${i.sector}`, i.sector)}</td>
                <td>
                  <input
                    type="number"
                    min={0}
                    max={10000}
                    inputMode="numeric"
                    aria-label={t('rplan.admissionsOf', { name: i.name })}
                    aria-invalid={errors[i.code] ? 'true' : undefined}
                    value={values[i.code]}
                    disabled={blocked}
                    onInput={(e) => setValues({ ...values, [i.code]: e.currentTarget.value })}
                  />
                  {errors[i.code] && <span class="field-error">{errors[i.code]}</span>}
                </td>
                <td>{i.allocated}</td>
                <td class={i.admissions !== null && i.admitted < i.admissions ? 'behind' : undefined}>
                  {i.admissions === null ? i.admitted : t('rplan.ofPlan', { n: i.admitted, of: i.admissions })}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted">{plan.given === null ? t('rplan.total', { total }) : t('rplan.totalOf', { total, given: plan.given })}</p>
      {bySector.size > 1 && (
        <p class="muted" data-testid="plan-by-sector">
          {t('rplan.bySector', {
            list: [...bySector].map(([sector, x]) => t('rplan.sectorShare', { sector: tx(`sector.${sector}`, sector), ...x })).join(t('rplan.listSep')),
          })}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy || blocked}>
        {t('rplan.save')}
      </button>
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      <RecruitmentNudge org={org} year={plan.year} list="plan" label={t('rplan.nudgePlan')} onDone={onDone} />
    </form>
  );
}

/** Each village against the seed's targets, and those that recruited no one for years. */
function Targets({ org, data, onDone }: { org: string; data: VillageTargets; onDone: (msg: string) => void }) {
  // The first page came with the summary; further pages are appended as the officer asks for them.
  const [items, setItems] = useState(data.items);
  const [next, setNext] = useState(data.next);
  const [moreError, setMoreError] = useState<unknown>(null);
  // One page in flight: a second click while it loads would append the same villages twice.
  const [loading, setLoading] = useState(false);
  const inFlight = useRef(false);
  const loadMore = async (after: string) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setMoreError(null);
    setLoading(true);
    try {
      const page = await getVillageTargets(org, data.year, after);
      setItems((shown) => [...shown, ...page.items]);
      setNext(page.next);
    } catch (err) {
      setMoreError(err);
    } finally {
      inFlight.current = false;
      setLoading(false);
    }
  };
  const { villages, met, quiet, quietNames } = data.summary;
  if (villages === 0) return <p class="muted">{t('rplan.noVillages')}</p>;
  return (
    <>
      <h3 id="rplan-targets">{t('rplan.targets')}</h3>
      <p class="muted">
        {t('rplan.targetsRule', {
          activists: data.targets.activistsPerYear,
          candidates: data.targets.candidatesInWindow,
          from: data.targets.candidateWindowFrom,
        })}
      </p>
      <p data-testid="targets-summary">{t('rplan.metCount', { n: met, of: villages })}</p>
      <div class="table-scroll" role="region" aria-labelledby="rplan-targets" tabIndex={0}>
        <table data-testid="targets-table">
          <ColumnHeads
            cols={[t('rplan.village'), t('rplan.activists'), t('rplan.candidates'), t('rplan.admitted'), t('rplan.lastAdmitted'), t('rplan.status')]}
          />
          <tbody>
            {items.map((v) => (
              <tr key={v.code} data-code={v.code}>
                <th scope="row">{v.name}</th>
                <td class={v.activists < data.targets.activistsPerYear ? 'behind' : undefined}>
                  {t('rplan.ofPlan', { n: v.activists, of: data.targets.activistsPerYear })}
                </td>
                <td class={v.candidates < data.targets.candidatesInWindow ? 'behind' : undefined}>{v.candidates}</td>
                <td>{v.planned === null ? v.admitted : t('rplan.ofPlan', { n: v.admitted, of: v.planned })}</td>
                <td>{v.lastAdmittedOn ? fmtDate(v.lastAdmittedOn) : '—'}</td>
                <td>
                  {v.met ? t('rplan.met') : t('rplan.notMet')}
                  {v.quiet && <span class="badge soon"> {t('rplan.quietBadge', { years: data.targets.quietYears })}</span>}
                  {v.nudges > 0 && <span class="muted"> · {t('rplan.nudged', { n: v.nudges })}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {moreError !== null && <ErrorBox error={moreError} />}
      {next && (
        <button type="button" data-testid="targets-more" disabled={loading} onClick={() => void loadMore(next)}>
          {t('rplan.moreVillages', { shown: items.length, of: villages })}
        </button>
      )}
      {quiet > 0 && (
        <p data-testid="quiet-villages">
          <strong>{t('rplan.quiet', { years: data.targets.quietYears, n: quiet })}</strong> {quietNames.join('、')}
          {quiet > quietNames.length && t('rplan.quietMore', { n: quiet - quietNames.length })}
        </p>
      )}
      {met < villages && <RecruitmentNudge org={org} year={data.year} list="targets" label={t('rplan.nudgeTargets')} onDone={onDone} />}
    </>
  );
}

/** 一键催办 of the organizations behind (their secretaries; a committee's organizers), one message each. */
function RecruitmentNudge(props: { org: string; year: number; list: 'targets' | 'plan'; label: string; onDone: (msg: string) => void }) {
  const { org, year, list, label, onDone } = props;
  const { busy, error, run: write } = useWrite();
  const run = () =>
    write(async () => {
      const r = await nudgeRecruitment(org, { year, list });
      onDone(t('rplan.nudgeDone', { organizations: r.organizations, people: r.people }));
    });
  return (
    <div class="coverage-nudge" data-testid={`rnudge-${list}`}>
      <button type="button" disabled={busy} onClick={run}>
        {label}
      </button>
      {error !== null && <ErrorBox error={error} />}
    </div>
  );
}
