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
          <PasswordInput id="current-password" autoComplete="current-password" value={current} invalid={!!errors.current} onInput={setCurrent} />
        </Field>
        <Field id="new-password" label={t('password.new')} required error={errors.next}>
          <PasswordInput id="new-password" autoComplete="new-password" value={next} invalid={!!errors.next} onInput={setNext} minLength={MIN} />
        </Field>
        <Field id="repeat-password" label={t('password.repeat')} required error={errors.repeat}>
          <PasswordInput id="repeat-password" autoComplete="new-password" value={repeat} invalid={!!errors.repeat} onInput={setRepeat} />
        </Field>
        <button class="primary" type="submit" disabled={busy}>
          {t('password.submit')}
        </button>
        <FormOutcome error={errors.form} ok={done ? t('password.done') : null} />
      </form>
    </section>
  );
}

/** A required password field whose error, when it has one, is the Field's `<id>-error`. */
function PasswordInput(p: {
  id: string;
  autoComplete: 'current-password' | 'new-password';
  value: string;
  invalid: boolean;
  onInput: (v: string) => void;
  minLength?: number;
}) {
  return (
    <input
      id={p.id}
      type="password"
      autoComplete={p.autoComplete}
      required
      minLength={p.minLength}
      value={p.value}
      aria-invalid={p.invalid ? true : undefined}
      aria-describedby={p.invalid ? `${p.id}-error` : undefined}
      onInput={(e) => p.onInput(e.currentTarget.value)}
    />
  );
}
