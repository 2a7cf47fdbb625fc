import type { Sql } from '../src/db/client.js';
import { processActivities } from './processes.js';
import { taskActivities } from './tasks.js';
import { lifecycleActivities } from './lifecycle.js';
import { trainingActivities } from './training.js';
import { liaisonActivities } from './liaison.js';
import { assessmentActivities } from './assessment.js';
import { selectionActivities } from './selection.js';
import { pairingActivities } from './pairing.js';
import { registerActivities } from './register.js';
import { notifyActivities, type NotifyOptions } from './notify.js';

export function createActivities(sql: Sql, notify: NotifyOptions = {}) {
  return {
    ...processActivities(sql),
    ...taskActivities(sql),
    ...notifyActivities(sql, notify),
    ...lifecycleActivities(sql),
    ...registerActivities(sql),
    ...trainingActivities(sql),
    ...liaisonActivities(sql),
    ...selectionActivities(sql),
    ...pairingActivities(sql),
    ...assessmentActivities(sql),
  };
}

export type ProcessActivities = ReturnType<typeof createActivities>;
