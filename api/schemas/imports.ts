import { Type } from 'typebox';

export const ImportResult = Type.Object({
  inserted: Type.Integer({ description: 'rows that created a record' }),
  updated: Type.Integer({ description: 'rows that updated an existing record (same key)' }),
  total: Type.Integer(),
});

export const importDescription = (what: string, columns: readonly string[], readOnly: readonly string[] = []) =>
  `Imports up to 10,000 ${what} in one request, all-or-nothing. The body is CSV (\`text/csv\`, ` +
  `a header row naming the columns; comma- or semicolon-separated, as the header line shows; UTF-8 with or ` +
  `without a byte-order mark; quoted fields with doubled quotes) or JSON (an array of rows, or \`{ "rows": [...] }\`). ` +
  `Columns: ${columns.join(', ')}. Every row is checked before anything is written: when any row ` +
  `is bad the answer is 400 with \`details: [{ row, field, message }]\` (rows counted from 1 after ` +
  `the header) and nothing is stored. Rows with a key (contacts: externalRef, employees: email) ` +
  `update the record with that key. A column is written for every row when any row gives it: an ` +
  `empty cell or a missing property resets that field to empty (or its default); columns no row gives are left unchanged.` +
  (readOnly.length ? ` The export's read-only columns (${readOnly.join(', ')}) are skipped, so an edited export imports again.` : '');
