import { Type, type Static } from 'typebox';
import { PageQuery } from './common';
import { ExternalRef, Nullable } from './contacts';

export const ClientInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    externalRef: Type.Optional(Nullable(ExternalRef)),
    frontlineEmployeeId: Type.Optional(Nullable(Type.String({ format: 'uuid' }))),
  },
  { additionalProperties: false },
);
export type ClientInput = Static<typeof ClientInput>;

export const ClientPatch = Type.Partial(ClientInput, { additionalProperties: false, minProperties: 1 });

export const Client = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    externalRef: Nullable(Type.String()),
    frontlineEmployeeId: Nullable(Type.String({ format: 'uuid' })),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Client' },
);

export const ClientListQuery = Type.Object(
  {
    ...PageQuery,
    q: Type.Optional(Type.String({ maxLength: 200, description: 'matches name or external ref' })),
    externalRef: Type.Optional(Type.String({ maxLength: 200 })),
    frontlineEmployeeId: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);
