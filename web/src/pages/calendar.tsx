import { useState } from 'preact/hooks';
import { calendarFeedUrl, issueCalendarToken } from '../api.js';
import { ErrorBox } from '../components.js';
import { t } from '../i18n/index.js';

/**
 * The calendar subscription: POST /calendar/token issues the caller's feed token (a new one replaces the old,
 * so a leaked link can be revoked by making another) and the feed's address is shown to copy into a calendar app.
 */
export function CalendarLink() {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const issue = async () => {
    setBusy(true);
    setError(null);
    try {
      setUrl(calendarFeedUrl((await issueCalendarToken()).url));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
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
