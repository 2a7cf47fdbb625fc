// Comments on a task (with its process's) or on a whole process, with @ mentions picked from the people who can see
// it, and the task's own action log — where a substitute's actions say for whom they acted.
import { useState } from 'preact/hooks';
import { ApiError, commentOnProcess, commentOnTask, type Comment, type TaskDetail } from '../api.js';
import { Picker } from '../picker.js';
import { Field, FormOutcome, errorText } from '../components.js';
import { fmtDateTime, t, tx } from '../i18n/index.js';

const who = (author: string, onBehalfOf: string | null) => (onBehalfOf ? t('comments.byFor', { who: author, absent: onBehalfOf }) : author);

/** What is commented on: a task (the task page), or a whole process (an organization's life, per process). */
export type CommentTarget = { task: number } | { process: string };

/**
 * The comments on a target and, for whom the API lets write (`mayComment`: the task's or the process's own flag),
 * the form with its @ mentions — picked among those who can see the target, whom the API accepts. `heading`: the
 * task page's section heading; a process's comments sit under their disclosure's summary instead.
 */
export function Comments({
  target,
  comments,
  mayComment,
  onPosted,
  heading = true,
}: {
  target: CommentTarget;
  comments: Comment[];
  mayComment: boolean;
  onPosted: () => void;
  heading?: boolean;
}) {
  // The task page has one form (ids kept); the life page one per process.
  const base = 'task' in target ? 'comment' : `comment-${target.process.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const [textId, mentionId] = [`${base}-text`, `${base}-mention`];
  const [text, setText] = useState('');
  const [pick, setPick] = useState('');
  const [mentions, setMentions] = useState<string[]>([]);
  const [errors, setErrors] = useState<{ text?: string; mentions?: string; form?: string }>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const addMention = () => {
    const name = pick.trim();
    if (name && !mentions.includes(name)) setMentions([...mentions, name]);
    setPick('');
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setNotice(null);
    if (!text.trim()) return setErrors({ text: t('v.required') });
    setErrors({});
    setBusy(true);
    try {
      const body = { text: text.trim(), mentions };
      await ('task' in target ? commentOnTask(target.task, body) : commentOnProcess(target.process, body));
      setText('');
      setMentions([]);
      setNotice(t('comments.posted'));
      onPosted();
    } catch (err) {
      // The API names the field: a mention the task is hidden from, or the text.
      if (err instanceof ApiError && err.details.length) {
        const on = (f: string) =>
          err.details
            .filter((d) => d.field?.startsWith(f))
            .map((d) => d.message)
            .join('；') || undefined;
        setErrors({ text: on('body.text'), mentions: on('body.mentions'), form: on('body.text') || on('body.mentions') ? undefined : errorText(err) });
      } else setErrors({ form: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby={heading ? 'comments-title' : undefined} aria-label={heading ? undefined : t('comments.title')} data-testid="comments">
      {heading && <h2 id="comments-title">{t('comments.title')}</h2>}
      {comments.length === 0 ? (
        <p class="muted">{t('comments.empty')}</p>
      ) : (
        <ol class="history comments">
          {comments.map((c) => (
            <li key={c.id} data-comment={c.id}>
              <time dateTime={c.at}>{fmtDateTime(c.at)}</time> <strong>{who(c.author, c.onBehalfOf)}</strong>
              {'task' in target && c.taskId === null && <span class="muted"> {t('comments.onProcess')}</span>}：{c.text}
              {c.mentions.length > 0 && <span class="muted small"> {t('comments.mentions', { names: c.mentions.map((m) => `@${m}`).join(' ') })}</span>}
            </li>
          ))}
        </ol>
      )}
      {mayComment ? (
        <form onSubmit={submit} noValidate aria-label={t('comments.submit')}>
          <Field id={textId} label={t('comments.text')} required error={errors.text}>
            <textarea
              id={textId}
              rows={3}
              maxLength={4000}
              value={text}
              aria-invalid={errors.text ? 'true' : undefined}
              aria-describedby={errors.text ? `${textId}-error` : undefined}
              onInput={(e) => setText(e.currentTarget.value)}
            />
          </Field>
          <Field id={mentionId} label={t('comments.mention')} error={errors.mentions}>
            <div class="inline">
              <Picker
                kind="person"
                {...('task' in target ? { task: target.task } : { process: target.process })}
                id={mentionId}
                value={pick}
                onChange={setPick}
                invalid={!!errors.mentions}
                describedBy={errors.mentions ? `${mentionId}-error` : undefined}
              />
              <button type="button" onClick={addMention}>
                {t('comments.mentionAdd')}
              </button>
            </div>
          </Field>
          {mentions.length > 0 && (
            <p data-testid="mentions">
              {t('comments.mentioned')}{' '}
              {mentions.map((m) => (
                <button
                  type="button"
                  class="chip"
                  key={m}
                  aria-label={t('comments.mentionRemove', { name: m })}
                  onClick={() => setMentions(mentions.filter((x) => x !== m))}
                >
                  @{m} ×
                </button>
              ))}
            </p>
          )}
          <button type="submit" disabled={busy}>
            {t('comments.submit')}
          </button>
          <FormOutcome error={errors.form} ok={notice} />
        </form>
      ) : (
        <p class="hint">{t('task' in target ? 'comments.readOnly' : 'comments.processReadOnly')}</p>
      )}
    </section>
  );
}

/** What people did to this task, in words: "liaison（代 secretary）办结了任务". */
export function ActionLog({ log }: { log: TaskDetail['actionLog'] }) {
  if (log.length === 0) return null;
  return (
    <section aria-labelledby="log-title">
      <h2 id="log-title">{t('log.title')}</h2>
      <ol class="history" data-testid="action-log">
        {log.map((a, i) => (
          <li key={i}>
            <time dateTime={a.at}>{fmtDateTime(a.at)}</time> {t('log.line', { who: who(a.actor, a.onBehalfOf), what: tx(`did.${a.kind}`, a.kind) })}
            {a.reason && <span class="muted">（{a.reason}）</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}
