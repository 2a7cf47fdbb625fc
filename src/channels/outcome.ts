/** What a vendor's answer means for the delivery row: sent; try again later (too fast, network); or never. */
export type SendOutcome = { status: 'sent'; answer: string } | { status: 'retry'; answer: string } | { status: 'failed'; answer: string };

/** What one message says, whatever the channel renders it as. */
export interface ChannelMessage {
  title: string;
  /** One line per notification (a digest has several). */
  lines: string[];
  organization?: string;
  dueOn?: string;
  /** Opens the task (or the task list for a digest of several). */
  url: string;
}

/**
 * Both vendors' JSON answers: `errcode` 0 is sent (unless `refused` says the answer names no one it reached), a code
 * in `tooFast` is a retry, any other is never; a network failure or a timeout (`ok: false`) is a retry.
 */
export function errcodeOutcome(
  r: { ok: true; json: Record<string, unknown> } | { ok: false; answer: string },
  tooFast: ReadonlySet<number>,
  refused: (json: Record<string, unknown>) => boolean = () => false,
): SendOutcome {
  if (!r.ok) return { status: 'retry', answer: r.answer };
  const code = Number(r.json.errcode);
  const answer = JSON.stringify(r.json);
  if (code === 0) return refused(r.json) ? { status: 'failed', answer } : { status: 'sent', answer };
  return tooFast.has(code) ? { status: 'retry', answer } : { status: 'failed', answer };
}

/** A POST of JSON with a timeout; a network failure or a timeout is a retry, never an exception. */
export async function postJson(
  url: string,
  body: unknown,
  timeoutMs: number,
): Promise<{ ok: true; json: Record<string, unknown> } | { ok: false; answer: string }> {
  try {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await r.text();
    if (!r.ok) return { ok: false, answer: `HTTP ${r.status} ${text.slice(0, 200)}` };
    return { ok: true, json: JSON.parse(text) as Record<string, unknown> };
  } catch (err) {
    return { ok: false, answer: `network: ${(err as Error).message}` };
  }
}

export async function getJson(url: string, timeoutMs: number): Promise<{ ok: true; json: Record<string, unknown> } | { ok: false; answer: string }> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await r.text();
    if (!r.ok) return { ok: false, answer: `HTTP ${r.status} ${text.slice(0, 200)}` };
    return { ok: true, json: JSON.parse(text) as Record<string, unknown> };
  } catch (err) {
    return { ok: false, answer: `network: ${(err as Error).message}` };
  }
}

/** An access token kept until shortly before the vendor says it expires (both vendors: 7200 s, refetching early). */
export class TokenCache {
  private token: { value: string; until: number } | null = null;
  private inflight: Promise<string | { answer: string }> | null = null;
  constructor(private readonly fetchToken: () => Promise<{ token: string; expiresIn: number } | { answer: string }>) {}
  async get(): Promise<string | { answer: string }> {
    if (this.token && Date.now() < this.token.until) return this.token.value;
    // One fetch for every send waiting on it: the vendors limit gettoken calls too.
    this.inflight ??= this.fetchToken()
      .then((t) => {
        if ('answer' in t) return t;
        this.token = { value: t.token, until: Date.now() + Math.max(0, t.expiresIn - 300) * 1000 };
        return t.token;
      })
      .finally(() => (this.inflight = null));
    return this.inflight;
  }
  invalidate(): void {
    this.token = null;
  }
}

/**
 * Both vendors' app APIs: a gettoken URL answering `{ errcode: 0, access_token, expires_in }`, and calls that say
 * an invalid or expired token by an errcode — then the token is fetched again once and the call repeated.
 */
export function tokenedApi(gettokenUrl: string, timeoutMs: number, tokenBad: ReadonlySet<number>) {
  const tokens = new TokenCache(async () => {
    const r = await getJson(gettokenUrl, timeoutMs);
    if (!r.ok) return { answer: r.answer };
    if (r.json.errcode !== 0 || typeof r.json.access_token !== 'string') return { answer: `gettoken ${JSON.stringify(r.json)}` };
    return { token: r.json.access_token, expiresIn: Number(r.json.expires_in ?? 7200) };
  });
  /** POSTs `body` to `url(token)`; the vendor's JSON answer, or a network failure / refused token as a retry. */
  return async function call(url: (token: string) => string, body: unknown): Promise<{ json: Record<string, unknown> } | SendOutcome> {
    for (let round = 0; round < 2; round++) {
      const token = await tokens.get();
      if (typeof token !== 'string') return { status: 'retry', answer: token.answer };
      const r = await postJson(url(encodeURIComponent(token)), body, timeoutMs);
      if (!r.ok) return { status: 'retry', answer: r.answer };
      if (!tokenBad.has(Number(r.json.errcode))) return { json: r.json };
      tokens.invalidate();
    }
    return { status: 'retry', answer: 'access token refused twice' };
  };
}
