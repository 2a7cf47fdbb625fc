import { readdir, readFile, writeFile } from 'node:fs/promises';
import { temporal } from '@temporalio/proto';

// Recorded workflow histories for the replay test. Stored as the protobuf binary (base64) inside JSON: the SDK's
// historyToJSON fails under vitest (two protobufjs copies meet), while encode/decode with one copy round-trips.
const dir = new URL('../histories/', import.meta.url);

/** `file` names a second history of the same kind (a path only some runs take); by default `<kind>.json`. */
export async function recordHistory(kind: string, workflowId: string, history: temporal.api.history.v1.IHistory, file = kind): Promise<void> {
  if (process.env.ORGLIFE_RECORD_HISTORIES !== '1') return;
  const bytes = temporal.api.history.v1.History.encode(history).finish();
  const body = { kind, workflowId, encoding: 'protobuf-base64', history: Buffer.from(bytes).toString('base64') };
  await writeFile(new URL(`${file}.json`, dir), `${JSON.stringify(body, null, 2)}\n`);
}

export async function recordedHistories(): Promise<{ kind: string; workflowId: string; history: temporal.api.history.v1.History }[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (f) => {
      const body = JSON.parse(await readFile(new URL(f, dir), 'utf8')) as { kind: string; workflowId: string; history: string };
      return { kind: body.kind, workflowId: body.workflowId, history: temporal.api.history.v1.History.decode(Buffer.from(body.history, 'base64')) };
    }),
  );
}
