import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { recordHardBounce } from '../../contacts/suppression';
import { deliverOwed } from '../../signals/owed-signals';
import { useAppWithWorkflows } from '../support/app-with-workflows';
import { seriousViolations } from '../support/axe';
import { ALWAYS_OPEN, addEmployee } from '../support/campaign-fixtures';
import { openAdminPage, SCREENSHOTS } from '../support/admin-page';
import { launchChromium } from '../support/chromium';
import { until } from '../support/until';
import { createSurvey } from '../fixtures/surveys';

/*
 * The contacts and employees screens in Chromium, against the real app, PostgreSQL, the
 * time-skipping Temporal server and the worker: filter the contact list and export it, correct a
 * bounced contact's address and send its bounced member the survey again, import a semicolon
 * CSV with a bad row, and move an employee's clients and contacts to another employee; in
 * English and Dutch, without serious accessibility issues.
 */

const stack = useAppWithWorkflows();
let browser: Browser;
let base: string;

beforeAll(async () => {
  base = await stack.t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

const db = () => stack.t.database.db;
const post = (url: string, payload?: object) => stack.t.app.inject({ method: 'POST', url, headers: stack.t.auth, ...(payload ? { payload } : {}) });
const get = (url: string) => stack.t.app.inject({ url, headers: stack.t.auth });

const openPage = (locale: string) => openAdminPage(browser, locale, { context: { acceptDownloads: true }, expectedConsoleErrors: /status of 400/ });

/** Contacts in a region of their own: Erin looks after three (one bounced, one opted out), Frank after one. */
async function contactsInRegion(label: string) {
  const erin = await addEmployee(db(), 'Erin');
  const frank = await addEmployee(db(), 'Frank');
  const [client] = await db().insert(tables.clients).values({ name: `Bakker ${label}`, frontlineEmployeeId: erin.id }).returning();
  const region = `Regio-${randomUUID().slice(0, 6)}`;
  const contacts = await db()
    .insert(tables.contacts)
    .values([
      { email: `anna-${region}@klant.example`.toLowerCase(), firstName: 'Anna', lastName: label, language: 'nl', region, clientId: client!.id, frontlineEmployeeId: erin.id, lastSurveyCompletedAt: new Date() },
      { email: `bas-${region}@klant.example`.toLowerCase(), firstName: 'Bas', lastName: label, language: 'nl', region, frontlineEmployeeId: erin.id, emailBouncedAt: new Date() },
      { email: `cor-${region}@klant.example`.toLowerCase(), firstName: 'Cor', lastName: label, language: 'en', region, frontlineEmployeeId: erin.id, optedOut: true, optedOutAt: new Date() },
      { email: `dirk-${region}@klant.example`.toLowerCase(), firstName: 'Dirk', lastName: label, language: 'nl', region, frontlineEmployeeId: frank.id, inactive: true },
    ])
    .returning();
  return { erin, frank, client: client!, region, contacts };
}

const rows = (page: Page, testId: string) => page.getByTestId(testId).locator('tbody tr');

const words = {
  en: {
    region: 'Region',
    bounced: 'Bounced',
    yes: 'Yes',
    count4: '4 contacts match',
    count1: '1 contact matches',
    export: 'Export CSV',
    email: 'Email address',
    save: 'Save',
    resend: 'Send again',
    progress: '1 done, 0 skipped, 0 failed of 1',
    import: 'Import',
    file: 'CSV file',
    imported: '1 added, 0 updated.',
    clientsScope: 'Clients',
    contactsScope: 'Contacts',
    to: 'New frontline employee',
    move: 'Move',
    chooseBas: 'Choose Bas',
    moved: (name: string) => `1 clients and 1 contacts moved to ${name}.`,
  },
  nl: {
    region: 'Regio',
    bounced: 'Onbestelbaar',
    yes: 'Ja',
    count4: '4 contactpersonen voldoen',
    count1: '1 contactpersoon voldoet',
    export: 'CSV exporteren',
    email: 'E-mailadres',
    save: 'Opslaan',
    resend: 'Opnieuw sturen',
    progress: '1 klaar, 0 overgeslagen, 0 mislukt van 1',
    import: 'Importeren',
    file: 'CSV-bestand',
    imported: '1 toegevoegd, 0 bijgewerkt.',
    clientsScope: 'Klanten',
    contactsScope: 'Contactpersonen',
    to: 'Nieuwe frontoffice-medewerker',
    move: 'Overdragen',
    chooseBas: 'Bas',
    moved: (name: string) => `1 klanten en 1 contactpersonen overgedragen aan ${name}.`,
  },
};

describe('contacts in the admin UI', () => {
  for (const [language, locale] of [
    ['en', 'en-GB'],
    ['nl', 'nl-NL'],
  ] as const) {
    it(`lists and filters contacts and exports what the filter matches (${language})`, async () => {
      const w = words[language];
      const { region } = await contactsInRegion(`List${language}`);
      const { page, problems, close } = await openPage(locale);
      try {
        await page.goto(`${base}/admin/#/contacts`);
        const filters = page.getByTestId('contact-filters');
        await filters.getByLabel(w.region).fill(region);
        await filters.getByLabel(w.region).press('Enter');
        await page.getByTestId('contact-count').getByText(w.count4, { exact: true }).waitFor();
        await expect.poll(() => rows(page, 'contact-table').count()).toBe(4);
        expect(await seriousViolations(page)).toEqual([]);
        if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, language === 'en' ? 'contacts.png' : 'contacts-nl.png'), fullPage: true });

        await filters.getByLabel(w.bounced).selectOption('true');
        await page.getByTestId('contact-count').getByText(w.count1, { exact: true }).waitFor();
        await expect.poll(() => rows(page, 'contact-table').count()).toBe(1);
        expect(await rows(page, 'contact-table').first().getAttribute('data-email')).toMatch(/^bas-/);
        expect(page.url()).toContain('bounced=true');

        const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: w.export }).click()]);
        const csv = await readFile((await file.path())!, 'utf8');
        const lines = csv.split('\r\n').filter(Boolean);
        expect(lines).toHaveLength(2);
        // In Dutch the file is for Dutch Excel: a byte-order mark and semicolons.
        if (language === 'nl') expect(lines[0]!.startsWith('\uFEFFexternalRef;email;')).toBe(true);
        else expect(lines[0]!.startsWith('externalRef,email,')).toBe(true);
        expect(lines[1]).toContain(`bas-${region}`.toLowerCase());
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    });
  }

  it('corrects a bounced contact and sends its bounced member the survey again', async () => {
    const survey = await createSurvey(stack.t.app, stack.t.auth);
    await post(`/api/surveys/${survey.id}/activate`);
    const campaignId = (await post('/api/campaigns', { name: 'Najaar', surveyId: survey.id, settings: ALWAYS_OPEN })).json().id as string;
    const tag = randomUUID().slice(0, 6);
    const added = await post(`/api/campaigns/${campaignId}/members`, {
      members: [{ contact: { externalRef: `B-${tag}`, email: `eva-${tag}@klant.example`, firstName: 'Eva', lastName: 'de Boer', language: 'nl' } }],
    });
    const memberId = added.json().memberIds[0] as string;
    const counts = () => get(`/api/campaigns/${campaignId}/members/counts`).then((r) => r.json() as Record<string, number>);
    expect((await post(`/api/campaigns/${campaignId}/launch`)).statusCode).toBe(202);
    await until(counts, (c) => c.Survey_Not_Started === 1, 60_000);
    const [contact] = await db().select().from(tables.contacts).where(eq(tables.contacts.externalRef, `B-${tag}`));
    const owed = await db().transaction((tx) => recordHardBounce(tx, { contactId: contact!.id, memberId, address: contact!.email! }, new Date()));
    await deliverOwed(db(), { client: stack.env.client, taskQueue: stack.worker.taskQueue }, owed);
    await until(counts, (c) => c.Email_Bounced === 1, 60_000);

    for (const [language, locale] of [
      ['nl', 'nl-NL'],
      ['en', 'en-GB'],
    ] as const) {
      const w = words[language];
      const { page, problems, close } = await openPage(locale);
      try {
        // The bounce notice email links here.
        await page.goto(`${base}/admin/#/contacts/${contact!.id}`);
        await page.getByTestId('bounce-note').waitFor();
        await expect.poll(() => rows(page, 'contact-memberships').count()).toBe(1);
        expect(await seriousViolations(page)).toEqual([]);
        if (language === 'en') {
          expect(await page.getByTestId('resend-offer').count()).toBe(0);
          await page.getByTestId('contact-form').getByLabel(w.email).fill(`eva.deboer-${tag}@klant.example`);
          await page.getByTestId('contact-form').getByRole('button', { name: w.save }).click();
          const offer = page.getByTestId('resend-offer');
          await offer.getByRole('button', { name: w.resend }).waitFor();
          expect(await page.getByTestId('bounce-note').count()).toBe(0);
          expect(await seriousViolations(page)).toEqual([]);
          await offer.getByRole('button', { name: w.resend }).click();
          await offer.getByTestId('operation-progress').getByText(w.progress).waitFor({ timeout: 30_000 });
          if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'contact-detail.png'), fullPage: true });
          await until(counts, (c) => c.Survey_Not_Started === 1, 60_000);
          // Opened again, the page shows the membership invited anew and offers nothing more.
          await page.reload();
          await expect.poll(() => rows(page, 'contact-memberships').first().textContent(), { timeout: 15_000 }).toContain('Invited, not started');
          expect(await page.getByTestId('resend-offer').count()).toBe(0);
        }
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    }
    const [fixed] = await db().select().from(tables.contacts).where(eq(tables.contacts.id, contact!.id));
    expect(fixed).toMatchObject({ email: `eva.deboer-${tag}@klant.example`, emailBouncedAt: null });
    const invitations = await db().select().from(tables.invitations).where(eq(tables.invitations.memberId, memberId));
    expect(invitations.map((i) => i.status).sort()).toEqual(['bounced', 'not_started']);
  });

  it('imports a semicolon CSV: a bad row is shown with its row and column, and nothing is imported until it is fixed', async () => {
    const tag = randomUUID().slice(0, 6);
    for (const [language, locale] of [
      ['nl', 'nl-NL'],
      ['en', 'en-GB'],
    ] as const) {
      const w = words[language];
      const ref = `IMP-${language}-${tag}`;
      const { page, problems, close } = await openPage(locale);
      try {
        await page.goto(`${base}/admin/#/contacts`);
        const form = page.getByTestId('contact-import');
        const bad = `\uFEFFexternalRef;email;firstName;lastName\r\n${ref};fenna-${language}-${tag}@klant.example;Fenna;"Smit; van der"\r\n${ref}-2;geen-adres;Gijs;Visser\r\n`;
        await form.getByLabel(w.file).setInputFiles({ name: 'contacten.csv', mimeType: 'text/csv', buffer: Buffer.from(bad, 'utf8') });
        await form.getByRole('button', { name: w.import }).click();
        const problemsTable = form.getByTestId('import-problems');
        await problemsTable.waitFor();
        const cells = await problemsTable.locator('tbody tr').first().locator('td').allTextContents();
        expect(cells).toEqual(['2', 'email', 'must be an email address']);
        expect(await db().select().from(tables.contacts).where(eq(tables.contacts.externalRef, ref))).toEqual([]);
        expect(await seriousViolations(page)).toEqual([]);

        const good = bad.replace(/\r\n[^\r\n]*geen-adres[^\r\n]*/, '');
        await form.getByLabel(w.file).setInputFiles({ name: 'contacten.csv', mimeType: 'text/csv', buffer: Buffer.from(good, 'utf8') });
        await form.getByRole('button', { name: w.import }).click();
        await form.getByTestId('import-result').getByText(w.imported).waitFor();
        const [imported] = await db().select().from(tables.contacts).where(eq(tables.contacts.externalRef, ref));
        expect(imported).toMatchObject({ firstName: 'Fenna', lastName: 'Smit; van der' });
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    }
  });
});

