import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Sql } from '../db/client.js';
import { shanghaiDate } from '../domain/dates.js';
import { generateProvince } from './province.js';
import { insertOrganizations } from '../organizations/store.js';
import { startTermElections } from '../processes/term-election.js';

/** On an empty database (first `npm start`), a small demo province with term elections running. */
export async function seedDemoIfEmpty(sql: Sql, client: Client, cfg: Config, log: Logger): Promise<void> {
  const [some] = await sql`select 1 from organizations limit 1`;
  if (some) return;
  const rows = [...generateProvince({ cities: 3, countiesPerCity: 2, townshipsPerCounty: 3, villagesPerTownship: 6 }, shanghaiDate(Date.now()))];
  await insertOrganizations(sql, rows);
  const codes = rows.filter((r) => r.type !== 'unit').map((r) => r.code);
  const started = await startTermElections(sql, client, cfg.TEMPORAL_TASK_QUEUE, codes);
  log.info({ organizations: rows.length, termElections: started }, 'seeded a demo province');
}
