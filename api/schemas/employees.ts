import { Type } from 'typebox';
import { EmployeeInput } from '../../people/employee-fields';

export { Email, EmployeeInput } from '../../people/employee-fields';

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('analyst'), Type.Literal('employee')], {
  description: 'admin: everything; analyst: reads results, changes nothing; employee: their own work',
});

/** What the API accepts for one employee: the import's fields plus the role (set by admins only). */
export const EmployeeCreate = Type.Object(
  { ...EmployeeInput.properties, role: Type.Optional(Role) },
  { additionalProperties: false },
);

export const EmployeePatch = Type.Partial(EmployeeCreate, { additionalProperties: false, minProperties: 1 });

export const Employee = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    firstName: Type.String(),
    lastName: Type.String(),
    active: Type.Boolean(),
    role: Role,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Employee' },
);
