import { describe, expect, it } from 'vitest';
import { historyWords, stepWords, type Lookup } from '../../web/src/words.js';
import { zhCN } from '../../web/src/i18n/zh-CN.js';
import { en } from '../../web/src/i18n/en.js';
import { languages, stepCatalog, type Lang } from '../../src/domain/steps.js';
import { escalationActions } from '../../src/domain/task-rights.js';

// Every line of a process's history reads as words in every language: the step's words from the catalog, the
// verb's from the i18n, never an event key (`t2:…`, `a1:officer-assigned`, `candidates-review-agree`).

const dictionaries: Record<Lang, Record<string, string>> = { 'zh-CN': zhCN, en };
const lookupIn =
  (lang: Lang): Lookup =>
  (key, vars) => {
    const s = dictionaries[lang][key];
    return s === undefined ? undefined : s.replace(/\{(\w+)\}/g, (m, k: string) => (vars && k in vars ? String(vars[k]) : m));
  };

/** The event keys the workflows write (workflows/*.ts moveTo), as old rows carry them without verb/round/run. */
const written: Record<string, string[]> = {
  'term-election': [
    'registered',
    'election-request-opened',
    'election-request-filed',
    'election-request-2-filed',
    'election-request-cancelled',
    'election-reply-opened',
    'election-reply-approve',
    'election-reply-2-return',
    'election-reply-postpone',
    'candidates-opened',
    'candidates-proposed',
    'candidates-2-r2-proposed',
    'candidates-review-agree',
    'candidates-review-r2-return',
    'members-meeting-opened',
    'members-meeting-counted',
    'members-meeting-r2-counted',
    'delegates-conference-opened',
    'delegates-conference-r2-counted',
    'secretary-election-opened',
    'secretary-elected',
    'result-report-filed',
    'result-report-2-filed',
    'result-approval-agree',
    'result-approval-2-return',
    'term-renewed',
    't2:registered',
    't2:election-request-opened',
    't3:candidates-review-agree',
    'term-corrected-1',
    't2:term-overdue-2026-03-31-2m',
    'cancelled@2026-05-01T08:00:00.000Z',
  ],
  'two-recommendations-one-election': [
    'registered',
    'selection-plan-opened',
    'plan-published',
    'members-recommendation-opened',
    'members-recommended',
    'villagers-recommendation-opened',
    'villagers-recommended',
    'preliminary-candidates-opened',
    'candidates-fixed',
    'no-suitable-candidate',
    'selection-election-opened',
    'selection-election-counted',
    'selection-election-r2-counted',
    'selection-secretary-opened',
    'secretary-elected',
    'township-approval-opened',
    'approved',
    'first-secretary-dispatch-opened',
    'first-secretary-dispatched',
    'selection-plan-cancelled',
    's2:registered',
  ],
  'rotation-training': [
    'c1:cycle-registered',
    'c1:enrolled-S2026-02',
    'c1:cycle-opened',
    'c1:cycle-completed',
    'c2:cycle-closed-new-secretary',
    'c1:training-cancelled',
  ],
  'liaison-dispatch': [
    'registered',
    'a1:assign-officer-opened',
    'a1:officer-assigned',
    'a1:acknowledge-opened',
    'a1:training-opened',
    'a1:visit-report-opened',
    'a1:visit-2-waiting',
    'a1:officer-left',
    'a2:assign-officer-opened',
    'assign-cancelled',
    'establishment-request-opened',
    'establishment-request-2-opened',
    'establishment-approval-opened',
    'establishment-approval-agree',
    'establishment-approval-2-return',
    'founding-meeting-opened',
    'founding-meeting-cancelled',
    'established',
  ],
  pairing: [
    'c1:cycle-opened',
    'c1:deliverable-plan-opened',
    'c1:deliverable-leadership-done',
    'c1:deliverable-venue-cancelled',
    'c1:evidence-17',
    'c1:milestone-leadership-assessment',
    'c1:milestone-venue-in-use',
    'c1:deliverable-plan-delivered',
    'c1:year-1-waiting',
    'c1:review-y1-opened',
    'c1:review-y3-done',
    'c1:review-y2-cancelled',
    'c1:cycle-closed',
    'c2:ended',
  ],
  'organization-life': [
    'planned',
    '2027-03-branch-committee-held',
    '2027-Q1-members-meeting-waived',
    '2027-02-branch-committee-lapsed',
    '2027-03-group-12-held',
    '2027-04-group-12-waived',
    '2027-02-group-12-lapsed',
    'spot-check-2027-03-1',
    'closed',
  ],
};

