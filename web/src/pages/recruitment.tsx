// 发展党员 on the web: the applicants of the caller's organizations with what each case waits for (its step in the
// catalog's words, the due day, overdue and escalated), the branch's record of a written application (refusals beside
// their fields), the link of an applicant to the user they sign in as; and an applicant's own case. Every step after the
// application is a task, done on the generic task page (task.tsx) from the step catalog's form.
import { useEffect, useState } from 'preact/hooks';
import {
  ApiError,
  getMyApplication,
  getOrganization,
  linkApplicantUser,
  listApplicants,
  recordApplication,
  type Applicant,
  type ApplicationCase,
  type Me,
} from '../api.js';
import { genders, genderWords, idNumberBirthDate, idNumberProblem, isMobile } from '../../../src/domain/members.js';
import { recruitmentStages, recruitmentStageWords, type RecruitmentStage } from '../../../src/domain/recruitment/rules.js';
import { organizingRoles, type Role } from '../../../src/domain/roles.js';
import { stepDef } from '../../../src/domain/steps.js';
import { orgsWith } from '../auth.js';
import { ColumnHeads, ErrorBox, Field, FormOutcome, Loading, OverdueBadge, errorText, stepName, useLoad } from '../components.js';
import { shanghaiToday } from '../dates.js';
import { fmtDate, fmtDateTime, lang, lookup, t } from '../i18n/index.js';
import { PickerField } from '../picker.js';
import { navigate, route } from '../router.js';
import { signal, useSignal } from '../signal.js';
import { historyWords, type Lookup } from '../words.js';
import './members.css';
import './recruitment.css';

/** Who records applications and follows the cases: the branches' secretaries and the organizers above them (the API's). */
export const recruitmentRoles: readonly Role[] = ['secretary', ...organizingRoles];
const PROCESS = 'recruitment';
const stageWord = (s: RecruitmentStage) => recruitmentStageWords[s][lang.value];
const genderWord = (g: string) => genderWords[g as keyof typeof genderWords]?.[lang.value] ?? g;
/** A case is over once the applicant is full or the case ended: nothing waits, nothing is overdue. */
const open = (a: Pick<Applicant, 'stage'>) => a.stage !== 'full' && a.stage !== 'ended';

/**
 * Whether the signed-in user has an application of their own (GET /me/application answers 200): the nav shows
 * 我的入党申请 only then — an applicant expects it, the officials who use this system daily would find it empty.
 * The page itself answers everyone, with a word on how an application comes about.
 */
export const hasApplication = signal(false);
export async function refreshHasApplication(user: Me | null | undefined): Promise<void> {
  if (!user || user.onlyTask !== null) return hasApplication.set(false);
  try {
    await getMyApplication();
    hasApplication.set(true);
  } catch {
    hasApplication.set(false);
  }
}

/** 发展党员: pick one of the caller's organizations (or another in their subtree), then its applicants. */
export function RecruitmentPage({ user }: { user: Me }) {
  const url = useSignal(route);
  const own = orgsWith(user, ...recruitmentRoles).filter((c): c is string => !!c);
  const code = url.searchParams.get('org') ?? own[0] ?? '';
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const pick = (e: Event) => {
    e.preventDefault();
    if (!draft.trim()) return setError(t('v.required'));
    setError(null);
    navigate(`/recruitment?org=${encodeURIComponent(draft.trim())}`);
  };
  return (
    <section>
      <h1>{t('rec.title')}</h1>
      <p class="hint">{t('rec.intro')}</p>
      {own.length > 1 && (
        <nav class="card" aria-labelledby="rec-yours">
          <h2 id="rec-yours">{t('rec.yours')}</h2>
          <ul class="inline-list">
            {own.map((c) => (
              <li key={c}>
                <OwnOrg code={c} current={c === code} />
              </li>
            ))}
          </ul>
        </nav>
      )}
      <form class="card rec-pick" onSubmit={pick} noValidate role="search" aria-label={t('rec.open')}>
        <PickerField kind="organization" id="rec-org" fieldLabel={t('rec.pickOrg')} value={draft} onChange={setDraft} error={error} />
        <button type="submit">{t('rec.open')}</button>
      </form>
      {code && <Applicants key={code} code={code} />}
    </section>
  );
}

