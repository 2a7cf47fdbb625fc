// A member's 民主评议 grades year by year, on their page (pages/members.tsx MemberPage): the grade, the vote's counts
// where the result gave them, and a 不合格 member's time to improve with the branch's decision at its end.
import { getMemberAppraisals, type MemberAppraisal } from './api.js';
import { ErrorBox, Loading, useLoad } from './components.js';
import { fmtDate, t } from './i18n/index.js';
import type { MessageKey } from './i18n/zh-CN.js';

const ratingWords = (r: MemberAppraisal['rating']) => t(`opt.rating.${r}` as MessageKey);

function Row({ a }: { a: MemberAppraisal }) {
  const votes = a.votes
    ? Object.entries(a.votes)
        .map(([r, n]) => `${ratingWords(r as MemberAppraisal['rating'])} ${n}`)
        .join('，')
    : '';
  return (
    <li data-testid="member-appraisal" data-rating={a.rating}>
      <strong>{t('mapp.year', { year: a.year })}</strong> {ratingWords(a.rating)} · {a.organization.name}
      {votes && <span class="hint"> {t('mapp.votes', { votes })}</span>}
      {a.improvement && (
        <div class="hint">
          {t('mapp.improvement', { dueOn: fmtDate(a.improvement.dueOn) })}
          {a.improvement.decision && a.improvement.decidedOn && (
            <>
              {' · '}
              {t('mapp.decided', { decidedOn: fmtDate(a.improvement.decidedOn), decision: t(`opt.decision.${a.improvement.decision}` as MessageKey) })}
            </>
          )}
        </div>
      )}
    </li>
  );
}

export function MemberAppraisals({ id }: { id: number }) {
  const [list, reload] = useLoad(() => getMemberAppraisals(id), [id]);
  return (
    <div class="card">
      <h2>{t('mapp.title')}</h2>
      {list.state === 'loading' && <Loading />}
      {list.state === 'error' && <ErrorBox error={list.error} retry={reload} />}
      {list.state === 'ok' &&
        (list.data.items.length ? (
          <ul class="member-appraisals">
            {list.data.items.map((a) => (
              <Row key={a.year} a={a} />
            ))}
          </ul>
        ) : (
          <p class="hint">{t('mapp.none')}</p>
        ))}
    </div>
  );
}
