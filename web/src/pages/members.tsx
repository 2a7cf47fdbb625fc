// The member register: a branch's register (search by name or pinyin initials, filters, phones shown on request,
// paging, an XLSX of what is shown), a member's record and history with the register keepers' status change and
// user link, the organizers' import, and a member's own record.
//
// Personal data arrives masked; a role that may (src/domain/members.ts personalDataRoles) asks for it unmasked with
// `reveal`, and the page says that the read is recorded (the API audits each value it unmasks).
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  ApiError,
  download,
  getMember,
  getMemberCounts,
  getMemberHistory,
  getMyMember,
  getChildren,
  getOrganization,
  importMembers,
  linkMemberUser,
  listMembers,
  memberExportPath,
  recordMemberStatus,
  registerMemberAway,
  type Me,
  type Member,
  type MemberEvent,
  type MemberImportResult,
  type MemberQuery,
  type MemberSummary,
  type PersonalField,
} from '../api.js';
import {
  genderWords,
  memberCategories,
  memberCategoryWords,
  memberStatuses,
  memberStatusWords,
  isMobile,
  personalDataRoles,
  registerKeepers,
  countedStatuses,
  type MemberStatus,
} from '../../../src/domain/members.js';
import { awayKinds, type AwayKind } from '../../../src/domain/member-away/rules.js';
import { organizingRoles } from '../../../src/domain/roles.js';
import { hasRole, orgsWith } from '../auth.js';
import { ErrorBox, Field, FormOutcome, Loading, RowMessages, errorText, useLoad } from '../components.js';
import { fmtDate, fmtDateTime, lang, t } from '../i18n/index.js';
import type { MessageKey } from '../i18n/zh-CN.js';
import { PickerField } from '../picker.js';
import { navigate } from '../router.js';
import { shanghaiToday } from '../dates.js';
import { fileSubmit, type UploadState } from '../upload.js';
import { IncomingForm, TransferForm, TransfersList } from './member-transfers.js';
import { MemberAppraisals } from '../member-appraisals.js';
import { PartyGroups } from './party-groups.js';
import './members.css';

/** Who opens a branch's register: those who steer and the secretaries (the API scopes each to their subtree). */
export const registerReaders = ['admin', 'organizer', 'supervisor', 'secretary'] as const;
const PAGE = 50;

const statusWord = (s: MemberStatus) => memberStatusWords[s][lang.value];
const categoryWord = (c: Member['category']) => memberCategoryWords[c][lang.value];
const genderWord = (g: string) => genderWords[g as keyof typeof genderWords]?.[lang.value] ?? g;
const dateOr = (d: string | null | undefined) => (d ? fmtDate(d) : t('common.none'));

/** 党员名册: open a register by picking an organization, the caller's own organizations, and the import. */
export function MembersPage({ user }: { user: Me }) {
  const own = orgsWith(user, ...registerReaders).filter((c): c is string => !!c);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const open = (e: Event) => {
    e.preventDefault();
    if (!code.trim()) return setError(t('v.required'));
    navigate(`/orgs/${encodeURIComponent(code.trim())}/members`);
  };
  return (
    <section>
      <h1>{t('mem.title')}</h1>
      {own.length > 0 && (
        <div class="card">
          <h2>{t('mem.yours')}</h2>
          <ul class="plain" data-testid="member-registers">
            {own.map((c) => (
              <OwnRegister key={c} code={c} />
            ))}
          </ul>
        </div>
      )}
      <form class="card" onSubmit={open} noValidate role="search" aria-label={t('mem.open')}>
        <PickerField kind="organization" id="mem-org" fieldLabel={t('mem.pickOrg')} value={code} onChange={setCode} error={error} required />
        <button type="submit" class="primary">
          {t('mem.open')}
        </button>
      </form>
      {hasRole(user, ...organizingRoles) && <MemberImport />}
    </section>
  );
}

