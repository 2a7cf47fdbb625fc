import type { Sql } from '../src/db/client.js';
import { processActivities } from './processes.js';

export function createActivities(sql: Sql) {
  return { ...processActivities(sql) };
}

export type ProcessActivities = ReturnType<typeof createActivities>;
