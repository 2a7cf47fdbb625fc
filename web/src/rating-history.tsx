// An organization's rating over time (GET /organizations/{code}/ratings): its colour now with the reasons, a strip
// of its colour per month, and each change with the reasons the rule set gave. A component any page can mount
// (<RatingHistory code="…" />): the ratings page opens it under a list's row.
import { getRatingHistory, type RatingColor } from './api.js';
import { ColumnHeads, ErrorBox, Loading, useLoad } from './components.js';
import { t, tx } from './i18n/index.js';

export const colorName = (c: RatingColor) => t(`rating.${c}`);
export const reasonsText = (reasons: readonly string[]) => reasons.map((r) => tx(`opt.reasons.${r}`, r)).join('、');

/** A colour as a word on its colour (never colour alone). */
export function RatingBadge({ color }: { color: RatingColor }) {
  return <span class={`badge rating-${color}`}>{colorName(color)}</span>;
}

export function RatingHistory({ code }: { code: string }) {
  const [h] = useLoad(() => getRatingHistory(code), [code]);
  if (h.state === 'loading') return <Loading />;
  if (h.state === 'error') return <ErrorBox error={h.error} />;
  const d = h.data;
  const headingId = `rating-history-${code}`;
  return (
    <section class="rating-history" aria-labelledby={headingId} data-testid="rating-history">
      <h3 id={headingId}>{t('rating.history.title', { name: d.name })}</h3>
      {d.current ? (
        <p>
          {t('rating.history.now')}
          <RatingBadge color={d.current.color} /> {reasonsText(d.current.reasons)}
        </p>
      ) : (
        <p class="muted">{t('rating.history.empty')}</p>
      )}
      {d.periods.length > 0 && (
        <>
          <h4>{t('rating.history.periods')}</h4>
          <ol class="rating-strip">
            {[...d.periods].reverse().map((p) => (
              <li key={p.period} class={`rating-${p.color}`}>
                {p.period} {colorName(p.color)}
              </li>
            ))}
          </ol>
        </>
      )}
      {d.changes.length > 0 && (
        <table>
          <caption>{t('rating.history.changes')}</caption>
          <ColumnHeads cols={[t('rating.history.at'), t('rating.history.color'), t('rating.history.previous'), t('rating.col.reasons')]} />
          <tbody>
            {d.changes.map((c, i) => (
              <tr key={i}>
                <td>{c.at}</td>
                <td>
                  <RatingBadge color={c.color} />
                </td>
                <td>{c.previous ? colorName(c.previous) : '—'}</td>
                <td>{reasonsText(c.reasons) || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