function OwnRegister({ code }: { code: string }) {
  const [org] = useLoad(() => getOrganization(code), [code]);
  return (
    <li>
      <a href={`/orgs/${encodeURIComponent(code)}/members`}>{org.state === 'ok' ? t('mem.registerOf', { name: org.data.name }) : code}</a>
    </li>
  );
}

interface Applied {
  q: string;
  status: MemberStatus | '';
  category: Member['category'] | '';
}

/** A branch's register: search, filters, the table (masked unless phones are shown), paging, the XLSX. */
export function RegisterPage({ user, code }: { user: Me; code: string }) {
  const [org] = useLoad(() => getOrganization(code), [code]);
  const [draft, setDraft] = useState<Applied>({ q: '', status: '', category: '' });
  const [applied, setApplied] = useState<Applied>(draft);
  const [phones, setPhones] = useState(false);
  const [transfers, setTransfers] = useState(0);
  const mayReveal = hasRole(user, ...personalDataRoles.phone);
  const query: Omit<MemberQuery, 'cursor' | 'limit'> = {
    q: applied.q.trim() || undefined,
    status: applied.status || undefined,
    category: applied.category || undefined,
    reveal: phones ? 'phone' : undefined,
  };
  const [list, reload] = useLoad(() => listMembers(code, { ...query, limit: PAGE }), [code, JSON.stringify(query)]);
  // Later pages, appended below the first; a new search starts again from the first.
  const [more, setMore] = useState<{ items: MemberSummary[]; nextCursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  useEffect(() => {
    setMore(null);
    setMoreError(null);
  }, [list]);
  const loadMore = async (cursor: string) => {
    try {
      const page = await listMembers(code, { ...query, cursor, limit: PAGE });
      setMore({ items: [...(more?.items ?? []), ...page.items], nextCursor: page.nextCursor });
    } catch (err) {
      setMoreError(err);
    }
  };
  const submit = (e: Event) => {
    e.preventDefault();
    setApplied({ ...draft });
  };
  const name = org.state === 'ok' ? org.data.name : code;
  const items = list.state === 'ok' ? [...list.data.items, ...(more?.items ?? [])] : [];
  const cursor = more ? more.nextCursor : list.state === 'ok' ? list.data.nextCursor : null;
  return (
    <section>
      <h1>{t('mem.registerOf', { name })}</h1>
      <p>
        <a href={`/orgs/${encodeURIComponent(code)}`}>{t('mem.toOrg')}</a>
      </p>
      <Counts code={code} />
      {org.state === 'ok' && org.data.type !== 'branch' && <Registers code={code} />}
      <form class="card register-filters" role="search" aria-label={t('mem.filters')} onSubmit={submit} noValidate>
        <Field id="mem-q" label={t('mem.search')}>
          {/* The example as a placeholder: a hint line under this field alone would push the filters beside it out of line. */}
          <input
            id="mem-q"
            type="search"
            value={draft.q}
            maxLength={32}
            placeholder={t('mem.searchHint')}
            onInput={(e) => setDraft({ ...draft, q: e.currentTarget.value })}
          />
        </Field>
        <Field id="mem-status" label={t('mem.status')}>
          <select id="mem-status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.currentTarget.value as Applied['status'] })}>
            <option value="">{t('mem.all')}</option>
            {memberStatuses.map((s) => (
              <option key={s} value={s}>
                {statusWord(s)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="mem-category" label={t('mem.category')}>
          <select id="mem-category" value={draft.category} onChange={(e) => setDraft({ ...draft, category: e.currentTarget.value as Applied['category'] })}>
            <option value="">{t('mem.all')}</option>
            {memberCategories.map((c) => (
              <option key={c} value={c}>
                {categoryWord(c)}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" class="primary">
          {t('mem.filter')}
        </button>
      </form>
      <div class="register-tools">
        {mayReveal && (
          <button type="button" aria-pressed={phones} onClick={() => setPhones(!phones)} data-testid="reveal-phones">
            {phones ? t('mem.hidePhones') : t('mem.showPhones')}
          </button>
        )}
        <Export code={code} query={query} />
      </div>
      {mayReveal && <p class="hint">{t('mem.revealNote')}</p>}
      {list.state === 'loading' && <Loading />}
      {list.state === 'error' && <ErrorBox error={list.error} retry={reload} />}
      {list.state === 'ok' && items.length === 0 && <p class="muted">{t('mem.empty')}</p>}
      {items.length > 0 && <RegisterTable items={items} />}
      {org.state === 'ok' && org.data.type === 'branch' && <PartyGroups code={code} mayEdit={hasRole(user, ...registerKeepers)} onChange={reload} />}
      {moreError !== null && <ErrorBox error={moreError} />}
      {cursor && (
        <button type="button" onClick={() => void loadMore(cursor)}>
          {t('common.more')}
        </button>
      )}
      <TransfersList code={code} version={transfers} />
      {hasRole(user, ...registerKeepers) && <IncomingForm code={code} onDone={() => setTransfers(transfers + 1)} />}
      {hasRole(user, ...organizingRoles) && <MemberImport onDone={reload} />}
    </section>
  );
}

/**
 * A committee's or general branch's registers below it: most members are on the branches' registers, and a township
 * organizer starts from their committee.
 */
function Registers({ code }: { code: string }) {
  const [children] = useLoad(() => getChildren(code), [code]);
  if (children.state !== 'ok') return null;
  const registers = children.data.items.filter((o) => o.type !== 'unit');
  if (!registers.length) return null;
  return (
    <nav class="card" aria-labelledby="mem-below" data-testid="registers-below">
      <h2 id="mem-below">{t('mem.below')}</h2>
      <ul class="inline-list">
        {registers.map((o) => (
          <li key={o.code}>
            <a href={`/orgs/${encodeURIComponent(o.code)}/members`}>{o.name}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The subtree's counted members: what the organization reports as its full / probationary figures. */
function Counts({ code }: { code: string }) {
  const [counts] = useLoad(() => getMemberCounts(code), [code]);
  if (counts.state !== 'ok') return null;
  // The register's figures count whom the organization's figures count (src/domain/members.ts countedStatuses).
  const counted = counts.data.items.filter((c) => countedStatuses.includes(c.status));
  const sum = (cat: Member['category']) => counted.filter((c) => c.category === cat).reduce((n, c) => n + c.n, 0);
  return (
    <p class="muted" data-testid="member-counts">
      {t('mem.counts', { full: sum('full'), probationary: sum('probationary') })}
    </p>
  );
}

function RegisterTable({ items }: { items: MemberSummary[] }) {
  const cols: MessageKey[] = ['mem.name', 'mem.gender', 'mem.category', 'mem.status', 'mem.group', 'mem.joined', 'mem.fullOn', 'mem.phone', 'mem.idNumber'];
  const label = (k: MessageKey) => t(k);
  return (
    <div class="table-scroll register-wrap">
      <table class="register" data-testid="member-register">
        <caption>{t('mem.caption', { n: items.length })}</caption>
        <thead>
          <tr>
            {cols.map((k) => (
              <th key={k} scope="col">
                {label(k)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {items.map((m) => (
            <tr key={m.id} data-member={m.id}>
              <td class="name-cell" data-label={label('mem.name')}>
                <span>
                  <a href={`/members/${m.id}`}>{m.name}</a>
                </span>
              </td>
              <td data-label={label('mem.gender')}>
                <span>{genderWord(m.gender)}</span>
              </td>
              <td class="nowrap" data-label={label('mem.category')}>
                <span>{categoryWord(m.category)}</span>
              </td>
              <td data-label={label('mem.status')}>
                <span>
                  <StatusWords status={m.status} since={m.statusSince} />
                </span>
              </td>
              <td data-label={label('mem.group')} data-testid="member-group">
                <span>{m.partyGroup?.name ?? t('common.none')}</span>
              </td>
              <td class="nowrap" data-label={label('mem.joined')}>
                <span>{dateOr(m.joinedOn)}</span>
              </td>
              <td class="nowrap" data-label={label('mem.fullOn')}>
                <span>{dateOr(m.fullOn)}</span>
              </td>
              <td class="pii nowrap" data-label={label('mem.phone')}>
                <span>{m.phone ?? t('common.none')}</span>
              </td>
              <td class="pii nowrap" data-label={label('mem.idNumber')}>
                <span>{m.idNumber}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function StatusWords({ status, since }: { status: MemberStatus; since: string | null }) {
  return (
    <>
      <span class={`member-status status-${status}`}>{statusWord(status)}</span>
      {since && <span class="muted small"> {t('mem.since', { date: fmtDate(since) })}</span>}
    </>
  );
}

function Export({ code, query }: { code: string; query: Omit<MemberQuery, 'cursor' | 'limit'> }) {
  const [msg, setMsg] = useState<{ ok: string } | { error: unknown } | null>(null);
  const get = async () => {
    setMsg(null);
    try {
      setMsg({ ok: t('mem.downloaded', { name: await download(memberExportPath(code, query), `members-${code}.xlsx`) }) });
    } catch (err) {
      setMsg({ error: err });
    }
  };
  return (
    <>
      <button type="button" onClick={() => void get()} aria-describedby="mem-export-note" data-testid="member-export">
        {t('mem.export')}
      </button>
      <span class="sr-only" id="mem-export-note">
        {t('mem.exportNote')}
      </span>
      <span role="status" aria-live="polite" class="hint">
        {msg && 'ok' in msg ? msg.ok : ''}
      </span>
      {msg && 'error' in msg && <ErrorBox error={msg.error} />}
    </>
  );
}

type ImportStatus = { kind: 'idle' } | UploadState | { kind: 'done'; result: MemberImportResult };

/** The organizers' import of a member-system export: all rows or none; a refusal lists row, column and problem. */
export function MemberImport({ onDone }: { onDone?: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState<ImportStatus>({ kind: 'idle' });
  const [fileError, setFileError] = useState<string | null>(null);
  const submit = fileSubmit(input, setFileError, setStatus, async (file) => {
    setStatus({ kind: 'done', result: await importMembers(file) });
    onDone?.();
  });
  return (
    <section class="card" aria-labelledby="member-import-title" data-testid="member-import">
      <h2 id="member-import-title">{t('mem.import')}</h2>
      <form onSubmit={submit} noValidate>
        <Field id="member-file" label={t('mem.importFile')} required error={fileError} hint={t('mem.importHint')}>
          <input
            id="member-file"
            ref={input}
            type="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            aria-describedby={fileError ? 'member-file-error member-file-hint' : 'member-file-hint'}
            aria-invalid={!!fileError}
          />
        </Field>
        <button class="primary" type="submit" disabled={status.kind === 'uploading'}>
          {status.kind === 'uploading' ? t('mem.importing') : t('mem.importSubmit')}
        </button>
      </form>
      <div role="status" aria-live="polite">
        {status.kind === 'done' && (
          <p class="notice ok" data-testid="member-import-result">
            {t('mem.imported', { created: status.result.created, updated: status.result.updated, unchanged: status.result.unchanged })}
          </p>
        )}
      </div>
      {status.kind === 'done' && status.result.kept.length > 0 && (
        <>
          <p class="notice">{t('mem.kept')}</p>
          <RowMessages rows={status.result.kept} />
        </>
      )}
      {status.kind === 'rows' && (
        <div role="alert" data-testid="member-import-errors">
          <p class="notice error">{t('mem.refused')}</p>
          <RowMessages rows={status.errors.map((d) => ({ row: d.row, column: d.column ?? d.field, message: d.message }))} />
        </div>
      )}
      {status.kind === 'error' && <ErrorBox error={status.error} />}
    </section>
  );
}

/** A member's record and history; for register keepers, a status change and the user link. */
export function MemberPage({ user, id }: { user: Me; id: number }) {
  const [reveal, setReveal] = useState<PersonalField[]>([]);
  const [member, reload] = useLoad(() => getMember(id, reveal), [id, reveal.join(',')]);
  const [history, reloadHistory] = useLoad(() => getMemberHistory(id), [id]);
  const changed = () => {
    reload();
    reloadHistory();
  };
  if (member.state === 'loading') return <Loading />;
  if (member.state === 'error') return <ErrorBox error={member.error} retry={reload} />;
  const m = member.data;
  // A button for each field the caller's role may unmask and this answer has not unmasked yet.
  const showId = hasRole(user, ...personalDataRoles.idNumber) && !m.revealed.includes('idNumber');
  const showPhone = hasRole(user, ...personalDataRoles.phone) && !!m.phone && !m.revealed.includes('phone');
  return (
    <section>
      <h1>{m.name}</h1>
      <p>
        <a href={`/orgs/${encodeURIComponent(m.organization.code)}/members`}>{t('mem.back')}</a>
      </p>
      <div class="card">
        <h2>{t('mem.record')}</h2>
        <Record m={m} />
        {m.revealed.length > 0 && (
          <p class="notice" role="status" data-testid="member-revealed">
            {t('mem.revealed')}
          </p>
        )}
        {(showId || showPhone) && (
          <>
            <p class="hint" id="mem-reveal-note">
              {showId ? t('mem.revealIdNote') : t('mem.revealNote')}
            </p>
            <div class="button-row">
              {showId && (
                <button type="button" aria-describedby="mem-reveal-note" onClick={() => setReveal([...reveal, 'idNumber'])}>
                  {t('mem.revealId')}
                </button>
              )}
              {showPhone && (
                <button type="button" aria-describedby="mem-reveal-note" onClick={() => setReveal([...reveal, 'phone'])}>
                  {t('mem.revealPhone')}
                </button>
              )}
            </div>
          </>
        )}
      </div>
      <div class="card">
        <h2>{t('mem.history')}</h2>
        {history.state === 'loading' && <Loading />}
        {history.state === 'error' && <ErrorBox error={history.error} retry={reloadHistory} />}
        {history.state === 'ok' && <History items={history.data.items} />}
      </div>
      <MemberAppraisals id={id} />
      {hasRole(user, ...registerKeepers) && (
        <div class="grid">
          <StatusForm m={m} onDone={changed} />
          <LinkForm m={m} onDone={changed} />
          {countedStatuses.includes(m.status) && <TransferForm memberId={m.id} onDone={changed} />}
        </div>
      )}
    </section>
  );
}

/** The record's fields in words; masked values say so. */
function Record({ m }: { m: Member }) {
  const masked = (f: PersonalField) => (m.revealed.includes(f) ? '' : ` ${t('mem.masked')}`);
  return (
    <dl class="facts" data-testid="member-record">
      <dt>{t('mem.name')}</dt>
      <dd>{m.name}</dd>
      <dt>{t('mem.gender')}</dt>
      <dd>{genderWord(m.gender)}</dd>
      <dt>{t('mem.ethnicity')}</dt>
      <dd>{m.ethnicity ?? t('common.none')}</dd>
      <dt>{t('mem.birthDate')}</dt>
      <dd>{dateOr(m.birthDate)}</dd>
      <dt>{t('mem.education')}</dt>
      <dd>{m.education ?? t('common.none')}</dd>
      <dt>{t('mem.organization')}</dt>
      <dd>{m.organization.name}</dd>
      <dt>{t('mem.category')}</dt>
      <dd>{categoryWord(m.category)}</dd>
      <dt>{t('mem.status')}</dt>
      <dd>
        <StatusWords status={m.status} since={m.statusSince} />
      </dd>
      <dt>{t('mem.joined')}</dt>
      <dd>{dateOr(m.joinedOn)}</dd>
      <dt>{t('mem.fullOn')}</dt>
      <dd>{dateOr(m.fullOn)}</dd>
      <dt>{t('mem.occupation')}</dt>
      <dd>{m.occupation ?? t('common.none')}</dd>
      <dt>{t('mem.phone')}</dt>
      <dd class="pii" data-testid="member-phone">
        {m.phone ? `${m.phone}${masked('phone')}` : t('common.none')}
      </dd>
      <dt>{t('mem.idNumber')}</dt>
      <dd class="pii" data-testid="member-id-number">
        {m.idNumber}
        {masked('idNumber')}
      </dd>
      <dt>{t('mem.linkedUser')}</dt>
      <dd>{m.linkedUser ?? t('common.none')}</dd>
    </dl>
  );
}

/** The fields an import writes (src/members/import.ts), by the words the record shows them with. */
const fieldWords: Record<string, MessageKey> = {
  name: 'mem.name',
  gender: 'mem.gender',
  ethnicity: 'mem.ethnicity',
  birth_date: 'mem.birthDate',
  education: 'mem.education',
  id_number_masked: 'mem.idNumber',
  phone_masked: 'mem.phone',
  joined_on: 'mem.joined',
  full_on: 'mem.fullOn',
  category: 'mem.category',
  status: 'mem.status',
  occupation: 'mem.occupation',
  organization: 'mem.organization',
};

const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const statusOf = (v: unknown) => (memberStatuses.includes(v as MemberStatus) ? statusWord(v as MemberStatus) : String(v ?? ''));

/** A history line in words: what happened (with its figures), then who and when, and the reason. */
export function memberEventWords(e: MemberEvent): string {
  const before = asRecord(e.before);
  const after = asRecord(e.after);
  switch (e.kind) {
    case 'registered':
      return t('mem.ev.registered');
    case 'updated': {
      const fields = Object.keys(fieldWords).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
      return fields.length
        ? `${t('mem.ev.updated')}：${t('mem.ev.fields', { fields: fields.map((f) => t(fieldWords[f]!)).join(lang.value === 'zh-CN' ? '、' : ', ') })}`
        : t('mem.ev.updated');
    }
    case 'status-changed':
      return t('mem.ev.status-changed', {
        from: statusOf(before.status),
        to: statusOf(after.status),
        since: typeof after.since === 'string' ? fmtDate(after.since) : '',
      });
    case 'moved':
      return t('mem.ev.moved', { from: String(before.organization ?? ''), to: String(after.organization ?? '') });
    case 'linked':
      return after.userId === null || after.userId === undefined ? t('mem.ev.unlinked') : t('mem.ev.linked');
    default:
      return t('mem.ev.other');
  }
}

function History({ items }: { items: MemberEvent[] }) {
  if (items.length === 0) return <p class="muted">{t('mem.noHistory')}</p>;
  return (
    <ol class="member-history" data-testid="member-history">
      {items.map((e) => (
        <li key={e.id} data-kind={e.kind}>
          <div class="ev-title">{memberEventWords(e)}</div>
          <div class="ev-meta">
            {t('mem.ev.by', { actor: e.actor, at: fmtDateTime(e.at) })}
            {(e.kind === 'registered' || e.kind === 'updated') && ` · ${t('mem.ev.file')}`}
          </div>
          {e.reason && <div>{t('mem.ev.reason', { reason: e.reason })}</div>}
        </li>
      ))}
    </ol>
  );
}

type StatusField = 'status' | 'since' | 'reason' | 'place' | 'contactName' | 'contactPhone';
type StatusErrors = Partial<Record<StatusField, string>>;

/**
 * The statuses this form records. A member going away or abroad is registered with where and a contact at home
 * (POST /members/{id}/away, which starts their period away as a process); one transferred out leaves through the
 * transfer process, and a cancelled probation through 发展党员, not this form.
 */
const formStatuses = memberStatuses.filter((s) => s !== 'transferred' && s !== 'cancelled');
const isAway = (s: MemberStatus | ''): s is AwayKind => (awayKinds as readonly string[]).includes(s);

/**
 * 记录党员状态变更: the new status, since when (today if empty, never later) and why — for 流动 and 出国出境 also where
 * and a contact at home; errors beside their fields, the server's as well as the page's own checks.
 */
function StatusForm({ m, onDone }: { m: Member; onDone: () => void }) {
  const [status, setStatus] = useState<MemberStatus | ''>('');
  const [since, setSince] = useState('');
  const [reason, setReason] = useState('');
  const [place, setPlace] = useState('');
  const [contactName, setContactName] = useState('');
  const [contactPhone, setContactPhone] = useState('');
  const [errors, setErrors] = useState<StatusErrors>({});
  const [outcome, setOutcome] = useState<{ ok?: string; error?: string }>({});
  const [busy, setBusy] = useState(false);
  const today = shanghaiToday();
  const away = isAway(status);
  // Imported as 流动 or 出国出境: the status without its period (where, since when), which this form registers.
  const unregistered = isAway(m.status) && !m.awayPeriod;
  const submit = async (e: Event) => {
    e.preventDefault();
    setOutcome({});
    const found: StatusErrors = {};
    if (!status) found.status = t('v.required');
    else if (status === m.status && !unregistered) found.status = t('mem.sameStatus');
    if (since && since > today) found.since = t('mem.future');
    if (away && !place.trim()) found.place = t('v.required');
    if (away && contactPhone.trim() && !isMobile(contactPhone.trim())) found.contactPhone = t('mem.mobile');
    if (!away && !reason.trim()) found.reason = t('v.required');
    setErrors(found);
    if (!status || Object.keys(found).length) {
      document.getElementById(`ms-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      if (isAway(status)) {
        await registerMemberAway(m.id, {
          kind: status,
          place: place.trim(),
          since: since || undefined,
          contactName: contactName.trim() || undefined,
          contactPhone: contactPhone.trim() || undefined,
          reason: reason.trim() || undefined,
        });
        setOutcome({ ok: t('mem.awayDone', { status: statusWord(status), place: place.trim(), since: dateOr(since || today) }) });
      } else {
        const r = await recordMemberStatus(m.id, { status, since: since || undefined, reason: reason.trim() });
        setOutcome({ ok: t('mem.statusDone', { status: statusWord(r.status), since: dateOr(r.statusSince) }) });
      }
      setStatus('');
      setSince('');
      setReason('');
      setPlace('');
      setContactName('');
      setContactPhone('');
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setErrors({ status: t('mem.sameStatus') });
      else if (err instanceof ApiError && err.details.some((d) => d.field?.startsWith('body.'))) {
        const byField: StatusErrors = {};
        for (const d of err.details) {
          const f = d.field?.replace(/^body\./, '') as StatusField | undefined;
          if (f && ['status', 'since', 'reason', 'place', 'contactName', 'contactPhone'].includes(f))
            byField[f] = f === 'since' && d.message === 'in the future' ? t('mem.future') : d.message;
        }
        setErrors(byField);
      } else setOutcome({ error: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  const described = (f: StatusField, hint?: boolean) => [errors[f] ? `ms-${f}-error` : '', hint ? `ms-${f}-hint` : ''].filter(Boolean).join(' ') || undefined;
  const text = (f: 'place' | 'contactName' | 'contactPhone', value: string, set: (v: string) => void, max: number) => (
    <input
      id={`ms-${f}`}
      type="text"
      inputMode={f === 'contactPhone' ? 'tel' : undefined}
      value={value}
      maxLength={max}
      aria-invalid={errors[f] ? 'true' : undefined}
      aria-describedby={described(f, f === 'place')}
      onInput={(e) => set(e.currentTarget.value)}
    />
  );
  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="ms-title" data-testid="member-status-form">
      <h2 id="ms-title">{t('mem.changeStatus')}</h2>
      {unregistered && (
        <p class="notice" data-testid="away-unregistered">
          {t('mem.awayUnregistered', { status: statusWord(m.status) })}
        </p>
      )}
      <Field id="ms-status" label={t('mem.newStatus')} required error={errors.status}>
        <select
          id="ms-status"
          value={status}
          aria-invalid={errors.status ? 'true' : undefined}
          aria-describedby={described('status')}
          onChange={(e) => setStatus(e.currentTarget.value as MemberStatus | '')}
        >
          <option value="">—</option>
          {formStatuses.map((s) => (
            <option key={s} value={s} disabled={s === m.status && !unregistered}>
              {statusWord(s)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="ms-since" label={t('mem.sinceField')} error={errors.since} hint={t('mem.sinceHint')}>
        <input
          id="ms-since"
          type="date"
          value={since}
          max={today}
          aria-invalid={errors.since ? 'true' : undefined}
          aria-describedby={described('since', true)}
          onInput={(e) => setSince(e.currentTarget.value)}
        />
      </Field>
      {away && (
        <>
          <Field id="ms-place" label={t('mem.place')} required error={errors.place} hint={t('mem.placeHint')}>
            {text('place', place, setPlace, 200)}
          </Field>
          <Field id="ms-contactName" label={t('mem.contactName')} error={errors.contactName}>
            {text('contactName', contactName, setContactName, 64)}
          </Field>
          <Field id="ms-contactPhone" label={t('mem.contactPhone')} error={errors.contactPhone}>
            {text('contactPhone', contactPhone, setContactPhone, 11)}
          </Field>
        </>
      )}
      <Field id="ms-reason" label={t('mem.reason')} required={!away} error={errors.reason} hint={t('mem.reasonHint')}>
        <textarea
          id="ms-reason"
          rows={2}
          maxLength={500}
          value={reason}
          aria-invalid={errors.reason ? 'true' : undefined}
          aria-describedby={described('reason', true)}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </Field>
      <button type="submit" class="primary" disabled={busy}>
        {t('mem.record.submit')}
      </button>
      <FormOutcome ok={outcome.ok} error={outcome.error} />
    </form>
  );
}

/** 关联登录账号: the user this member signs in as (picked among the subtree's users, or a username typed in full). */
function LinkForm({ m, onDone }: { m: Member; onDone: () => void }) {
  const [username, setUsername] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ ok?: string; error?: string }>({});
  const send = async (name: string | null) => {
    setOutcome({});
    setError(null);
    try {
      await linkMemberUser(m.id, name);
      setOutcome({ ok: name ? t('mem.linked', { user: name }) : t('mem.unlinked') });
      setUsername('');
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) setError(t('mem.noUser'));
      else if (err instanceof ApiError && err.status === 409) setError(t('mem.userTaken'));
      else setOutcome({ error: errorText(err) });
    }
  };
  const submit = (e: Event) => {
    e.preventDefault();
    if (!username.trim()) return setError(t('v.required'));
    void send(username.trim());
  };
  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="ml-title" data-testid="member-link-form">
      <h2 id="ml-title">{t('mem.linkTitle')}</h2>
      <p class="hint">{t('mem.linkHint')}</p>
      <PickerField kind="person" id="ml-user" fieldLabel={t('mem.username')} value={username} onChange={setUsername} error={error} required />
      <div class="button-row">
        <button type="submit" class="primary">
          {t('mem.linkSubmit')}
        </button>
        {m.linkedUser && (
          <button type="button" onClick={() => void send(null)}>
            {t('mem.unlink')}
          </button>
        )}
      </div>
      <FormOutcome ok={outcome.ok} error={outcome.error} />
    </form>
  );
}

/** 我的党员信息: the caller's own record (GET /me/member, unmasked for them and audited). */
export function MyMemberPage() {
  const [mine, reload] = useLoad<Member | null>(async () => {
    try {
      return await getMyMember();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }, []);
  return (
    <section>
      <h1>{t('mem.mine')}</h1>
      {mine.state === 'loading' && <Loading />}
      {mine.state === 'error' && <ErrorBox error={mine.error} retry={reload} />}
      {mine.state === 'ok' && mine.data === null && <p class="notice">{t('mem.notLinked')}</p>}
      {mine.state === 'ok' && mine.data && (
        <div class="card">
          <p class="hint">{t('mem.mineNote')}</p>
          <Record m={mine.data} />
        </div>
      )}
    </section>
  );
}
