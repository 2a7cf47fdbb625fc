// Organization life 三会一课 in the web UI: the supervisor's completeness of a period (a month or a quarter) under an
// organization — held, held late, missing and still open by the organizations directly under it, worst first, each
// township opened by its name — with the missing records (branch, meeting, due day, how far it has escalated) and one
// 催办 of their secretaries; and a branch's meetings of a year on its organization's page. The organization and the
// period live in the URL, so a drill-down survives a reload and can be sent on.
import { useEffect, useState } from 'preact/hooks';
import { getMeetingCompleteness, getMeetings, nudge, spotCheckMeetings, type Me, type MeetingCompleteness } from '../api.js';
import { orgsWith } from '../auth.js';
import { ColumnHeads, ErrorBox, FormOutcome, Loading, useLoad, useWrite } from '../components.js';
import { addMonthsIso, shanghaiToday } from '../dates.js';
import { fmtDate, lang, t, tx } from '../i18n/index.js';
import { Picker } from '../picker.js';
import { navigate, route } from '../router.js';
import { useSignal } from '../signal.js';
import { periodWords } from '../../../src/domain/organization-life/rules.js';
import { organizingRoles, steeringRoles } from '../../../src/domain/roles.js';
import './organization-life.css';

/** The first year the rule set asks records for in orglife (the seed's system began then). */
const FIRST_YEAR = 2025;
const PERIOD = /^(\d{4})-(0[1-9]|1[0-2]|Q[1-4])$/;

const lifeUrl = (org: string, period: string) => `/organization-life?org=${encodeURIComponent(org)}&period=${period}`;
const words = (period: string) => periodWords(period, lang.value);
const kindWords = (k: string) => tx(`opt.kinds.${k}`, k);

/** The last month that has ended: what a supervisor asks about first (this month's records are not due yet). */
const lastMonthEnded = () => addMonthsIso(shanghaiToday(), -1).slice(0, 7);

/** The months and quarters of a year that have begun, newest first. */
function periodsOf(year: number, today: string): { months: string[]; quarters: string[] } {
  const [y, m] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))];
  const lastMonth = year < y ? 12 : year === y ? m : 0;
  const months = Array.from({ length: lastMonth }, (_, i) => `${year}-${String(lastMonth - i).padStart(2, '0')}`);
  const lastQuarter = Math.ceil(lastMonth / 3);
  const quarters = Array.from({ length: lastQuarter }, (_, i) => `${year}-Q${lastQuarter - i}`);
  return { months, quarters };
}

export function OrganizationLifePage({ user }: { user: Me }) {
  const url = useSignal(route);
  useSignal(lang);
  const today = shanghaiToday();
  const roots = orgsWith(user, ...steeringRoles).filter((c): c is string => !!c);
  const org = url.searchParams.get('org') || roots[0] || '';
  const asked = url.searchParams.get('period') ?? '';
  const period = PERIOD.test(asked) && asked.slice(0, 4) <= today.slice(0, 4) ? asked : lastMonthEnded();
  const year = Number(period.slice(0, 4));
  const [pick, setPick] = useState(org);
  // A drill-down (a link, the back button) changes the organization under the picker: it shows the one shown.
  useEffect(() => setPick(org), [org]);
  const [data, reload] = useLoad(() => getMeetingCompleteness(org, period), [org, period]);
  const years = Array.from({ length: Number(today.slice(0, 4)) - FIRST_YEAR + 1 }, (_, i) => Number(today.slice(0, 4)) - i);
  const { months, quarters } = periodsOf(year, today);
  return (
    <section class="org-life">
      <h1>{t('olife.title')}</h1>
      <form
        class="inline toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(lifeUrl(pick.trim() || org, period));
        }}
      >
        <label for="olife-year">{t('olife.year')}</label>
        <select
          id="olife-year"
          value={String(year)}
          style={{ maxWidth: '8rem' }}
          // A year's December, or its last month begun: the same kind of period as before would be a guess.
          onChange={(e) => navigate(lifeUrl(org, periodsOf(Number(e.currentTarget.value), today).months[0] ?? period))}
        >
          {years.map((y) => (
            <option key={y} value={String(y)}>
              {t('olife.yearOption', { year: y })}
            </option>
          ))}
        </select>
        <label for="olife-period">{t('olife.period')}</label>
        <select id="olife-period" value={period} style={{ maxWidth: '12rem' }} onChange={(e) => navigate(lifeUrl(org, e.currentTarget.value))}>
          <optgroup label={t('olife.months')}>
            {months.map((p) => (
              <option key={p} value={p}>
                {words(p)}
              </option>
            ))}
          </optgroup>
          <optgroup label={t('olife.quarters')}>
            {quarters.map((p) => (
              <option key={p} value={p}>
                {words(p)}
              </option>
            ))}
          </optgroup>
        </select>
        <label for="olife-org">{t('olife.under')}</label>
        <Picker
          kind="organization"
          id="olife-org"
          value={pick}
          onChange={setPick}
          label={pick === org && data.state === 'ok' ? data.data.organization.name : undefined}
        />
        <button type="submit">{t('olife.show')}</button>
      </form>
      {org !== (roots[0] ?? org) && (
        <p>
          <a href={lifeUrl(roots[0]!, period)}>← {t('olife.backToRoot')}</a>
        </p>
      )}
      {data.state === 'loading' && <Loading />}
      {data.state === 'error' && <ErrorBox error={data.error} retry={reload} />}
      {data.state === 'ok' && (
        <Completeness key={`${org}:${period}`} c={data.data} onNudged={reload} spotChecks={orgsWith(user, ...organizingRoles).length > 0} />
      )}
    </section>
  );
}

