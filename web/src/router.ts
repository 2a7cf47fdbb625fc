// History-API routing: the server answers every non-API path with index.html (src/api/plugins/web.ts), so
// links are real URLs that survive a reload and can be shared.
import { signal } from './signal.js';

export const route = signal<URL>(new URL(location.href));

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  route.set(new URL(location.href));
  window.scrollTo(0, 0);
}

addEventListener('popstate', () => route.set(new URL(location.href)));

/** Same-origin <a> clicks navigate in place (modifier keys still open tabs). */
export function onLinkClick(e: MouseEvent): void {
  const a = (e.target as Element | null)?.closest?.('a');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const href = a.getAttribute('href');
  if (!href?.startsWith('/') || href.startsWith('/api/') || href.startsWith('/docs') || a.target) return;
  e.preventDefault();
  navigate(href);
}

/** Matches `/tasks/:id` style patterns; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(s[i]!);
    else if (seg !== s[i]) return null;
  }
  return params;
}
