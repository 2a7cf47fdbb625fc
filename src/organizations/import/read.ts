// Turns an uploaded file (CSV in UTF-8 with or without BOM, or GBK as Chinese Excel saves it; or XLSX) into
// rows of cell strings, streaming: nothing holds the whole file.
//
// Every read settles, whatever arrives: the file is first received whole into a temporary file (bounded in bytes),
// an XLSX archive is then checked from its central directory and inflated once with a bound on what it inflates to
// (a truncated archive has no central directory and is refused at once; an inflated one — a zip bomb — stops at
// the bound), and the rows are read under a row limit and a deadline. The parsers themselves (ExcelJS over
// unzipper) wait forever on an archive cut short, so nothing reaches them before the archive is known whole.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';

export interface RawRow {
  /** Row number as a spreadsheet shows it: the header is row 1. */
  row: number;
  cells: string[];
}

/**
 * The file itself cannot be read: not CSV/XLSX, broken encoding or archive (400), too large in bytes or rows (413),
 * or not read within its time (408 while it arrives, 400 when its contents take too long to read).
 */
export class UnreadableFile extends Error {
  constructor(
    message: string,
    readonly status: 400 | 408 | 413 = 400,
  ) {
    super(message);
  }
}

export interface ReadLimits {
  /** Bytes of the file as sent. */
  maxBytes?: number;
  /** Rows besides the first (every upload's first row is its header). */
  maxRows?: number;
  /** Milliseconds for receiving and reading the whole file. */
  timeoutMs?: number;
}

export interface ReadOptions extends ReadLimits {
  /** Called as bytes arrive, for progress. */
  onBytes?: (n: number) => void;
}

/** What an upload may be unless its route says otherwise: the contacts, the returns, a holiday notice. */
export const DEFAULT_LIMITS = { maxBytes: 20 * 1024 * 1024, maxRows: 200_000, timeoutMs: 60_000 } satisfies Required<ReadLimits>;

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
// Enough of a file to tell UTF-8 from GBK: a GBK file with any Chinese text in it fails UTF-8 decoding at once.
const SNIFF_BYTES = 64 * 1024;
// Spreadsheet XML inflates 5–20× (a sheet of identical rows up to ~100×); a zip bomb inflates thousands of times.
const MAX_INFLATION = 40;
// ExcelJS keeps the shared strings in memory (sharedStrings: 'cache'): that part is bounded on its own.
const MAX_SHARED_STRINGS = 256 * 1024 * 1024;

const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

/** A received upload on disk; `dispose` removes it. */
export interface Spooled {
  path: string;
  size: number;
  dispose(): Promise<void>;
}

/**
 * Receives a stream whole into a temporary file: 413 past `maxBytes` (refused as the bytes pass, not after), 408
 * when it has not all arrived within `timeoutMs` (a client that sends a byte a minute holds nothing but its socket).
 */
