import { describe, expect, it } from 'vitest';
import { en, enTopics } from '../../web/src/i18n/en.js';
import { zhCN, zhCNTopics } from '../../web/src/i18n/zh-CN.js';

// The dictionaries are split by topic (web/src/i18n/<lang>/<topic>.ts) and merged by spreading: a key defined in two
// topics would let the later one win without a word, and a key one language lacks would show its code.

describe('the i18n dictionaries', () => {
  it('define each key in one topic only', () => {
    for (const topics of [zhCNTopics, enTopics]) {
      const seen = new Map<string, string>();
      const twice: string[] = [];
      for (const [topic, words] of Object.entries(topics)) {
        for (const key of Object.keys(words)) {
          if (seen.has(key)) twice.push(`${key} (${seen.get(key)}, ${topic})`);
          seen.set(key, topic);
        }
      }
      expect(twice).toEqual([]);
    }
  });

  it('have the same keys in both languages, topic by topic', () => {
    expect(Object.keys(enTopics).sort()).toEqual(Object.keys(zhCNTopics).sort());
    for (const [topic, words] of Object.entries(zhCNTopics)) {
      expect(Object.keys(enTopics[topic as keyof typeof enTopics]).sort(), topic).toEqual(Object.keys(words).sort());
    }
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
  });

  it('name no step, process state or history event: the step catalog and the process declarations do', () => {
    expect(Object.keys(zhCN).filter((k) => /^(step|event)\./.test(k))).toEqual([]);
  });

  it('leave no key without words', () => {
    for (const dict of [zhCN, en] as Record<string, string>[]) expect(Object.entries(dict).filter(([, v]) => !v.trim())).toEqual([]);
  });
});
