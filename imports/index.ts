// Bulk imports of contacts and employees from CSV or JSON rows: all rows written, or none.
export { importContacts, contactRowSpec, type ImportResult } from './contacts';
export { importEmployees, employeeRowSpec } from './employees';
export { CsvText, MAX_IMPORT_ROWS, MAX_REPORTED_PROBLEMS, type RowProblem } from './rows';
export { ImportError, type ImportErrorCode } from './import-error';
