// A minimal observable value with a Preact hook: enough shared state (language, session, route) for this
// app without a state library.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface Signal<T> {
  readonly value: T;
  set(v: T): void;
  subscribe(fn: (v: T) => void): () => void;
}

export function signal<T>(initial: T): Signal<T> {
  let value = initial;
  const subs = new Set<(v: T) => void>();
  return {
    get value() {
      return value;
    },
    set(v: T) {
      value = v;
      for (const fn of [...subs]) fn(v);
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}

/**
 * The signal's value, re-rendering on change. The subscription starts in an effect, which Preact runs after
 * paint (later still in a background tab): a change in between (GET /me answering fast after a reload) would
 * be missed and the app would wait forever, so the effect compares with the value this render saw.
 */
export function useSignal<T>(s: Signal<T>): T {
  const [, force] = useState(0);
  const rendered = useRef(s.value);
  rendered.current = s.value;
  useLayoutEffect(() => {
    const unsubscribe = s.subscribe(() => force((n) => n + 1));
    if (s.value !== rendered.current) force((n) => n + 1);
    return unsubscribe;
  }, [s]);
  return s.value;
}
