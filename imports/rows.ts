import { parse } from 'csv-parse/sync';
import type { TLocalizedValidationError } from 'typebox/error';
import { detectSeparator } from '../csv';
import { ImportError } from './import-error';

/** Most rows one import request may carry. */
export const MAX_IMPORT_ROWS = 10_000;
/** Most row problems one error answer lists (the message still gives the total). */
export const MAX_REPORTED_PROBLEMS = 1_000;

export type RawRow = Record<string, unknown>;

export interface RowProblem {
  /** 1-based data row: the first row after a CSV header, or the first element of a JSON array. */
  row: number;
  field: string | null;
  message: string;
}

export interface RowSpec {
  /** The fields a row may have, spelled as in JSON. CSV headers match them loosely (first_name, First Name). */
  fields: readonly string[];
  /** Fields whose CSV text is read as a boolean (true/false, yes/no, 1/0). */
  booleans: readonly string[];
  /** CSV columns an export writes for reading, which the import skips (so an edited export imports again). */
  readOnly?: readonly string[];
}

const unreadable = (message: string, details?: unknown) => new ImportError('VALIDATION_ERROR', message, details);

const tooMany = (count: number | string) =>
  new ImportError('TOO_MANY_ROWS', `an import holds at most ${MAX_IMPORT_ROWS} rows (got ${count}); split it into several requests`);

/** Collects row problems, keeping the first MAX_REPORTED_PROBLEMS. */
export class RowProblems {
  readonly list: RowProblem[] = [];
  readonly rows = new Set<number>();
  count = 0;

  add(row: number, field: string | null, message: string): void {
    this.count += 1;
    this.rows.add(row);
    if (this.list.length < MAX_REPORTED_PROBLEMS) this.list.push({ row, field, message });
  }

  /** Throws the 400 answer when any row is bad: nothing has been written. */
  throwIfAny(total: number): void {
    if (this.count === 0) return;
    this.list.sort((a, b) => a.row - b.row);
    const shown = this.count > this.list.length ? ` (first ${this.list.length} listed)` : '';
    throw new ImportError(
      'IMPORT_INVALID',
      `${this.rows.size} of ${total} rows are not valid, ${this.count} problems${shown}; nothing was imported`,
      this.list,
    );
  }
}

/** TypeBox errors as one problem per field, in words a spreadsheet user can act on. */
export function schemaProblems(errors: TLocalizedValidationError[]): { field: string | null; message: string }[] {
  const byField = new Map<string, string>();
  const put = (field: string, message: string) => {
    if (!byField.has(field)) byField.set(field, message);
  };
  for (const error of errors) {
    const params = error.params as { additionalProperties?: string[]; requiredProperties?: string[]; format?: string; type?: unknown };
    if (error.keyword === 'additionalProperties') {
      for (const name of params.additionalProperties ?? []) put(name, 'is not a known field');
      continue;
    }
    if (error.keyword === 'required') {
      for (const name of params.requiredProperties ?? []) put(name, 'is required');
      continue;
    }
    // `false` schemas repeat additionalProperties; anyOf summarises its branches.
    if (error.keyword === 'boolean' || error.keyword === 'anyOf') continue;
    const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
    let message = error.message;
    if (error.keyword === 'format' && params.format === 'email') message = 'must be an email address';
    if (error.keyword === 'format' && params.format === 'uuid') message = 'must be a UUID';
    put(field, message);
  }
  return [...byField].map(([field, message]) => ({ field: field || null, message }));
}

/** A CSV request body, as its content-type parser hands it over (so a JSON string is never read as CSV). */
export class CsvText {
  constructor(readonly text: string) {}
}

const headerKey = (name: string) => name.trim().toLowerCase().replace(/[\s_.-]+/g, '');

const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);

function readCsv(text: string, spec: RowSpec): RawRow[] {
  const known = new Map(spec.fields.map((field) => [headerKey(field), field]));
  const skipped = new Set((spec.readOnly ?? []).map(headerKey));
  const booleans = new Set(spec.booleans);
  let records: Record<string, string>[];
  try {
    records = parse(text, {
      bom: true,
      // Dutch Excel saves "CSV" with semicolons; the header line tells which one this file uses.
      delimiter: detectSeparator(text),
      skip_empty_lines: true,
      to: MAX_IMPORT_ROWS + 1,
      columns: (header: string[]) => {
        const unknown = header.filter((name) => !known.has(headerKey(name)) && !skipped.has(headerKey(name)));
        if (unknown.length > 0) {
          throw unreadable(`unknown CSV column(s): ${unknown.join(', ')}; known columns are ${spec.fields.join(', ')}`,
            unknown.map((name) => ({ field: name, message: 'is not a known column' })),
          );
        }
        // false: csv-parse leaves the column out of the record.
        const mapped = header.map((name) => known.get(headerKey(name)) ?? (false as const));
        const repeated = mapped.find((name, index) => name !== false && mapped.indexOf(name) !== index);
        if (repeated) throw unreadable(`CSV column ${repeated} appears twice`);
        return mapped;
      },
    }) as Record<string, string>[];
  } catch (error) {
    if (error instanceof ImportError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw unreadable(`the CSV could not be read: ${message}`);
  }
  if (records.length > MAX_IMPORT_ROWS) throw tooMany(`more than ${MAX_IMPORT_ROWS}`);
  return records.map((record) => {
    const row: RawRow = {};
    for (const [field, cell] of Object.entries(record)) {
      // Trimmed here rather than by the parser (its trim option halves its speed).
      const text = cell.trim();
      // An empty cell is an absent value.
      if (text === '') continue;
      if (booleans.has(field)) {
        const lower = text.toLowerCase();
        row[field] = TRUE.has(lower) ? true : FALSE.has(lower) ? false : text;
      } else {
        row[field] = text;
      }
    }
    return row;
  });
}

/**
 * The rows of an import body: a CSV text (header row first) or JSON (an array of objects, or
 * `{ rows: [...] }`). Elements that are not objects stay in place so they get row numbers.
 */
export function readImportRows(body: unknown, spec: RowSpec): unknown[] {
  if (body instanceof CsvText) return readCsv(body.text, spec);
  const rows = Array.isArray(body)
    ? body
    : body && typeof body === 'object' && Array.isArray((body as { rows?: unknown }).rows)
      ? (body as { rows: unknown[] }).rows
      : undefined;
  if (!rows) throw unreadable('the body must be CSV (text/csv) or JSON: an array of rows or { "rows": [...] }');
  if (rows.length > MAX_IMPORT_ROWS) throw tooMany(rows.length);
  return rows;
}

export const isRecord = (value: unknown): value is RawRow =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
