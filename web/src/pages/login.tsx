import { useState } from 'preact/hooks';
import { ApiError, login, session } from '../api.js';
import { refreshMe } from '../auth.js';
import { Field, errorText } from '../components.js';
import { t } from '../i18n/index.js';
import { lockedText } from './password.js';

export function LoginPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { token } = await login(username.trim(), password);
      session.set(token);
      await refreshMe();
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) setError(lockedText(err));
      else setError(err instanceof ApiError && (err.status === 401 || err.status === 400) ? t('login.failed') : errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card narrow">
      <h1>{t('login.title')}</h1>
      <form onSubmit={submit} noValidate>
        <Field id="username" label={t('login.username')} required>
          <input id="username" name="username" autoComplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </Field>
        <Field id="password" label={t('login.password')} required>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        {error && (
          <p class="notice error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button class="primary" type="submit" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
      <p class="hint">{t('login.hint')}</p>
    </section>
  );
}
