// Substitutes while away (POST/GET /substitutions): name who stands in for you — or, as an
// organizer, for someone below you — over a date range, and end it early. The rules are the API's
// (src/api/routes/substitutes.ts); a refusal is said next to the field it names.
import { useState } from 'preact/hooks';
import { ApiError, listSubstitutions, nameSubstitute, revokeSubstitution, type Me } from '../api.js';
import { organizingRoles } from '../../../src/domain/roles.js';
import { PickerField } from '../picker.js';
import { ErrorBox, Field, FormOutcome, Loading, errorText, useLoad } from '../components.js';
import { hasRole } from '../auth.js';
import { fmtDate, t } from '../i18n/index.js';

type Errors = Partial<Record<'user' | 'substitute' | 'startsOn' | 'endsOn' | 'reason' | 'form', string>>;

export function AwayPage({ user }: { user: Me }) {
  const [list, reload] = useLoad(() => listSubstitutions(), []);
  const [form, setForm] = useState({ user: '', substitute: '', startsOn: '', endsOn: '', reason: '' });
  const [errors, setErrors] = useState<Errors>({});
  const [notice, setNotice] = useState<string | null>(null);
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });
  const organizer = hasRole(user, ...organizingRoles);
  const submit = async (e: Event) => {
    e.preventDefault();
    setNotice(null);
    const missing: Errors = {};
    for (const k of ['substitute', 'startsOn', 'endsOn'] as const) if (!form[k].trim()) missing[k] = t('v.required');
    setErrors(missing);
    if (Object.keys(missing).length) return;
    try {
      const s = await nameSubstitute({
        ...(form.user.trim() ? { user: form.user.trim() } : {}),
        substitute: form.substitute.trim(),
        startsOn: form.startsOn,
        endsOn: form.endsOn,
        ...(form.reason.trim() ? { reason: form.reason.trim() } : {}),
      });
      setNotice(t('away.named', { sub: s.substitute, user: s.user, from: fmtDate(s.startsOn), to: fmtDate(s.endsOn) }));
      setForm({ user: '', substitute: '', startsOn: '', endsOn: '', reason: '' });
      reload();
    } catch (err) {
      const next: Errors = {};
      if (err instanceof ApiError) for (const d of err.details) if (d.field?.startsWith('body.')) next[d.field.slice(5) as keyof Errors] = d.message;
      if (!Object.keys(next).length) next.form = errorText(err);
      setErrors(next);
    }
  };
  const err = (k: keyof Errors) => (errors[k] ? { 'aria-invalid': 'true' as const, 'aria-describedby': `away-${k}-error` } : {});
  return (
    <section>
      <h1>{t('away.title')}</h1>
      <p class="hint">{t('away.intro')}</p>
      <form class="card" onSubmit={submit} noValidate aria-label={t('away.submit')} data-testid="away-form">
        {organizer && <PickerField kind="person" id="away-user" fieldLabel={t('away.user')} value={form.user} onChange={set('user')} error={errors.user} />}
        <PickerField
          kind="person"
          id="away-substitute"
          fieldLabel={t('away.substitute')}
          value={form.substitute}
          onChange={set('substitute')}
          error={errors.substitute}
          required
        />
        <Field id="away-startsOn" label={t('away.startsOn')} required error={errors.startsOn}>
          <input id="away-startsOn" type="date" value={form.startsOn} {...err('startsOn')} onInput={(e) => set('startsOn')(e.currentTarget.value)} />
        </Field>
        <Field id="away-endsOn" label={t('away.endsOn')} required error={errors.endsOn}>
          <input id="away-endsOn" type="date" value={form.endsOn} {...err('endsOn')} onInput={(e) => set('endsOn')(e.currentTarget.value)} />
        </Field>
        <Field id="away-reason" label={t('away.reason')} error={errors.reason}>
          <input id="away-reason" value={form.reason} maxLength={500} {...err('reason')} onInput={(e) => set('reason')(e.currentTarget.value)} />
        </Field>
        <button type="submit">{t('away.submit')}</button>
        <FormOutcome error={errors.form} ok={notice} />
      </form>
      <section aria-labelledby="away-list" class="card">
        <h2 id="away-list">{t('away.list')}</h2>
        {list.state === 'loading' && <Loading />}
        {list.state === 'error' && <ErrorBox error={list.error} retry={reload} />}
        {list.state === 'ok' && list.data.items.length === 0 && <p class="muted">{t('away.empty')}</p>}
        {list.state === 'ok' && list.data.items.length > 0 && (
          <ul class="plain" data-testid="away-list">
            {list.data.items.map((s) => (
              <li key={s.id}>
                {t('away.row', { sub: s.substitute, user: s.user, from: fmtDate(s.startsOn), to: fmtDate(s.endsOn) })}
                {s.active && <span class="badge state-claimed"> {t('away.active')}</span>}
                {s.revokedBy && <span class="muted"> {t('away.revoked', { who: s.revokedBy })}</span>}
                {!s.revokedAt && (s.user === user.username || organizer) && (
                  <button
                    type="button"
                    onClick={async () => {
                      try {
                        await revokeSubstitution(s.id);
                        reload();
                      } catch (e) {
                        setErrors({ form: errorText(e) });
                      }
                    }}
                  >
                    {t('away.revoke')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}
