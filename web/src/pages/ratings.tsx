// 三色管理: the lists 表扬 / 提醒 / 预警 of the caller's subtree one click apart (the colour
// is kept in the URL), each organization's rating history under its row, and two pictures — counties by colour
// and overdue work by week — each with its table.
import { Fragment } from 'preact';
import { getOverdueTrend, getRatingMatrix, getRatings, type RatingColor } from '../api.js';
import { ColumnHeads, ErrorBox, Loading, useLoad, type Loadable } from '../components.js';
import { lang, t } from '../i18n/index.js';
import { navigate, route } from '../router.js';
import { useSignal } from '../signal.js';
import type { ChartConfiguration } from 'chart.js';
import { ChartCanvas, ratingPalette } from '../charts.js';
import { RatingBadge, RatingHistory, reasonsText } from '../rating-history.js';

const colors: readonly RatingColor[] = ['green', 'yellow', 'red'];
const TREND_WEEKS = 12;
const ratingsUrl = (color: RatingColor, org?: string) => `/ratings?color=${color}${org ? `&org=${encodeURIComponent(org)}` : ''}`;

export function RatingsPage() {
  const url = useSignal(route);
  const asked = url.searchParams.get('color') as RatingColor | null;
  const color: RatingColor = asked && colors.includes(asked) ? asked : 'red';
  const open = url.searchParams.get('org') ?? undefined;
  const [list] = useLoad(() => getRatings(color), [color]);
  const data = list.state === 'ok' ? list.data : null;
  return (
    <section class="ratings">
      <h1>{t('rating.title')}</h1>
      {data && (
        <p class="muted">
          {t('rating.intro', { ruleSet: data.items[0]?.ruleSet ?? 'ratings-2026' })}{' '}
          {data.computedAt ? t('rating.computedAt', { at: data.computedAt }) : t('rating.none')}
        </p>
      )}
      <h2>{t('rating.lists')}</h2>
      <div class="tabs" role="group" aria-label={t('rating.lists')}>
        {colors.map((c) => (
          <button key={c} type="button" aria-pressed={c === color} data-testid={`rating-tab-${c}`} onClick={() => navigate(ratingsUrl(c))}>
            {t(`rating.list.${c}`)}
            {data ? ` ${data.counts[c]}` : ''}
          </button>
        ))}
      </div>
      {list.state === 'loading' && <Loading />}
      {list.state === 'error' && <ErrorBox error={list.error} />}
      {data && data.items.length === 0 && <p class="muted">{t('rating.empty')}</p>}
      {data && data.items.length > 0 && (
        <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="rating-list-caption">
          <table data-testid="rating-list">
            <caption id="rating-list-caption">
              {t(`rating.list.${color}`)} · {data.counts[color]}
            </caption>
            <ColumnHeads
              cols={[
                t('rating.col.org'),
                t('rating.col.parent'),
                t('rating.history.color'),
                t('rating.col.reasons'),
                t('rating.col.since'),
                t('rating.col.history'),
              ]}
            />
            <tbody>
              {data.items.map((o) => (
                <Fragment key={o.code}>
                  <tr>
                    <td>{o.name}</td>
                    <td>{o.parentName ?? '—'}</td>
                    <td>
                      <RatingBadge color={o.color} />
                    </td>
                    <td>{reasonsText(o.reasons) || '—'}</td>
                    <td>{o.since}</td>
                    <td>
                      <button
                        type="button"
                        class="link"
                        aria-expanded={open === o.code}
                        aria-label={`${open === o.code ? t('rating.hideHistory') : t('rating.showHistory')}：${o.name}`}
                        onClick={() => navigate(ratingsUrl(color, open === o.code ? undefined : o.code), true)}
                      >
                        {open === o.code ? t('rating.hideHistory') : t('rating.showHistory')}
                      </button>
                    </td>
                  </tr>
                  {open === o.code && (
                    <tr>
                      <td colSpan={6}>
                        <RatingHistory code={o.code} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Matrix />
      <Trend />
    </section>
  );
}

/** What a picture shows: its rows as a table (the first cell heads its row), and the chart drawn from the same rows. */
interface PictureData {
  chart: ChartConfiguration;
  columns: string[];
  rows: { key: string; head: string; cells: (string | number)[] }[];
}

/** A titled picture: the chart (an image with a name) and the same figures as a table, for screen readers and exact numbers. */
function Picture({ id, title, chartLabel, load }: { id: string; title: string; chartLabel: string; load: Loadable<PictureData> }) {
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {load.state === 'loading' && <Loading />}
      {load.state === 'error' && <ErrorBox error={load.error} />}
      {load.state === 'ok' && (
        <>
          <ChartCanvas testId={`${id}-chart`} label={chartLabel} config={load.data.chart} />
          <table data-testid={id}>
            <caption>
              {title} · {t('rating.table')}
            </caption>
            <thead>
              <tr>
                {load.data.columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {load.data.rows.map((r) => (
                <tr key={r.key}>
                  <th scope="row">{r.head}</th>
                  {r.cells.map((c, i) => (
                    <td key={i}>{c}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/** Counties of the caller's subtree by colour, as stacked bars. */
function Matrix() {
  const [m] = useLoad(async (): Promise<PictureData> => {
    const { items } = await getRatingMatrix();
    return {
      chart: {
        type: 'bar',
        data: {
          labels: items.map((c) => c.name),
          datasets: colors.map((c) => ({ label: t(`rating.${c}`), data: items.map((k) => k[c]), backgroundColor: ratingPalette[c] })),
        },
        options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
      },
      columns: [t('rating.matrix.county'), ...colors.map((c) => t(`rating.${c}`))],
      rows: items.map((k) => ({ key: k.code, head: k.name, cells: colors.map((c) => k[c]) })),
    };
  }, [lang.value]);
  return <Picture id="rating-matrix" title={t('rating.matrix.title')} chartLabel={t('rating.matrix.chart')} load={m} />;
}

/** Overdue work of the caller's subtree at the end of each of the last weeks, as a line. */
function Trend() {
  const [tr] = useLoad(async (): Promise<PictureData> => {
    const { items } = await getOverdueTrend(TREND_WEEKS);
    return {
      chart: {
        type: 'line',
        data: {
          labels: items.map((w) => w.weekStart.slice(5)),
          datasets: [
            { label: t('rating.trend.overdue'), data: items.map((w) => w.overdue), borderColor: ratingPalette.red, backgroundColor: ratingPalette.red },
          ],
        },
        options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      },
      columns: [t('rating.trend.week'), t('rating.trend.overdue')],
      rows: items.map((w) => ({ key: w.weekStart, head: w.weekStart, cells: [w.overdue] })),
    };
  }, [lang.value]);
  return <Picture id="overdue-trend" title={t('rating.trend.title', { weeks: TREND_WEEKS })} chartLabel={t('rating.trend.chart')} load={tr} />;
}