describe('history lines in words', () => {
  for (const lang of languages) {
    for (const [process, keys] of Object.entries(written)) {
      it(`${process} in ${lang}: every event key the workflows write`, () => {
        const lookup = lookupIn(lang);
        for (const event of keys) {
          const words = historyWords(process, { step: '', event }, lang, lookup);
          expect(words, event).not.toBe(lookup('hist.other'));
          const key = event.replace(/^[acst]\d+:/, '');
          if (key.includes('-')) expect(words, event).not.toContain(key);
          expect(words, event).not.toMatch(/^[acst]\d+:|[a-z]+-[a-z]+-/);
        }
      });
    }
  }

  it('names a task line by its catalog step, its attempt and round, and its verb', () => {
    const zh = lookupIn('zh-CN');
    expect(historyWords('term-election', { step: 'candidates-review', event: 'candidates-review-agree' }, 'zh-CN', zh)).toBe('审查候选人初步人选 · 同意');
    expect(historyWords('term-election', { step: 'x', event: 't2:candidates-2-r2-proposed' }, 'zh-CN', zh)).toBe('提出候选人初步人选（第2次，第2轮） · 已提出');
    expect(historyWords('liaison-dispatch', { step: 'officer-assigned', event: 'a1:officer-assigned' }, 'en', lookupIn('en'))).toBe('Officer assigned');
    expect(historyWords('pairing', { step: 'delivering', event: 'c1:milestone-plan-survey' }, 'zh-CN', zh)).toBe(
      '结对共建任务（制定一个好规划） · 记录节点 · 村情调查',
    );
  });

  it('reads the structured fields when the row has them', () => {
    const zh = lookupIn('zh-CN');
    // A reply given: the row's step is the process's state (election-replied), the task is the key's.
    expect(historyWords('term-election', { step: 'election-replied', event: 'election-reply-approve', verb: 'approve', round: 1, run: 1 }, 'zh-CN', zh)).toBe(
      '换届请示批复 · 同意',
    );
    expect(
      historyWords('term-election', { step: 'members-meeting-held', event: 't2:members-meeting-r2-counted', verb: 'counted', round: 2, run: 2 }, 'zh-CN', zh),
    ).toBe('党员大会选举（第2轮） · 已计票');
    expect(
      historyWords('term-election', { step: 'election-request', event: 'election-request-2-opened', verb: 'opened', round: 2, run: 1 }, 'en', lookupIn('en')),
    ).toBe('Election request (round 2) · task opened');
    // Named events keep their own words; the run comes from the row.
    // 第n届 is the organization's own numbering, carried by the lines that read the register; the run counter is none.
    expect(historyWords('term-election', { step: 'term-renewed', event: 't3:term-renewed', verb: 'renewed', round: null, run: 3 }, 'zh-CN', zh)).toBe(
      '完成换届',
    );
    expect(
      historyWords(
        'term-election',
        { step: 'term-renewed', event: 't3:term-renewed', verb: 'renewed', round: null, run: 3, detail: { termOrdinal: 12 } },
        'zh-CN',
        zh,
      ),
    ).toBe('第12届 · 完成换届');
    expect(historyWords('term-election', { step: 'secretary-elected', event: 'secretary-elected', verb: 'elected', round: null, run: 1 }, 'zh-CN', zh)).toBe(
      '书记已选出',
    );
  });

  it('names every catalog step by its words and other states by their declaration', () => {
    for (const d of stepCatalog) for (const lang of languages) expect(stepWords(d.process, d.step, lang)).toBe(d.words[lang]);
    expect(stepWords('term-election', 'term-renewed', 'zh-CN')).toBe('完成换届');
    expect(stepWords('pairing', 'cycle-closed', 'en')).toBe('Cycle closed, the pairing goes on');
    // A process left by a cancelled step (its state `<step>-cancelled`), or by the cancel Update.
    expect(stepWords('term-election', 'election-reply-cancelled', 'zh-CN')).toBe('换届请示批复 · 已撤销');
    expect(stepWords('pairing', 'cancelled', 'zh-CN')).toBe('已撤销');
    // An escalation names only its step.
    expect(stepWords('', 'election-reply', 'en')).toBe('Reply to the request');
  });
});

describe("a task's action log in words", () => {
  // Every kind of task event written with an actor (activities/tasks.ts, the nudge and task-link routes): each has
  // its words in both languages, so the task page's 操作记录 never shows a key (it showed "link-redeemed").
  const kinds = [
    'claimed',
    'unclaimed',
    'completed',
    'delegated',
    'reassigned',
    'extended',
    'cancelled',
    'replanned',
    'commented',
    'nudged',
    'link-redeemed',
    'process-cancelled',
    'cycle-closed',
    ...escalationActions.map((a) => `escalation-${a}`),
  ];
  for (const [lang, dict] of [
    ['zh-CN', zhCN],
    ['en', en],
  ] as const) {
    it(`names every action in ${lang}`, () => {
      const missing = kinds.filter((k) => !(`did.${k}` in dict));
      expect(missing).toEqual([]);
    });
  }
});
