import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventWords, fillKey, processDeclaration, processDeclarations, sharedStates } from '../../src/domain/process-states.js';
import { languages, processKinds } from '../../src/domain/steps.js';

// Each process declares its states and its own history events once, with their words in every language
// (src/domain/<process>/states.ts); the workflow moves only to its own process's declared states.

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('process declarations', () => {
  it('declares every process kind', () => {
    for (const kind of processKinds) expect(processDeclaration(kind)?.process, kind).toBe(kind);
  });

  for (const d of [...processDeclarations, { process: 'every process', ...sharedStates }]) {
    it(`${d.process}: words in every language, with the key's parts`, () => {
      for (const [state, words] of Object.entries(d.states)) for (const lang of languages) expect(words[lang], `${state} ${lang}`).toBeTruthy();
      for (const [template, words] of Object.entries(d.events)) {
        for (const lang of languages) {
          expect(words[lang], `${template} ${lang}`).toBeTruthy();
          // Every part the words name is a part of the key.
          for (const p of placeholders(words[lang])) expect(placeholders(template), `${template} ${lang}`).toContain(p);
        }
      }
    });
  }

  it('reads a key built from a template back as that event, its parts in words', () => {
    const samples: Record<string, string | number> = {
      n: 2,
      months: 3,
      due: '2026-03-31',
      quarter: 4,
      session: 'S2026-02',
      year: 2,
      id: 'a1b2',
      at: '2026-01-01T00:00:00Z',
      period: '2026-Q1',
      kind: 'members-meeting',
      group: 7,
    };
    for (const d of processDeclarations) {
      for (const template of Object.keys(d.events)) {
        const parts = { ...samples, deliverable: 'venue', milestone: 'in-use', verb: 'opened' };
        const key = fillKey(template, parts);
        for (const lang of languages) {
          const words = eventWords(d.process, key, lang);
          expect(words, `${d.process} ${key}`).toBe(
            d.events[template]![lang].replace(
              /\{(\w+)\}/g,
              (_, p: string) => d.parts?.[p]?.(String(parts[p as keyof typeof parts]), { lang, parts: {} }) ?? String(parts[p as keyof typeof parts]),
            ),
          );
        }
      }
    }
    expect(eventWords('pairing', 'deliverable-venue-opened', 'zh-CN')).toBe('结对共建任务（建设一个好阵地） · 下达任务');
    expect(eventWords('liaison-dispatch', 'visit-12-waiting', 'en')).toBe('Visit report (visit 12) · awaited');
  });

  it("moves each workflow only to its own process's states (a literal state in moveTo)", () => {
    const root = new URL('../../workflows/', import.meta.url);
    for (const dir of readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      const source = readFileSync(new URL(`${dir.name}/workflow.ts`, root), 'utf8');
      const kind = dir.name === 'ratings' ? 'rating-interview' : dir.name;
      const d = processDeclaration(kind)!;
      expect(d, dir.name).toBeDefined();
      for (const [, state] of source.matchAll(/moveTo\(\s*'([^']+)'/g)) expect(Object.keys(d.states), `${dir.name}: ${state}`).toContain(state);
    }
  });
});
