import { useEffect, useState } from 'preact/hooks';
import { ApiError, calendarFeedUrl, getCalendarYears, issueCalendarToken, loadHolidayYear, type HolidayLoad } from '../api.js';
import { ColumnHeads, ErrorBox, Field, Loading, useLoad, useWrite } from '../components.js';
import { fmtDateTime, t } from '../i18n/index.js';
import { route } from '../router.js';
import { useSignal } from '../signal.js';

/**
 * The calendar subscription: POST /calendar/token issues the caller's feed token (a new one replaces the old,
 * so a leaked link can be revoked by making another) and the feed's address is shown to copy into a calendar app.
 */
export function CalendarLink() {
  const [url, setUrl] = useState<string | null>(null);
  const { busy, error, run } = useWrite();
  const issue = () => run(async () => setUrl(calendarFeedUrl((await issueCalendarToken()).url)));
  return (
    <aside class="card calendar" aria-labelledby="cal-title">
      <h2 id="cal-title">{t('cal.title')}</h2>
      <p class="hint">{t('cal.explain')}</p>
      <button type="button" onClick={issue} disabled={busy}>
        {t(url ? 'cal.rotate' : 'cal.create')}
      </button>
      {url && (
        <label>
          {t('cal.link')}
          <input readOnly value={url} data-testid="calendar-url" onFocus={(e) => e.currentTarget.select()} />
        </label>
      )}
      {error !== null && <ErrorBox error={error} />}
    </aside>
  );
}

/** A task whose plan reaches into a year without holiday data: its dates move when the year is loaded. */
export function ProvisionalBadge({ years }: { years: readonly number[] }) {
  const hint = t('tasks.provisionalHint', { years: years.join('、') });
  return (
    <span class="badge provisional" data-testid="provisional-badge" title={hint}>
      {t('tasks.provisional')}
      <span class="sr-only">：{hint}</span>
    </span>
  );
}

/**
 * The years with and without holiday data (GET /calendar/years), and the form an admin loads a year's notice with
 * (POST /calendar/years/{year}/import). Row errors of a refused file are listed by row and column.
 */
export function HolidayYears() {
  const [data, reload] = useLoad(getCalendarYears, []);
  const [year, setYear] = useState<number | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<HolidayLoad | null>(null);
  // While a year's re-plan runs in the background, its count of provisional tasks is read again every few seconds.
  const replanning = data.state === 'ok' && data.data.items.some((y) => y.replanRunning);
  useEffect(() => {
    if (!replanning) return;
    const timer = setTimeout(reload, 5000);
    return () => clearTimeout(timer);
  }, [replanning, data]);
  if (data.state === 'loading') return <Loading />;
  if (data.state === 'error') return <ErrorBox error={data.error} retry={reload} />;
  const { items, missing, packageYears, notice } = data.data;
  // The year the admins were told is missing comes first: the banner's link leads here.
  const target = year ?? notice ?? missing[0] ?? items.at(-1)?.year ?? new Date().getFullYear();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) {
      setError(new Error(t('hol.chooseFile')));
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await loadHolidayYear(target, file, note.trim() || undefined));
      reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const rows = error instanceof ApiError ? error.details.filter((d) => d.row !== undefined) : [];
  return (
    <section class="card" id="holiday-years" aria-labelledby="hol-title" data-testid="holiday-years">
      <h2 id="hol-title">{t('hol.title')}</h2>
      <p class="hint">{t('hol.explain', { from: packageYears[0], to: packageYears[1] })}</p>
      <p role="status" data-testid="holiday-missing" class={missing.length ? 'notice pending' : 'muted'}>
        {missing.length ? t('hol.missingYears', { years: missing.join('、') }) : t('hol.complete')}
      </p>
      <table>
        <ColumnHeads cols={[t('hol.year'), t('hol.status'), t('hol.pending')]} />
        <tbody>
          {items.map((y) => (
            <tr key={y.year} data-year={y.year}>
              <th scope="row">{y.year}</th>
              <td>
                {y.source === 'package' && t('hol.package')}
                {y.source === 'loaded' && (
                  <span title={y.loadedAt ? fmtDateTime(y.loadedAt) : undefined}>{t('hol.loadedBy', { by: y.loadedBy ?? '', days: y.days ?? 0 })}</span>
                )}
                {y.source === null && <strong class="missing">{t('hol.missing')}</strong>}
              </td>
              <td>
                {y.provisionalTasks}
                {y.replanRunning && (
                  <span class="badge provisional" data-testid="replan-running">
                    {t('hol.replanning')}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={submit}>
        <Field id="hol-year" label={t('hol.loadYear')}>
          <input id="hol-year" type="number" min={2000} max={2100} value={target} onInput={(e) => setYear(Number(e.currentTarget.value) || null)} />
        </Field>
        <Field id="hol-file" label={t('hol.file')}>
          <input id="hol-file" type="file" accept=".ics,.csv,.xlsx,text/calendar,text/csv" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        </Field>
        <Field id="hol-note" label={t('hol.note')}>
          <input id="hol-note" value={note} maxLength={200} onInput={(e) => setNote(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={busy}>
          {t('hol.load')}
        </button>
      </form>
      {result && (
        <p class="notice ok" role="status" data-testid="holiday-loaded">
          {t('hol.loaded', { year: result.year, holidays: result.holidays, workdays: result.workdays, n: result.replanned })}
          {result.failed.length > 0 && ` ${t('hol.failed', { n: result.failed.length })} ${result.failed.map((f) => `#${f.taskId}`).join('、')}`}
        </p>
      )}
      {error !== null && <ErrorBox error={error} />}
      {rows.length > 0 && (
        <ul class="field-error-list" data-testid="holiday-errors">
          {rows.map((r) => (
            <li key={`${r.row}-${r.column}`}>{t('hol.rowError', { row: r.row ?? '', column: r.column ?? '', message: r.message })}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * For admins, above every page (the first screen after sign-in included): a year the daily calendar notice announced
 * (from 1 November of the year before) still has no holiday data (GET /calendar/years `notice`). Links to the form
 * that loads it.
 */
export function CalendarNoticeBanner() {
  // Read again on each page: the year loaded on the dashboard ends the banner at the next step.
  const { pathname } = useSignal(route);
  const [data] = useLoad(getCalendarYears, [pathname]);
  const year = data.state === 'ok' ? data.data.notice : null;
  if (year === null) return null;
  return (
    <p class="notice pending banner" role="status" data-testid="calendar-notice">
      {t('hol.banner', { year })} <a href="/dashboard#holiday-years">{t('hol.bannerLink', { year })}</a>
    </p>
  );
}
