// Channels beside e-mail: the delivery log of the caller's subtree with resend (organizers), each
// person's channels per message kind, and an organizer's form for a user's contact points.
import { useState } from 'preact/hooks';
import {
  ApiError,
  importContacts,
  getChannelPreferences,
  getContacts,
  getDeliveries,
  putChannelPreferences,
  putContacts,
  resendDelivery,
  type ChannelPreferences,
  type Contacts,
  type Delivery,
  type Me,
} from '../api.js';
import { organizingRoles } from '../../../src/domain/roles.js';
import { Picker } from '../picker.js';
import { hasRole } from '../auth.js';
import { ColumnHeads, ErrorBox, Loading, RowMessages, errorText, useLoad } from '../components.js';
import { fmtDateTime, t, tx } from '../i18n/index.js';
import { MESSAGE_KINDS, PERSON_CHANNELS } from '../../../src/channels/kinds.js';

const STATUSES = ['failed', 'unknown', 'pending', 'sending', 'sent'] as const;

export function DeliveriesPage({ user }: { user: Me }) {
  const [status, setStatus] = useState('');
  const [log, reload] = useLoad(() => getDeliveries({ status: status || undefined, limit: 200 }), [status]);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const canResend = hasRole(user, ...organizingRoles);
  const resend = async (d: Delivery) => {
    setError(null);
    try {
      const r = await resendDelivery(d.id);
      setDone(t('deliveries.resent', { id: d.id, newId: r.id }));
      reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section>
      <h1>{t('deliveries.title')}</h1>
      <p class="muted">{t('deliveries.intro')}</p>
      {done && (
        <p class="notice ok" role="status">
          {done}
        </p>
      )}
      {error !== null && <ErrorBox error={error} />}
      <div class="inline toolbar">
        <label for="delivery-status">{t('deliveries.status')}</label>
        <select id="delivery-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)} style={{ maxWidth: '12rem' }}>
          <option value="">{t('deliveries.all')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {tx(`deliveries.status.${s}`, s)}
            </option>
          ))}
        </select>
      </div>
      {log.state === 'loading' && <Loading />}
      {log.state === 'error' && <ErrorBox error={log.error} retry={reload} />}
      {log.state === 'ok' &&
        (log.data.items.length === 0 ? (
          <p>{t('deliveries.none')}</p>
        ) : (
          <div class="table-scroll">
            <table class="deliveries" data-testid="deliveries">
              <caption class="sr-only">{t('deliveries.title')}</caption>
              <ColumnHeads
                cols={[
                  t('deliveries.at'),
                  t('deliveries.channel'),
                  t('deliveries.recipient'),
                  t('deliveries.kind'),
                  t('deliveries.message'),
                  t('deliveries.status'),
                  t('deliveries.attempts'),
                  t('deliveries.answer'),
                  canResend && t('deliveries.action'),
                ]}
              />
              <tbody>
                {log.data.items.map((d) => (
                  <tr key={d.id} data-status={d.status} data-channel={d.channel}>
                    <td class="nowrap">{fmtDateTime(d.createdAt)}</td>
                    <td class="nowrap">{tx(`channel.${d.channel}`, d.channel)}</td>
                    <td>
                      {d.username ?? d.organization.name}
                      <br />
                      <span class="muted">{d.recipient}</span>
                    </td>
                    <td class="nowrap">{tx(`messageKind.${d.messageKind}`, d.messageKind)}</td>
                    <td>
                      {d.title}
                      <br />
                      <span class="muted">{d.organization.name}</span>
                    </td>
                    <td class="nowrap">
                      <span class={`badge status-${d.status}`}>{tx(`deliveries.status.${d.status}`, d.status)}</span>
                    </td>
                    <td>{d.attempts}</td>
                    <td class="answer">{d.status === 'sent' ? '' : d.vendorAnswer}</td>
                    {canResend && (
                      <td>
                        {(d.status === 'failed' || d.status === 'unknown') &&
                          !log.data.items.some((r) => r.resentFrom === d.id && r.status !== 'failed' && r.status !== 'unknown') && (
                            <button type="button" onClick={() => resend(d)} aria-label={t('deliveries.resendOne', { title: d.title })}>
                              {t('deliveries.resend')}
                            </button>
                          )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}

export function ChannelSettingsPage({ user }: { user: Me }) {
  const [prefs, reload] = useLoad(getChannelPreferences, []);
  return (
    <section>
      <h1>{t('channels.title')}</h1>
      {prefs.state === 'loading' && <Loading />}
      {prefs.state === 'error' && <ErrorBox error={prefs.error} retry={reload} />}
      {prefs.state === 'ok' && <PreferencesForm initial={prefs.data} />}
      {hasRole(user, ...organizingRoles) && <ContactsForm />}
    </section>
  );
}

function PreferencesForm({ initial }: { initial: ChannelPreferences }) {
  const [p, setP] = useState(initial);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const toggle = (k: keyof ChannelPreferences, c: (typeof PERSON_CHANNELS)[number]) => {
    setSaved(false);
    setP({ ...p, [k]: p[k].includes(c) ? p[k].filter((x) => x !== c) : [...p[k], c] });
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      setP(await putChannelPreferences(p));
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="card" onSubmit={save} aria-labelledby="prefs-title">
      <h2 id="prefs-title">{t('channels.prefs')}</h2>
      <p class="muted">{t('channels.prefsIntro')}</p>
      <table class="channel-prefs" data-testid="channel-prefs">
        <caption class="sr-only">{t('channels.prefs')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('channels.kind')}</th>
            {PERSON_CHANNELS.map((c) => (
              <th scope="col" key={c}>
                {tx(`channel.${c}`, c)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {MESSAGE_KINDS.map((k) => (
            <tr key={k}>
              <th scope="row">{tx(`messageKind.${k}`, k)}</th>
              {PERSON_CHANNELS.map((c) => (
                <td key={c}>
                  <input
                    type="checkbox"
                    id={`pref-${k}-${c}`}
                    checked={p[k].includes(c)}
                    onChange={() => toggle(k, c)}
                    aria-label={`${tx(`messageKind.${k}`, k)} · ${tx(`channel.${c}`, c)}`}
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <button type="submit">{t('channels.save')}</button>
      {saved && (
        <p class="notice ok" role="status">
          {t('channels.saved')}
        </p>
      )}
      {error !== null && <ErrorBox error={error} />}
    </form>
  );
}

function ContactsForm() {
  const [username, setUsername] = useState('');
  const [c, setC] = useState<Contacts | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setMsg(null);
    try {
      setC(await getContacts(username.trim()));
    } catch (err) {
      setC(null);
      setError(errorText(err));
    }
  };
  const save = async (e: Event) => {
    e.preventDefault();
    if (!c) return;
    setError(null);
    try {
      setC(await putContacts(c.username, { mobile: c.mobile || null, wecomUserid: c.wecomUserid || null, dingtalkUserid: c.dingtalkUserid || null }));
      setMsg(t('channels.saved'));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section class="card" aria-labelledby="contacts-title">
      <h2 id="contacts-title">{t('contacts.title')}</h2>
      <form onSubmit={load} class="inline">
        <label for="contact-user">{t('contacts.username')}</label>
        <Picker kind="person" id="contact-user" value={username} onChange={setUsername} required />
        <button type="submit">{t('contacts.load')}</button>
      </form>
      {c && (
        <form onSubmit={save}>
          {(['mobile', 'wecomUserid', 'dingtalkUserid'] as const).map((f) => (
            <div class="field" key={f}>
              <label for={`contact-${f}`}>{t(`contacts.${f}`)}</label>
              <input id={`contact-${f}`} value={c[f] ?? ''} onInput={(e) => setC({ ...c, [f]: e.currentTarget.value })} />
            </div>
          ))}
          <button type="submit">{t('channels.save')}</button>
        </form>
      )}
      {msg && (
        <p class="notice ok" role="status">
          {msg}
        </p>
      )}
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      <ContactsImport />
    </section>
  );
}

/** Many people's contact points at once, from the roster's CSV: all rows or none, each refusal by row and column. */
function ContactsImport() {
  const [file, setFile] = useState<File | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rows, setRows] = useState<{ row?: number; column?: string; message: string }[]>([]);
  const send = async (e: Event) => {
    e.preventDefault();
    setMsg(null);
    setError(null);
    setRows([]);
    if (!file) return setError(t('contacts.importPick'));
    try {
      const r = await importContacts(file);
      setMsg(t('contacts.imported', { n: r.updated }));
    } catch (err) {
      setError(errorText(err));
      // Each refused cell by row and column, as the roster import shows them.
      if (err instanceof ApiError) setRows(err.details.filter((d) => d.row !== undefined).map((d) => ({ row: d.row, column: d.column, message: d.message })));
    }
  };
  return (
    <form onSubmit={send} aria-labelledby="contacts-import-title" data-testid="contacts-import">
      <h3 id="contacts-import-title">{t('contacts.importTitle')}</h3>
      <p class="muted small" id="contacts-import-hint">
        {t('contacts.importHint')}
      </p>
      <label for="contacts-file">{t('contacts.importFile')}</label>
      <input
        id="contacts-file"
        type="file"
        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        aria-describedby="contacts-import-hint"
        onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
      />
      <button type="submit">{t('contacts.importSend')}</button>
      {msg && (
        <p class="notice ok" role="status">
          {msg}
        </p>
      )}
      {error && (
        <div class="notice error" role="alert" data-testid="contacts-import-errors">
          <p>{error}</p>
          {rows.length > 0 && <RowMessages rows={rows} />}
        </div>
      )}
    </form>
  );
}
