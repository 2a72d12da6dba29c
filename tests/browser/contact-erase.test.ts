import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { memberWorkflowId, type MemberState } from '../../workflows/definitions';
import { useAppWithWorkflows } from '../support/app-with-workflows';
import { seriousViolations } from '../support/axe';
import { openAdminPage, SCREENSHOTS } from '../support/admin-page';
import { launchChromium } from '../support/chromium';
import { ALWAYS_OPEN } from '../support/campaign-fixtures';
import { until } from '../support/until';
import { createSurvey } from '../fixtures/surveys';

/*
 * Erasing a person from their contact page, in Chromium, against the real app, PostgreSQL, the
 * time-skipping Temporal server and the worker: the confirmation dialog says what will happen,
 * Cancel changes nothing, confirming erases them (their running member ends as Erased); in
 * English and Dutch, without serious accessibility issues, the dialog open and after.
 */

const stack = useAppWithWorkflows();
let browser: Browser;
let base: string;
let surveyId: string;

const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
  stack.t.app.inject({ method, url, headers: stack.t.auth, ...(payload ? { payload } : {}) });
const db = () => stack.t.database.db;

beforeAll(async () => {
  base = await stack.t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
  const survey = await createSurvey(stack.t.app, stack.t.auth);
  expect((await call('POST', `/api/surveys/${survey.id}/activate`)).statusCode).toBe(200);
  surveyId = survey.id;
});

afterAll(async () => {
  await browser?.close();
});

/** A contact invited in a launched campaign: their member runs (Survey_Not_Started). */
async function invitedContact(firstName: string, lastName: string) {
  const email = `${firstName.toLowerCase()}-${randomUUID().slice(0, 6)}@klant.example`;
  const created = await call('POST', '/api/campaigns', { name: `Golf ${firstName}`, surveyId, settings: { ...ALWAYS_OPEN, reminders: 2, reminderIntervalDays: 3, expiryDays: 30 } });
  expect(created.statusCode, created.body).toBe(201);
  const campaign = created.json();
  const added = await call('POST', `/api/campaigns/${campaign.id}/members`, { members: [{ contact: { externalRef: `crm-${randomUUID()}`, email, firstName, lastName, phone: '+31 20 555 0101' } }] });
  expect(added.statusCode, added.body).toBe(200);
  const memberId = added.json().memberIds[0] as string;
  expect((await call('POST', `/api/campaigns/${campaign.id}/launch`)).statusCode).toBe(202);
  const member = await until(
    () => db().select().from(tables.campaignMembers).where(eq(tables.campaignMembers.id, memberId)),
    ([row]) => row?.status === 'Survey_Not_Started',
    60_000,
  );
  return { contactId: member[0]!.contactId, memberId, email };
}

const openPage = (locale: string) => openAdminPage(browser, locale);

const texts = {
  en: { erase: 'Erase this person', title: (name: string) => `Erase ${name}?`, cancel: 'Cancel', confirm: 'Erase for good', erased: 'This person’s data was erased on', exportButton: 'Export (access request)' },
  nl: { erase: 'Deze persoon wissen', title: (name: string) => `${name} wissen?`, cancel: 'Annuleren', confirm: 'Definitief wissen', erased: 'De gegevens van deze persoon zijn gewist op', exportButton: 'Exporteren (inzageverzoek)' },
};

describe('erasing a person from the contact page', () => {
  for (const [language, locale, firstName, lastName] of [
    ['en', 'en-GB', 'Philippa', 'Oosterhuis'],
    ['nl', 'nl-NL', 'Wubbo', 'Tjoelker'],
  ] as const) {
    it(`asks for confirmation, then erases them (${language})`, async () => {
      const words = texts[language];
      const { contactId, memberId, email } = await invitedContact(firstName, lastName);
      const { page, problems, close } = await openPage(locale);
      const suffix = language === 'en' ? '' : '-nl';
      try {
        await page.goto(`${base}/admin/#/contacts/${contactId}`);
        const actions = page.getByTestId('contact-privacy');
        await actions.getByRole('button', { name: words.exportButton }).waitFor();

        // Cancel: nothing happens.
        await actions.getByRole('button', { name: words.erase }).click();
        const dialog = page.getByRole('dialog', { name: words.title(`${firstName} ${lastName}`) });
        await dialog.waitFor();
        await dialog.getByRole('button', { name: words.cancel }).click();
        await dialog.waitFor({ state: 'detached' });
        expect((await call('GET', `/api/contacts/${contactId}`)).json()).toMatchObject({ email, erasedAt: null });

        // Confirm: the person is erased, and their running member ends through its workflow.
        await actions.getByRole('button', { name: words.erase }).click();
        await dialog.waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `contact-erase${suffix}.png`) });
        await dialog.getByRole('button', { name: words.confirm }).click();
        await actions.getByText(words.erased).waitFor();
        expect(await actions.getByRole('button', { name: words.erase }).count()).toBe(0);
        expect(await seriousViolations(page)).toEqual([]);

        const contact = (await call('GET', `/api/contacts/${contactId}`)).json();
        expect(contact).toMatchObject({ email: null, firstName: '', lastName: '', phone: null });
        const result = (await stack.env.client.workflow.getHandle(memberWorkflowId(memberId)).result()) as MemberState;
        expect(result.status).toBe('Erased');
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    });
  }
});
