export { CSV_DIALECTS, csvCell, csvLine, csvStart, toCsv, type CsvDialect, type CsvDialectName, type CsvValue } from './write';
export { detectSeparator, type CsvSeparator } from './read';
