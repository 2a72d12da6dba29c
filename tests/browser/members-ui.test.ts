import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { openAdminPage, SCREENSHOTS } from '../support/admin-page';
import { launchChromium } from '../support/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { useAppWithWorkflows } from '../support/app-with-workflows';
import { seriousViolations } from '../support/axe';
import { ALWAYS_OPEN, addEmployee } from '../support/campaign-fixtures';
import { createSurvey } from '../fixtures/surveys';

/*
 * Managing members in the admin UI, in Chromium, against the real app, PostgreSQL, the
 * time-skipping Temporal server and the worker: preview and add a segment, then choose "all
 * matching" a filter and change their frontline employee; in English and Dutch, without serious
 * accessibility issues.
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

const post = (url: string, payload?: object) => stack.t.app.inject({ method: 'POST', url, headers: stack.t.auth, ...(payload ? { payload } : {}) });
const db = () => stack.t.database.db;

/** A draft campaign, and six contacts in a fresh region (four with Erin as frontline employee) plus two elsewhere. */
async function draftWithContacts(name: string) {
  const survey = await createSurvey(stack.t.app, stack.t.auth);
  await post(`/api/surveys/${survey.id}/activate`);
  const campaign = (await post('/api/campaigns', { name, surveyId: survey.id, settings: ALWAYS_OPEN })).json();
  const erin = await addEmployee(db(), 'Erin');
  const frank = await addEmployee(db(), 'Frank');
  const region = `Regio-${randomUUID().slice(0, 6)}`;
  await db()
    .insert(tables.contacts)
    .values([
      ...Array.from({ length: 6 }, (_, i) => ({
        externalRef: `${region}-${i}`,
        email: i === 5 ? null : `${region}-${i}@klant.example`.toLowerCase(),
        firstName: `Klant${i}`,
        lastName: name,
        language: 'nl',
        region,
        frontlineEmployeeId: i < 4 ? erin.id : frank.id,
      })),
      { externalRef: `${region}-x`, email: `x-${region}@klant.example`.toLowerCase(), firstName: 'Ander', lastName: name, region: 'Elders' },
    ]);
  return { campaignId: campaign.id as string, region, erin, frank };
}

const openPage = (locale: string) => openAdminPage(browser, locale);

const texts = {
  en: {
    regions: 'Regions',
    preview: 'Preview',
    fiveCounts: '5 contacts match: 0 are members already, 5 would be added.',
    hasEmail: 'Has an email address',
    counts: '6 contacts match: 0 are members already, 6 would be added.',
    noEmail: 'No email address: 1',
    add: 'Add 6 contacts',
    added: '6 added, 0 were members already.',
    employee: 'Frontline employee',
    selectRow: 'Select Klant0 Waveen',
    selectAll: 'Select all 4 matching',
    action: 'Action',
    change: 'Change frontline employee',
    newEmployee: 'New frontline employee',
    run: 'Run',
    progress: '4 done, 0 skipped, 0 failed of 4',
  },
  nl: {
    regions: 'Regio’s',
    preview: 'Voorbeeld',
    fiveCounts: '5 contactpersonen voldoen: 0 zijn al lid, 5 zouden worden toegevoegd.',
    hasEmail: 'Heeft een e-mailadres',
    counts: '6 contactpersonen voldoen: 0 zijn al lid, 6 zouden worden toegevoegd.',
    noEmail: 'Geen e-mailadres: 1',
    add: '6 contactpersonen toevoegen',
    added: '6 toegevoegd, 0 waren al lid.',
    employee: 'Frontoffice-medewerker',
    selectRow: 'Klant0 Wavenl selecteren',
    selectAll: 'Selecteer alle 4 die voldoen',
    action: 'Actie',
    change: 'Frontoffice-medewerker wijzigen',
    newEmployee: 'Nieuwe frontoffice-medewerker',
    run: 'Uitvoeren',
    progress: '4 klaar, 0 overgeslagen, 0 mislukt van 4',
  },
};

describe('members in the admin UI', () => {
  for (const [language, locale] of [
    ['en', 'en-GB'],
    ['nl', 'nl-NL'],
  ] as const) {
    it(`previews and adds a segment, then changes the frontline employee of all matching (${language})`, async () => {
      const words = texts[language];
      const { campaignId, region, erin, frank } = await draftWithContacts(`Wave${language}`);
      const { page, problems, close } = await openPage(locale);
      const suffix = language === 'en' ? '' : '-nl';
      try {
        await page.goto(`${base}/admin/#/campaigns/${campaignId}`);
        const segment = page.getByTestId('add-segment');
        await segment.getByLabel(words.regions).fill(region);
        await segment.getByRole('button', { name: words.preview, exact: true }).click();
        const preview = segment.getByTestId('segment-preview');
        await preview.getByText(words.fiveCounts).waitFor();
        // Contacts without an address are left out by default; counted in, they show as not sendable.
        await segment.getByLabel(words.hasEmail).uncheck();
        await segment.getByRole('button', { name: words.preview, exact: true }).click();
        await preview.getByText(words.counts).waitFor();
        await preview.getByText(words.noEmail).waitFor();
        expect(await preview.locator('tbody tr').count()).toBe(6);
        expect(await seriousViolations(page)).toEqual([]);
        if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `campaign-segment${suffix}.png`), fullPage: true });

        await segment.getByRole('button', { name: words.add }).click();
        await segment.getByText(words.added).waitFor();
        await expect.poll(() => page.getByTestId('member-table').locator('tbody tr').count()).toBe(6);

        const filters = page.getByTestId('member-filters');
        await filters.getByLabel(words.employee).selectOption(erin.id);
        await expect.poll(() => page.getByTestId('member-table').locator('tbody tr').count()).toBe(4);
        await page.getByLabel(words.selectRow, { exact: true }).check();
        await page.getByRole('button', { name: words.selectAll }).click();
        const bulk = page.getByTestId('bulk-actions');
        await bulk.getByLabel(words.action).selectOption('change_frontline_employee');
        await bulk.getByLabel(words.newEmployee).selectOption(frank.id);
        expect(await seriousViolations(page)).toEqual([]);
        if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `campaign-bulk-actions${suffix}.png`), fullPage: true });
        await bulk.getByRole('button', { name: words.run }).click();
        await bulk.getByTestId('operation-progress').getByText(words.progress).waitFor();

        const contacts = await db().select().from(tables.contacts).where(eq(tables.contacts.region, region));
        expect(contacts.map((c) => c.frontlineEmployeeId)).toEqual(contacts.map(() => frank.id));
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    });
  }
});