function OwnOrg({ code, current }: { code: string; current: boolean }) {
  const [org] = useLoad(() => getOrganization(code), [code]);
  return (
    <a href={`/recruitment?org=${encodeURIComponent(code)}`} aria-current={current ? 'page' : undefined}>
      {org.state === 'ok' ? org.data.name : code}
    </a>
  );
}

/** One organization's applicants (its subtree's), filtered by stage; the record and link forms below. */
function Applicants({ code }: { code: string }) {
  const [org] = useLoad(() => getOrganization(code), [code]);
  const [stage, setStage] = useState<RecruitmentStage | ''>('');
  const [list, reload] = useLoad(() => listApplicants(code, stage || undefined), [code, stage]);
  const isBranch = org.state === 'ok' && org.data.type === 'branch';
  const items = list.state === 'ok' ? list.data.items : [];
  // After an application is recorded its case opens the talk a moment later (the workflow's first step): the page
  // asks again for a few seconds, so that the list shows what the new case waits for rather than nothing.
  const changed = async () => {
    reload();
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 800));
      const now = await listApplicants(code, stage || undefined).catch(() => null);
      if (now && !now.items.some((a) => open(a) && !a.waitingFor)) break;
    }
    reload();
  };
  return (
    <>
      <div class="card" data-testid="applicants">
        <h2>{t('rec.ofOrg', { name: org.state === 'ok' ? org.data.name : code })}</h2>
        <div class="rec-filter">
          <Field id="rec-stage" label={t('rec.stageFilter')}>
            <select id="rec-stage" value={stage} onChange={(e) => setStage(e.currentTarget.value as RecruitmentStage | '')}>
              <option value="">{t('rec.allStages')}</option>
              {recruitmentStages.map((s) => (
                <option key={s} value={s}>
                  {stageWord(s)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        {list.state === 'loading' && <Loading />}
        {list.state === 'error' && <ErrorBox error={list.error} retry={reload} />}
        {list.state === 'ok' && items.length === 0 && <p class="muted">{stage ? t('rec.emptyStage') : t('rec.empty')}</p>}
        {items.length > 0 && <ApplicantTable items={items} showBranch={!isBranch} />}
      </div>
      <div class="grid">
        {org.state === 'ok' && <RecordForm code={code} isBranch={isBranch} startOpen={list.state === 'ok' && items.length === 0 && !stage} onDone={changed} />}
        {items.some(open) && <LinkForm items={items.filter(open)} onDone={changed} />}
      </div>
    </>
  );
}

/** What a case waits for: the step in the catalog's words (a link to its task), the due day, overdue and escalated. */
function Waiting({ w, link = true }: { w: Applicant['waitingFor']; link?: boolean }) {
  if (!w) return <span class="muted">{t('rec.nothingWaiting')}</span>;
  const overdue = new Date(w.dueAt).getTime() < Date.now();
  return (
    <span class="rec-waiting">
      {link ? <a href={`/tasks/${w.taskId}`}>{stepName(PROCESS, w.step)}</a> : stepName(PROCESS, w.step)}{' '}
      <span class="muted small">{t('rec.due', { date: fmtDate(w.dueAt) })}</span>
      {overdue && <OverdueBadge />}
      {w.escalationLevel > 0 && <span class="badge escalated">{t('tasks.escalation', { n: w.escalationLevel })}</span>}
    </span>
  );
}

function ApplicantTable({ items, showBranch }: { items: Applicant[]; showBranch: boolean }) {
  return (
    <div class="table-scroll register-wrap">
      <table class="register" data-testid="applicant-list">
        <caption>{t('rec.caption', { n: items.length })}</caption>
        <ColumnHeads cols={[t('rec.name'), showBranch && t('rec.branch'), t('rec.stage'), t('rec.waiting'), t('rec.user')]} />
        <tbody>
          {items.map((a) => (
            <tr key={a.id} data-applicant={a.id}>
              <td class="name-cell" data-label={t('rec.name')}>
                <span>
                  {a.name}
                  <span class="muted small pii"> {a.idNumber}</span>
                </span>
              </td>
              {showBranch && (
                <td data-label={t('rec.branch')}>
                  <span>{a.organizationName}</span>
                </td>
              )}
              <td data-label={t('rec.stage')}>
                <span>
                  <span class={`rec-stage stage-${a.stage}`}>{stageWord(a.stage)}</span>{' '}
                  <span class="muted small nowrap">{t('rec.since', { date: fmtDate(a.stageSince) })}</span>
                </span>
              </td>
              <td data-label={t('rec.waiting')}>
                <span>
                  <Waiting w={a.waitingFor} />
                </span>
              </td>
              <td data-label={t('rec.user')}>
                <span>{a.linkedUser ?? <span class="muted">{t('rec.notLinked')}</span>}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type Errors = Partial<Record<'branch' | 'name' | 'gender' | 'idNumber' | 'phone' | 'appliedOn', string>>;

/** The API's refusals (English, by field) in the page's words; a message it does not know passes through. */
function refusalWords(message: string): string {
  if (/18 or older/.test(message)) return t('rec.tooYoung');
  if (/on the register/.test(message)) return t('rec.onRegister');
  if (/under way/.test(message)) return t('rec.underWay');
  if (/future/.test(message)) return t('rec.future');
  if (/mobile/.test(message)) return t('rec.mobile');
  if (/身份证号/.test(message)) return t('rec.badId');
  return message;
}

/** 登记入党申请: at the branch shown, or (from a committee) at a branch picked below it. */
function RecordForm({ code, isBranch, startOpen, onDone }: { code: string; isBranch: boolean; startOpen: boolean; onDone: () => void }) {
  const today = shanghaiToday();
  const empty = { branch: '', name: '', gender: '', idNumber: '', phone: '', appliedOn: today };
  const [v, setV] = useState(empty);
  const [errors, setErrors] = useState<Errors>({});
  const [outcome, setOutcome] = useState<{ ok?: string; error?: string }>({});
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof empty) => (e: { currentTarget: { value: string } }) => setV({ ...v, [k]: e.currentTarget.value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setOutcome({});
    const found: Errors = {};
    if (!isBranch && !v.branch.trim()) found.branch = t('v.required');
    if (!v.name.trim()) found.name = t('v.required');
    if (!v.gender) found.gender = t('v.required');
    if (!v.idNumber.trim()) found.idNumber = t('v.required');
    else if (idNumberProblem(v.idNumber)) found.idNumber = t('rec.badId');
    if (v.phone.trim() && !isMobile(v.phone.trim())) found.phone = t('rec.mobile');
    if (v.appliedOn && v.appliedOn > today) found.appliedOn = t('rec.future');
    setErrors(found);
    const first = Object.keys(found)[0];
    if (first) return document.getElementById(`ap-${first}`)?.focus();
    setBusy(true);
    try {
      await recordApplication(isBranch ? code : v.branch.trim(), {
        name: v.name.trim(),
        gender: v.gender as 'male' | 'female',
        idNumber: v.idNumber.trim(),
        phone: v.phone.trim() || undefined,
        appliedOn: v.appliedOn || undefined,
      });
      setOutcome({ ok: t('rec.recorded', { name: v.name.trim() }) });
      setV(empty);
      onDone();
    } catch (err) {
      const byField: Errors = {};
      if (err instanceof ApiError)
        for (const d of err.details) {
          const f = d.field?.replace(/^body\./, '') as keyof Errors | undefined;
          if (f && f in empty) byField[f] = refusalWords(d.message);
        }
      if (Object.keys(byField).length) {
        setErrors(byField);
        document.getElementById(`ap-${Object.keys(byField)[0]}`)?.focus();
      } else setOutcome({ error: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  const invalid = (k: keyof Errors) => (errors[k] ? { 'aria-invalid': 'true' as const, 'aria-describedby': `ap-${k}-error` } : {});
  // Opened by itself when there is nobody yet (the first thing to do), never closed by itself.
  const [expanded, setExpanded] = useState(startOpen);
  useEffect(() => {
    if (startOpen) setExpanded(true);
  }, [startOpen]);
  const birth = v.idNumber.trim() && !idNumberProblem(v.idNumber) ? idNumberBirthDate(v.idNumber.trim().toUpperCase()) : null;
  return (
    <details class="card" open={expanded} onToggle={(e) => setExpanded(e.currentTarget.open)} data-testid="record-application">
      <summary>{t('rec.recordTitle')}</summary>
      <form onSubmit={submit} noValidate aria-label={t('rec.recordTitle')}>
        <p class="hint">{t('rec.recordHint')}</p>
        {!isBranch && (
          <PickerField
            kind="organization"
            type="branch"
            id="ap-branch"
            fieldLabel={t('rec.recordBranch')}
            value={v.branch}
            onChange={(branch) => setV({ ...v, branch })}
            error={errors.branch}
            required
          />
        )}
        <Field id="ap-name" label={t('rec.name')} required error={errors.name}>
          <input id="ap-name" type="text" maxLength={64} autoComplete="off" value={v.name} {...invalid('name')} onInput={set('name')} />
        </Field>
        <Field id="ap-gender" label={t('rec.gender')} required error={errors.gender}>
          <select id="ap-gender" value={v.gender} {...invalid('gender')} onChange={set('gender')}>
            <option value="">—</option>
            {genders.map((g) => (
              <option key={g} value={g}>
                {genderWord(g)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="ap-idNumber" label={t('rec.idNumber')} required error={errors.idNumber}>
          <input id="ap-idNumber" type="text" maxLength={18} autoComplete="off" value={v.idNumber} {...invalid('idNumber')} onInput={set('idNumber')} />
        </Field>
        {birth && <p class="hint">{t('rec.birth', { date: fmtDate(birth) })}</p>}
        <Field id="ap-phone" label={t('rec.phone')} error={errors.phone}>
          <input id="ap-phone" type="text" inputMode="tel" maxLength={11} autoComplete="off" value={v.phone} {...invalid('phone')} onInput={set('phone')} />
        </Field>
        <Field id="ap-appliedOn" label={t('rec.appliedOn')} required error={errors.appliedOn} hint={t('rec.appliedOnHint')}>
          <input
            id="ap-appliedOn"
            type="date"
            max={today}
            value={v.appliedOn}
            aria-invalid={errors.appliedOn ? 'true' : undefined}
            aria-describedby={['ap-appliedOn-hint', errors.appliedOn ? 'ap-appliedOn-error' : ''].filter(Boolean).join(' ')}
            onInput={set('appliedOn')}
          />
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          {t('rec.submit')}
        </button>
        <FormOutcome ok={outcome.ok} error={outcome.error} />
      </form>
    </details>
  );
}

/** 关联登录账号: the user an applicant signs in as, to follow their case and file their own steps. */
function LinkForm({ items, onDone }: { items: Applicant[]; onDone: () => void }) {
  const [id, setId] = useState('');
  const [username, setUsername] = useState('');
  const [errors, setErrors] = useState<{ applicant?: string; user?: string }>({});
  const [outcome, setOutcome] = useState<{ ok?: string; error?: string }>({});
  const chosen = items.find((a) => String(a.id) === id);
  const send = async (name: string | null) => {
    setOutcome({});
    const found: typeof errors = {};
    if (!chosen) found.applicant = t('v.required');
    if (name !== null && !name.trim()) found.user = t('v.required');
    setErrors(found);
    if (!chosen || Object.keys(found).length) return document.getElementById(found.applicant ? 'al-applicant' : 'al-user')?.focus();
    try {
      await linkApplicantUser(chosen.id, name === null ? null : name.trim());
      setOutcome({ ok: name ? t('rec.linked', { name: chosen.name, user: name.trim() }) : t('rec.unlinked', { name: chosen.name }) });
      setUsername('');
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) setErrors({ user: t('rec.noUser') });
      else setOutcome({ error: errorText(err) });
    }
  };
  return (
    <form
      class="card"
      noValidate
      aria-labelledby="al-title"
      data-testid="link-applicant"
      onSubmit={(e) => {
        e.preventDefault();
        void send(username);
      }}
    >
      <h2 id="al-title">{t('rec.linkTitle')}</h2>
      <p class="hint">{t('rec.linkHint')}</p>
      <Field id="al-applicant" label={t('rec.linkApplicant')} required error={errors.applicant}>
        <select
          id="al-applicant"
          value={id}
          aria-invalid={errors.applicant ? 'true' : undefined}
          aria-describedby={errors.applicant ? 'al-applicant-error' : undefined}
          onChange={(e) => setId(e.currentTarget.value)}
        >
          <option value="">—</option>
          {items.map((a) => (
            <option key={a.id} value={String(a.id)}>
              {a.name}（{a.idNumber}）{a.linkedUser ? ` → ${a.linkedUser}` : ''}
            </option>
          ))}
        </select>
      </Field>
      <PickerField kind="person" id="al-user" fieldLabel={t('rec.linkUser')} value={username} onChange={setUsername} error={errors.user} required />
      <div class="button-row">
        <button type="submit" class="primary">
          {t('rec.linkSubmit')}
        </button>
        {chosen?.linkedUser && (
          <button type="button" onClick={() => void send(null)}>
            {t('rec.unlink')}
          </button>
        )}
      </div>
      <FormOutcome ok={outcome.ok} error={outcome.error} />
    </form>
  );
}

/**
 * The history's words for the applicant: the process records a step when its task opens (a step opened is the one
 * before it done), which the officials' pages call 下达任务; the applicant reads that their case reached the step.
 */
const applicantLookup: Lookup = (key, vars) => (key === 'verb.opened' ? t('rec.reached') : lookup(key, vars));

/** The path of a case, its stages in order (an ended case stops where it was). */
const path: RecruitmentStage[] = ['applicant', 'activist', 'candidate', 'probationary', 'full'];

/** 我的入党申请: where the caller's own case stands, what it waits for (theirs to do, or the organization's), its history. */
export function MyApplicationPage() {
  const [mine, reload] = useLoad<ApplicationCase | null>(async () => {
    try {
      return await getMyApplication();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }, []);
  return (
    <section>
      <h1>{t('rec.mine')}</h1>
      {mine.state === 'loading' && <Loading />}
      {mine.state === 'error' && <ErrorBox error={mine.error} retry={reload} />}
      {mine.state === 'ok' && mine.data === null && (
        <div class="card" data-testid="no-application">
          <p>
            <strong>{t('rec.mineNone')}</strong>
          </p>
          <p class="hint">{t('rec.mineNoneHint')}</p>
        </div>
      )}
      {mine.state === 'ok' && mine.data && <MyCase c={mine.data} />}
    </section>
  );
}

function MyCase({ c }: { c: ApplicationCase }) {
  const at = path.indexOf(c.stage);
  const w = c.waitingFor;
  const yours = w ? !!stepDef(PROCESS, w.step)?.byPerson : false;
  return (
    <>
      <div class="card" data-testid="my-application">
        <ol class="rec-path" aria-label={t('rec.path')}>
          {path.map((s, i) => (
            <li key={s} class={i < at ? 'done' : i === at ? 'now' : ''} aria-current={i === at ? 'step' : undefined}>
              {stageWord(s)}
            </li>
          ))}
        </ol>
        <dl class="facts">
          <dt>{t('rec.name')}</dt>
          <dd>{c.name}</dd>
          <dt>{t('rec.organization')}</dt>
          <dd>{c.organizationName}</dd>
          <dt>{t('rec.appliedOn')}</dt>
          <dd>{fmtDate(c.appliedOn)}</dd>
          <dt>{t('rec.stage')}</dt>
          <dd data-testid="my-stage">
            {stageWord(c.stage)} <span class="muted small">{t('rec.since', { date: fmtDate(c.stageSince) })}</span>
          </dd>
          <dt>{t('rec.waitsFor')}</dt>
          <dd data-testid="my-waiting">
            <Waiting w={w} link={false} />
            {w && (
              <p class={yours ? 'notice' : 'hint'}>
                {yours ? (
                  <>
                    {t('rec.yourStep')} <a href={`/tasks/${w.taskId}`}>{t('rec.doIt')}</a>
                  </>
                ) : (
                  t('rec.othersStep')
                )}
              </p>
            )}
          </dd>
        </dl>
      </div>
      <div class="card">
        <h2>{t('rec.history')}</h2>
        {c.history.length === 0 ? (
          <p class="muted">{t('rec.noHistory')}</p>
        ) : (
          <ol class="history" data-testid="my-history">
            {c.history.map((h) => (
              <li key={`${h.at}-${h.eventKey}`}>
                <time dateTime={h.at}>{fmtDateTime(h.at)}</time> {historyWords(PROCESS, { step: h.step, event: h.eventKey }, lang.value, applicantLookup)}
              </li>
            ))}
          </ol>
        )}
      </div>
    </>
  );
}
