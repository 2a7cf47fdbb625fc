// An organization's life on one page (GET /organizations/{code}/life): each process as a
// timeline of its steps (done with when and by whom, the current one with its due date, the next ones), the term
// register, the secretary's training cycles, pairing and liaison, the assessment rows — and the slot where the
// ratings' history mounts. The place a supervisor goes before a phone call. Each process carries its own comments,
// folded behind their count (opened by #comments-<process id>), with the form for those the API lets write.
import { useEffect, useRef, useState } from 'preact/hooks';
import { getOrganizationLife, processComments, type OrganizationLife } from '../api.js';
import { RatingHistory } from '../rating-history.js';
import { Comments } from './comments.js';
import { ColumnHeads, ErrorBox, Loading, StateBadge, processName, stepName, useLoad } from '../components.js';
import { fmtDate, fmtDateTime, t, tx } from '../i18n/index.js';

export function LifePage({ code }: { code: string }) {
  const [life, reload] = useLoad(() => getOrganizationLife(code), [code]);
  if (life.state === 'loading') return <Loading />;
  if (life.state === 'error') return <ErrorBox error={life.error} retry={reload} />;
  const l = life.data;
  return (
    <section class="life" data-testid="org-life">
      <p>
        <a href={`/orgs/${encodeURIComponent(code)}`}>← {t('life.back')}</a>
      </p>
      <h1>{t('life.title', { name: l.organization.name })}</h1>
      <Term l={l} />
      <section aria-labelledby="life-processes" class="card">
        <h2 id="life-processes">{t('life.processes')}</h2>
        {l.processes.length === 0 && <p class="muted">{t('life.noProcesses')}</p>}
        {l.processes.map((p) => (
          <article key={p.id} class="process-life" data-process={p.id} aria-labelledby={`p-${p.id}`}>
            <h3 id={`p-${p.id}`}>
              {processName(p.kind)} <StateBadge state={p.status} />
            </h3>
            <ol class="timeline" aria-label={t('life.processes')}>
              {p.steps.map((s, i) => (
                <li key={`${s.step}-${i}`} class={`tl-${s.state}`} data-state={s.state}>
                  <span class="tl-mark" aria-hidden="true">
                    {s.state === 'done' ? '✓' : s.state === 'current' ? '●' : s.state === 'cancelled' ? '×' : '○'}
                  </span>
                  <span class="tl-state">{t(`life.${s.state}`)}</span>{' '}
                  {s.taskId ? (
                    <a href={`/tasks/${s.taskId}`}>{stepName(p.kind, s.step, l.organization.settlement)}</a>
                  ) : (
                    <span>{stepName(p.kind, s.step, l.organization.settlement)}</span>
                  )}
                  {s.state === 'done' && s.at && (
                    <span class="muted tl-when">
                      {t('life.doneBy', {
                        when: fmtDateTime(s.at),
                        who: s.onBehalfOf ? t('comments.byFor', { who: s.by ?? '', absent: s.onBehalfOf }) : (s.by ?? t('common.none')),
                      })}
                    </span>
                  )}
                  {s.state === 'current' && s.dueAt && (
                    <span class="tl-when">
                      {t('life.due', { when: fmtDateTime(s.dueAt) })}
                      {s.overdue && <span class="badge overdue">⚠ {t('life.overdue')}</span>}
                    </span>
                  )}
                </li>
              ))}
            </ol>
            <ProcessComments p={p} />
          </article>
        ))}
      </section>
      <div class="life-grid">
        <ListCard id="life-training" title={t('life.training')}>
          {l.training.map((c) => (
            <li key={c.cycle}>
              {t('life.trainingRow', { n: c.cycle, name: c.secretaryName ?? t('common.none'), from: fmtDate(c.startsOn), to: fmtDate(c.endsOn) })}{' '}
              <StateBadge state={c.state} />
              {c.trainedOn && <span class="muted"> {t('life.trainedOn', { date: fmtDate(c.trainedOn) })}</span>}
            </li>
          ))}
        </ListCard>
        <ListCard id="life-pairing" title={t('life.pairing')}>
          {l.pairings.map((p) => (
            <li key={`${p.village}-${p.cycle}`}>
              {t('life.pairingRow', { n: p.cycle, village: p.villageName, partner: p.partnerName, from: fmtDate(p.startsOn), to: fmtDate(p.endsOn) })}{' '}
              <StateBadge state={p.state} />
            </li>
          ))}
        </ListCard>
        <ListCard id="life-liaison" title={t('life.liaison')}>
          {l.liaison.map((d, i) => (
            <li key={i}>
              {t('life.liaisonRow', { officer: d.officer ?? t('common.none') })} <StateBadge state={d.state} />
            </li>
          ))}
        </ListCard>
        {/* The rating (三色管理) over time: the same component as the ratings page's history. */}
        <section aria-labelledby="life-rating" class="card" data-organization={l.organization.code}>
          <h2 id="life-rating">{t('life.rating')}</h2>
          <RatingHistory code={l.organization.code} />
        </section>
      </div>
      <section aria-labelledby="life-assessments" class="card">
        <h2 id="life-assessments">{t('life.assessments')}</h2>
        {l.assessments.length === 0 ? (
          <p class="muted">{t('life.none')}</p>
        ) : (
          <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="life-assessment-caption">
            <table>
              <caption id="life-assessment-caption">{t('life.assessmentCaption')}</caption>
              <ColumnHeads cols={[t('life.year'), t('life.score'), t('life.termOnTimeCol'), t('life.trainedCol'), t('life.noOverdueCol')]} />
              <tbody>
                {l.assessments.map((a) => (
                  <tr key={a.year}>
                    <th scope="row">{a.year}</th>
                    <td>{a.score}</td>
                    <td>{a.termOnTime === null ? '—' : t(a.termOnTime ? 'opt.yes' : 'opt.no')}</td>
                    <td>{a.secretaryTrained === null ? '—' : t(a.secretaryTrained ? 'opt.yes' : 'opt.no')}</td>
                    <td>{t(a.noOverdueTasks ? 'opt.yes' : 'opt.no')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}

function Term({ l }: { l: OrganizationLife }) {
  const term = l.term;
  return (
    <section aria-labelledby="life-term" class="card">
      <h2 id="life-term">{t('life.term')}</h2>
      <dl class="facts">
        <dt>{t('orgs.type')}</dt>
        <dd>{tx(`type.${l.organization.type}`, l.organization.type)}</dd>
        <dt>{t('orgs.secretary')}</dt>
        <dd>{l.organization.secretaryName ?? t('common.none')}</dd>
        <dt>{t('orgs.term')}</dt>
        <dd>
          {term.years !== null ? t('orgs.termYears', { n: term.years }) : t('common.none')}
          {term.startedOn && ` · ${fmtDate(term.startedOn)}`}
          {term.endsOn && ` – ${fmtDate(term.endsOn)}`}
          {term.postponedUntil && ` · ${t('orgs.postponedUntil', { date: fmtDate(term.postponedUntil) })}`}{' '}
          {term.endsOn &&
            (term.late ? <span class="badge overdue">⚠ {t('life.termLate')}</span> : <span class="badge state-done">{t('life.termOnTime')}</span>)}
        </dd>
      </dl>
    </section>
  );
}

type LifeProcess = OrganizationLife['processes'][number];

/** The page's address names this process's comments: `#comments-<process id>`. */
const named = (id: string) => {
  try {
    return decodeURIComponent(location.hash.slice(1)) === `comments-${id}`;
  } catch {
    return false;
  }
};

/**
 * A process's own comments behind a disclosure with their count, so the timeline stays readable; read when opened
 * (GET /processes/{id}/comments). Opened, and scrolled to, when the address names it.
 */
function ProcessComments({ p }: { p: LifeProcess }) {
  const [open, setOpen] = useState(() => named(p.id));
  const [count, setCount] = useState(p.comments);
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (named(p.id)) ref.current?.scrollIntoView();
    const onHash = () => {
      if (!named(p.id)) return;
      setOpen(true);
      ref.current?.scrollIntoView();
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, [p.id]);
  return (
    <details id={`comments-${p.id}`} ref={ref} class="process-comments" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t('comments.processSummary', { n: count })}</summary>
      {open && <ProcessCommentList p={p} onCount={setCount} />}
    </details>
  );
}

function ProcessCommentList({ p, onCount }: { p: LifeProcess; onCount: (n: number) => void }) {
  const [list, reload] = useLoad(() => processComments(p.id), [p.id]);
  useEffect(() => {
    if (list.state === 'ok') onCount(list.data.items.length);
  }, [list]);
  if (list.state === 'loading') return <Loading />;
  if (list.state === 'error') return <ErrorBox error={list.error} retry={reload} />;
  return <Comments target={{ process: p.id }} comments={list.data.items} mayComment={p.mayComment} onPosted={reload} heading={false} />;
}

/** A card listing rows of one register, or saying there are none. */
function ListCard({ id, title, children }: { id: string; title: string; children: preact.JSX.Element[] }) {
  return (
    <section aria-labelledby={id} class="card">
      <h2 id={id}>{title}</h2>
      {children.length === 0 ? <p class="muted">{t('life.none')}</p> : <ul class="plain">{children}</ul>}
    </section>
  );
}
