export { importContacts, contactRowSpec, type ImportResult } from './contacts';
export { importEmployees, employeeRowSpec } from './employees';
export { CsvText, MAX_IMPORT_ROWS, MAX_REPORTED_PROBLEMS, type RowProblem } from './rows';
