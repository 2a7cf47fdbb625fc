import { useState } from 'preact/hooks';
import { calendarFeedAvailable, calendarFeedUrl, createApiToken } from '../api.js';
import { ErrorBox, useLoad } from '../components.js';
import { t } from '../i18n/index.js';

/**
 * The calendar subscription: a link to /api/v1/calendar.ics with an API token, once the server has the feed.
 * Until then a placeholder; no token is created for a feed that does not exist.
 */
export function CalendarLink() {
  const [available] = useLoad(() => calendarFeedAvailable(), []);
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (available.state !== 'ok') return null;
  return (
    <aside class="card calendar" aria-labelledby="cal-title">
      <h2 id="cal-title">{t('cal.title')}</h2>
      {!available.data && (
        <p class="muted" data-testid="calendar-placeholder">
          {t('cal.placeholder')}
        </p>
      )}
      {available.data && !url && (
        <button
          type="button"
          onClick={async () => {
            try {
              setUrl(calendarFeedUrl((await createApiToken('calendar')).token));
            } catch (err) {
              setError(err);
            }
          }}
        >
          {t('cal.create')}
        </button>
      )}
      {url && (
        <label>
          {t('cal.link')}
          <input readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
        </label>
      )}
      {error !== null && <ErrorBox error={error} />}
    </aside>
  );
}