export async function spool(input: Readable, limits: ReadOptions = {}): Promise<Spooled> {
  const maxBytes = limits.maxBytes ?? DEFAULT_LIMITS.maxBytes;
  const dir = await mkdtemp(join(tmpdir(), 'orglife-upload-'));
  const path = join(dir, 'file');
  const dispose = () => rm(dir, { recursive: true, force: true });
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      limits.onBytes?.(size);
      if (size > maxBytes) return done(new UnreadableFile(`the file is larger than ${mb(maxBytes)}`, 413));
      done(null, chunk);
    },
  });
  const timer = setTimeout(
    () => counter.destroy(new UnreadableFile(`the file did not arrive within ${Math.round((limits.timeoutMs ?? DEFAULT_LIMITS.timeoutMs) / 1000)} s`, 408)),
    limits.timeoutMs ?? DEFAULT_LIMITS.timeoutMs,
  );
  try {
    await pipeline(input, counter, createWriteStream(path));
  } catch (err) {
    await dispose();
    if (err instanceof UnreadableFile) throw err;
    throw new UnreadableFile(`the file could not be received: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
  return { path, size, dispose };
}

function isUtf8(head: Buffer): boolean {
  try {
    // stream: true tolerates a character cut at the end of the sniffed bytes.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

async function head(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of createReadStream(path, { start: 0, end: SNIFF_BYTES - 1 })) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v) return String(v.text);
    if ('result' in v) return v.result === undefined ? '' : cellText(v.result as ExcelJS.CellValue);
    if ('error' in v) return '';
    return '';
  }
  return String(v);
}

const openZip = (path: string) =>
  new Promise<yauzl.ZipFile>((resolve, reject) =>
    // validateEntrySizes: an entry that inflates to more than its directory says is an error, not more data.
    yauzl.open(path, { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    ),
  );

/**
 * The archive is whole and inflates to a bounded size: its central directory is read (a file cut short has none),
 * and every entry is inflated once, counting, against the directory's sizes and `maxInflated`.
 */
async function checkArchive(path: string, size: number): Promise<void> {
  const maxInflated = Math.max(size * MAX_INFLATION, 16 * 1024 * 1024);
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path);
  } catch (err) {
    throw new UnreadableFile(`not a readable XLSX file (the archive is incomplete or damaged: ${(err as Error).message})`);
  }
  let inflated = 0;
  let workbook = false;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName === 'xl/workbook.xml') workbook = true;
        const declared = entry.uncompressedSize;
        if (inflated + declared > maxInflated || (/sharedStrings\.xml$/.test(entry.fileName) && declared > MAX_SHARED_STRINGS)) {
          return reject(new UnreadableFile(`the XLSX file inflates to more than ${mb(maxInflated)}: refused as an archive bomb`, 413));
        }
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (err, stream) => {
          if (err) return reject(err);
          stream.on('data', (c: Buffer) => {
            inflated += c.length;
            if (inflated > maxInflated)
              stream.destroy(new UnreadableFile(`the XLSX file inflates to more than ${mb(maxInflated)}: refused as an archive bomb`, 413));
          });
          stream.on('error', reject);
          stream.on('end', () => zip.readEntry());
        });
      });
      zip.readEntry();
    });
  } catch (err) {
    zip.close();
    if (err instanceof UnreadableFile) throw err;
    throw new UnreadableFile(`not a readable XLSX file (the archive is damaged: ${(err as Error).message})`);
  }
  if (!workbook) throw new UnreadableFile('not a readable XLSX file: the archive holds no workbook (xl/workbook.xml)');
}

async function* xlsxRows(path: string, size: number): AsyncGenerator<RawRow> {
  await checkArchive(path, size);
  // styles are cached so that date-formatted cells come out as dates rather than serial numbers.
  const stream = createReadStream(path);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(stream, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  try {
    for await (const sheet of reader) {
      for await (const r of sheet) {
        const values = (r.values ?? []) as ExcelJS.CellValue[];
        // exceljs rows are 1-based: values[0] is always empty.
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
        yield { row: r.number, cells };
      }
      return; // the first sheet only
    }
  } catch (err) {
    if (err instanceof UnreadableFile) throw err;
    throw new UnreadableFile(`not a readable XLSX file: ${(err as Error).message}`);
  } finally {
    stream.destroy();
  }
}

async function* csvRows(path: string, first: Buffer): AsyncGenerator<RawRow> {
  const stream = createReadStream(path);
  let text: Readable;
  if (first.subarray(0, 3).equals(UTF8_BOM) || isUtf8(first)) {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
    text = stream.pipe(
      new Transform({
        decodeStrings: true,
        transform(chunk: Buffer, _e, done) {
          try {
            done(null, decoder.decode(chunk, { stream: true }));
          } catch {
            done(new UnreadableFile('the file is neither valid UTF-8 nor GBK throughout'));
          }
        },
        flush(done) {
          try {
            done(null, decoder.decode());
          } catch {
            done(new UnreadableFile('the file ends inside a UTF-8 character: it is cut short or not UTF-8'));
          }
        },
      }),
    );
  } else {
    // GB18030 is a superset of GBK and GB2312, the encodings Excel uses for "CSV" on Chinese Windows.
    text = stream.pipe(iconv.decodeStream('gb18030') as unknown as Transform);
  }
  stream.on('error', (e) => text.destroy(e));
  const parser = text.pipe(parse({ relax_column_count: true, skip_empty_lines: true, bom: true }));
  text.on('error', (e) => parser.destroy(e));
  try {
    // A record is a spreadsheet row even when a quoted cell spans lines.
    let row = 0;
    for await (const cells of parser as AsyncIterable<string[]>) yield { row: ++row, cells };
  } catch (err) {
    if (err instanceof UnreadableFile) throw err;
    throw new UnreadableFile(`not a readable CSV file: ${(err as Error).message}`);
  } finally {
    stream.destroy();
  }
}

/** Rows of a file on disk, header first; CSV or XLSX told apart by content (an XLSX is a ZIP archive). */
async function* fileRows(path: string, size: number): AsyncGenerator<RawRow> {
  const first = await head(path);
  if (first.length === 0) throw new UnreadableFile('the file is empty');
  if (first.subarray(0, 4).equals(ZIP_MAGIC)) yield* xlsxRows(path, size);
  else yield* csvRows(path, first);
}

/**
 * Rows of the uploaded file, header first, under its limits: the stream is received whole first (see `spool`), then
 * read row by row; past `maxRows` a 413, past `timeoutMs` (counted from the first byte) a 400. Settles on any input.
 */
export async function* readRows(input: Readable, opts: ReadOptions = {}): AsyncGenerator<RawRow> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_LIMITS.timeoutMs;
  const maxRows = opts.maxRows ?? DEFAULT_LIMITS.maxRows;
  const file = await spool(input, opts);
  const rows = fileRows(file.path, file.size);
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new UnreadableFile(`the file could not be read within ${Math.round(timeoutMs / 1000)} s`)),
    Math.max(0, timeoutMs - (Date.now() - started)),
  );
  try {
    let n = 0;
    for (;;) {
      const next = await beforeAbort(rows.next(), deadline.signal);
      if (next.done) return;
      if (++n > maxRows + 1) throw new UnreadableFile(`the file has more than ${maxRows.toLocaleString('en')} rows below its header`, 413);
      yield next.value;
    }
  } finally {
    clearTimeout(timer);
    // A reader stopped early (an error, a limit, the caller gone) is closed, and the file goes with it.
    void rows.return(undefined).catch(() => {});
    await file.dispose();
  }
}

/**
 * `p`, or the signal's reason once it aborts, whichever comes first. The listener is removed as soon as `p`
 * settles: a Promise.race against one long-lived promise would keep every row it ever raced (its reaction list
 * holds each race's result), a gigabyte for a million rows.
 */
function beforeAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', abort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(e as Error);
      },
    );
  });
}
