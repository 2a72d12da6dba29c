import { Type } from 'typebox';
import { Nullable } from '../../contacts/fields';
import { EmployeeInput } from '../../people/employee-fields';

export { Email, EmployeeInput } from '../../people/employee-fields';

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('analyst'), Type.Literal('employee')], {
  description: 'admin: everything; analyst: reads results, changes nothing; employee: their own work',
});

/** What the API accepts for one employee: the import's fields plus the role (set by admins only). */
export const EmployeeCreate = Type.Object(
  {
    ...EmployeeInput.properties,
    role: Type.Optional(Role),
    language: Type.Optional(Nullable(Type.String({ pattern: '^[a-z]{2}$', description: 'language of their emails and due dates' }))),
    timeZone: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone: their tasks fall due at the end of the day there' }))),
  },
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
    language: Nullable(Type.String()),
    timeZone: Nullable(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Employee' },
);

/** How many clients and contacts an employee is the frontline employee of. */
export const FrontlineCounts = Type.Object({ clients: Type.Integer(), contacts: Type.Integer() });

const Selection = Type.Union(
  [
    Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
    Type.Object({ ids: Type.Array(Type.String({ format: 'uuid' }), { maxItems: 10_000 }) }, { additionalProperties: false }),
  ],
  { description: '{ "all": true }: every one of the employee\'s; { "ids": [...] }: these (ids that are not theirs are left alone)' },
);

export const ReassignBody = Type.Object(
  {
    toEmployeeId: Type.String({ format: 'uuid', description: 'an active employee' }),
    clients: Type.Optional(Selection),
    contacts: Type.Optional(Selection),
  },
  { additionalProperties: false, minProperties: 2 },
);

export const ReassignResult = Type.Object({
  clients: Type.Integer({ description: 'clients moved' }),
  contacts: Type.Integer({ description: 'contacts moved' }),
});
