import { contactRowSpec, importContacts } from '../../imports';
import { importRoute } from './import-route';

/** POST /api/contacts/import */
export const contactImportRoutes = importRoute({
  what: 'contacts',
  tag: 'contacts',
  columns: contactRowSpec.fields,
  readOnly: contactRowSpec.readOnly,
  run: importContacts,
});