describe('employees in the admin UI', () => {
  for (const [language, locale] of [
    ['en', 'en-GB'],
    ['nl', 'nl-NL'],
  ] as const) {
    it(`moves an employee's clients and a chosen contact to another employee (${language})`, async () => {
      const w = words[language];
      const { erin, frank, client, contacts } = await contactsInRegion(`Staff${language}`);
      const { page, problems, close } = await openPage(locale);
      try {
        await page.goto(`${base}/admin/#/employees`);
        await page.getByTestId('employee-table').locator(`tr[data-email="${erin.email}"] a`).click();
        await page.getByTestId('employee-form').waitFor();
        await expect.poll(() => rows(page, 'employee-contacts').count()).toBe(3);
        await expect.poll(() => rows(page, 'employee-clients').count()).toBe(1);
        expect(await seriousViolations(page)).toEqual([]);

        const reassign = page.getByTestId('reassign');
        await reassign.getByLabel(w.clientsScope).selectOption('all');
        await page.getByTestId('employee-contacts').getByRole('checkbox', { name: w.chooseBas }).check();
        await reassign.getByLabel(w.to).selectOption(frank.id);
        if (SCREENSHOTS && language === 'en') await page.screenshot({ path: path.join(SCREENSHOTS, 'employee-detail.png'), fullPage: true });
        await reassign.getByRole('button', { name: w.move }).click();
        await reassign.getByTestId('reassign-result').getByText(w.moved('Frank Employee')).waitFor();
        await expect.poll(() => rows(page, 'employee-contacts').count()).toBe(2);
        await expect.poll(() => page.getByTestId('employee-clients').count()).toBe(0);

        const [movedClient] = await db().select().from(tables.clients).where(eq(tables.clients.id, client.id));
        expect(movedClient?.frontlineEmployeeId).toBe(frank.id);
        const after = await Promise.all(contacts.map(async (c) => (await db().select().from(tables.contacts).where(eq(tables.contacts.id, c.id)))[0]!.frontlineEmployeeId));
        expect(after).toEqual([erin.id, frank.id, erin.id, frank.id]);

        await page.goto(`${base}/admin/#/employees`);
        await page.getByTestId('employee-table').waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        if (SCREENSHOTS && language === 'en') await page.screenshot({ path: path.join(SCREENSHOTS, 'employees.png'), fullPage: true });
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    });
  }
});
