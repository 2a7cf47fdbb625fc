import { useState } from 'preact/hooks';
import { ApiError, changePassword, session, type FieldError, type Me } from '../api.js';
import { Field, FormOutcome, errorText } from '../components.js';
import { t, tx } from '../i18n/index.js';

/** The password policy's minimum (src/auth/password-policy.ts); the server checks the rest and says why. */
const MIN = 12;

/** Seconds of a 429's Retry-After, as the API's body carries them (src/api/routes/auth.ts). */
export function lockedText(err: ApiError): string {
  const seconds = (err.raw as { error?: { details?: { retryAfter?: number } } } | undefined)?.error?.details?.retryAfter;
  return seconds ? t('password.locked', { seconds }) : err.message;
}

/** A refusal of the password route in words, by its reason; the server's message when the UI has none. */
const reasonText = (d: FieldError) => tx(`password.reason.${d.reason ?? ''}`, d.message, { min: MIN });

export function PasswordPage({ user }: { user: Me }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<{ current?: string; next?: string; repeat?: string; form?: string }>({});
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(false);
    if (next !== repeat) return setErrors({ repeat: t('password.mismatch') });
    setBusy(true);
    setErrors({});
    try {
      const { token } = await changePassword(current, next);
      // Every earlier session ended with the change, this browser's too: it goes on with the new one.
      session.set(token);
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) {
        const by = (field: string) => err.details.find((d) => d.field === field);
        const cur = by('body.currentPassword');
        const nw = by('body.newPassword');
        setErrors({ current: cur && reasonText(cur), next: nw && reasonText(nw) });
      } else if (err instanceof ApiError && err.status === 429) {
        setErrors({ form: lockedText(err) });
      } else {
        setErrors({ form: errorText(err) });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card narrow">
      <h1>{t('password.title')}</h1>
      <p class="hint">{t('password.intro', { min: MIN })}</p>
      <form onSubmit={submit} noValidate data-testid="password-form">
        {/* For password managers: whose password this is. */}
        <input type="text" name="username" autoComplete="username" value={user.username} hidden readOnly />
        <Field id="current-password" label={t('password.current')} required error={errors.current}>
          <input
            id="current-password"
            type="password"
            autoComplete="current-password"
            required
            value={current}
            aria-invalid={errors.current ? true : undefined}
            aria-describedby={errors.current ? 'current-password-error' : undefined}
            onInput={(e) => setCurrent(e.currentTarget.value)}
          />
        </Field>
        <Field id="new-password" label={t('password.new')} required error={errors.next}>
          <input
            id="new-password"
            type="password"
            autoComplete="new-password"
            required
            minLength={MIN}
            value={next}
            aria-invalid={errors.next ? true : undefined}
            aria-describedby={errors.next ? 'new-password-error' : undefined}
            onInput={(e) => setNext(e.currentTarget.value)}
          />
        </Field>
        <Field id="repeat-password" label={t('password.repeat')} required error={errors.repeat}>
          <input
            id="repeat-password"
            type="password"
            autoComplete="new-password"
            required
            value={repeat}
            aria-invalid={errors.repeat ? true : undefined}
            aria-describedby={errors.repeat ? 'repeat-password-error' : undefined}
            onInput={(e) => setRepeat(e.currentTarget.value)}
          />
        </Field>
        <button class="primary" type="submit" disabled={busy}>
          {t('password.submit')}
        </button>
        <FormOutcome error={errors.form} ok={done ? t('password.done') : null} />
      </form>
    </section>
  );
}
