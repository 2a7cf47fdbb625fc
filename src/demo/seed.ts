import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Sql } from '../db/client.js';
import { shanghaiDate } from '../domain/dates.js';
import { generateProvince } from './province.js';
import { insertOrganizations } from '../organizations/store.js';
import { startTermElections } from '../processes/term-election.js';
import { createUser } from '../auth/users.js';
import type { Role } from '../auth/principal.js';

/** Demo sign-ins, one per role (README): password orglife-demo. */
export const DEMO_PASSWORD = 'orglife-demo';

/** On an empty database (first `npm start`), a small demo province with term elections running. */
export async function seedDemoIfEmpty(sql: Sql, client: Client, cfg: Config, log: Logger): Promise<void> {
  const [some] = await sql`select 1 from organizations limit 1`;
  if (some) return;
  const rows = [...generateProvince({ cities: 3, countiesPerCity: 2, townshipsPerCounty: 3, villagesPerTownship: 6 }, shanghaiDate(Date.now()))];
  await insertOrganizations(sql, rows);
  const ids = new Map((await sql<{ id: number; code: string }[]>`select id, code from organizations`).map((o) => [o.code, o.id]));
  const county = rows.find((r) => r.code.length === 6)!.code;
  const township = rows.find((r) => r.code.length === 9)!.code;
  const village = rows.find((r) => r.parent_code === township && r.type === 'branch')!.code;
  const demoUsers: [string, Role, string][] = [
    ['demo-admin', 'admin', '42'],
    ['organizer', 'organizer', county],
    ['supervisor', 'supervisor', county],
    ['secretary', 'secretary', village],
    ['liaison', 'liaison_officer', township],
  ];
  for (const [username, role, code] of demoUsers) {
    await createUser(sql, { username, password: DEMO_PASSWORD, roles: [{ role, organizationId: ids.get(code)! }] });
  }
  const codes = rows.filter((r) => r.type !== 'unit').map((r) => r.code);
  const started = await startTermElections(sql, client, cfg.TEMPORAL_TASK_QUEUE, codes);
  log.info({ organizations: rows.length, termElections: started }, 'seeded a demo province');
}
