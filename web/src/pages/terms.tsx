// The term register's schedule for organizers and supervisors (domain.md §4.1 step 1): the 年度换届计划
// of a year (the list sent to supervisors on 1 January) and the 未按期换届 report, each downloadable as CSV/XLSX.
import { getOverdueReport, getTermPlan, overdueReportPath, termPlanPath, type OverdueReport, type TermPlan } from '../api.js';
import { ColumnHeads, Downloads, ErrorBox, Loading, stepName, useLoad } from '../components.js';
import { fmtDate, t } from '../i18n/index.js';
import { navigate, route } from '../router.js';
import { useSignal } from '../signal.js';
import { shanghaiToday } from '../dates.js';

/** Years offered: last year (a late plan), this year and the next five (a plan made ahead). */
const yearsAround = (y: number) => Array.from({ length: 7 }, (_, i) => y - 1 + i);

const election = (step: string | null) => (step ? stepName('term-election', step) : t('terms.notStarted'));

export function TermsPage() {
  const url = useSignal(route);
  const thisYear = Number(shanghaiToday().slice(0, 4));
  const asked = Number(url.searchParams.get('year'));
  const year = Number.isInteger(asked) && yearsAround(thisYear).includes(asked) ? asked : thisYear;
  const [plan, reloadPlan] = useLoad(() => getTermPlan(year), [year]);
  const [overdue, reloadOverdue] = useLoad(() => getOverdueReport(), []);
  return (
    <section>
      <h1>{t('terms.title')}</h1>
      <section class="card" aria-labelledby="plan-title">
        <h2 id="plan-title">{t('terms.plan', { year })}</h2>
        <p class="muted">{t('terms.planIntro')}</p>
        <div class="inline toolbar">
          <label for="plan-year">{t('terms.year')}</label>
          <select id="plan-year" value={String(year)} onChange={(e) => navigate(`/terms?year=${e.currentTarget.value}`)} style={{ maxWidth: '10rem' }}>
            {yearsAround(thisYear).map((y) => (
              <option key={y} value={String(y)}>
                {y}
              </option>
            ))}
          </select>
        </div>
        <Downloads
          label={t('terms.downloadPlan', { year })}
          paths={{ csv: [termPlanPath(year, 'csv'), `term-plan-${year}.csv`], xlsx: [termPlanPath(year, 'xlsx'), `term-plan-${year}.xlsx`] }}
        />
        {plan.state === 'loading' && <Loading />}
        {plan.state === 'error' && <ErrorBox error={plan.error} retry={reloadPlan} />}
        {plan.state === 'ok' && <PlanTable year={year} data={plan.data} />}
      </section>
      <section class="card" aria-labelledby="overdue-title">
        <h2 id="overdue-title">{t('terms.overdue')}</h2>
        {overdue.state === 'loading' && <Loading />}
        {overdue.state === 'error' && <ErrorBox error={overdue.error} retry={reloadOverdue} />}
        {overdue.state === 'ok' && (
          <>
            <p class="muted">{t('terms.overdueIntro', { date: fmtDate(overdue.data.asOf) })}</p>
            <Downloads
              label={t('terms.downloadOverdue')}
              paths={{
                csv: [overdueReportPath('csv'), `overdue-terms-${overdue.data.asOf}.csv`],
                xlsx: [overdueReportPath('xlsx'), `overdue-terms-${overdue.data.asOf}.xlsx`],
              }}
            />
            <OverdueTable data={overdue.data} />
          </>
        )}
      </section>
    </section>
  );
}

type TermRow = Pick<TermPlan['items'][number], 'code' | 'name' | 'supervisorName' | 'termEndsOn' | 'postponedUntil' | 'secretaryName' | 'electionStep'> & {
  daysOverdue?: number;
  inPlanBecause?: TermPlan['items'][number]['inPlanBecause'];
};

/**
 * Both lists (the year's plan, the overdue terms) in one table; the overdue one has a column of days late, the plan
 * one says why each term is in it (ending this year, a postponement ending this year, overdue from before).
 */
function TermTable({
  id,
  caption,
  rows,
  daysOverdue = false,
  why = false,
}: {
  id: string;
  caption: string;
  rows: TermRow[];
  daysOverdue?: boolean;
  why?: boolean;
}) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-labelledby={`${id}-caption`}>
      <table data-testid={id}>
        <caption id={`${id}-caption`}>{caption}</caption>
        <ColumnHeads
          cols={[
            t('terms.col.org'),
            t('terms.col.supervisor'),
            t('terms.col.termEndsOn'),
            daysOverdue && t('terms.col.daysOverdue'),
            why && t('terms.col.why'),
            t('terms.col.secretary'),
            t('terms.col.step'),
          ]}
        />
        <tbody>
          {rows.map((r) => (
            <tr key={r.code}>
              <th scope="row">
                <a href={`/orgs/${encodeURIComponent(r.code)}`}>{r.name}</a> <span class="muted">{r.code}</span>
              </th>
              <td>{r.supervisorName}</td>
              <td>
                {fmtDate(r.termEndsOn)}
                {r.postponedUntil && (
                  <span class="muted">
                    {' '}
                    · {t('terms.col.postponedUntil')} {fmtDate(r.postponedUntil)}
                  </span>
                )}
              </td>
              {daysOverdue && <td>{r.daysOverdue}</td>}
              {why && <td data-testid="in-plan-because">{r.inPlanBecause ? t(`terms.why.${r.inPlanBecause}`) : ''}</td>}
              <td>{r.secretaryName ?? ''}</td>
              <td>{election(r.electionStep)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PlanTable({ year, data }: { year: number; data: TermPlan }) {
  if (data.items.length === 0) return <p class="muted">{t('terms.noPlan')}</p>;
  return <TermTable id="term-plan" caption={t('terms.planCaption', { year, n: data.items.length })} rows={data.items} why />;
}

function OverdueTable({ data }: { data: OverdueReport }) {
  if (data.items.length === 0) return <p class="muted">{t('terms.noOverdue')}</p>;
  return <TermTable id="overdue-terms" caption={t('terms.overdueCaption', { n: data.items.length })} rows={data.items} daysOverdue />;
}
