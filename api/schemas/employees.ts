import { Type, type Static } from 'typebox';

export const Email = Type.String({ format: 'email', maxLength: 320 });

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

export const EmployeePatch = Type.Partial(EmployeeInput, { additionalProperties: false, minProperties: 1 });

export const Employee = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    firstName: Type.String(),
    lastName: Type.String(),
    active: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Employee' },
);
