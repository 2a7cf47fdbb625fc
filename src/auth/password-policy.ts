// What a password must be, in one place: every route, command and seed that sets one goes through createUser or
// setPassword (src/auth/users.ts), which ask passwordProblem first.
//
// The rules follow NIST SP 800-63B and OWASP ASVS rather than composition rules (no "one digit, one capital"):
// length, and not a password an attacker tries first.
// - At least 12 characters (code points, so 12 汉字 count as 12): ASVS 4.0 V2.1.1's minimum. 10 was the other choice;
//   passwords here are the only factor and sign-ins from a shared office address are throttled per source, so the
//   account's own strength carries most of the weight. The demo password (orglife-demo) is 12.
// - At most 256, the limit the login route accepts (argon2 takes any length; this only bounds the work).
// - Not only whitespace, nor fewer than 4 different characters (`aaaaaaaaaaaa`, `121212121212`).
// - Not the username, nor containing it (case-insensitive). A username of 2 or 3 characters would forbid half of
//   every dictionary, so for those only equality is refused.
// - Not a common password: the 49,233 most common passwords of zxcvbn's list (@zxcvbn-ts/language-common, the
//   maintained TypeScript port of Dropbox's estimator), compared lower-cased, with spaces removed, and with a tail of
//   digits and punctuation taken off (`Password2024!` is `password` with a year).

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export const passwordReasons = ['too-short', 'too-long', 'blank', 'repetitive', 'username', 'common', 'unchanged'] as const;
export type PasswordReason = (typeof passwordReasons)[number];

export interface PasswordProblem {
  reason: PasswordReason;
  message: string;
}

/** A password the policy refuses, thrown where one is set. */
export class PasswordRefused extends Error {
  constructor(readonly problem: PasswordProblem) {
    super(`password refused: ${problem.message}`);
  }
}

// 49k words: read on first use, so that processes that never set or change a password (the worker) do not pay for it.
let common: Promise<ReadonlySet<string>> | undefined;
const commonPasswords = () =>
  (common ??= import('@zxcvbn-ts/language-common').then((m) => new Set(m.dictionary['passwords-common'].map((p) => p.toLowerCase()))));

const length = (s: string) => [...s].length;

/** Why `password` may not be `username`'s password, or null when it may. */
export async function passwordProblem(password: string, username: string): Promise<PasswordProblem | null> {
  if (password.trim() === '') return { reason: 'blank', message: 'must not be only spaces' };
  if (length(password) < PASSWORD_MIN_LENGTH) return { reason: 'too-short', message: `at least ${PASSWORD_MIN_LENGTH} characters` };
  if (length(password) > PASSWORD_MAX_LENGTH) return { reason: 'too-long', message: `at most ${PASSWORD_MAX_LENGTH} characters` };
  if (new Set(password).size < 4) return { reason: 'repetitive', message: 'must have at least 4 different characters' };
  const lower = password.toLowerCase();
  const name = username.toLowerCase();
  if (lower.trim() === name || (length(name) >= 4 && lower.includes(name))) {
    return { reason: 'username', message: 'must not contain the username' };
  }
  const list = await commonPasswords();
  const forms = [lower, lower.replace(/\s+/g, ''), lower.replace(/[\d\s\p{P}\p{S}]+$/u, '')];
  if (forms.some((f) => f.length > 0 && list.has(f))) return { reason: 'common', message: 'is a commonly used password' };
  return null;
}

/** Throws PasswordRefused when the policy refuses `password` for `username`. */
export async function assertPasswordAllowed(password: string, username: string): Promise<void> {
  const problem = await passwordProblem(password, username);
  if (problem) throw new PasswordRefused(problem);
}
