// Slowing down guessed sign-ins, shared by every API process through PostgreSQL (login_throttle, migration 094).
//
// Failures are counted per account (the username tried, known or not) and per source address (across usernames,
// so spraying one guess over many accounts is caught too). From the rule's maxFailures-th failure on, the key is
// locked: base seconds, doubled by each further failure, at most cap; a locked key is refused (429 with Retry-After)
// without checking the password. A key is forgotten after forgetSeconds without a failure (counted from the end of
// its lock); a successful sign-in forgets its account at once (not its source: one valid account must not reset a
// source that sprays others).
//
// An answer is decided by the lock as it stands after the password was checked: an attempt that was in flight when
// a concurrent one locked the key is refused like a later one, whether its password was right or not, so a burst of
// parallel guesses learns nothing past the limit.
import { isIPv6 } from 'node:net';
import type { Sql } from '../db/client.js';

export interface ThrottleRule {
  maxFailures: number;
  baseSeconds: number;
  capSeconds: number;
  forgetSeconds: number;
}

/**
 * An account: 10 tries, then 1, 2, 4 … minutes, at most an hour, each failure after a lock locking it again; the count
 * stays a day. A person who forgot the password has ten tries; a guesser gets about one an hour after the first ten.
 */
export const ACCOUNT_RULE: ThrottleRule = { maxFailures: 10, baseSeconds: 60, capSeconds: 3600, forgetSeconds: 24 * 3600 };
/**
 * A source address: 30 failures over any usernames, with the same growth; forgotten after 15 quiet minutes, since a
 * county office signs in from behind one address and its people's typos add up there.
 */
export const SOURCE_RULE: ThrottleRule = { maxFailures: 30, baseSeconds: 60, capSeconds: 3600, forgetSeconds: 15 * 60 };

export const accountKey = (username: string) => `account:${username}`;

/**
 * The key of a source address: IPv4 as is (an IPv4-mapped IPv6 address as its IPv4), IPv6 by its /64, which one
 * subscriber usually holds whole (counting each of its addresses would give a guesser 2^64 sources).
 */
export function sourceKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return `source:${mapped[1]}`;
  if (!isIPv6(address)) return `source:${address}`;
  const [head, tail = ''] = address.split('::') as [string, string?];
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `source:${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, '').toLowerCase())
    .join(':')}::/64`;
}

/** The end of the latest lock among `keys` that holds now, or null. */
export async function lockedUntil(sql: Sql, keys: string[]): Promise<Date | null> {
  const [row] = await sql<{ until: Date | null }[]>`
    select max(locked_until) as until from login_throttle where key in ${sql(keys)} and locked_until > now()`;
  return row?.until ?? null;
}

export interface FailureOutcome {
  /** A key was locked already (by a concurrent attempt): nothing was counted; refuse until then. */
  refusedUntil: Date | null;
  /** The keys this failure locked, with the end of their lock. */
  locked: { key: string; until: Date }[];
}

/** Counts a failed attempt against each key, unless one of them is locked already. */
export async function recordFailure(sql: Sql, attempts: { key: string; rule: ThrottleRule }[]): Promise<FailureOutcome> {
  // In key order, so that two attempts locking the same rows cannot deadlock.
  const sorted = [...attempts].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return sql.begin(async (tx) => {
    for (const a of sorted) {
      await tx`insert into login_throttle (key, failures, forget_after) values (${a.key}, 0, now()) on conflict (key) do nothing`;
    }
    const rows = await tx<{ key: string; failures: number; locked_until: Date | null; forget_after: Date; now: Date }[]>`
      select key, failures, locked_until, forget_after, now() as now from login_throttle
      where key in ${tx(sorted.map((a) => a.key))} order by key for update`;
    const now = rows[0]!.now.getTime();
    const held = rows.filter((r) => r.locked_until && r.locked_until.getTime() > now).map((r) => r.locked_until!.getTime());
    if (held.length) return { refusedUntil: new Date(Math.max(...held)), locked: [] };
    const locked: FailureOutcome['locked'] = [];
    for (const r of rows) {
      const rule = sorted.find((a) => a.key === r.key)!.rule;
      // The row was just made (forget_after = now) or is past its memory: this failure is the first.
      const failures = r.forget_after.getTime() < now || r.failures === 0 ? 1 : r.failures + 1;
      let until: Date | null = r.locked_until;
      if (failures >= rule.maxFailures) {
        const seconds = Math.min(rule.baseSeconds * 2 ** Math.min(failures - rule.maxFailures, 30), rule.capSeconds);
        until = new Date(now + seconds * 1000);
        locked.push({ key: r.key, until });
      }
      const forgetAfter = new Date(Math.max(now, until?.getTime() ?? 0) + rule.forgetSeconds * 1000);
      await tx`update login_throttle set failures = ${failures}, locked_until = ${until}, forget_after = ${forgetAfter} where key = ${r.key}`;
    }
    return { refusedUntil: null, locked };
  });
}

/** A successful sign-in: the account's failures and lock are forgotten. */
export async function forgetAccount(sql: Sql, username: string): Promise<void> {
  await sql`delete from login_throttle where key = ${accountKey(username)}`;
}

/** Drops what no rule remembers any more (rows of usernames that never existed, quiet sources). */
export async function pruneThrottle(sql: Sql): Promise<void> {
  await sql`delete from login_throttle where forget_after < now()`;
}

/** Whole seconds until `until`, at least 1: the Retry-After of a refusal. */
export const retryAfterSeconds = (until: Date) => Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
