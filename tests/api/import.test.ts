import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { tables } from '../../db';
import { createTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const importCsv = (resource: 'contacts' | 'employees', csv: string) =>
  t.app.inject({
    method: 'POST',
    url: `/api/${resource}/import`,
    headers: { ...t.auth, 'content-type': 'text/csv' },
    payload: csv,
  });
const importJson = (resource: 'contacts' | 'employees', payload: unknown) =>
  t.app.inject({ method: 'POST', url: `/api/${resource}/import`, headers: t.auth, payload: payload as object });

async function rowCounts() {
  const [c] = await t.database.db.select({ n: count() }).from(tables.contacts);
  const [e] = await t.database.db.select({ n: count() }).from(tables.employees);
  const [k] = await t.database.db.select({ n: count() }).from(tables.clients);
  return { contacts: c!.n, employees: e!.n, clients: k!.n };
}
const contactByRef = async (ref: string) =>
  (await t.database.db.select().from(tables.contacts).where(eq(tables.contacts.externalRef, ref)))[0];

describe('employee import', () => {
  it('imports CSV with loose headers and upserts on the email, case-insensitively', async () => {
    const csv = ['Email,First Name,last_name,active', 'jan@example.org,Jan,Jansen,yes', 'els@example.org,Els,Bakker,0', ''].join('\n');
    const res = await importCsv('employees', csv);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ inserted: 2, updated: 0, total: 2 });

    const again = await importJson('employees', { rows: [{ email: 'JAN@example.org', lastName: 'Jansen-Smit' }, { email: 'kees@example.org' }] });
    expect(again.json()).toEqual({ inserted: 1, updated: 1, total: 2 });
    const [jan] = await t.database.db.select().from(tables.employees).where(eq(tables.employees.email, 'JAN@example.org'));
    expect(jan).toMatchObject({ lastName: 'Jansen-Smit', firstName: 'Jan' });
    const els = (await t.app.inject({ url: '/api/employees?q=els', headers: t.auth })).json().items[0];
    expect(els.active).toBe(false);
  });

  it('reports duplicate and bad emails by row and writes nothing', async () => {
    const before = await rowCounts();
    const res = await importJson('employees', [{ email: 'new1@example.org' }, { email: 'broken' }, { email: 'NEW1@example.org' }, {}]);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('IMPORT_INVALID');
    expect(res.json().error.details).toEqual([
      { row: 2, field: 'email', message: 'must be an email address' },
      { row: 3, field: 'email', message: 'NEW1@example.org is also on row 1' },
      { row: 4, field: 'email', message: 'is required' },
    ]);
    expect(await rowCounts()).toEqual(before);
  });
});

