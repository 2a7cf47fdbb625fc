// Small shared pieces: loading and error states, field wrapper, badges.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import { t, tx } from './i18n/index.js';

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
        {props.required && <span class="req"> *<span class="sr-only">{t('common.required')}</span></span>}
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
  return /^[vr]\./.test(msg) ? tx(msg, msg, vars) : msg;
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

export const stepName = (_process: string, step: string) => tx(`step.${step}`, step);
/**
 * A process history entry. Keys are `<task>[-<round>]-<verb>` (election-request-2-filed), a step of its own
 * (term-renewed), or prefixed by a training cycle (c1:cycle-completed): named entries first, then task + verb.
 */
export function eventName(key: string): string {
  const k = key.replace(/^c\d+:/, '');
  const named = tx(`event.${k}`, '') || tx(`step.${k}`, '');
  if (named) return named;
  const m = /^(.+?)((?:-r?\d+)*)-([a-z]+)$/.exec(k);
  if (m) {
    const step = tx(`step.${m[1]}`, '');
    const verb = tx(`verb.${m[3]}`, '');
    if (step && verb) return `${step}${m[2] ? `（${m[2].slice(1)}）` : ''} · ${verb}`;
  }
  return key;
}
export const processName = (kind: string) => tx(`process.${kind}`, kind);
