import path from 'node:path';
import { sql } from 'drizzle-orm';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, tables } from '../../db';
import { createTestApp, TEST_ADMIN_KEY, type TestApp } from '../support/app';
import { seriousViolations } from '../support/axe';
import { SCREENSHOTS } from '../support/admin-page';
import { launchChromium } from '../support/chromium';
import { createSurvey, newLink } from '../fixtures/surveys';

/*
 * An anonymous survey in Chromium: the respondent is told on the form (Dutch and English) and
 * the answer is stored without its link; the admin sees the survey's privacy settings and the
 * dashboard's note. axe-core finds no serious issue on any of these pages.
 */

let t: TestApp;
let browser: Browser;
let base: string;
let surveyId: string;

beforeAll(async () => {
  t = await createTestApp();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
  const survey = await createSurvey(t.app, t.auth, { title: 'Anonieme KTO', anonymous: true, responseLinkRetentionDays: 180, openAnswerRetentionDays: 90 });
  surveyId = survey.id;
  const activated = await t.app.inject({ method: 'POST', url: `/api/surveys/${surveyId}/activate`, headers: t.auth });
  expect(activated.statusCode).toBe(200);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const notices = {
  nl: 'Deze enquête is anoniem: uw antwoorden worden niet aan uw naam, e-mailadres of organisatie gekoppeld.',
  en: 'This survey is anonymous: your answers are not linked to your name, email address or organisation.',
};

describe('an anonymous survey in Chromium', () => {
  for (const language of ['nl', 'en'] as const) {
    it(`tells the respondent on every step and stores the answer without its link (${language})`, async () => {
      const [contact] = await t.database.db.insert(tables.contacts).values({ email: `anon-${language}@client.example`, firstName: 'Anna' }).returning();
      const { token, invitationId } = await newLink(t.app, t.auth, surveyId, { contactId: contact!.id, channel: undefined });
      const context = await browser.newContext({ bypassCSP: true, locale: language === 'nl' ? 'nl-NL' : 'en-GB', viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      try {
        await page.goto(`${base}/s/${token}?lang=${language}`);
        const notice = page.getByTestId('anonymous-notice');
        expect(await notice.textContent()).toContain(notices[language]);
        expect(await seriousViolations(page)).toEqual([]);
        if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, language === 'nl' ? 'anonymous-form.png' : 'anonymous-form-en.png'), fullPage: true });

        await page.click('label[for="q-nps-9"]');
        await page.getByRole('button', { name: language === 'nl' ? 'Volgende' : 'Next' }).click();
        await page.locator('#q-channels').waitFor();
        // Still told on the next step.
        expect(await page.getByTestId('anonymous-notice').count()).toBe(1);
        expect(await seriousViolations(page)).toEqual([]);
        await page.getByRole('button', { name: language === 'nl' ? 'Versturen' : 'Submit' }).click();
        await page.waitForURL(`**/s/${token}/thanks?lang=${language}`);

        const [invitation] = rowsOf<{ status: string }>(await t.database.db.execute(sql`select status from invitations where id = ${invitationId}`));
        expect(invitation!.status).toBe('completed');
        const rows = rowsOf<Record<string, unknown>>(
          await t.database.db.execute(sql`
            select invitation_id, contact_id, client_id, entity_ref, nps_score from responses
             where survey_id = ${surveyId} and nps_score = 9 and language = ${language}`),
        );
        expect(rows).toEqual([{ invitation_id: null, contact_id: null, client_id: null, entity_ref: null, nps_score: 9 }]);
      } finally {
        await context.close();
      }
    });
  }

  for (const language of ['nl', 'en'] as const) {
    it(`shows the survey's privacy settings and the dashboard's note (${language})`, async () => {
      const context = await browser.newContext({ bypassCSP: true, locale: language === 'nl' ? 'nl-NL' : 'en-GB', viewport: { width: 1360, height: 900 } });
      await context.addInitScript(`try { sessionStorage.setItem('npsflow.adminKey', ${JSON.stringify(TEST_ADMIN_KEY)}) } catch {}`);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      try {
        await page.goto(`${base}/admin/#/surveys/${surveyId}`);
        const anonymous = page.getByLabel(language === 'nl' ? 'Anonieme enquête' : 'Anonymous survey');
        await anonymous.waitFor();
        expect(await anonymous.isChecked()).toBe(true);
        // Live: respondents were told, so it no longer changes.
        expect(await anonymous.isDisabled()).toBe(true);
        expect(await page.locator('input[name="responseLinkRetentionDays"]').inputValue()).toBe('180');
        expect(await page.locator('input[name="openAnswerRetentionDays"]').inputValue()).toBe('90');
        expect(await seriousViolations(page)).toEqual([]);
        if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `survey-privacy${language === 'nl' ? '-nl' : ''}.png`), fullPage: true });

        await page.goto(`${base}/admin/#/dashboard?surveyId=${surveyId}`);
        const note = page.getByTestId('anonymous-note');
        await note.waitFor();
        expect(await note.textContent()).toContain(
          language === 'nl' ? 'niet beschikbaar voor anonieme enquêtes' : 'not available for anonymous surveys',
        );
        await page.getByTestId('dashboard').waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});