describe('contact import', () => {
  it('imports CSV, creating named clients and resolving employees by email', async () => {
    const csv = [
      'externalRef,email,firstName,lastName,language,timeZone,region,clientRef,clientName,frontlineEmployeeEmail,optedOut,outOfScope,inactive',
      'K-1,anna@example.org,Anna,de Vries,nl,Europe/Amsterdam,EMEA,ACME,Acme BV,JAN@example.org,false,false,false',
      'K-2,,"Piet, jr.",Zonder Email,EN,america/new_york,NA,ACME,,,true,,',
      'K-3,"quoted@example.org",Q,Q,,,,GLOBEX,Globex,els@example.org,no,yes,1',
    ].join('\r\n');
    const res = await importCsv('contacts', csv);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ inserted: 3, updated: 0, total: 3 });

    const [acme] = await t.database.db.select().from(tables.clients).where(eq(tables.clients.externalRef, 'ACME'));
    expect(acme?.name).toBe('Acme BV');
    const [jan] = await t.database.db.select().from(tables.employees).where(eq(tables.employees.email, 'JAN@example.org'));
    expect(await contactByRef('K-1')).toMatchObject({
      email: 'anna@example.org',
      language: 'nl',
      timeZone: 'Europe/Amsterdam',
      clientId: acme!.id,
      frontlineEmployeeId: jan!.id,
      optedOut: false,
      optedOutAt: null,
    });
    const piet = await contactByRef('K-2');
    expect(piet).toMatchObject({ email: null, firstName: 'Piet, jr.', language: 'en', timeZone: 'America/New_York', clientId: acme!.id, optedOut: true });
    expect(piet!.optedOutAt).toBeInstanceOf(Date);
    expect(await contactByRef('K-3')).toMatchObject({ outOfScope: true, inactive: true, optedOut: false });
  });

  it('imports what Dutch Excel saves: semicolons, a byte-order mark, quoted fields with semicolons and commas', async () => {
    const csv = [
      '\uFEFFexternalRef;email;First Name;lastName;language;clientRef;clientName',
      'NL-1;noor@example.org;Noor;"van Dijk; de Boer";nl;BOLT;"Bolt, Bouw & Zo"',
      'NL-2;"bram@example.org";Bräm;"Zeggen ""ja""";;BOLT;',
      '',
    ].join('\r\n');
    const res = await importCsv('contacts', csv);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ inserted: 2, updated: 0, total: 2 });
    const [bolt] = await t.database.db.select().from(tables.clients).where(eq(tables.clients.externalRef, 'BOLT'));
    expect(bolt?.name).toBe('Bolt, Bouw & Zo');
    expect(await contactByRef('NL-1')).toMatchObject({ email: 'noor@example.org', firstName: 'Noor', lastName: 'van Dijk; de Boer', language: 'nl', clientId: bolt!.id });
    expect(await contactByRef('NL-2')).toMatchObject({ email: 'bram@example.org', firstName: 'Bräm', lastName: 'Zeggen "ja"' });
  });

  it('a semicolon file still reports its bad rows by row number and column', async () => {
    const res = await importCsv('contacts', '\uFEFFexternalRef;email\r\nNL-3;ok@example.org\r\nNL-4;not-an-address\r\n');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'IMPORT_INVALID', details: [{ row: 2, field: 'email', message: 'must be an email address' }] });
    expect(await contactByRef('NL-3')).toBeUndefined();
  });

  it('imports JSON, upserting on externalRef; a new email lifts the bounce, the opt-out date is kept', async () => {
    const bouncedAt = new Date('2025-03-01T10:00:00.000Z');
    await t.database.db.update(tables.contacts).set({ emailBouncedAt: bouncedAt }).where(eq(tables.contacts.externalRef, 'K-1'));
    const optedOutAt = (await contactByRef('K-2'))!.optedOutAt;
    await t.database.db.update(tables.contacts).set({ emailBouncedAt: bouncedAt }).where(eq(tables.contacts.externalRef, 'K-3'));

    const res = await importJson('contacts', [
      { externalRef: 'K-1', email: 'anna.new@example.org', firstName: 'Anna' },
      { externalRef: 'K-2', email: null, optedOut: true },
      { externalRef: 'K-3', email: 'QUOTED@example.org' },
      { email: 'norefs@example.org' },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ inserted: 1, updated: 3, total: 4 });
    expect(await contactByRef('K-1')).toMatchObject({ email: 'anna.new@example.org', emailBouncedAt: null });
    expect((await contactByRef('K-2'))!.optedOutAt).toEqual(optedOutAt);
    expect((await contactByRef('K-3'))!.emailBouncedAt).toEqual(bouncedAt);
    // Columns this import did not carry are left alone.
    expect(await contactByRef('K-1')).toMatchObject({ lastName: 'de Vries', language: 'nl', region: 'EMEA' });
  });

  it('reports every bad row with its number and field, and writes nothing', async () => {
    const before = await rowCounts();
    const csv = [
      'externalRef,email,timeZone,language,frontlineEmployeeEmail,clientRef,clientName,optedOut',
      'N-1,ok@example.org,Europe/Amsterdam,nl,jan@example.org,ACME,,',
      'N-2,not-an-email,Europe/Amsterdam,nl,,,,',
      'N-3,x@example.org,Mars/Olympus,nl,,,,',
      'N-4,y@example.org,,dutch,,,,',
      'N-5,z@example.org,,,nobody@example.org,,,',
      'N-1,dup@example.org,,,,,,',
      'N-6,c@example.org,,,,UNKNOWN-CLIENT,,',
      'N-7,d@example.org,,,,,,maybe',
      'N-8,e@example.org,,,,NEWCO,New Co,',
      'N-9,f@example.org,,,,NEWCO,Other Name,',
      'N-10,g@example.org,,,,,Orphan Name,',
    ].join('\n');
    const res = await importCsv('contacts', csv);
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('IMPORT_INVALID');
    expect(error.message).toMatch(/^9 of 11 rows are not valid, 9 problems; nothing was imported$/);
    expect(error.details).toEqual([
      { row: 2, field: 'email', message: 'must be an email address' },
      { row: 3, field: 'timeZone', message: 'Mars/Olympus is not a known IANA time zone' },
      { row: 4, field: 'language', message: expect.stringMatching(/pattern/) },
      { row: 5, field: 'frontlineEmployeeEmail', message: 'no employee has email nobody@example.org' },
      { row: 6, field: 'externalRef', message: 'N-1 is also on row 1' },
      { row: 7, field: 'clientRef', message: 'no client has ref UNKNOWN-CLIENT; add clientName to create it' },
      { row: 8, field: 'optedOut', message: expect.stringMatching(/boolean/) },
      { row: 10, field: 'clientName', message: 'differs from "New Co" given for client NEWCO on row 9' },
      { row: 11, field: 'clientName', message: 'needs clientRef' },
    ]);
    expect(await rowCounts()).toEqual(before);
  });

  it('reports unknown fields, non-object rows and unknown ids in JSON, and writes nothing', async () => {
    const before = await rowCounts();
    const res = await importJson('contacts', {
      rows: [
        { email: 'a@example.org', nickname: 'A' },
        'not a row',
        { email: 'b@example.org', clientId: '00000000-0000-4000-8000-000000000001' },
        { email: 'c@example.org', frontlineEmployeeId: '00000000-0000-4000-8000-000000000002' },
        { email: 'd@example.org', clientId: 'nope' },
        { email: 'e@example.org' },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      { row: 1, field: 'nickname', message: 'is not a known field' },
      { row: 2, field: null, message: 'must be an object' },
      { row: 3, field: 'clientId', message: 'no client has id 00000000-0000-4000-8000-000000000001' },
      { row: 4, field: 'frontlineEmployeeId', message: 'no employee has id 00000000-0000-4000-8000-000000000002' },
      { row: 5, field: 'clientId', message: 'must be a UUID' },
    ]);
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses unknown CSV columns, unreadable CSV, other bodies and too many rows', async () => {
    const unknown = await importCsv('contacts', 'email,shoeSize\na@example.org,44\n');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toMatch(/unknown CSV column\(s\): shoeSize/);

    const ragged = await importCsv('contacts', 'email,firstName\na@example.org,A,extra\n');
    expect(ragged.statusCode).toBe(400);
    expect(ragged.json().error.message).toMatch(/CSV could not be read/);

    const notRows = await importJson('contacts', { contacts: [] });
    expect(notRows.statusCode).toBe(400);
    // A JSON string is not CSV, whatever it holds.
    const jsonString = await t.app.inject({
      method: 'POST',
      url: '/api/contacts/import',
      headers: { ...t.auth, 'content-type': 'application/json' },
      payload: JSON.stringify('email\na@example.org\n'),
    });
    expect(jsonString.statusCode).toBe(400);
    expect(jsonString.json().error.message).toMatch(/CSV \(text\/csv\) or JSON/);

    const tooMany = await importJson('contacts', Array.from({ length: 10_001 }, () => ({})));
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json().error).toMatchObject({ code: 'TOO_MANY_ROWS', message: expect.stringMatching(/at most 10000 rows/) });
    const csvTooMany = await importCsv('contacts', `email\n${'a@example.org\n'.repeat(10_001)}`);
    expect(csvTooMany.statusCode).toBe(413);

    const xml = await t.app.inject({
      method: 'POST',
      url: '/api/contacts/import',
      headers: { ...t.auth, 'content-type': 'application/xml' },
      payload: '<rows/>',
    });
    expect(xml.statusCode).toBe(415);

    const empty = await importCsv('contacts', 'email\n');
    expect(empty.json()).toEqual({ inserted: 0, updated: 0, total: 0 });
  });

  it('caps the problem list and still counts every problem', async () => {
    const rows = Array.from({ length: 1_500 }, () => ({ email: 'bad' }));
    const res = await importJson('contacts', rows);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toHaveLength(1_000);
    expect(res.json().error.message).toMatch(/1500 of 1500 rows are not valid, 1500 problems \(first 1000 listed\)/);
  });

  it('needs the admin key before reading the body', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/contacts/import', headers: { 'content-type': 'text/csv' }, payload: 'email\n' });
    expect(res.statusCode).toBe(401);
  });

  it('imports 10,000 CSV rows in one request, and again as updates', async () => {
    const header = 'externalRef,email,firstName,lastName,language,timeZone,clientRef,clientName,frontlineEmployeeEmail';
    const lines = Array.from(
      { length: 10_000 },
      (_, i) =>
        `BULK-${i},person${i}@example.org,First${i},Last${i},${i % 2 ? 'nl' : 'en'},Europe/Amsterdam,BULK-CL-${i % 100},Client ${i % 100},${i % 2 ? 'jan' : 'els'}@example.org`,
    );
    const csv = `${header}\n${lines.join('\n')}\n`;
    const before = await rowCounts();
    const first = await importCsv('contacts', csv);
    expect(first.statusCode, first.body.slice(0, 500)).toBe(200);
    expect(first.json()).toEqual({ inserted: 10_000, updated: 0, total: 10_000 });
    const after = await rowCounts();
    expect(after.contacts - before.contacts).toBe(10_000);
    expect(after.clients - before.clients).toBe(100);

    const second = await importCsv('contacts', csv);
    expect(second.json()).toEqual({ inserted: 0, updated: 10_000, total: 10_000 });
    expect((await rowCounts()).contacts).toBe(after.contacts);
  });
});
