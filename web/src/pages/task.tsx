import { ActionLog, Comments } from './comments.js';
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import {
  ApiError,
  actOnEscalation,
  completeTask,
  download,
  getOrganization,
  getTask,
  recordMilestone,
  searchSessions,
  uploadEvidence,
  type EvidenceUploaded,
  type HistoryEntry,
  type Me,
  type TaskDetail,
} from '../api.js';
import { ErrorBox, Field, Loading, StateBadge, errorText, historyName, processName, stepName, taskName, useLoad, validationText } from '../components.js';
import { fmtDate, fmtDateTime, t, tx as txAny } from '../i18n/index.js';
import { exclusionRows, formToOutcome, isShown, ruleField, ruleMessage, validateOutcome, type ExclusionRow } from '../../../src/domain/step-outcomes.js';
import type { FieldSpec, StepForm } from '../../../src/domain/fields.js';
import { stepCatalog, stepDef } from '../../../src/domain/steps.js';
import { pairingRuleSets, termRuleSets, twoRecommendationsRuleSets, type PairingDeliverable } from '../../../src/domain/rules.js';
import { shanghaiToday } from '../dates.js';
import { minimumCandidates } from '../../../src/domain/election.js';
import { TaskActions } from './actions.js';
import { ProvisionalBadge } from './calendar.js';
import { Picker } from '../picker.js';
import { ExclusionReason, MemberRows } from '../member-rows.js';

/**
 * The words of the organization the process is about: a community's organization is led by a street committee
 * (街道党工委) and heads a residents' committee (居委会), not a township committee and a villagers' committee, so a
 * key with a `.community` variant (field labels, options, context, the step's name) reads it there (domain.md §2:
 * the API answers `process.settlement` from the tree). Set by the page from its task before its parts render.
 */
let placeWords: 'community' | null = null;
const tx = (key: string, fallback: string = key, vars?: Record<string, string | number>): string =>
  (placeWords ? txAny(`${key}.${placeWords}`, '', vars) : '') || txAny(key, fallback, vars);

/** A nominee of the recommendation ranking (two-recommendations.ts RankedNominee), in reading order. */
const rankingOrder = ['nominee', 'memberVotes', 'villagerVotes', 'score'];

/**
 * A task (GET /tasks/{id}): what is being decided on (the context the workflow opened it with), the form of its
 * step from the step catalog, the actions the API says the caller may take now, and the process's history.
 * An old link's `?p=<workflow>` is ignored: the task's id is enough.
 */
