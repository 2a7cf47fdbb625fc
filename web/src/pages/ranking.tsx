// The yearly inspection and ranking 检查考评 (domain.md §4.6): counties ranked province-wide for a year, drill-down
// into a county's organizations and their indicators, CSV/XLSX downloads of both, and an admin's "run now".
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  ApiError,
  assessmentExportPath,
  getAssessmentCounties,
  getAssessmentOrganizations,
  runAssessment,
  type AssessmentCounties,
  type AssessmentCounty,
  type AssessmentOrganization,
  type Me,
} from '../api.js';
import { hasRole } from '../auth.js';
import { Downloads, ErrorBox, Loading, useLoad } from '../components.js';
import { fmtDate, fmtDateTime, t, tx } from '../i18n/index.js';
import { navigate, route } from '../router.js';
import { useSignal } from '../signal.js';
import { shanghaiToday } from '../dates.js';
// The sectors of the contract (the import's column values), the same list the API's `sector=` accepts.
import { sectors, type Sector } from '../../../src/organizations/import/columns.js';
// What the run's rule set counted: which columns mean something for its year, and the thresholds they name.
import { assessmentRuleSet, type AssessmentRules } from '../../../src/domain/assessment.js';

/** The first year a rule set is in force for (src/domain/assessment.ts): earlier years cannot be scored. */
const FIRST_YEAR = 2021;
/** Rows of a drill-down shown at once (the download holds them all). */
const DRILL_LIMIT = 1000;
const POLL_MS = 1500;
/** Polling stops after this long (a failed or stuck run): the page says to look again later. */
const POLL_GIVE_UP_MS = 10 * 60 * 1000;

const pct = (v: number | null) => (v === null ? t('rank.na') : `${v}%`);
/** The page's state lives in its URL (year, county drilled into, sector of the drill-down): links and reloads keep it. */
const rankingUrl = (year: number, county?: string, sector?: Sector) =>
  `/ranking?year=${year}${county ? `&county=${encodeURIComponent(county)}` : ''}${county && sector ? `&sector=${sector}` : ''}`;
const asSector = (v: string | null): Sector | undefined => ((sectors as readonly string[]).includes(v ?? '') ? (v as Sector) : undefined);

/** A 404 from the counties route: the year has not been assessed. */
const noRun = (err: unknown) => err instanceof ApiError && err.status === 404;

export function RankingPage({ user }: { user: Me }) {
  const url = useSignal(route);
  const thisYear = Number(shanghaiToday().slice(0, 4));
  const asked = Number(url.searchParams.get('year'));
  const year = Number.isInteger(asked) && asked >= FIRST_YEAR && asked <= thisYear ? asked : thisYear;
  const county = url.searchParams.get('county') ?? undefined;
  const sector = asSector(url.searchParams.get('sector'));
  const [counties, reload] = useLoad(() => getAssessmentCounties(year), [year]);
  const years = Array.from({ length: thisYear - FIRST_YEAR + 1 }, (_, i) => thisYear - i);
  const data = counties.state === 'ok' ? counties.data : null;

  return (
    <section>
      <h1>{t('rank.title')}</h1>
      <div class="inline toolbar">
        <label for="rank-year">{t('rank.year')}</label>
        <select id="rank-year" value={String(year)} onChange={(e) => navigate(rankingUrl(Number(e.currentTarget.value)))} style={{ maxWidth: '10rem' }}>
          {years.map((y) => (
            <option key={y} value={String(y)}>
              {t('rank.yearOption', { year: y })}
            </option>
          ))}
        </select>
      </div>
      {hasRole(user, 'admin') && <RunNow year={year} current={data} onFinished={reload} />}
      {counties.state === 'loading' && <Loading />}
      {counties.state === 'error' && noRun(counties.error) && (
        <p class="notice pending" data-testid="ranking-empty">
          {t('rank.noRun', { year })}
        </p>
      )}
      {counties.state === 'error' && !noRun(counties.error) && <ErrorBox error={counties.error} retry={reload} />}
      {data && <Counties year={year} data={data} selected={county} sector={sector} />}
      {data && county && (
        <DrillDown
          key={`${year}:${county}:${data.run.finishedAt}`}
          year={year}
          county={county}
          sector={sector}
          countyName={data.items.find((c) => c.code === county)?.name ?? county}
        />
      )}
    </section>
  );
}

