import { Type, type Static } from 'typebox';

export const Email = Type.String({ format: 'email', maxLength: 320 });

/** The fields of an employee that an import or an administrator writes. */
export const EmployeeInput = Type.Object(
  {
    email: Email,
    firstName: Type.Optional(Type.String({ maxLength: 200 })),
    lastName: Type.Optional(Type.String({ maxLength: 200 })),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type EmployeeInput = Static<typeof EmployeeInput>;
