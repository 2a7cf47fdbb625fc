// 组织关系转接 on the pages of the register: the sending side issues a transfer from a member's page (to an
// organization of the province, or by letter to outside it), the receiving side records a member who came with a letter
// from outside, and both read the register's transfers. The receiving (or, out of the province, the sending)
// secretary's step is a task like any other, done on its task page (the step catalog's form).
import { useState } from 'preact/hooks';
import { ApiError, issueTransfer, listTransfers, recordIncoming, type MemberTransfer, type TransferStarted } from '../api.js';
import { genders, idNumberBirthDate, idNumberProblem, isMobile, memberCategories, memberCategoryWords, genderWords } from '../../../src/domain/members.js';
import { ErrorBox, Field, FormOutcome, Loading, errorText, useLoad } from '../components.js';
import { fmtDate, lang, t } from '../i18n/index.js';
import { PickerField } from '../picker.js';
import { shanghaiToday } from '../dates.js';

type Errors = Record<string, string>;

/** The API's field refusals (`body.x.y`) as the form's errors, keyed by the path after `body.`. */
function fieldErrors(err: unknown): Errors | null {
  if (!(err instanceof ApiError)) return null;
  const found: Errors = {};
  for (const d of err.details) if (d.field?.startsWith('body.')) found[d.field.slice(5)] = d.message;
  return Object.keys(found).length ? found : null;
}

/** 转出: the sending side issues the transfer of a member on its register. */
export function TransferForm({ memberId, onDone }: { memberId: number; onDone: () => void }) {
  const [where, setWhere] = useState<'within' | 'out'>('within');
  const [to, setTo] = useState('');
  const [outside, setOutside] = useState('');
  const [letterNumber, setLetterNumber] = useState('');
  const [validUntil, setValidUntil] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [outcome, setOutcome] = useState<{ ok?: string; error?: string }>({});
  const today = shanghaiToday();
  const submit = async (e: Event) => {
    e.preventDefault();
    setOutcome({});
    const found: Errors = {};
    if (where === 'within' && !to.trim()) found.to = t('v.required');
    if (where === 'out' && !outside.trim()) found.outside = t('v.required');
    if (validUntil && validUntil < today) found.validUntil = t('xfer.pastValidity');
    setErrors(found);
    if (Object.keys(found).length) return document.getElementById(`xf-${Object.keys(found)[0]}`)?.focus();
    try {
      const letter = { letterNumber: letterNumber.trim() || undefined, validUntil: validUntil || undefined, reason: reason.trim() || undefined };
      const r: TransferStarted = await issueTransfer(memberId, where === 'within' ? { ...letter, to: to.trim() } : { ...letter, outside: outside.trim() });
      setOutcome({ ok: t('xfer.issued', { until: fmtDate(r.validUntil) }) });
      onDone();
    } catch (err) {
      const byField = fieldErrors(err);
      if (byField) setErrors(byField);
      else if (err instanceof ApiError && err.status === 409) setOutcome({ error: t('xfer.underWay') });
      else setOutcome({ error: errorText(err) });
    }
  };
  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="xf-title" data-testid="transfer-form">
      <h2 id="xf-title">{t('xfer.title')}</h2>
      <Field id="xf-where" label={t('xfer.where')} required>
        <select id="xf-where" value={where} onChange={(e) => setWhere(e.currentTarget.value as 'within' | 'out')}>
          <option value="within">{t('xfer.within')}</option>
          <option value="out">{t('xfer.out')}</option>
        </select>
      </Field>
      {where === 'within' ? (
        <PickerField kind="organization" id="xf-to" fieldLabel={t('xfer.to')} hint={t('xfer.toHint')} value={to} onChange={setTo} error={errors.to} required />
      ) : (
        <Field id="xf-outside" label={t('xfer.outside')} required error={errors.outside}>
          <input
            id="xf-outside"
            type="text"
            maxLength={200}
            value={outside}
            aria-invalid={errors.outside ? 'true' : undefined}
            onInput={(e) => setOutside(e.currentTarget.value)}
          />
        </Field>
      )}
      <Field id="xf-letterNumber" label={t('xfer.letterNumber')} error={errors.letterNumber}>
        <input id="xf-letterNumber" type="text" maxLength={64} value={letterNumber} onInput={(e) => setLetterNumber(e.currentTarget.value)} />
      </Field>
      <Field id="xf-validUntil" label={t('xfer.validUntil')} error={errors.validUntil} hint={t('xfer.validHint')}>
        <input
          id="xf-validUntil"
          type="date"
          min={today}
          value={validUntil}
          aria-describedby="xf-validUntil-hint"
          onInput={(e) => setValidUntil(e.currentTarget.value)}
        />
      </Field>
      <Field id="xf-reason" label={t('xfer.reason')} error={errors.reason}>
        <input id="xf-reason" type="text" maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </Field>
      <button type="submit" class="primary">
        {t('xfer.submit')}
      </button>
      <FormOutcome ok={outcome.ok} error={outcome.error} />
    </form>
  );
}

