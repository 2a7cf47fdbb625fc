// What the human-task benchmarks (bench/storm.ts, bench/overdue.ts) share beyond the servers: a province-shaped
// tree inserted in bulk, flags and the log line.
import type { Sql } from '../src/db/client.js';
import type { BenchResult } from './types.js';
export type { BenchResult };

export const log = (m: string) => console.error(`[bench] ${m}`);

/**
 * A province-shaped tree inserted level by level with generate_series: 1 province → `fan` cities → `fan`
 * counties each → `fan` townships each → `fan` villages each. Returns the ids of each level.
 */
export async function insertTree(sql: Sql, prefix: string, fan: number): Promise<{ root: number; counties: number[]; villages: number[] }> {
  const [root] = await sql<{ id: number }[]>`
    insert into organizations (code, name, type, sector) values (${`${prefix}`}, ${`${prefix} 省委`}, 'committee', 'regional') returning id`;
  let parents = [root!.id];
  const levels: number[][] = [];
  for (const [level, type, sector] of [
    ['c', 'committee', 'regional'],
    ['x', 'committee', 'regional'],
    ['z', 'committee', 'regional'],
    ['v', 'branch', 'rural'],
  ] as const) {
    const rows = await sql<{ id: number }[]>`
      insert into organizations (code, parent_id, name, type, sector, term_years, term_started_on)
      select ${prefix} || ${level} || p.id || '-' || g, p.id, ${prefix} || ${level} || p.id || '-' || g, ${type}, ${sector}, 5, date '2023-01-01'
      from unnest(${parents}::bigint[]) as p(id), generate_series(1, ${fan}) g
      returning id`;
    parents = rows.map((r) => r.id);
    levels.push(parents);
  }
  return { root: root!.id, counties: levels[1]!, villages: levels[3]! };
}

export function argFlag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}