function Completeness({ c, onNudged, spotChecks }: { c: MeetingCompleteness; onNudged: () => void; spotChecks: boolean }) {
  const { totals } = c;
  return (
    <>
      <h2 id="olife-caption">{t('olife.heading', { name: c.organization.name, period: words(c.period) })}</h2>
      <p data-testid="olife-totals" class={totals.missing ? 'notice error' : 'muted'}>
        {t('olife.totals', { branches: totals.branches, held: totals.held, late: totals.late, missing: totals.missing, open: totals.open })}
        {totals.waived > 0 && ` ${t('olife.waivedTotal', { n: totals.waived })}`}
      </p>
      {c.rows.length === 0 ? (
        <p class="muted">{t('olife.nothing')}</p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="olife-caption">
          <table data-testid="olife-table">
            <ColumnHeads
              cols={[
                t('olife.org'),
                t('olife.branches'),
                t('olife.held'),
                t('olife.late'),
                t('olife.missing'),
                t('olife.open'),
                spotChecks && t('olife.spotCheck'),
              ]}
            />
            <tbody>
              {c.rows.map((r) => (
                <tr key={r.code} data-code={r.code}>
                  <th scope="row">
                    {/* A township opens to its branches; a branch (or the organization itself) to its meetings. */}
                    {r.type === 'branch' || r.code === c.organization.code ? (
                      <a href={`/orgs/${encodeURIComponent(r.code)}`}>{r.name}</a>
                    ) : (
                      <a href={lifeUrl(r.code, c.period)}>{r.name}</a>
                    )}
                  </th>
                  <td>{r.branches}</td>
                  <td>{r.held}</td>
                  <td class={r.late ? 'behind' : undefined}>{r.late}</td>
                  <td class={r.missing ? 'behind' : undefined}>{r.missing ? <strong>{r.missing}</strong> : 0}</td>
                  <td>{r.open}</td>
                  {spotChecks && <td>{r.type === 'branch' && <SpotCheck code={r.code} name={r.name} period={c.period} />}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Missing c={c} onNudged={onNudged} />
    </>
  );
}

/** 抽查: the organizers above a branch ask for a look at its records of the period; the task is then in their work. */
function SpotCheck({ code, name, period }: { code: string; name: string; period: string }) {
  const { busy, outcome, run: write } = useWrite();
  const run = () =>
    write(async () => {
      await spotCheckMeetings(code, period);
      return t('olife.spotCheckOpened');
    });
  return (
    <>
      <button type="button" class="link" disabled={busy || !!outcome.ok} onClick={() => void run()} aria-label={t('olife.spotCheckOf', { name })}>
        {t('olife.spotCheck')}
      </button>
      <FormOutcome error={outcome.error} ok={outcome.ok} />
    </>
  );
}

/** The records past their due day, and one 催办 of those who hold their tasks. */
function Missing({ c, onNudged }: { c: MeetingCompleteness; onNudged: () => void }) {
  if (c.missing.length === 0) return <p class="notice ok">{t('olife.noneMissing', { period: words(c.period) })}</p>;
  return (
    <section aria-labelledby="olife-missing" data-testid="olife-missing">
      <h2 id="olife-missing">{t('olife.missingTitle', { n: c.missing.length })}</h2>
      <MissingNudge c={c} onDone={onNudged} />
      <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="olife-missing">
        <table>
          <ColumnHeads cols={[t('olife.branch'), t('olife.kind'), t('olife.dueOn'), t('olife.escalation')]} />
          <tbody>
            {c.missing.map((m) => (
              <tr key={`${m.code}:${m.kind}:${m.group ?? ''}`} data-code={m.code} data-kind={m.kind}>
                <th scope="row">
                  <a href={`/orgs/${encodeURIComponent(m.code)}`}>{m.name}</a>
                </th>
                <td>{m.group ? `${kindWords(m.kind)} · ${m.group}` : kindWords(m.kind)}</td>
                <td>{fmtDate(m.dueOn)}</td>
                <td>
                  {m.escalationLevel > 0 ? (
                    <span class="badge escalated">{t('olife.escalated', { level: m.escalationLevel })}</span>
                  ) : (
                    <span class="muted">{t('olife.notEscalated')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The next calendar day (YYYY-MM-DD). */
const dayAfter = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * 一键催办: everyone holding a record's task of this organization's subtree that is past due on the missing records'
 * due days gets one message. The nudge names tasks by a filter, not by ids (POST /nudges): the period's tasks are the
 * meeting records due on its due day, which a quarter shares with its last month.
 */
function MissingNudge({ c, onDone }: { c: MeetingCompleteness; onDone: () => void }) {
  const { busy, outcome, run: write } = useWrite();
  const due = c.missing.map((m) => m.dueOn).sort();
  const run = () =>
    write(async () => {
      const r = await nudge({
        org: c.organization.code,
        process: 'organization-life',
        step: 'meeting-record',
        overdue: true,
        dueAfter: `${due[0]}T00:00:00+08:00`,
        dueBefore: `${dayAfter(due[due.length - 1]!)}T00:00:00+08:00`,
      });
      onDone();
      return t('olife.nudgeDone', { tasks: r.tasks, people: r.people }) + (r.unreached.length ? ` ${t('olife.unreached', { n: r.unreached.length })}` : '');
    });
  return (
    <div class="coverage-nudge" data-testid="olife-nudge">
      <button type="button" class="primary" disabled={busy} onClick={() => void run()}>
        {t('olife.nudge', { n: c.missing.length })}
      </button>
      <FormOutcome error={outcome.error} ok={outcome.ok} />
    </div>
  );
}

/** A branch's meetings of a year on its organization's page: when, which kinds, the topic, who came, on time or late. */
export function BranchMeetings({ code }: { code: string }) {
  const thisYear = Number(shanghaiToday().slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const [list, reload] = useLoad(() => getMeetings(code, year), [code, year]);
  return (
    <section aria-labelledby="org-meetings" data-testid="org-meetings">
      <h3 id="org-meetings">{t('olife.meetings', { year })}</h3>
      <p class="inline">
        <label for="org-meetings-year">{t('olife.year')}</label>
        <select id="org-meetings-year" value={String(year)} style={{ maxWidth: '8rem' }} onChange={(e) => setYear(Number(e.currentTarget.value))}>
          {Array.from({ length: thisYear - FIRST_YEAR + 1 }, (_, i) => thisYear - i).map((y) => (
            <option key={y} value={String(y)}>
              {t('olife.yearOption', { year: y })}
            </option>
          ))}
        </select>
      </p>
      {list.state === 'loading' && <Loading />}
      {list.state === 'error' && <ErrorBox error={list.error} retry={reload} />}
      {list.state === 'ok' && list.data.meetings.length === 0 && <p class="muted">{t('olife.noMeetings')}</p>}
      {list.state === 'ok' && list.data.meetings.length > 0 && (
        <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="org-meetings">
          <table class="meetings">
            <ColumnHeads cols={[t('olife.heldOn'), t('olife.kinds'), t('olife.topic'), t('olife.attendance'), t('olife.onTime')]} />
            <tbody>
              {list.data.meetings.map((m) => {
                const late = m.met.filter((x) => x.late);
                return (
                  <tr key={m.id} data-meeting={m.id}>
                    <td data-label={t('olife.heldOn')}>{fmtDate(m.meetingOn)}</td>
                    <td data-label={t('olife.kinds')}>{m.kinds.map(kindWords).join('、') + (m.group ? ` · ${m.group}` : '')}</td>
                    <td data-label={t('olife.topic')}>{m.topic}</td>
                    <td data-label={t('olife.attendance')}>{t('olife.present', { present: m.present, of: m.onRegister })}</td>
                    <td data-label={t('olife.onTime')}>
                      {late.length === 0 ? (
                        t('olife.wasOnTime')
                      ) : (
                        <span class="badge soon" title={late.map((x) => `${words(x.period)} ${kindWords(x.kind)}`).join('、')}>
                          {t('olife.wasLate')}
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