/** The admin's "run now": starts the year's workflow, then polls the counties until the run's finishedAt changes. */
function RunNow({ year, current, onFinished }: { year: number; current: AssessmentCounties | null; onFinished: () => void }) {
  const [state, setState] = useState<{ year: number; since: string | null; phase: 'running' | 'done' } | { error: unknown } | null>(null);
  const running = state && 'phase' in state && state.phase === 'running' && state.year === year ? state : null;

  useEffect(() => {
    if (!running) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout>;
    const startedAt = Date.now();
    const poll = async () => {
      if (Date.now() - startedAt > POLL_GIVE_UP_MS) return setState({ error: new Error(t('rank.runSlow', { year: running.year })) });
      try {
        const r = await getAssessmentCounties(running.year);
        if (!live) return;
        if (r.run.finishedAt !== running.since) {
          setState({ year: running.year, since: r.run.finishedAt, phase: 'done' });
          onFinished();
          return;
        }
      } catch (err) {
        if (!live) return;
        if (!noRun(err)) return setState({ error: err });
      }
      timer = setTimeout(poll, POLL_MS);
    };
    timer = setTimeout(poll, POLL_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [running?.year, running?.since]);

  const start = async () => {
    const since = current?.run.finishedAt ?? null;
    setState({ year, since, phase: 'running' });
    try {
      await runAssessment(year);
    } catch (err) {
      // 409: a run of this year is already going; follow it like our own.
      if (!(err instanceof ApiError && err.status === 409)) setState({ error: err });
    }
  };

  return (
    <div class="card run-now">
      <div class="button-row">
        <button type="button" class="primary" onClick={start} disabled={!!running} aria-describedby="run-now-hint">
          {t('rank.runNow', { year })}
        </button>
      </div>
      <p class="hint" id="run-now-hint">
        {t('rank.runHint')}
      </p>
      <div role="status" aria-live="polite" data-testid="run-status">
        {running && <p class="notice pending">{t('rank.running', { year })}</p>}
        {state && 'phase' in state && state.phase === 'done' && state.year === year && (
          <p class="notice ok">{t('rank.runDone', { year, at: fmtDateTime(state.since!) })}</p>
        )}
      </div>
      {state && 'error' in state && <ErrorBox error={state.error} />}
    </div>
  );
}

function Counties({ year, data, selected, sector }: { year: number; data: AssessmentCounties; selected?: string; sector?: Sector }) {
  const { run, items } = data;
  const rules = assessmentRuleSet(run.ruleSet);
  return (
    <section class="card" aria-labelledby="counties-title">
      <h2 id="counties-title">{t('rank.counties', { year })}</h2>
      <p class="muted" data-testid="run-info">
        {t('rank.runInfo', { on: fmtDate(run.assessedOn), rules: run.ruleSet, at: fmtDateTime(run.finishedAt) })}
      </p>
      <Downloads
        label={t('rank.downloadCounties')}
        paths={{
          csv: [assessmentExportPath(year, 'counties', 'csv'), `counties-${year}.csv`],
          xlsx: [assessmentExportPath(year, 'counties', 'xlsx'), `counties-${year}.xlsx`],
        }}
      />
      {items.length === 0 ? (
        <p class="muted">{t('rank.noCounties')}</p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="counties-caption">
          <table class="bars ranking" data-testid="county-ranking">
            <caption id="counties-caption">{t('rank.countiesCaption', { year })}</caption>
            <thead>
              <tr>
                <th scope="col" class="num">
                  {t('rank.rank')}
                </th>
                <th scope="col">{t('cov.county')}</th>
                <th scope="col">{t('rank.score')}</th>
                <th scope="col" class="num">
                  {t('rank.meanScore')}
                </th>
                <th scope="col">{t('rank.concurrentHead')}</th>
                <th scope="col">{t('rank.liaison')}</th>
                {rules?.pairing && (
                  <>
                    <th scope="col">{t('rank.pairing')}</th>
                    <th scope="col">{t('rank.delivered')}</th>
                  </>
                )}
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <CountyRow key={c.code} year={year} c={c} selected={c.code === selected} sector={sector} rules={rules} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function CountyRow({ year, c, selected, sector, rules }: { year: number; c: AssessmentCounty; selected: boolean; sector?: Sector; rules?: AssessmentRules }) {
  // 2021 counted 一肩挑 among villages, 2026 among villages and communities: the figure says which.
  const headOf = rules?.concurrentHead.sectors.includes('community') ? 'rank.ofVillagesAndCommunities' : 'rank.ofVillages';
  return (
    <tr data-county={c.code} class={selected ? 'selected' : undefined}>
      <td class="num" data-testid="rank">
        {c.rank}
      </td>
      <th scope="row">
        <a href={rankingUrl(year, c.code, sector)} aria-current={selected ? 'true' : undefined} title={t('rank.drill', { name: c.name })}>
          {c.name}
        </a>
      </th>
      <td>
        <span class="bar" aria-hidden="true">
          <span style={{ width: `${Math.max(0, Math.min(100, c.score))}%` }} />
        </span>
        <span class="bar-value" data-testid="score">
          {c.score}
        </span>
      </td>
      <td class="num" data-testid="mean">
        {c.meanScore ?? t('rank.na')} <span class="muted small">{t('rank.ofOrgs', { n: c.organizations })}</span>
      </td>
      <td data-testid="head">
        {pct(c.concurrentHeadRate)} <span class="muted small">{t(headOf, { n: c.concurrentHeadOrganizations })}</span>
      </td>
      <td data-testid="liaison">
        {pct(c.liaisonCoverage)} <span class="muted small">{t('rank.ofUnits', { n: c.units })}</span>
      </td>
      {rules?.pairing && (
        <>
          <td data-testid="pairing">
            {pct(c.pairingCoverage)} <span class="muted small">{t('rank.ofVillages', { n: c.villages })}</span>
          </td>
          <td data-testid="delivered">
            {pct(c.deliveredRate)} <span class="muted small">{t('rank.ofDeliverables', { n: c.deliverables })}</span>
          </td>
        </>
      )}
    </tr>
  );
}

/** An indicator in words (with a sign), never by colour alone; null: it does not apply. */
function Indicator({ v }: { v: boolean | null }) {
  if (v === null) return <span class="indicator na">{t('rank.notApplicable')}</span>;
  return <span class={`indicator ${v ? 'yes' : 'no'}`}>{v ? `✓ ${t('rank.yes')}` : `✗ ${t('rank.no')}`}</span>;
}

function DrillDown({ year, county, sector, countyName }: { year: number; county: string; sector?: Sector; countyName: string }) {
  const [orgs, reload] = useLoad(() => getAssessmentOrganizations(year, { under: county, sector, limit: DRILL_LIMIT }), [year, county, sector]);
  const heading = useRef<HTMLHeadingElement>(null);
  // Keyboard and screen-reader users land on the drill-down they asked for.
  useEffect(() => heading.current?.focus(), [county]);
  return (
    <section class="card" aria-labelledby="drill-title" data-testid="drill-down">
      <h2 id="drill-title" tabIndex={-1} ref={heading}>
        {t('rank.orgsOf', { name: countyName })}
      </h2>
      <p>
        <a href={rankingUrl(year)}>{t('rank.back')}</a>
      </p>
      {/* Focus stays on the filter while the list changes (the heading takes it only for a new county). */}
      <div class="inline toolbar">
        <label for="rank-sector">{t('rank.sector')}</label>
        <select
          id="rank-sector"
          value={sector ?? ''}
          onChange={(e) => navigate(rankingUrl(year, county, asSector(e.currentTarget.value)))}
          style={{ maxWidth: '12rem' }}
        >
          <option value="">{t('rank.allSectors')}</option>
          {sectors.map((x) => (
            <option key={x} value={x}>
              {tx(`sector.${x}`, x)}
            </option>
          ))}
        </select>
      </div>
      <Downloads
        label={t('rank.downloadOrgs', { name: countyName })}
        paths={{
          csv: [assessmentExportPath(year, 'organizations', 'csv', { under: county, sector }), `organizations-${year}.csv`],
          xlsx: [assessmentExportPath(year, 'organizations', 'xlsx', { under: county, sector }), `organizations-${year}.xlsx`],
        }}
      />
      {orgs.state === 'loading' && <Loading />}
      {orgs.state === 'error' && <ErrorBox error={orgs.error} retry={reload} />}
      {orgs.state === 'ok' && orgs.data.items.length === 0 && <p class="muted">{t('rank.noOrgs')}</p>}
      {orgs.state === 'ok' && orgs.data.items.length > 0 && (
        <OrgTable year={year} countyName={countyName} items={orgs.data.items} rules={assessmentRuleSet(orgs.data.run.ruleSet)} />
      )}
    </section>
  );
}

/**
 * The yearly return's indicators (年报) as columns, for a rule set that assesses them (2026 on): each with the
 * rule set's own threshold in its header. Before 2026 they were not assessed and would read "not applicable"
 * throughout, so the columns are left out, as is a figure the rule set no longer weighs (the activists a village's
 * return types, from 2027: the recruitment targets' column reads them from the cases).
 */
const returnColumns = (r: NonNullable<AssessmentRules['yearlyReturn']>) =>
  (
    [
      ['returnFiled', t('rank.returnFiled')],
      ['activistsTrained', t('rank.activistsTrained', { n: r.activistsPerVillage })],
      ['reserveCadres', t('rank.reserveCadres', { n: r.reserveCadresPerVillage })],
      ['fundingFloor', t('rank.fundingFloor')],
      ['memberFunding', t('rank.memberFunding')],
      ['venue', t('rank.venue', { sqm: r.venueSqm, central: r.centralDistrictVenueSqm })],
      ['youngCommitteeMember', t('rank.youngCommitteeMember', { n: r.committeeMembersUnder35 })],
    ] as const satisfies readonly (readonly [keyof AssessmentOrganization, string])[]
  ).filter(([key]) => key === 'returnFiled' || r.weights[key] > 0);

type ReturnColumn = ReturnType<typeof returnColumns>[number][0];

function OrgTable({ year, countyName, items, rules }: { year: number; countyName: string; items: AssessmentOrganization[]; rules?: AssessmentRules }) {
  const returns = rules?.yearlyReturn ? returnColumns(rules.yearlyReturn) : [];
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="orgs-caption">
      <table class="ranking" data-testid="org-scores">
        <caption id="orgs-caption">{t('rank.orgsCaption', { name: countyName, year })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('task.org')}</th>
            <th scope="col">{t('orgs.sector')}</th>
            <th scope="col" class="num">
              {t('rank.score')}
            </th>
            <th scope="col">{t('rank.termOnTime')}</th>
            <th scope="col">{t('rank.secretaryTrained')}</th>
            <th scope="col">{t('rank.noOverdue')}</th>
            {returns.map(([key, label]) => (
              <th scope="col" key={key}>
                {label}
              </th>
            ))}
            <th scope="col">{t('rank.orgConcurrentHead')}</th>
            <th scope="col" class="num">
              {t('rank.redPeriods')}
            </th>
            <th scope="col">{t('rplan.assessTargets')}</th>
            <th scope="col">{t('rplan.assessPlan')}</th>
            <th scope="col" class="num">
              {t('olife.assessMeetings')}
            </th>
            <th scope="col">{t('rank.sectorRank')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((o) => (
            <OrgRow key={o.code} o={o} returns={returns.map(([key]) => key)} />
          ))}
        </tbody>
      </table>
      {items.length >= DRILL_LIMIT && <p class="hint">{t('common.truncated')}</p>}
    </div>
  );
}

function OrgRow({ o, returns }: { o: AssessmentOrganization; returns: readonly ReturnColumn[] }) {
  return (
    <tr data-org={o.code}>
      <th scope="row">
        <a href={`/orgs/${encodeURIComponent(o.code)}`}>{o.name}</a>
      </th>
      <td>{tx(`sector.${o.sector}`, o.sector)}</td>
      <td class="num" data-testid="org-score">
        {o.score}
      </td>
      <td data-testid="termOnTime">
        <Indicator v={o.termOnTime} />
      </td>
      <td data-testid="secretaryTrained">
        <Indicator v={o.secretaryTrained} />
      </td>
      <td data-testid="noOverdueTasks">
        <Indicator v={o.noOverdueTasks} />
      </td>
      {returns.map((key) => (
        <td data-testid={key} key={key}>
          <Indicator v={o[key]} />
        </td>
      ))}
      <td data-testid="concurrentHead">
        <Indicator v={o.concurrentHead} />
      </td>
      <td class="num" data-testid="redPeriods">
        {o.redPeriods === null ? <span class="muted">{t('rank.na')}</span> : o.redPeriods}
      </td>
      <td data-testid="recruitmentTargets">
        <Indicator v={o.recruitmentTargets} />
      </td>
      <td data-testid="recruitmentPlanMet">
        <Indicator v={o.recruitmentPlanMet} />
      </td>
      <td class="num" data-testid="meetingsMet">
        {o.meetingsMet === null ? (
          <span class="muted">{t('rank.na')}</span>
        ) : (
          t('olife.assessMeetingsValue', { met: o.meetingsMet, onTime: o.meetingsOnTime ?? 0 })
        )}
      </td>
      <td data-testid="sectorRank">{o.sectorRank === null ? <span class="muted">{t('rank.inCounty')}</span> : t('rank.nth', { n: o.sectorRank })}</td>
    </tr>
  );
}