/** 转入: a member who came with a letter from outside the province, recorded by the receiving side. */
export function IncomingForm({ code, onDone }: { code: string; onDone: () => void }) {
  const empty = { outside: '', letterNumber: '', name: '', gender: '', idNumber: '', joinedOn: '', fullOn: '', category: '', phone: '' };
  const [v, setV] = useState(empty);
  const [errors, setErrors] = useState<Errors>({});
  const [outcome, setOutcome] = useState<{ ok?: string; error?: string }>({});
  const today = shanghaiToday();
  const set = (k: keyof typeof empty) => (e: { currentTarget: { value: string } }) => setV({ ...v, [k]: e.currentTarget.value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setOutcome({});
    const found: Errors = {};
    for (const k of ['outside', 'name', 'gender', 'idNumber', 'joinedOn', 'category'] as const)
      if (!v[k].trim()) found[k === 'outside' ? k : `member.${k}`] = t('v.required');
    const idProblem = v.idNumber.trim() ? idNumberProblem(v.idNumber) : null;
    if (idProblem) found['member.idNumber'] = t('xfer.badId');
    if (v.joinedOn && v.joinedOn > today) found['member.joinedOn'] = t('xfer.future');
    if (v.category === 'full' && !v.fullOn) found['member.fullOn'] = t('xfer.fullOn');
    if (v.phone.trim() && !isMobile(v.phone.trim())) found['member.phone'] = t('xfer.mobile');
    setErrors(found);
    if (Object.keys(found).length) return document.getElementById(`xi-${Object.keys(found)[0]!.replace('member.', '')}`)?.focus();
    try {
      const r = await recordIncoming({
        to: code,
        outside: v.outside.trim(),
        letterNumber: v.letterNumber.trim() || undefined,
        member: {
          name: v.name.trim(),
          gender: v.gender as 'male' | 'female',
          idNumber: v.idNumber.trim(),
          joinedOn: v.joinedOn,
          fullOn: v.fullOn || undefined,
          category: v.category as (typeof memberCategories)[number],
          phone: v.phone.trim() || undefined,
        },
      });
      setOutcome({ ok: t('xfer.incomingDone', { name: v.name.trim(), until: fmtDate(r.validUntil) }) });
      setV(empty);
      onDone();
    } catch (err) {
      const byField = fieldErrors(err);
      if (byField) setErrors(byField);
      else if (err instanceof ApiError && err.status === 409) setOutcome({ error: t('xfer.known') });
      else setOutcome({ error: errorText(err) });
    }
  };
  const birth = !idNumberProblem(v.idNumber) ? idNumberBirthDate(v.idNumber.trim().toUpperCase()) : null;
  const text = (k: 'outside' | 'letterNumber' | 'name' | 'idNumber' | 'phone', label: string, max: number, required = false) => {
    const key = k === 'outside' || k === 'letterNumber' ? k : `member.${k}`;
    return (
      <Field id={`xi-${k}`} label={label} required={required} error={errors[key]}>
        <input
          id={`xi-${k}`}
          type="text"
          inputMode={k === 'phone' ? 'tel' : undefined}
          maxLength={max}
          value={v[k]}
          aria-invalid={errors[key] ? 'true' : undefined}
          onInput={set(k)}
        />
      </Field>
    );
  };
  const date = (k: 'joinedOn' | 'fullOn', label: string, required = false) => (
    <Field id={`xi-${k}`} label={label} required={required} error={errors[`member.${k}`]}>
      <input id={`xi-${k}`} type="date" max={today} value={v[k]} aria-invalid={errors[`member.${k}`] ? 'true' : undefined} onInput={set(k)} />
    </Field>
  );
  return (
    // Folded until opened: most days a register receives nobody from outside, and the form is long.
    <details class="card" data-testid="incoming">
      <summary>{t('xfer.incomingTitle')}</summary>
      <form onSubmit={submit} noValidate aria-label={t('xfer.incomingTitle')} data-testid="incoming-form">
        <p class="hint">{t('xfer.incomingHint')}</p>
        {text('outside', t('xfer.from'), 200, true)}
        {text('letterNumber', t('xfer.letterNumber'), 64)}
        {text('name', t('xfer.name'), 64, true)}
        <Field id="xi-gender" label={t('xfer.gender')} required error={errors['member.gender']}>
          <select id="xi-gender" value={v.gender} onChange={set('gender')}>
            <option value="">—</option>
            {genders.map((g) => (
              <option key={g} value={g}>
                {genderWords[g][lang.value]}
              </option>
            ))}
          </select>
        </Field>
        {text('idNumber', t('xfer.idNumber'), 18, true)}
        {birth && <p class="hint">{t('xfer.birth', { date: fmtDate(birth) })}</p>}
        <Field id="xi-category" label={t('xfer.category')} required error={errors['member.category']}>
          <select id="xi-category" value={v.category} onChange={set('category')}>
            <option value="">—</option>
            {memberCategories.map((c) => (
              <option key={c} value={c}>
                {memberCategoryWords[c][lang.value]}
              </option>
            ))}
          </select>
        </Field>
        {date('joinedOn', t('xfer.joinedOn'), true)}
        {v.category === 'full' && date('fullOn', t('xfer.fullOnField'), true)}
        {text('phone', t('xfer.phone'), 11)}
        <button type="submit" class="primary">
          {t('xfer.incomingSubmit')}
        </button>
        <FormOutcome ok={outcome.ok} error={outcome.error} />
      </form>
    </details>
  );
}

const stateKey = {
  issued: 'xfer.state.issued',
  completed: 'xfer.state.completed',
  refused: 'xfer.state.refused',
  returned: 'xfer.state.returned',
  cancelled: 'xfer.state.cancelled',
} as const;
const directionKey = { within: 'xfer.dir.within', out: 'xfer.dir.out', in: 'xfer.dir.in' } as const;

/** The register's transfers both ways, newest first: who, from where to where, the letter, its days and its state. */
export function TransfersList({ code, version }: { code: string; version: number }) {
  const [list, reload] = useLoad(() => listTransfers(code), [code, version]);
  if (list.state === 'loading') return <Loading />;
  if (list.state === 'error') return <ErrorBox error={list.error} retry={reload} />;
  const items: MemberTransfer[] = list.data.items;
  return (
    <div class="card" data-testid="transfers">
      <h2>{t('xfer.listTitle')}</h2>
      {items.length === 0 ? (
        <p class="muted">{t('xfer.none')}</p>
      ) : (
        <div class="table-scroll register-wrap">
          <table class="register">
            <thead>
              <tr>
                <th>{t('xfer.member')}</th>
                <th>{t('xfer.direction')}</th>
                <th>{t('xfer.fromTo')}</th>
                <th>{t('xfer.letterNumber')}</th>
                <th>{t('xfer.validUntil')}</th>
                <th>{t('xfer.state')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((x) => (
                <tr key={x.id}>
                  <td data-label={t('xfer.member')}>{x.memberId ? <a href={`/members/${x.memberId}`}>{x.member}</a> : x.member}</td>
                  <td data-label={t('xfer.direction')}>{t(directionKey[x.direction])}</td>
                  <td data-label={t('xfer.fromTo')}>
                    {x.from ?? '—'} → {x.to ?? '—'}
                  </td>
                  <td data-label={t('xfer.letterNumber')}>{x.letterNumber ?? '—'}</td>
                  <td data-label={t('xfer.validUntil')}>{fmtDate(x.validUntil)}</td>
                  <td data-label={t('xfer.state')}>
                    {t(stateKey[x.state])}
                    {x.reportedOn ? ` · ${fmtDate(x.reportedOn)}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
