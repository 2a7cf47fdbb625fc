// Small shared pieces: loading and error states, field wrapper, badges, the pick list of bulk actions.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, download, type Page } from './api.js';
import { lang, lookup, t, tx } from './i18n/index.js';
import { historyWords, stepWords, type HistoryLine } from './words.js';
import { stepDef, titleSuffix, type TaskTitle } from '../../src/domain/steps.js';

export type Loadable<T> = { state: 'loading' } | { state: 'ok'; data: T } | { state: 'error'; error: unknown };

/**
 * Runs `load` on mount and whenever `deps` change; `reload` runs it again, keeping what is shown until the new
 * answer arrives (no flash of "loading" when a page refreshes itself after an action).
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Loadable<T>, () => void] {
  const [v, setV] = useState<Loadable<T>>({ state: 'loading' });
  const [n, setN] = useState(0);
  const key = useRef<string>('');
  useEffect(() => {
    let live = true;
    const k = JSON.stringify(deps);
    if (k !== key.current || v.state !== 'ok') setV({ state: 'loading' });
    key.current = k;
    load().then(
      (data) => live && setV({ state: 'ok', data }),
      (error: unknown) => live && setV({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, n]);
  return [v, () => setN((x) => x + 1)];
}

/**
 * A write a button or form runs: `busy` while it runs (the page disables its button: a second click sends nothing
 * twice), then what it did (`ok`: the words `write` resolves to, if any) or why not (`error`, kept for an ErrorBox; `outcome`
 * gives both as words for a FormOutcome). `run` resolves to whether the write succeeded.
 */
export function useWrite() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [ok, setOk] = useState<string | null>(null);
  const run = async (write: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    setOk(null);
    try {
      const done = await write();
      setOk(typeof done === 'string' ? done : null);
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, ok, run, outcome: { ok, error: error === null ? null : errorText(error) } };
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return (err as Error)?.message ?? String(err);
}

