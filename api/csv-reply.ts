import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { Type, type TObject, type TProperties } from 'typebox';
import { CSV_DIALECTS, type CsvDialect, type CsvDialectName } from '../csv';

/** The `dialect` query parameter every CSV download takes. */
export const CsvDialectParam = Type.Optional(
  Type.Union([Type.Literal('rfc4180'), Type.Literal('excel')], {
    default: 'rfc4180',
    description:
      'rfc4180 (default): comma-separated, decimal point, no byte-order mark. excel: for Excel in Dutch and other ' +
      'decimal-comma locales: semicolon-separated, decimal comma, UTF-8 byte-order mark, so a double-click opens it in columns.',
  }),
);

/** A CSV route's query: the report's own parameters plus `dialect`. */
export const withDialect = <P extends TProperties>(query: TObject<P>) =>
  Type.Object({ ...query.properties, dialect: CsvDialectParam }, { additionalProperties: false });

export const csvDialect = (name: CsvDialectName | undefined): CsvDialect => CSV_DIALECTS[name ?? 'rfc4180'];

/** Sends CSV as a download named `<name>.csv`. */
export function sendCsv(reply: FastifyReply, name: string, body: string | Readable) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .send(body);
}
