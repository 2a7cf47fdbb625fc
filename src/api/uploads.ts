// An uploaded spreadsheet (organizations, the roster's contact points, yearly returns, a holiday notice): CSV in
// UTF-8 or GBK, or XLSX, told apart by content (src/organizations/import/read.ts). The route takes the body as a
// stream and reads its rows here, so every upload refuses an unreadable file the same way, numbers rows as a
// spreadsheet does, and is read under limits (bytes, rows, time) before any lock or transaction is taken.
//
// A route checks the caller's role before it calls these: a caller who may not import is refused before a byte
// of the file is parsed.
import type { Readable } from 'node:stream';
import { readFile } from 'node:fs/promises';
import { readRows, spool, UnreadableFile, type RawRow, type ReadOptions, type Spooled } from '../organizations/import/read.js';
import { HttpError } from './errors.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The content types an upload route accepts; register them with a parser that hands on the stream. */
export const SHEET_TYPES = ['text/csv', XLSX_TYPE, 'application/octet-stream'];

const codes = { 400: 'invalid_file', 408: 'request_timeout', 413: 'too_large' } as const;

/** The HTTP answer to a file that cannot be read: 400 `invalid_file`, 408 `request_timeout` or 413 `too_large`. */
export const unreadable = (e: UnreadableFile) => new HttpError(e.status, codes[e.status], e.message);

/** The request body as a stream: a 400 `invalid_file` when there is none. */
export function uploadStream(body: unknown): Readable {
  const stream = body as Readable | undefined;
  if (!stream || typeof stream.pipe !== 'function')
    throw new HttpError(400, 'invalid_file', 'send the file as the request body with Content-Type text/csv or XLSX');
  return stream;
}

/** Every row of the uploaded file (the header is row 1), read under `limits`; a 4xx when it cannot be. */
export async function sheetRows(body: unknown, limits: ReadOptions): Promise<RawRow[]> {
  const rows: RawRow[] = [];
  try {
    for await (const r of readRows(uploadStream(body), limits)) rows.push(r);
  } catch (err) {
    if (err instanceof UnreadableFile) throw unreadable(err);
    throw err;
  }
  return rows;
}

/** The uploaded file received whole onto disk under `limits` (see `spool`); its refusal as the HTTP answer. */
export async function receiveUpload(body: unknown, limits: ReadOptions): Promise<Spooled> {
  try {
    return await spool(uploadStream(body), limits);
  } catch (err) {
    if (err instanceof UnreadableFile) throw unreadable(err);
    throw err;
  }
}

/** The whole uploaded file in memory, received under `limits` (a small file read otherwise than by rows: iCalendar). */
export async function uploadBytes(body: unknown, limits: ReadOptions): Promise<Buffer> {
  const file = await receiveUpload(body, limits);
  try {
    return await readFile(file.path);
  } finally {
    await file.dispose();
  }
}

/**
 * At most `max` uploads are read and written at once in this process; the next is answered 503 with Retry-After
 * at once rather than queued behind them (a queue would hold its socket and, later, a connection).
 */
export function uploadSlots(max: number) {
  let busy = 0;
  return async <T>(run: () => Promise<T>): Promise<T> => {
    if (busy >= max) throw new HttpError(503, 'busy', `${max} uploads are being read here already; try again in a few seconds`, { retryAfterSeconds: 5 });
    busy++;
    try {
      return await run();
    } finally {
      busy--;
    }
  };
}