/** Shows a failed call: the error, with a retry when one makes sense. */
export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div class="notice error" role="alert">
      <strong>{t('common.error')}</strong>
      {errorText(error)}
      {retry && (
        <button type="button" class="link" onClick={retry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function Loading() {
  return (
    <p class="muted" role="status" aria-live="polite">
      {t('common.loading')}
    </p>
  );
}

/** A labelled form control with its error right under it, tied together for screen readers. */
export function Field(props: { id: string; label: string; required?: boolean; error?: string | null; children: ComponentChildren; hint?: string }) {
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <label for={props.id}>
        {props.label}
        {props.required && (
          <span class="req">
            {' '}
            *<span class="sr-only">{t('common.required')}</span>
          </span>
        )}
      </label>
      {props.children}
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={`${props.id}-error`} role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}

/**
 * Translates a validation key (`v.min`…) from the shared step schemas, or a broken rule (`r.turnout`…) from the
 * domain checks and the API's 422; server messages pass through.
 */
export function validationText(msg: string, vars: Record<string, string | number> = {}): string {
  if (!/^[vr]\./.test(msg)) return msg;
  // A rule's figures ride on its key (src/domain/step-outcomes.ts ruleMessage).
  const [key, query] = msg.split('?', 2) as [string, string | undefined];
  return tx(key, key, { ...vars, ...Object.fromEntries(new URLSearchParams(query ?? '')) });
}

/**
 * Picking many organizations or units from one page of a listing, for a bulk action: a checkbox each, "all on
 * this page", the count picked in the legend, and the error of an empty pick tied to the group. The caller keeps
 * the picked codes (they survive a new search: "all" adds or removes only what is shown).
 */
export function PickList<T extends { code: string; name: string }>(props: {
  /** Prefix of the error's id (`<id>-pick-error`). */
  id: string;
  legend: string;
  list: Loadable<Page<T>>;
  retry: () => void;
  /** Shown when the listing is empty. */
  empty: string;
  /** The muted text after an item's name (its secretary, its officer). */
  detail: (item: T) => string;
  picked: ReadonlySet<string>;
  onChange: (picked: Set<string>) => void;
  error?: string | null;
}) {
  const { list, picked, onChange } = props;
  const items = list.state === 'ok' ? list.data.items : [];
  const errorId = `${props.id}-pick-error`;
  const all = items.length > 0 && items.every((o) => picked.has(o.code));
  const set = (codes: string[], on: boolean) => {
    const next = new Set(picked);
    for (const c of codes) {
      if (on) next.add(c);
      else next.delete(c);
    }
    onChange(next);
  };
  return (
    <fieldset class="picklist" aria-describedby={props.error ? errorId : undefined}>
      <legend>{props.legend}</legend>
      {list.state === 'loading' && <Loading />}
      {list.state === 'error' && <ErrorBox error={list.error} retry={props.retry} />}
      {list.state === 'ok' && items.length === 0 && <p class="muted">{props.empty}</p>}
      {items.length > 0 && (
        <label class="check all">
          <input
            type="checkbox"
            checked={all}
            onChange={(e) =>
              set(
                items.map((o) => o.code),
                e.currentTarget.checked,
              )
            }
          />
          {t('bulk.all', { n: items.length })}
        </label>
      )}
      <ul>
        {items.map((o) => (
          <li key={o.code}>
            <label class="check">
              <input type="checkbox" checked={picked.has(o.code)} onChange={(e) => set([o.code], e.currentTarget.checked)} data-code={o.code} />
              {o.name}
              <span class="muted small"> {props.detail(o)}</span>
            </label>
          </li>
        ))}
      </ul>
      {list.state === 'ok' && list.data.nextCursor && <p class="hint">{t('common.truncated')}</p>}
      {props.error && (
        <p class="field-error" id={errorId} role="alert">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}

export function StateBadge({ state }: { state: string }) {
  return <span class={`badge state-${state}`}>{tx(`state.${state}`, state)}</span>;
}

export function OverdueBadge() {
  return (
    <span class="badge overdue" data-testid="overdue-badge">
      ⚠ {t('tasks.overdue')}
    </span>
  );
}

/**
 * A step's or a process state's name (src/domain/step-words.ts); with the settlement of the process's organization,
 * a community's own words where the step has them (its catalog variant: 街道党工委审批, not 乡镇党委审批).
 */
export const stepName = (process: string, step: string, settlement?: string | null) =>
  (settlement ? stepDef(process, step)?.variants?.[settlement]?.[lang.value] : undefined) ?? stepWords(process, step, lang.value);
/** A line of a process's history in words (words.ts historyWords). */
export const historyName = (process: string, h: HistoryLine) => historyWords(process, h, lang.value, lookup);
export const processName = (kind: string) => tx(`process.${kind}`, kind);
/** A task's name: its step's words and what sets it apart from the step's other tasks (its title's parts: a member, a quarter). */
export const taskName = (task: { process: string; step: string; settlement?: string | null; titleParts?: TaskTitle | null }) => {
  // A task titled by a variant of its step's words (a meeting record's kind: 支部委员会记录) is named by it, as its title is.
  const v = task.titleParts?.variant;
  const variant = v !== undefined ? stepDef(task.process, task.step)?.variants?.[v]?.[lang.value] : undefined;
  return `${variant ?? stepName(task.process, task.step, task.settlement)}${task.titleParts ? titleSuffix(task.titleParts, lang.value) : ''}`;
};

/** Downloads of one view as CSV and XLSX, fetched with the caller's token. */
export function Downloads({ label, paths }: { label: string; paths: { csv: [string, string]; xlsx: [string, string] } }) {
  const [msg, setMsg] = useState<{ ok: string } | { error: unknown } | null>(null);
  const get = async ([path, name]: [string, string]) => {
    setMsg(null);
    try {
      setMsg({ ok: t('rank.downloaded', { name: await download(path, name) }) });
    } catch (err) {
      setMsg({ error: err });
    }
  };
  return (
    <div class="downloads">
      <div class="button-row" role="group" aria-label={label}>
        <button type="button" onClick={() => get(paths.csv)}>
          {t('rank.downloadCsv')}
        </button>
        <button type="button" onClick={() => get(paths.xlsx)}>
          {t('rank.downloadXlsx')}
        </button>
      </div>
      <div role="status" aria-live="polite">
        {msg && 'ok' in msg && <p class="hint">{msg.ok}</p>}
      </div>
      {msg && 'error' in msg && <ErrorBox error={msg.error} />}
    </div>
  );
}

/** A form's outcome under its button: what went wrong (not tied to one field), or that it was done. */
export function FormOutcome({ error, ok }: { error?: string | null; ok?: string | null }) {
  return (
    <>
      {error && (
        <p class="notice error" role="status">
          {error}
        </p>
      )}
      {ok && (
        <p class="notice ok" role="status">
          {ok}
        </p>
      )}
    </>
  );
}

/** Messages by row and column of an uploaded file (every import's refusals; the roster's rows routed to a process). */
export function RowMessages({ rows }: { rows: { row?: number; column?: string; message: string }[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{t('import.row')}</th>
          <th scope="col">{t('import.column')}</th>
          <th scope="col">{t('import.message')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            <td class="num">{r.row ?? ''}</td>
            <td>{r.column ?? ''}</td>
            <td>{r.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What a bulk action refused, an organization a row: its name and why (`data-refused` names its code). */
export function RefusedOrganizations({ caption, rows }: { caption: string; rows: { code: string; name: string; message: string }[] }) {
  return (
    <table>
      <caption class="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('task.org')}</th>
          <th scope="col">{t('import.message')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.code} data-refused={r.code}>
            <td>{r.name}</td>
            <td>{r.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A table's column headings, one `th scope="col"` each; a falsy entry is a column this table leaves out for the caller. */
export function ColumnHeads({ cols }: { cols: (string | false | null | undefined)[] }) {
  return (
    <thead>
      <tr>
        {cols.map(
          (c, i) =>
            c && (
              <th scope="col" key={i}>
                {c}
              </th>
            ),
        )}
      </tr>
    </thead>
  );
}
