export * as tables from './schema';
export { openDatabase, isPostgresUrl, migrationsFolder } from './client';
export type { Database, DatabaseHandle, Transaction } from './client';
export { rowsOf } from './rows';
