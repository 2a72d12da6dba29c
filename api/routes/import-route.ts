import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../db';
import type { Owed } from '../../signals/owed-signals';
import { deliverInBackground } from '../../signals/deliver-in-background';
import { CsvText, ImportError, MAX_IMPORT_ROWS, type ImportErrorCode, type ImportResult as Result } from '../../imports';
import { ApiError } from '../errors';
import { errorResponses } from '../schemas/common';
import { ImportResult, importDescription } from '../schemas/imports';

const STATUS: Record<ImportErrorCode, number> = { VALIDATION_ERROR: 400, IMPORT_INVALID: 400, TOO_MANY_ROWS: 413, CONFLICT: 409 };

/** Enough for 10,000 rows of wide CSV or JSON. */
export const IMPORT_BODY_LIMIT = 16 * 1024 * 1024;

interface ImportRouteOptions {
  what: string;
  tag: string;
  columns: readonly string[];
  /** CSV columns an export writes that the import skips. */
  readOnly?: readonly string[];
  /** `deliver` sends signals the import owes running workflows, after its commit. */
  run: (db: Database, body: unknown, deliver: (owed: Owed[]) => void) => Promise<Result>;
}

/**
 * `POST /import` for a resource: accepts text/csv as a string (parsed by the importer) or JSON.
 * The access policy is applied at onRequest, before a large body is read.
 */
export function importRoute(options: ImportRouteOptions): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_request, body, done) =>
      done(null, new CsvText(body as string)),
    );
    app.post(
      '/import',
      {
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          tags: [options.tag],
          security: [{ bearer: [] }],
          summary: `Bulk import of ${options.what} (CSV or JSON, max ${MAX_IMPORT_ROWS} rows)`,
          description: importDescription(options.what, options.columns, options.readOnly),
          consumes: ['text/csv', 'application/json'],
          response: { 200: ImportResult, ...errorResponses, 413: Type.Ref('ErrorBody') },
        },
      },
      async (request) => {
        try {
          return await options.run(app.db, request.body, (owed) => deliverInBackground(app.db, app.temporal, request.log, owed));
        } catch (error) {
          if (error instanceof ImportError) throw new ApiError(STATUS[error.code], error.code, error.message, error.details);
          throw error;
        }
      },
    );
  };
}
