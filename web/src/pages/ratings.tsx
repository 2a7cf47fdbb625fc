// 三色管理 (issue 18 items 1 and 8): the lists 表扬 / 提醒 / 预警 of the caller's subtree one click apart (the colour
// is kept in the URL), each organization's rating history under its row, and two pictures — counties by colour
// and overdue work by week — each with its table.
import { Fragment } from 'preact';
import { getOverdueTrend, getRatingMatrix, getRatings, type RatingColor } from '../api.js';
import { ErrorBox, Loading, useLoad } from '../components.js';
import { t } from '../i18n/index.js';
import { navigate, route } from '../router.js';
import { useSignal } from '../signal.js';
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
          {data.computedAt ? t('rating.computedAt', { at: data.computedAt.slice(0, 16) }) : t('rating.none')}
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
            <thead>
              <tr>
                <th scope="col">{t('rating.col.org')}</th>
                <th scope="col">{t('rating.col.parent')}</th>
                <th scope="col">{t('rating.history.color')}</th>
                <th scope="col">{t('rating.col.reasons')}</th>
                <th scope="col">{t('rating.col.since')}</th>
                <th scope="col">{t('rating.col.history')}</th>
              </tr>
            </thead>
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

function Matrix() {
  const [m] = useLoad(() => getRatingMatrix(), []);
  return (
    <section aria-labelledby="rating-matrix-title">
      <h2 id="rating-matrix-title">{t('rating.matrix.title')}</h2>
      {m.state === 'loading' && <Loading />}
      {m.state === 'error' && <ErrorBox error={m.error} />}
      {m.state === 'ok' && (
        <>
          <ChartCanvas
            testId="rating-matrix-chart"
            label={t('rating.matrix.chart')}
            config={{
              type: 'bar',
              data: {
                labels: m.data.items.map((c) => c.name),
                datasets: colors.map((c) => ({ label: t(`rating.${c}`), data: m.data.items.map((k) => k[c]), backgroundColor: ratingPalette[c] })),
              },
              options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
            }}
          />
          <table data-testid="rating-matrix">
            <caption>
              {t('rating.matrix.title')} · {t('rating.table')}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('rating.matrix.county')}</th>
                {colors.map((c) => (
                  <th key={c} scope="col">
                    {t(`rating.${c}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {m.data.items.map((k) => (
                <tr key={k.code}>
                  <th scope="row">{k.name}</th>
                  {colors.map((c) => (
                    <td key={c}>{k[c]}</td>
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

function Trend() {
  const [tr] = useLoad(() => getOverdueTrend(TREND_WEEKS), []);
  return (
    <section aria-labelledby="overdue-trend-title">
      <h2 id="overdue-trend-title">{t('rating.trend.title', { weeks: TREND_WEEKS })}</h2>
      {tr.state === 'loading' && <Loading />}
      {tr.state === 'error' && <ErrorBox error={tr.error} />}
      {tr.state === 'ok' && (
        <>
          <ChartCanvas
            testId="overdue-trend-chart"
            label={t('rating.trend.chart')}
            config={{
              type: 'line',
              data: {
                labels: tr.data.items.map((w) => w.weekStart.slice(5)),
                datasets: [{ label: t('rating.trend.overdue'), data: tr.data.items.map((w) => w.overdue), borderColor: ratingPalette.red, backgroundColor: ratingPalette.red }],
              },
              options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
            }}
          />
          <table data-testid="overdue-trend">
            <caption>
              {t('rating.trend.title', { weeks: TREND_WEEKS })} · {t('rating.table')}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('rating.trend.week')}</th>
                <th scope="col">{t('rating.trend.overdue')}</th>
              </tr>
            </thead>
            <tbody>
              {tr.data.items.map((w) => (
                <tr key={w.weekStart}>
                  <th scope="row">{w.weekStart}</th>
                  <td>{w.overdue}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
