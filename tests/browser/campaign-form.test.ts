import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAppWithWorkflows } from '../support/app-with-workflows';
import { seriousViolations } from '../support/axe';
import { openAdminPage, SCREENSHOTS } from '../support/admin-page';
import { launchChromium } from '../support/chromium';
import { createSurvey } from '../fixtures/surveys';

/*
 * A campaign's send settings in the admin UI, in Chromium against the real app: a new campaign
 * with every setting chosen (a send window ending before it starts is refused next to its field),
 * the settings on the campaign page, one of them edited; in English and Dutch, without serious
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

const get = (url: string) => stack.t.app.inject({ url, headers: stack.t.auth });

const openPage = (locale: string) => openAdminPage(browser, locale, { expectedConsoleErrors: /400/ });

const texts = {
  en: {
    newCampaign: 'New campaign',
    create: 'Create campaign',
    endAfterStart: 'Must be later than the first hour.',
    remindersHint: 'Allowed: 0 to 3.',
    notInvited: 'Reaches only members not yet invited.',
    addDate: 'Add date',
    edit: 'Edit settings',
    save: 'Save settings',
    saved: 'Settings saved.',
    window: '08:00 to 18:00',
    weekdays: 'Monday, Tuesday, Wednesday, Thursday, Saturday',
    template: 'Set C',
    language: 'English',
    stagger: '15 minutes',
    notices: 'no',
  },
  nl: {
    newCampaign: 'Nieuwe campagne',
    create: 'Campagne aanmaken',
    endAfterStart: 'Moet later zijn dan het eerste uur.',
    remindersHint: 'Toegestaan: 0 tot en met 3.',
    notInvited: 'Bereikt alleen leden die nog niet zijn uitgenodigd.',
    addDate: 'Datum toevoegen',
    edit: 'Instellingen wijzigen',
    save: 'Instellingen opslaan',
    saved: 'Instellingen opgeslagen.',
    window: '08:00 tot 18:00',
    weekdays: 'maandag, dinsdag, woensdag, donderdag, zaterdag',
    template: 'Set C',
    language: 'Nederlands',
    stagger: '15 minuten',
    notices: 'nee',
  },
};

describe('the campaign form in the admin UI', () => {
  for (const [language, locale] of [
    ['en', 'en-GB'],
    ['nl', 'nl-NL'],
  ] as const) {
    it(`creates a campaign with every setting, shows them on its page and edits one (${language})`, async () => {
      const words = texts[language];
      const survey = await createSurvey(stack.t.app, stack.t.auth);
      const { page, problems, close } = await openPage(locale);
      const suffix = language === 'en' ? '' : '-nl';
      const name = `Every setting ${language} ${Date.now()}`;
      try {
        await page.goto(`${base}/admin/#/campaigns`);
        await page.getByRole('button', { name: words.newCampaign }).click();
        const form = page.getByTestId('new-campaign');
        const field = (fieldName: string) => form.locator(`[name="${fieldName}"]`);
        await field('name').fill(name);
        await field('surveyId').selectOption(survey.id);
        // The limits come from the API's schema; the send window, weekdays, zone and stagger say they reach only members not yet invited.
        await expect.poll(() => form.locator('#hint-reminders').textContent()).toContain(words.remindersHint);
        expect(await form.getByText(words.notInvited).count()).toBe(6);

        await field('templateSet').selectOption('C');
        await field('defaultLanguage').selectOption(language);
        await field('completionNotices').uncheck();
        await field('reminders').fill('3');
        await field('reminderIntervalDays').fill('5');
        await field('expiryDays').fill('21');
        await field('sendWindow.startHour').fill('8');
        await field('sendWindow.endHour').fill('6');
        await form.locator('input[name="weekday"][value="5"]').uncheck();
        await form.locator('input[name="weekday"][value="6"]').check();
        await field('defaultTimeZone').fill('Europe/Brussels');
        for (const date of ['2026-12-25', '2026-12-24']) {
          await field('noSendDate').fill(date);
          await form.getByRole('button', { name: words.addDate }).click();
        }
        await field('staggerMinutes').fill('15');
        await field('noSendRuleDays').fill('180');
        await field('followUpDueDays').fill('10');
        await field('escalationDays').fill('4');

        // The API refuses a window that ends before it starts; the form says so at the field.
        await form.getByRole('button', { name: words.create }).click();
        await form.getByTestId('error-sendWindow.endHour').getByText(words.endAfterStart).waitFor();
        expect(await field('sendWindow.endHour').getAttribute('aria-invalid')).toBe('true');
        await field('sendWindow.endHour').fill('18');
        expect(await seriousViolations(page)).toEqual([]);
        if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `campaign-form${suffix}.png`), fullPage: true });
        await form.getByRole('button', { name: words.create }).click();

        const panel = page.getByTestId('settings-panel');
        await panel.getByTestId('settings-list').waitFor();
        const campaignId = /#\/campaigns\/([0-9a-f-]{36})/.exec(page.url())![1]!;
        const stored = (await get(`/api/campaigns/${campaignId}`)).json();
        expect(stored.name).toBe(name);
        expect(stored.settings).toEqual({
          templateSet: 'C',
          defaultLanguage: language,
          defaultTimeZone: 'Europe/Brussels',
          reminders: 3,
          reminderIntervalDays: 5,
          expiryDays: 21,
          sendWindow: { startHour: 8, endHour: 18, weekdays: [1, 2, 3, 4, 6] },
          noSendRuleDays: 180,
          followUpDueDays: 10,
          escalationDays: 4,
          completionNotices: false,
          staggerMinutes: 15,
          noSendDates: ['2026-12-24', '2026-12-25'],
        });

        const shown = async (setting: string) => (await panel.locator(`[data-setting="${setting}"] dd`).textContent())?.trim();
        expect(await shown('templateSet')).toBe(words.template);
        expect(await shown('defaultLanguage')).toBe(words.language);
        expect(await shown('sendWindow')).toBe(words.window);
        expect(await shown('weekdays')).toBe(words.weekdays);
        expect(await shown('defaultTimeZone')).toBe('Europe/Brussels');
        expect(await shown('noSendDates')).toBe('2026-12-24, 2026-12-25');
        expect(await shown('staggerMinutes')).toBe(words.stagger);
        expect(await shown('completionNotices')).toBe(words.notices);
        expect(await shown('reminders')).toBe('3');
        expect(await panel.locator('[data-setting]').count()).toBe(14);
        expect(await seriousViolations(page)).toEqual([]);
        if (SCREENSHOTS && language === 'en') await page.screenshot({ path: path.join(SCREENSHOTS, 'campaign-settings.png'), fullPage: true });

        await panel.getByRole('button', { name: words.edit }).click();
        const edit = panel.getByTestId('settings-form');
        await edit.locator('[name="reminders"]').fill('1');
        expect(await seriousViolations(page)).toEqual([]);
        await edit.getByRole('button', { name: words.save }).click();
        await panel.getByText(words.saved).waitFor();
        await expect.poll(() => shown('reminders')).toBe('1');
        expect((await get(`/api/campaigns/${campaignId}`)).json().settings).toMatchObject({ reminders: 1, reminderIntervalDays: 5, templateSet: 'C' });
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    });
  }
});
