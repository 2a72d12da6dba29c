/*
 * CSV for spreadsheets, in two dialects:
 * - `rfc4180` (default): comma-separated, no byte-order mark, decimal point. What tools and
 *   most spreadsheets in English locales read.
 * - `excel`: what Excel in Dutch (and other decimal-comma) locales opens by double-click:
 *   semicolon-separated, a UTF-8 byte-order mark (else Excel reads the file as Windows-1252 and
 *   mangles "é"), decimal comma.
 * In both: fields with a separator (either one), quote or line break are quoted with doubled
 * quotes, lines end in CRLF, and text a spreadsheet would run as a formula gets a leading
 * apostrophe and quotes (OWASP "CSV injection"): text starting with = + - @ tab or CR, and text
 * where such a character follows a separator or line break (`x;=cmd|...`), which a program
 * reading the file with the other separator would otherwise start a new formula cell with.
 * Numbers are written as numbers, so a negative NPS stays a number.
 */

export type CsvDialectName = 'rfc4180' | 'excel';

export interface CsvDialect {
  readonly name: CsvDialectName;
  readonly separator: ',' | ';';
  /** Starts the file with U+FEFF. */
  readonly bom: boolean;
  /** Writes 12.5 as 12,5. */
  readonly decimalComma: boolean;
}

export const CSV_DIALECTS: Readonly<Record<CsvDialectName, CsvDialect>> = {
  rfc4180: { name: 'rfc4180', separator: ',', bom: false, decimalComma: false },
  excel: { name: 'excel', separator: ';', bom: true, decimalComma: true },
};

const RFC4180 = CSV_DIALECTS.rfc4180;

const FORMULA_START = /^[=+\-@\t\r]/;
/** A formula character after a separator or line break (blanks and an opening quote between allowed). */
const FORMULA_AFTER_BREAK = /[,;\t\r\n][\s"']*[=+\-@]/;
/** Either separator is quoted in either dialect, so a file read with the other one keeps its cells. */
const NEEDS_QUOTES = /[",;\t\r\n]|^\s|\s$/;

export type CsvValue = string | number | boolean | Date | null | undefined | readonly unknown[] | Record<string, unknown>;

function numberCell(value: number, dialect: CsvDialect): string {
  if (!Number.isFinite(value)) return '';
  const text = String(value);
  return dialect.decimalComma ? text.replace('.', ',') : text;
}

export function csvCell(value: unknown, dialect: CsvDialect = RFC4180): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return numberCell(value, dialect);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (Array.isArray(value)) text = value.map((item) => (typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item))).join('; ');
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  if (FORMULA_START.test(text) || FORMULA_AFTER_BREAK.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[], dialect: CsvDialect = RFC4180): string {
  return `${values.map((value) => csvCell(value, dialect)).join(dialect.separator)}\r\n`;
}

/** What a file in this dialect starts with, before its header line. */
export const csvStart = (dialect: CsvDialect = RFC4180): string => (dialect.bom ? '\uFEFF' : '');

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[], dialect: CsvDialect = RFC4180): string {
  return csvStart(dialect) + csvLine(header, dialect) + rows.map((row) => csvLine(row, dialect)).join('');
}
