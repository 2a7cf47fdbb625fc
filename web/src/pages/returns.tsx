// 年报催报: the yearly return's missing filers of the caller's subtree for a year — the list a
// county calls down before the assessment — and one 催报 that tells each of their secretaries once. The year and
// the subtree live in the URL.
import { useState } from 'preact/hooks';
import { getMissingReturns, nudgeReturns } from '../api.js';
import { ColumnHeads, ErrorBox, Field, FormOutcome, Loading, useLoad, useWrite } from '../components.js';
import { fmtDate, fmtDateTime, t } from '../i18n/index.js';
import { navigate, route } from '../router.js';
import { useSignal } from '../signal.js';
import { shanghaiToday } from '../dates.js';
import { Picker } from '../picker.js';

/** Returns were first filed for 2025 (the 2026 rule set assesses them). */
const FIRST_YEAR = 2025;
const returnsUrl = (year: number, org?: string) => `/returns?year=${year}${org ? `&org=${encodeURIComponent(org)}` : ''}`;

export function ReturnsPage() {
  const url = useSignal(route);
  const thisYear = Number(shanghaiToday().slice(0, 4));
  const asked = Number(url.searchParams.get('year'));
  // Until the due day in March the year just ended is the one being filed.
  const year = Number.isInteger(asked) && asked >= FIRST_YEAR && asked <= thisYear ? asked : thisYear - 1;
  const org = url.searchParams.get('org') || undefined;
  const [list, reload] = useLoad(() => getMissingReturns(year, org), [year, org]);
  const [pick, setPick] = useState(org ?? '');
  const years = Array.from({ length: thisYear - FIRST_YEAR + 1 }, (_, i) => thisYear - i);
  const data = list.state === 'ok' ? list.data : null;
  return (
    <section class="returns">
      <h1>{t('returns.title')}</h1>
      <form
        class="inline toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(returnsUrl(year, pick.trim() || undefined));
        }}
      >
        <label for="returns-year">{t('rank.year')}</label>
        <select id="returns-year" value={String(year)} onChange={(e) => navigate(returnsUrl(Number(e.currentTarget.value), org))} style={{ maxWidth: '10rem' }}>
          {years.map((y) => (
            <option key={y} value={String(y)}>
              {t('rank.yearOption', { year: y })}
            </option>
          ))}
        </select>
        <label for="returns-org">{t('returns.under')}</label>
        <Picker kind="organization" id="returns-org" value={pick} onChange={setPick} />
        <button type="submit">{t('returns.show')}</button>
      </form>
      {list.state === 'loading' && <Loading />}
      {list.state === 'error' && <ErrorBox error={list.error} retry={reload} />}
      {data && (
        <>
          <p class={data.overdue && data.items.length ? 'notice error' : 'muted'} data-testid="returns-due">
            {t(data.overdue ? 'returns.overdue' : 'returns.due', { year, date: fmtDate(data.dueOn), n: data.items.length })}
          </p>
          {data.items.length === 0 ? (
            <p class="notice ok">{t('returns.none', { year })}</p>
          ) : (
            <>
              <ReturnNudge year={year} org={org} count={data.items.length} onDone={reload} />
              <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="returns-caption">
                <table data-testid="missing-returns">
                  <caption id="returns-caption">{t('returns.caption', { year, n: data.items.length })}</caption>
                  <ColumnHeads cols={[t('rating.col.org'), t('returns.kindCol'), t('returns.secretaries'), t('returns.nudged')]} />
                  <tbody>
                    {data.items.map((o) => (
                      <tr key={o.code} data-org={o.code}>
                        <th scope="row">
                          <a href={`/orgs/${encodeURIComponent(o.code)}/life`}>{o.name}</a>
                        </th>
                        <td>{t(`returns.kind.${o.kind}`)}</td>
                        <td>{o.secretaries.length ? o.secretaries.join('、') : <span class="badge overdue">{t('returns.noSecretary')}</span>}</td>
                        <td data-testid="nudge-count">
                          {o.nudges ? (
                            t('returns.nudgedTimes', { n: o.nudges, at: fmtDateTime(o.lastNudgedAt!) })
                          ) : (
                            <span class="muted">{t('returns.notNudged')}</span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}

/** 一键催报: one message to each secretary on the list, with an optional line of the caller's. */
function ReturnNudge({ year, org, count, onDone }: { year: number; org?: string; count: number; onDone: () => void }) {
  const [message, setMessage] = useState('');
  const { busy, outcome, run } = useWrite();
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const r = await nudgeReturns(year, { ...(org ? { org } : {}), ...(message.trim() ? { message: message.trim() } : {}) });
      setMessage('');
      onDone();
      return (
        t('returns.nudgeDone', { orgs: r.organizations, people: r.people }) +
        (r.unreached.length ? ` ${t('returns.unreached', { n: r.unreached.length })}` : '')
      );
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-label={t('returns.nudge', { n: count })}>
      <Field id="returns-message" label={t('returns.message')} hint={t('returns.messageHint')}>
        <input id="returns-message" maxLength={200} value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
      </Field>
      <button type="submit" disabled={busy} data-testid="nudge-returns">
        {t('returns.nudge', { n: count })}
      </button>
      <FormOutcome error={outcome.error} ok={outcome.ok} />
    </form>
  );
}
