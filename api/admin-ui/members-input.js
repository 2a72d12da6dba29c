/*
 * What an admin pastes to add campaign members: contact ids, one per line, or a small CSV of
 * contact data with a header row (comma, semicolon or tab separated). CSV contacts are upserted
 * by externalRef; without that column the email address serves as the reference.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = {
  email: 'email',
  emailaddress: 'email',
  firstname: 'firstName',
  voornaam: 'firstName',
  lastname: 'lastName',
  achternaam: 'lastName',
  externalref: 'externalRef',
  reference: 'externalRef',
  language: 'language',
  taal: 'language',
  timezone: 'timeZone',
  region: 'region',
  regio: 'region',
  clientid: 'clientId',
  frontlineemployeeid: 'frontlineEmployeeId',
};

/** One CSV line into fields; quotes may hold the delimiter and doubled quotes. */
function splitLine(line, delimiter) {
  const fields = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      fields.push(field.trim());
      field = '';
    } else field += c;
  }
  fields.push(field.trim());
  return fields;
}

/** `{ members, problems }`: members for POST /api/campaigns/:id/members, problems per line. */
export function parseMembers(text) {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length === 0) return { members: [], problems: [] };
  if (lines.every((line) => UUID.test(line))) {
    return { members: [...new Set(lines)].map((contactId) => ({ contactId })), problems: [] };
  }
  const header = lines[0];
  const delimiter = ['\t', ';', ','].find((d) => header.includes(d)) ?? ',';
  const names = splitLine(header, delimiter).map((name) => COLUMNS[name.toLowerCase().replace(/[^a-z]/g, '')]);
  const problems = [];
  if (!names.includes('email') && !names.includes('externalRef')) {
    return { members: [], problems: [{ line: 1, message: 'header' }] };
  }
  const members = [];
  lines.slice(1).forEach((line, index) => {
    const values = splitLine(line, delimiter);
    const contact = {};
    names.forEach((name, i) => {
      if (name && values[i]) contact[name] = values[i];
    });
    if (contact.language) contact.language = contact.language.toLowerCase();
    contact.externalRef = contact.externalRef ?? contact.email;
    if (!contact.externalRef) problems.push({ line: index + 2, message: 'reference' });
    else members.push({ contact });
  });
  return { members, problems };
}
