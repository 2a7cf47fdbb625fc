/**
 * Fault injection for the crash tests: ORGLIFE_FAILPOINTS=name[,name] makes the process kill itself with
 * SIGKILL when it reaches one of those points, exactly as a power cut or the OOM killer would. Unset in
 * production, where a failpoint is a single string comparison.
 */
const armed = new Set((process.env.ORGLIFE_FAILPOINTS ?? '').split(',').filter(Boolean));

export type Failpoint =
  /** An action ran (the workflow's Update returned) but its answer is not yet stored under the Idempotency-Key. */
  | 'action-before-store'
  /** The answer is stored under the Idempotency-Key, but not yet sent to the client. */
  | 'action-before-reply'
  /** A vendor accepted a channel message, but the delivery row does not say so yet. */
  | 'channel-after-send';

export function failpoint(name: Failpoint): void {
  if (armed.has(name)) process.kill(process.pid, 'SIGKILL');
}