export function TaskPage({ id, user }: { id: number; user: Me }) {
  const [data, reload] = useLoad(async () => {
    const detail = await getTask(id);
    // The term end of the organization the process is about, for a term election's steps; the page stands without it.
    const org = detail.process?.kind === 'term-election' ? await getOrganization(detail.process.organization).catch(() => null) : null;
    // The sessions a secretary is enrolled in are named by code: their titles and dates, as the picker finds them.
    const enrolled =
      Array.isArray(detail.context?.enrolled) && detail.context.enrolled.length > 0
        ? await searchSessions({ limit: 100 }).then(
            (r) => r.items,
            () => [],
          )
        : [];
    return { detail, org, enrolled };
  }, [id]);
  const [done, setDone] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  if (data.state === 'loading') return <Loading />;
  if (data.state === 'error') {
    if (data.error instanceof ApiError && (data.error.status === 404 || data.error.status === 400)) return <p class="notice error">{t('task.notFound')}</p>;
    return <ErrorBox error={data.error} retry={reload} />;
  }
  const { detail, org, enrolled } = data.data;
  placeWords = detail.process?.settlement === 'community' ? 'community' : null;
  // A pairing's partner is named by its code in the context: the API names it (outside the caller's subtree too).
  const partnerCode = typeof detail.context?.partner === 'string' ? detail.context.partner : null;
  const partner = partnerCode && detail.contextNames[partnerCode] ? { code: partnerCode, name: detail.contextNames[partnerCode]! } : null;
  const { task, actions, context } = detail;
  const sessionWords = (code: unknown) => {
    const x = enrolled.find((e) => e.code === code);
    return x ? `${x.title}（${x.code}，${fmtDate(x.startsOn)}–${fmtDate(x.endsOn)}）` : code;
  };
  const shown =
    context && (partner || enrolled.length)
      ? {
          ...context,
          ...(partner ? { partner: `${partner.name}（${partner.code}）` } : {}),
          ...(Array.isArray(context.enrolled) ? { enrolled: context.enrolled.map(sessionWords) } : {}),
        }
      : context;
  const def = stepDef(task.process, task.step);
  const live = task.state !== 'done' && task.state !== 'cancelled';
  // A pairing deliverable: its milestones from the rule set the task was opened under, those still missing named.
  const pairingRules = detail.pairing && typeof context?.ruleSet === 'string' ? pairingRuleSets.find((r) => r.id === context.ruleSet) : undefined;
  const pairingSpec =
    pairingRules && typeof context?.deliverable === 'string' && context.deliverable in pairingRules.deliverables
      ? {
          rules: pairingRules,
          deliverable: context.deliverable as PairingDeliverable,
          milestones: pairingRules.deliverables[context.deliverable as PairingDeliverable].milestones,
        }
      : null;
  const missingMilestones = () => {
    if (!pairingSpec || !detail.pairing) return null;
    const done = new Set(detail.pairing.milestones.filter((m) => m.deliverable === pairingSpec.deliverable).map((m) => m.milestone));
    const missing = pairingSpec.milestones.filter((m) => !done.has(m));
    return missing.length ? t('pw.missing', { names: missing.map((m) => milestoneName(pairingSpec.deliverable, m)).join('、') }) : null;
  };

  return (
    <section>
      <h1>{t('task.heading', { step: taskName({ ...task, settlement: detail.process?.settlement }) })}</h1>
      <dl class="facts">
        <dt>{t('task.org')}</dt>
        <dd>
          {/* A task link's session cannot open organization pages: the name stays text there. */}
          {user.onlyTask === null ? (
            <a href={`/orgs/${encodeURIComponent(task.organization)}`}>{t('task.orgName', { name: task.organizationName, code: task.organization })}</a>
          ) : (
            t('task.orgName', { name: task.organizationName, code: task.organization })
          )}
        </dd>
        <dt>{t('task.process')}</dt>
        <dd>
          {processName(task.process)}
          {detail.process && (
            <>
              {detail.process.organization !== task.organization && (
                <>
                  {' · '}
                  {user.onlyTask === null ? (
                    <a href={`/orgs/${encodeURIComponent(detail.process.organization)}`}>{detail.process.organizationName}</a>
                  ) : (
                    detail.process.organizationName
                  )}
                </>
              )}
              {' · '}
              <StateBadge state={detail.process.status} />
            </>
          )}
        </dd>
        {org?.termEndsOn && (
          <>
            <dt>{t('task.termEndsOn')}</dt>
            <dd>{fmtDate(org.termEndsOn)}</dd>
          </>
        )}
        <dt>{t('tasks.due')}</dt>
        <dd>
          {fmtDateTime(task.dueAt)}
          {task.overdue && <span class="badge overdue">⚠ {t('tasks.overdue')}</span>}
          {task.provisionalYears.length > 0 && <ProvisionalBadge years={task.provisionalYears} />}
        </dd>
        <dt>{t('task.state')}</dt>
        <dd>
          <StateBadge state={task.state} />
          {task.claimedBy && <span class="muted"> {t('task.claimedBy', { who: task.claimedBy })}</span>}
        </dd>
        {detail.step && (
          <>
            <dt>{t('task.doneBy')}</dt>
            <dd>
              {def?.byPerson && task.assigneePerson
                ? t('task.doneByPerson', { role: tx(`role.${detail.step.role}`, detail.step.role) })
                : tx(`role.${detail.step.role}`, detail.step.role)}
            </dd>
          </>
        )}
        {task.assigneePerson && (
          <>
            <dt>{t('task.assignee')}</dt>
            <dd>{task.assigneePerson}</dd>
          </>
        )}
      </dl>

      {def?.shows && shown && <DecidesOn process={task.process} shows={def.shows} context={shown} />}
      {pairingSpec && detail.pairing && detail.process && (
        <PairingWork
          village={detail.process.organization}
          deliverable={pairingSpec.deliverable}
          milestones={pairingSpec.milestones}
          rules={pairingSpec.rules}
          pairing={detail.pairing}
          evidence={detail.evidence}
          onChange={reload}
        />
      )}
      {detail.evidence.length > 0 && (
        <Evidence files={detail.evidence} deliverable={typeof context?.deliverable === 'string' ? context.deliverable : undefined} />
      )}
      {detail.earlier.length > 0 && <Earlier process={task.process} earlier={detail.earlier} />}

      {done && (
        <p class="notice ok" role="status" data-testid="task-done">
          {t('task.done')}
        </p>
      )}
      {!live && !done && <p class="notice">{t('task.notOpen')}</p>}
      {live && !done && actions.includes('complete') && (
        <TaskForm
          taskId={id}
          form={def}
          context={context}
          organization={task.organization}
          refusal={(rule) => (rule === 'milestones-missing' ? missingMilestones() : null)}
          onDone={() => {
            setDone(true);
            // The workflow records the step a moment after the task closes: read the task again shortly.
            for (const ms of [0, 700, 2000, 5000]) setTimeout(reload, ms);
          }}
        />
      )}
      {live && !done && actions.length === 0 && <p class="muted">{t('task.viewOnly')}</p>}
      {notice && (
        <p class="notice ok" role="status" data-testid="action-notice">
          {notice}
        </p>
      )}
      {live && (
        <TaskActions
          task={{ id }}
          actions={actions}
          onDone={(m) => {
            setNotice(m);
            reload();
          }}
        />
      )}
      {detail.escalations.length > 0 && (
        <TaskEscalations
          escalations={detail.escalations}
          onDone={(m) => {
            setNotice(m);
            reload();
          }}
        />
      )}

      <Comments target={{ task: task.id }} comments={detail.comments} mayComment={detail.mayComment} onPosted={reload} />
      <ActionLog log={detail.actionLog} />
      <h2>{t('task.history')}</h2>
      <History process={task.process} history={detail.history} />
    </section>
  );
}

