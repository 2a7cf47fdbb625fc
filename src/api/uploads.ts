// An uploaded spreadsheet (the roster's contact points, yearly returns, a holiday notice): CSV in UTF-8 or GBK, or
// XLSX, told apart by content (src/organizations/import/read.ts). The route takes the body as a stream and reads
// its rows here, so every upload refuses an unreadable file the same way and numbers rows as a spreadsheet does.
import type { Readable } from 'node:stream';
import { readRows, UnreadableFile, type RawRow } from '../organizations/import/read.js';
import { HttpError } from './errors.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The content types an upload route accepts; register them with a parser that hands on the stream. */
export const SHEET_TYPES = ['text/csv', XLSX_TYPE, 'application/octet-stream'];

/** Every row of the uploaded file (the header is row 1): a 400 `invalid_file` when there is no file or it cannot be read. */
export async function sheetRows(body: unknown, maxBytes: number): Promise<RawRow[]> {
  const stream = body as Readable | undefined;
  if (!stream || typeof stream.pipe !== 'function') throw new HttpError(400, 'invalid_file', 'send the file as the request body with Content-Type text/csv or XLSX');
  const rows: RawRow[] = [];
  try {
    for await (const r of readRows(stream, { maxBytes })) rows.push(r);
  } catch (err) {
    if (err instanceof UnreadableFile) throw new HttpError(400, 'invalid_file', err.message);
    throw err;
  }
  return rows;
}
