// A message's link (/t/<token>): spends it for a session held to its one task and opens that task's page; a link
// that cannot be used says why (used, expired, the task moved on) and offers the ordinary sign-in.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, redeemTaskLink, session } from '../api.js';
import { refreshMe } from '../auth.js';
import { errorText, Loading } from '../components.js';
import { t } from '../i18n/index.js';
import type { MessageKey } from '../i18n/zh-CN.js';
import { navigate } from '../router.js';

const reasons = ['unknown', 'used', 'expired', 'reassigned', 'done', 'cancelled'] as const;
type Reason = (typeof reasons)[number];

export function TaskLinkPage({ token }: { token: string }) {
  const [refused, setRefused] = useState<{ reason: Reason | null; taskId: number | null; text?: string } | null>(null);

  useEffect(() => {
    let gone = false;
    void (async () => {
      try {
        const r = await redeemTaskLink(token);
        session.set(r.token);
        await refreshMe();
        // replace: the spent token leaves the address bar and the history.
        if (!gone) navigate(`/tasks/${r.taskId}`, true);
      } catch (err) {
        if (gone) return;
        const d =
          err instanceof ApiError ? (err.raw as { error?: { details?: { reason?: string; taskId?: number | null } } } | undefined)?.error?.details : undefined;
        const reason = reasons.find((x) => x === d?.reason) ?? (err instanceof ApiError && err.status === 400 ? 'unknown' : null);
        setRefused({ reason, taskId: d?.taskId ?? null, text: reason ? undefined : errorText(err) });
      }
    })();
    return () => {
      gone = true;
    };
  }, [token]);

  if (!refused) return <Loading />;
  const next = refused.taskId ? `?next=${encodeURIComponent(`/tasks/${refused.taskId}`)}` : '';
  return (
    <section class="card narrow" data-testid="task-link-refused" data-reason={refused.reason ?? 'error'}>
      <h1>{t('link.refusedTitle')}</h1>
      <p class="notice error" role="alert">
        {refused.reason ? t(`link.${refused.reason}` as MessageKey) : refused.text}
      </p>
      <p>
        <a class="button primary" href={`/login${next}`}>
          {t('link.signIn')}
        </a>
      </p>
    </section>
  );
}
