import { employeeRowSpec, importEmployees } from '../../imports';
import { importRoute } from './import-route';

/** POST /api/employees/import (registered by the employees plugin, so it shares its prefix). */
export const employeeImportRoutes = importRoute({
  what: 'employees',
  tag: 'employees',
  columns: employeeRowSpec.fields,
  run: importEmployees,
});
