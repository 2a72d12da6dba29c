/** Why an import was refused; nothing of it was written. */
export type ImportErrorCode =
  /** The body cannot be read as rows (not CSV or JSON rows, unknown or repeated columns). */
  | 'VALIDATION_ERROR'
  /** Rows are readable but some are not valid; `details` lists the row problems. */
  | 'IMPORT_INVALID'
  | 'TOO_MANY_ROWS'
  /** Something the rows refer to changed under the import. */
  | 'CONFLICT';

export class ImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}
