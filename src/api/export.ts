// A JSON answer, or the same rows as a CSV or XLSX download (what county offices pass on by e-mail): one writer
// for every exportable list (the ranking, the term plan, the 未按期换届 report).
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { csvStringCast, spreadsheetCell } from './spreadsheet-safe.js';

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const exportFormat = z.enum(['json', 'csv', 'xlsx']).default('json');
export type ExportFormat = z.infer<typeof exportFormat>;

/** The route's 200 answer in the OpenAPI document: JSON, or the file. */
export const exportable = (schema: z.ZodType) => ({
  200: {
    description: 'the rows as JSON, or as a CSV or XLSX file with format=csv|xlsx',
    content: { 'application/json': { schema }, 'text/csv': { schema: z.string() }, [XLSX]: { schema: z.string() } },
  },
});

/** Sends `body` as JSON, or its `items` as a file named `name` with `columns` in this order. */
export async function sendExport<B extends { items: object[] }>(reply: FastifyReply, fmt: ExportFormat, name: string, columns: string[], body: B) {
  if (fmt === 'json') return body;
  const rows = body.items as Record<string, unknown>[];
  if (fmt === 'csv') {
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`);
    // A BOM, so that Excel opens the Chinese names as UTF-8. An indicator is 1 (met) or 0 (missed), and empty only
    // when it does not apply: csv-stringify's default writes false as an empty field too, so a county office could
    // not tell a floor missed from one that does not concern the organization. Text that a spreadsheet would run
    // as a formula is neutralised (spreadsheet-safe.ts).
    const cast = { ...csvStringCast, boolean: (v: boolean) => (v ? '1' : '0') };
    return reply.send(`\uFEFF${stringify(rows, { header: true, columns, cast })}`);
  }
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(name);
  sheet.columns = columns.map((c) => ({ header: c, key: c, width: Math.max(10, c.length + 2) }));
  // Each cell a plain value: never a formula or link object, text neutralised as in the CSV (spreadsheet-safe.ts).
  sheet.addRows(rows.map((r) => Object.fromEntries(columns.map((c) => [c, spreadsheetCell(r[c])]))));
  reply.header('content-type', XLSX).header('content-disposition', `attachment; filename="${name}.xlsx"`);
  return reply.send(Buffer.from(await book.xlsx.writeBuffer()));
}
