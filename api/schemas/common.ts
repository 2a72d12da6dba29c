import { Type, type TSchema } from 'typebox';

/** Shared HTTP schemas: the error body, ids, cursor pagination. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'ErrorBody', description: 'Every error response has this shape' },
);

export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid });

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'opaque cursor from a previous page' })),
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  });
}

/** The error responses most routes can give, for the OpenAPI document. */
export const errorResponses = {
  400: Type.Ref('ErrorBody'),
  401: Type.Ref('ErrorBody'),
  403: Type.Ref('ErrorBody'),
  404: Type.Ref('ErrorBody'),
  409: Type.Ref('ErrorBody'),
} as const;

/** The 200 of a CSV download, for the OpenAPI document (the body is sent as it is). */
export const CsvBody = {
  description: 'CSV, UTF-8, with a header row: RFC 4180 with commas, or with dialect=excel semicolons, decimal commas and a byte-order mark',
  content: { 'text/csv': { schema: Type.String() } },
};
