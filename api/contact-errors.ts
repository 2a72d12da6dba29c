import { badRequest, conflict, constraintName, FOREIGN_KEY_VIOLATION, sqlState, UNIQUE_VIOLATION } from './errors';

/** Which request field a foreign key of contacts or clients is about. */
export function foreignKeyField(error: unknown): string {
  const name = constraintName(error) ?? '';
  if (name.includes('frontline_employee_id')) return 'frontlineEmployeeId';
  if (name.includes('client_id')) return 'clientId';
  return 'reference';
}

/** Maps constraint violations of a contact or client write to 400 / 409; rethrows the rest. */
export function contactWriteError(error: unknown, body: { externalRef?: string | null }, what = 'contact'): never {
  const state = sqlState(error);
  if (state === FOREIGN_KEY_VIOLATION) {
    const field = foreignKeyField(error);
    throw badRequest(`body.${field} does not name an existing ${field === 'clientId' ? 'client' : 'employee'}`, [
      { field, message: 'not found' },
    ]);
  }
  if (state === UNIQUE_VIOLATION) throw conflict(`a ${what} with externalRef ${body.externalRef} already exists`);
  throw error;
}
