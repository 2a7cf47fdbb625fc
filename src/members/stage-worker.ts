// A worker thread of a large member import (import.ts): stages the batches of rows it is sent (stage-rows.ts) under
// the personal-data key it was started with, and answers each with its COPY text and its rows' errors.
import { parentPort, workerData } from 'node:worker_threads';
import type { IsoDate } from '../domain/dates.js';
import type { RawRow } from '../organizations/import/read.js';
import type { MemberColumn } from './columns.js';
import { personalDataKey } from './personal-data.js';
import { stageMemberRows } from './stage-rows.js';

export interface StageRequest {
  id: number;
  rows: RawRow[];
  header: [MemberColumn, number][];
  today: IsoDate;
  stage: boolean;
}

const key = personalDataKey((workerData as { secret: string }).secret);
parentPort!.on('message', (m: StageRequest) => {
  try {
    parentPort!.postMessage({ id: m.id, ...stageMemberRows(m.rows, new Map(m.header), m.today, key, m.stage) });
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).stack ?? String(err) });
  }
});
