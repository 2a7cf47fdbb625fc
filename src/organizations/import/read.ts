// Turns an uploaded file (CSV in UTF-8 with or without BOM, or GBK as Chinese Excel saves it; or XLSX) into
// rows of cell strings, streaming: nothing holds the whole file.
import { PassThrough, Readable, Transform } from 'node:stream';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';

export interface RawRow {
  /** Row number as a spreadsheet shows it: the header is row 1. */
  row: number;
  cells: string[];
}

/** The file itself cannot be read (not CSV/XLSX, broken encoding, too large): a 400 naming the reason. */
export class UnreadableFile extends Error {}

export interface ReadOptions {
  maxBytes?: number;
  /** Called as bytes arrive, for progress. */
  onBytes?: (n: number) => void;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
// Enough of a file to tell UTF-8 from GBK: a GBK file with any Chinese text in it fails UTF-8 decoding at once.
const SNIFF_BYTES = 64 * 1024;

/** Reads the first bytes, then hands back a stream that replays them followed by the rest. */
async function sniff(input: Readable): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let size = 0;
  const iterator = input[Symbol.asyncIterator]();
  while (size < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) break;
    const b = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as string);
    chunks.push(b);
    size += b.length;
  }
  const head = Buffer.concat(chunks);
  const rest = Readable.from(
    (async function* () {
      yield head;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value as Buffer;
      }
    })(),
    { objectMode: false },
  );
  return { head, stream: rest };
}

function limit(maxBytes: number, onBytes?: (n: number) => void): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      onBytes?.(seen);
      if (seen > maxBytes) return done(new UnreadableFile(`the file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`));
      done(null, chunk);
    },
  });
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

async function* xlsxRows(stream: Readable): AsyncGenerator<RawRow> {
  // styles are cached so that date-formatted cells come out as dates rather than serial numbers.
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(stream, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
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
  }
}

async function* csvRows(stream: Readable, head: Buffer): AsyncGenerator<RawRow> {
  let text: Readable;
  if (head.subarray(0, 3).equals(UTF8_BOM) || isUtf8(head)) {
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
          done(null, decoder.decode());
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
  }
}

/** Rows of the file, header first; CSV or XLSX told apart by content (an XLSX is a ZIP archive). */
export async function* readRows(input: Readable, opts: ReadOptions = {}): AsyncGenerator<RawRow> {
  const limited = input.pipe(limit(opts.maxBytes ?? Number.MAX_SAFE_INTEGER, opts.onBytes));
  input.on('error', (e) => limited.destroy(e));
  const { head, stream } = await sniff(limited);
  if (head.length === 0) throw new UnreadableFile('the file is empty');
  const pass = stream.pipe(new PassThrough());
  stream.on('error', (e) => pass.destroy(e));
  if (head.subarray(0, 4).equals(ZIP_MAGIC)) yield* xlsxRows(pass);
  else yield* csvRows(pass, head);
}