/** A context value in words: an option's words where the key has options, dates as dates, lists and records. */
function ContextValue({ name, value, order }: { name: string; value: unknown; order: readonly string[] }) {
  if (value === null || value === undefined || value === '') return <span class="muted">{t('ctx.empty')}</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="muted">{t('ctx.empty')}</span>;
    return (
      <ul class="ctx-list">
        {value.map((v, i) => (
          <li key={i}>
            {typeof v === 'object' && v !== null ? (
              <ContextRecord record={v as Record<string, unknown>} order={order} inline />
            ) : (
              <ContextValue name={name} value={v} order={order} />
            )}
          </li>
        ))}
      </ul>
    );
  }
  if (typeof value === 'object') return <ContextRecord record={value as Record<string, unknown>} order={order} />;
  if (typeof value === 'boolean') return <>{t(value ? 'opt.yes' : 'opt.no')}</>;
  if (typeof value === 'number') return <>{Number.isInteger(value) ? value : value.toFixed(3)}</>;
  const s = String(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return <>{fmtDate(s)}</>;
  return <>{tx(`opt.${name}.${s}`, s)}</>;
}

/** A record (the request replied to, a nominee's counts) as labelled values; `inline` on one line in a list. */
function ContextRecord({ record, inline = false, order }: { record: Record<string, unknown>; inline?: boolean; order: readonly string[] }) {
  // In the order of the forms that wrote them (PostgreSQL's jsonb keeps its own order), the others after.
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  const entries = Object.entries(record)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .sort(([a], [b]) => rank(a) - rank(b));
  // Votes per person (names, not fields): the most votes first, as a count sheet reads.
  if (entries.length > 0 && entries.every(([k, v]) => typeof v === 'number' && !order.includes(k)))
    entries.sort(([, a], [, b]) => (b as number) - (a as number));
  const label = (k: string) => tx(`ctx.${k}`, tx(`field.${k}`, k));
  if (inline)
    return (
      <>
        {entries.map(([k, v], i) => (
          <span key={k}>
            {i > 0 && ' · '}
            <span class="muted">{label(k)}</span> <ContextValue name={k} value={v} order={order} />
          </span>
        ))}
      </>
    );
  return (
    <dl class="facts ctx-record">
      {entries.map(([k, v]) => (
        <Fragment key={k}>
          <dt>{label(k)}</dt>
          <dd>
            <ContextValue name={k} value={v} order={order} />
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}

/**
 * The candidate margin a slate is held to (domain.md §4.1: seats + ceil(20% × seats)), from the rule set the
 * context names: the seats, the candidates named and the minimum, and whether the slate meets it.
 */
function Margin({ process, context }: { process: string; context: Record<string, unknown> }) {
  const seats = context.seats;
  const ruleSet = context.ruleSet;
  if (typeof seats !== 'number' || typeof ruleSet !== 'string') return null;
  const rules = (process === 'term-election' ? termRuleSets : process === 'two-recommendations-one-election' ? twoRecommendationsRuleSets : []).find(
    (r) => r.id === ruleSet,
  );
  if (!rules) return null;
  const min = minimumCandidates(seats, rules);
  const pct = Math.round(rules.candidateMarginRatio * 100);
  // A slate to review (its count against the minimum), or a ranking to draw one from (the minimum to name).
  if (!Array.isArray(context.candidates) && !Array.isArray(context.ranking)) return null;
  const n = Array.isArray(context.candidates) ? context.candidates.length : null;
  return (
    <>
      <dt>{t('ctx.margin')}</dt>
      <dd data-ctx="margin">
        {n === null ? (
          t('ctx.marginMin', { seats, min, pct })
        ) : (
          <>
            {t('ctx.marginText', { seats, n, min, pct })}
            {' · '}
            <strong>{t(n >= min ? 'ctx.marginMet' : 'ctx.marginShort')}</strong>
          </>
        )}
      </dd>
    </>
  );
}

/** What was decided earlier in the process (the request replied to, the ballot and its counts…), latest of each step. */
function Earlier({ process, earlier }: { process: string; earlier: TaskDetail['earlier'] }) {
  const latest = [...new Map(earlier.map((e) => [e.step, e])).values()].sort((a, b) => a.doneAt.localeCompare(b.doneAt));
  const order = [...new Set(stepCatalog.filter((d) => d.process === process).flatMap((d) => d.fields.map((f) => f.name)))];
  return (
    <section class="card" aria-labelledby="earlier-title" data-testid="earlier">
      <h2 id="earlier-title">{t('task.earlier')}</h2>
      {latest.map((e) => (
        <section key={e.id} data-step={e.step} aria-labelledby={`earlier-${e.id}`}>
          <h3 id={`earlier-${e.id}`}>
            {stepName(process, e.step)} <span class="muted small">{t('task.earlierDone', { date: fmtDateTime(e.doneAt) })}</span>
          </h3>
          {Object.keys(e.outcome).length ? <ContextRecord record={e.outcome} order={order} /> : <p class="muted">{t('ctx.empty')}</p>}
        </section>
      ))}
    </section>
  );
}

/** A pairing's evidence files, by deliverable (this task's first), each downloaded with the caller's token. */
function Evidence({ files, deliverable }: { files: TaskDetail['evidence']; deliverable?: string }) {
  const [msg, setMsg] = useState<{ ok: string } | { error: unknown } | null>(null);
  const shown = deliverable ? files.filter((f) => f.deliverable === deliverable) : files;
  if (shown.length === 0) return null;
  const get = async (f: TaskDetail['evidence'][number]) => {
    setMsg(null);
    try {
      setMsg({ ok: t('rank.downloaded', { name: await download(`/api/v1/pairing/evidence/${f.id}`, f.filename) }) });
    } catch (err) {
      setMsg({ error: err });
    }
  };
  return (
    <section class="card" aria-labelledby="evidence-title" data-testid="evidence">
      <h2 id="evidence-title">{t('ctx.evidence')}</h2>
      <ul class="evidence-list">
        {shown.map((f) => (
          <li key={f.id} data-evidence={f.id}>
            {tx(`opt.deliverable.${f.deliverable}`, f.deliverable)}：{f.filename}{' '}
            <span class="muted small">
              （{Math.max(1, Math.round(f.sizeBytes / 1024))} KB · {fmtDateTime(f.uploadedAt)}）
            </span>{' '}
            <button type="button" class="link" onClick={() => get(f)} aria-label={`${t('ctx.download')} ${f.filename}`}>
              {t('ctx.download')}
            </button>
          </li>
        ))}
      </ul>
      <div role="status" aria-live="polite">
        {msg && 'ok' in msg && <p class="hint">{msg.ok}</p>}
      </div>
      {msg && 'error' in msg && <ErrorBox error={msg.error} />}
    </section>
  );
}

/** What the person decides on: the context's fields the step names (steps.ts `shows`), in its order. */
function DecidesOn({ process, shows, context }: { process: string; shows: readonly string[]; context: Record<string, unknown> }) {
  const keys = shows.filter((k) => context[k] !== undefined);
  // A record is shown in the order of the process's forms (a request as its form asked it), a nominee as ranked.
  const order = [...new Set([...stepCatalog.filter((d) => d.process === process).flatMap((d) => d.fields.map((f) => f.name)), ...rankingOrder])];
  if (keys.length === 0) return null;
  return (
    <section class="card decides-on" aria-labelledby="decides-title" data-testid="decides-on">
      <h2 id="decides-title">{t('task.decidesOn')}</h2>
      <dl class="facts">
        {keys.map((k) => (
          <Fragment key={k}>
            <dt>{tx(`ctx.${k}`, k)}</dt>
            <dd data-ctx={k}>
              <ContextValue name={k} value={context[k]} order={order} />
            </dd>
          </Fragment>
        ))}
        <Margin process={process} context={context} />
      </dl>
    </section>
  );
}

/** The task's escalations: level, state, and an acknowledgement where the API offers one. */
function TaskEscalations({ escalations, onDone }: { escalations: TaskDetail['escalations']; onDone: (m: string) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const acknowledge = async (id: number) => {
    setBusy(true);
    setError(null);
    try {
      await actOnEscalation(id, 'acknowledge', {});
      onDone(t('act.doneWhat', { what: t('act.acknowledge') }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="task-esc-title">
      <h2 id="task-esc-title">{t('task.escalations')}</h2>
      <ul class="task-list">
        {escalations.map((e) => (
          <li key={e.id} class="task">
            <span class="badge escalated">{t('tasks.escalation', { n: e.level })}</span> <StateBadge state={e.state} />
            {e.actions.includes('acknowledge') && (
              <button type="button" disabled={busy} onClick={() => acknowledge(e.id)}>
                {t('act.acknowledge')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {error !== null && <ErrorBox error={error} />}
    </section>
  );
}

/** The process's history, each line in words (the step's and the verb's), with who did it when recorded. */
function History({ process, history }: { process: string; history: HistoryEntry[] }) {
  return (
    <ol class="history" data-testid="history">
      {history.map((h) => (
        <li key={`${h.at}-${h.event}`}>
          <time dateTime={h.at}>{fmtDateTime(h.at)}</time> {historyName(process, h)}
          {typeof h.detail.by === 'string' && <span class="muted"> · {t('hist.by', { who: h.detail.by })}</span>}
        </li>
      ))}
    </ol>
  );
}

/** The rule a 422 rule_violation names, if any. */
const ruleOf = (err: ApiError): string | undefined => {
  const rule = (err.raw as { error?: { details?: { rule?: unknown } } } | undefined)?.error?.details?.rule;
  return typeof rule === 'string' ? rule : undefined;
};

/** The API's refusal as errors by field: a broken rule (422 rule_violation names it) or the schema's fields. */
function serverErrors(form: StepForm | undefined, err: ApiError): Record<string, string> {
  const rule = (err.raw as { error?: { details?: { rule?: unknown } } } | undefined)?.error?.details?.rule;
  if (form && typeof rule === 'string') {
    const { rule: _, ...figures } = (err.raw as { error?: { details?: Record<string, string | number> } } | undefined)?.error?.details ?? {};
    return { [ruleField(form, rule)]: ruleMessage(rule, figures) };
  }
  // Fields come as body.outcome.<name>[.<key>] (request schema) or outcome.<name>[.<key>] (the workflow's).
  return Object.fromEntries(
    err.details.map((d) => [
      String(d.field ?? '')
        .replace(/^(body\.)?(outcome\.)?/, '')
        .split('.')[0] || '_',
      d.message,
    ]),
  );
}

function TaskForm({
  taskId,
  form,
  context,
  organization,
  onDone,
  refusal,
}: {
  taskId: number;
  form: StepForm | undefined;
  context: Record<string, unknown> | null;
  /** The task's organization: a `members` field picks from its register. */
  organization: string;
  onDone: () => void;
  /** A refusal in the page's own words (a pairing deliverable names its missing milestones), by the rule broken. */
  refusal?: (rule: string) => string | null;
}) {
  // A field that starts from the task's context (the kind a meeting's task is for) is filled in, still editable.
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      (form?.fields ?? []).flatMap((f) => (f.initialFrom && typeof context?.[f.initialFrom] === 'string' ? [[f.name, context[f.initialFrom] as string]] : [])),
    ),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  // A refusal in the page's words is read again as the page changes: once the milestones are recorded, it goes.
  const [refused, setRefused] = useState<string | null>(null);
  const shownError = refused && refusal ? refusal(refused) : formError;
  const [busy, setBusy] = useState(false);
  const shown = form?.fields.filter((f) => isShown(f, values)) ?? [];

  const submit = async (e: Event) => {
    e.preventDefault();
    setFormError(null);
    setRefused(null);
    const outcome = form ? formToOutcome(form, values) : {};
    // The step's rule is checked with the task's context, as the workflow will check it.
    const errs = form ? validateOutcome(form, outcome, context) : null;
    setErrors(errs ?? {});
    if (errs) {
      setFormError(errs._ ? validationText(errs._) : t('task.fixErrors'));
      // Keyboard and screen-reader users land on the first wrong field.
      const first = shown.find((f) => errs[f.name]);
      if (first) document.getElementById(`f-${first.name}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      await completeTask(taskId, outcome);
      onDone();
    } catch (err) {
      const byField = err instanceof ApiError ? serverErrors(form, err) : {};
      const rule = err instanceof ApiError ? ruleOf(err) : undefined;
      const named = rule && refusal ? refusal(rule) : null;
      setErrors(byField);
      setRefused(named ? rule! : null);
      // A refusal the fields already explain in the page's words gets the same summary as the form's own checks,
      // not the API's English message beneath it.
      const besideFields = Object.keys(byField).some((k) => k !== '_');
      setFormError(
        named ??
          (err instanceof ApiError && err.status === 403
            ? t('task.noPermission')
            : byField._
              ? validationText(byField._)
              : besideFields
                ? t('task.fixErrors')
                : errorText(err)),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="form-title" data-testid="task-form">
      <h2 id="form-title">{t('task.form')}</h2>
      {!form && <p class="muted">{t('task.noForm')}</p>}
      {shown.map((f) => (
        <FormField
          key={f.name}
          spec={f}
          value={values[f.name] ?? ''}
          error={errors[f.name]}
          organization={organization}
          group={groupOf(context)}
          onInput={(v) => setValues({ ...values, [f.name]: v })}
        />
      ))}
      {shownError && (
        <p class="notice error" role="alert">
          {shownError}
        </p>
      )}
      <button class="primary" type="submit" disabled={busy}>
        {t('common.submit')}
      </button>
    </form>
  );
}

/** The group a 党小组会's task is for (MeetingContext.group), if its context names one. */
const groupOf = (c: Record<string, unknown> | null): number | undefined => {
  const g = c?.group as { id?: unknown } | undefined;
  return typeof g?.id === 'number' ? g.id : undefined;
};

function FormField({
  spec,
  value,
  error,
  organization,
  group,
  onInput,
}: {
  spec: FieldSpec;
  value: string;
  /** A 党小组会's group (its task's context): the members picked are its members. */
  group?: number;
  error?: string;
  organization?: string;
  onInput: (v: string) => void;
}) {
  const id = `f-${spec.name}`;
  const label = tx(`field.${spec.name}`, spec.name);
  const msg = error ? validationText(error, { min: spec.min ?? '', max: spec.max ?? '' }) : null;
  // Lists are typed one entry a line: the hint says how.
  const hint = spec.kind === 'names' || spec.kind === 'votes' ? t(spec.kind === 'names' ? 'hint.names' : 'hint.votes') : undefined;
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: spec.name,
    'aria-invalid': !!error,
    'aria-describedby': describedBy,
    required: spec.required,
  };
  return (
    <Field id={id} label={label} required={spec.required} error={msg} hint={hint}>
      {spec.kind === 'exclusions' ? (
        <Exclusions id={id} spec={spec} value={value} invalid={!!error} describedBy={describedBy} onInput={onInput} />
      ) : spec.kind === 'members' ? (
        <MemberRows id={id} spec={spec} value={value} register={organization} group={group} invalid={!!error} describedBy={describedBy} onInput={onInput} />
      ) : spec.kind === 'organization' || spec.kind === 'person' || spec.kind === 'session' ? (
        <Picker
          kind={spec.kind}
          id={id}
          value={value}
          onChange={onInput}
          invalid={!!error}
          describedBy={describedBy}
          required={spec.required}
          role={spec.role}
        />
      ) : spec.kind === 'select' ? (
        <select {...common} value={value} onChange={(e) => onInput(e.currentTarget.value)}>
          <option value="">{t('opt.choose')}</option>
          {spec.options!.map((o) => (
            <option key={o} value={o}>
              {tx(`opt.${spec.name}.${o}`, o)}
            </option>
          ))}
        </select>
      ) : spec.kind === 'choices' ? (
        <Choices id={id} spec={spec} value={value} invalid={!!error} describedBy={describedBy} onInput={onInput} />
      ) : spec.kind === 'check' ? (
        <input {...common} type="checkbox" checked={value === 'true'} onChange={(e) => onInput(e.currentTarget.checked ? 'true' : '')} />
      ) : spec.kind === 'text' || spec.kind === 'names' || spec.kind === 'votes' ? (
        <textarea
          {...common}
          rows={spec.kind === 'text' ? 3 : 4}
          maxLength={spec.kind === 'text' ? spec.max : undefined}
          value={value}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
      ) : spec.kind === 'date' ? (
        <input {...common} type="date" value={value} onInput={(e) => onInput(e.currentTarget.value)} />
      ) : (
        <input {...common} type="text" inputMode="numeric" value={value} onInput={(e) => onInput(e.currentTarget.value)} />
      )}
    </Field>
  );
}

/** What a field's own control gets: the field, its form value (a string) and how to change it. */
interface ControlProps {
  id: string;
  spec: FieldSpec;
  value: string;
  invalid: boolean;
  describedBy?: string;
  onInput: (v: string) => void;
}

/** Any of a field's options, ticked: the kinds of meeting held together. Held as the ticked options, comma-joined. */
function Choices({ id, spec, value, invalid, describedBy, onInput }: ControlProps) {
  const ticked = value.split(',').filter(Boolean);
  // Kept in the options' order, whatever order they were ticked in.
  const toggle = (o: string, on: boolean) => onInput(spec.options!.filter((x) => (x === o ? on : ticked.includes(x))).join(','));
  return (
    <div id={id} class="choices" role="group" aria-invalid={invalid} aria-describedby={describedBy}>
      {spec.options!.map((o) => (
        <label key={o} class="choice">
          <input type="checkbox" name={`${spec.name}-${o}`} checked={ticked.includes(o)} onChange={(e) => toggle(o, e.currentTarget.checked)} />
          {tx(`opt.${spec.name}.${o}`, o)}
        </label>
      ))}
    </div>
  );
}

/**
 * Members left out of the entitled count, one row each: how many or who, the reason (from the rule set's list) and
 * the higher committee's approval. Held as JSON in the form's value (step-outcomes.ts exclusionRows).
 */
function Exclusions({ id, spec, value, invalid, describedBy, onInput }: ControlProps) {
  const rows = exclusionRows(value);
  const set = (next: ExclusionRow[]) => onInput(next.length ? JSON.stringify(next) : '');
  const edit = (i: number, patch: Partial<ExclusionRow>) => set(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div id={id} class="exclusions" role="group" aria-invalid={invalid} aria-describedby={describedBy}>
      {rows.map((r, i) => (
        <div key={i} class="exclusion-row">
          <label>
            {t('excl.who')}
            <input name={`${spec.name}-${i}-who`} type="text" value={r.who} onInput={(e) => edit(i, { who: e.currentTarget.value })} />
          </label>
          <ExclusionReason name={`${spec.name}-${i}-reason`} options={spec.options} value={r.reason} onChange={(v) => edit(i, { reason: v })} />
          <label>
            {t('excl.approval')}
            <input
              name={`${spec.name}-${i}-approval`}
              type="text"
              maxLength={200}
              value={r.approval}
              onInput={(e) => edit(i, { approval: e.currentTarget.value })}
            />
          </label>
          <button type="button" class="link" onClick={() => set(rows.filter((_, j) => j !== i))}>
            {t('excl.remove')}
          </button>
        </div>
      ))}
      <button type="button" name={`${spec.name}-add`} onClick={() => set([...rows, { who: '', reason: '', approval: '' }])}>
        {t('excl.add')}
      </button>
    </div>
  );
}

const milestoneName = (deliverable: string, milestone: string) => tx(`ms.${deliverable}.${milestone}`, milestone);
const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/**
 * A pairing deliverable's milestones (POST /pairing/milestones) and evidence files (POST /pairing/evidence): the
 * milestones of the rule set in order — recorded ones with their date, note and files, the next one due — and, for
 * those the API lets record (`pairing.mayRecord`), a file upload and the form recording the next milestone.
 */
function PairingWork({
  village,
  deliverable,
  milestones,
  rules,
  pairing,
  evidence,
  onChange,
}: {
  village: string;
  deliverable: PairingDeliverable;
  milestones: readonly string[];
  rules: { evidencePerMilestone: number; evidenceMaxBytes: number };
  pairing: NonNullable<TaskDetail['pairing']>;
  evidence: TaskDetail['evidence'];
  onChange: () => void;
}) {
  const recorded = new Map(pairing.milestones.filter((m) => m.deliverable === deliverable).map((m) => [m.milestone, m]));
  const next = milestones.find((m) => !recorded.has(m));
  const files = evidence.filter((f) => f.deliverable === deliverable);
  const fileName = (id: string) => evidence.find((f) => f.id === id)?.filename ?? id;

  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<{ name: string; sent: number; total: number } | null>(null);
  const [uploaded, setUploaded] = useState<EvidenceUploaded | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [achievedOn, setAchievedOn] = useState(shanghaiToday());
  const [note, setNote] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [recordError, setRecordError] = useState<string | null>(null);
  const [recordedNotice, setRecordedNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const upload = async (e: Event) => {
    e.preventDefault();
    setUploadError(null);
    setUploaded(null);
    if (!file) return setUploadError(t('pw.noFile'));
    // The rule set's limit is checked here too, so a phone does not send 10 MB to hear 413.
    if (file.size > rules.evidenceMaxBytes) return setUploadError(t('pw.tooLarge', { mb: mib(rules.evidenceMaxBytes) }));
    setProgress({ name: file.name, sent: 0, total: file.size });
    try {
      const up = await uploadEvidence({ organization: village, deliverable }, file, (sent, total) => setProgress({ name: file.name, sent, total }));
      setUploaded(up);
      setChosen((c) => [...c, up.id]);
      setFile(null);
      const input = document.getElementById('pw-file') as HTMLInputElement | null;
      if (input) input.value = '';
      onChange();
    } catch (err) {
      const limit =
        (err instanceof ApiError ? (err.raw as { error?: { details?: { limit?: unknown } } } | undefined)?.error?.details?.limit : undefined) ??
        rules.evidenceMaxBytes;
      setUploadError(
        err instanceof ApiError && err.status === 413
          ? t('pw.tooLarge', { mb: mib(typeof limit === 'number' ? limit : rules.evidenceMaxBytes) })
          : err instanceof ApiError && err.status === 400
            ? t('pw.badFile', { msg: err.details.map((d) => d.message).join('；') || err.message })
            : errorText(err),
      );
    } finally {
      setProgress(null);
    }
  };

  const record = async (e: Event) => {
    e.preventDefault();
    if (!next) return;
    setRecordError(null);
    setRecordedNotice(null);
    const ids = chosen.filter((id) => files.some((f) => f.id === id));
    if (ids.length < rules.evidencePerMilestone) return setRecordError(t('r.evidence-required'));
    setBusy(true);
    try {
      await recordMilestone({ organization: village, deliverable, milestone: next, achievedOn, note: note.trim() || undefined, evidence: ids });
      setRecordedNotice(t('pw.recordedNotice', { name: milestoneName(deliverable, next) }));
      setNote('');
      onChange();
    } catch (err) {
      const rule = err instanceof ApiError ? ruleOf(err) : undefined;
      setRecordError(rule ? tx(`r.${rule}`, errorText(err)) : errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="pw-title" data-testid="pairing-work">
      <h2 id="pw-title">{t('pw.title')}</h2>
      <p class="hint">{t('pw.intro', { n: rules.evidencePerMilestone })}</p>
      <ol class="milestones" data-testid="milestones">
        {milestones.map((m) => {
          const r = recorded.get(m);
          return (
            <li key={m} data-milestone={m} data-state={r ? 'recorded' : m === next ? 'next' : 'later'}>
              <strong>{milestoneName(deliverable, m)}</strong>{' '}
              <span class={`badge ${r ? 'state-done' : m === next ? 'state-open' : ''}`}>{t(r ? 'pw.recorded' : m === next ? 'pw.next' : 'pw.later')}</span>
              {r && (
                <div class="milestone-detail muted">
                  {t('pw.on', { date: fmtDate(r.achievedOn) })} · {t('pw.by', { who: r.recordedBy })}
                  {r.note && <> · {r.note}</>} · {t('ctx.evidence')}：{r.evidence.map(fileName).join('、')}
                </div>
              )}
            </li>
          );
        })}
      </ol>
      {!next && <p class="notice ok">{t('pw.allRecorded')}</p>}
      {!pairing.mayRecord && next && <p class="muted">{t('pw.viewOnly')}</p>}

      {pairing.mayRecord && next && (
        <>
          <form onSubmit={upload} noValidate aria-labelledby="pw-upload-title" data-testid="evidence-upload">
            <h3 id="pw-upload-title">{t('pw.upload')}</h3>
            <Field id="pw-file" label={t('pw.file')} hint={t('pw.limit', { mb: mib(rules.evidenceMaxBytes) })} error={uploadError}>
              <input
                id="pw-file"
                type="file"
                name="file"
                accept="image/*,application/pdf,.doc,.docx,.xls,.xlsx"
                aria-describedby={`pw-file-hint${uploadError ? ' pw-file-error' : ''}`}
                aria-invalid={!!uploadError}
                onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
              />
            </Field>
            <button type="submit" disabled={!!progress} aria-busy={!!progress}>
              {t('pw.uploadButton')}
            </button>
            <div role="status" aria-live="polite" data-testid="upload-status">
              {progress && (
                <p>
                  <label for="pw-progress">{t('pw.uploading', { name: progress.name })}</label>{' '}
                  <progress id="pw-progress" max={progress.total || 1} value={progress.sent} />
                </p>
              )}
              {uploaded && (
                <p class="notice ok">
                  {t('pw.uploaded', { name: uploaded.filename, kb: Math.max(1, Math.round(uploaded.size / 1024)), sha: uploaded.sha256 })}
                </p>
              )}
            </div>
          </form>

          <form onSubmit={record} noValidate aria-labelledby="pw-record-title" data-testid="milestone-form">
            <h3 id="pw-record-title">{t('pw.record', { name: milestoneName(deliverable, next) })}</h3>
            <Field id="pw-date" label={t('pw.achievedOn')} required>
              <input id="pw-date" type="date" required max={shanghaiToday()} value={achievedOn} onInput={(e) => setAchievedOn(e.currentTarget.value)} />
            </Field>
            <Field id="pw-note" label={t('pw.note')}>
              <textarea id="pw-note" rows={2} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
            </Field>
            <fieldset class="field">
              <legend>{t('pw.evidence', { n: rules.evidencePerMilestone })}</legend>
              {files.length === 0 && <p class="muted">{t('pw.noEvidence')}</p>}
              {files.map((f) => (
                <label key={f.id} class="check">
                  <input
                    type="checkbox"
                    value={f.id}
                    checked={chosen.includes(f.id)}
                    onChange={(e) => {
                      const on = e.currentTarget.checked;
                      setChosen((c) => (on ? [...c, f.id] : c.filter((x) => x !== f.id)));
                    }}
                  />{' '}
                  {f.filename} <span class="muted small">（{Math.max(1, Math.round(f.sizeBytes / 1024))} KB）</span>
                </label>
              ))}
            </fieldset>
            {recordError && (
              <p class="notice error" role="alert">
                {recordError}
              </p>
            )}
            <button class="primary" type="submit" disabled={busy} aria-busy={busy}>
              {t('pw.recordButton')}
            </button>
          </form>
        </>
      )}
      <div role="status" aria-live="polite" data-testid="milestone-status">
        {recordedNotice && <p class="notice ok">{recordedNotice}</p>}
      </div>
    </section>
  );
}
