import { type Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app';
import { seriousViolations } from '../support/axe';
import { activeSurveyWithLink } from '../fixtures/surveys';

/*
 * The form in a real browser: system Chromium driven by playwright-core (run
 * scripts/setup-system.sh first; Playwright never downloads a browser here). The app listens on
 * a real port; axe-core checks each state of the form against WCAG 2.1 A/AA.
 */


let t: TestApp;
let browser: Browser;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the survey form in Chromium', () => {
  it('is filled in through a branch, by keyboard and pointer, without accessibility violations', async () => {
    const { token } = await activeSurveyWithLink(t.app, t.auth);
    const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB', viewport: { width: 390, height: 844 }, javaScriptEnabled: true });
    const page = await context.newPage();
    try {
      const first = await page.goto(`${base}/s/${token}`);
      expect(first?.status()).toBe(200);
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await seriousViolations(page)).toEqual([]);

      // Keyboard: tab to the NPS scale, move to 3 with the arrow keys.
      await page.focus('#q-nps-0');
      for (let i = 0; i < 3; i += 1) await page.keyboard.press('ArrowRight');
      expect(await page.isChecked('#q-nps-3')).toBe(true);
      const outline = await page.evaluate(`getComputedStyle(document.querySelector('label[for="q-nps-3"]')).outlineStyle`);
      expect(outline).not.toBe('none');

      await page.getByLabel('2', { exact: true }).nth(1).check();
      await page.getByRole('button', { name: 'Next' }).click();

      // The branch for a detractor.
      await page.getByText('What could we do better?').waitFor();
      expect(await seriousViolations(page)).toEqual([]);

      // Submitting without the required answer shows the error next to the field.
      await page.getByRole('button', { name: 'Submit' }).click();
      await page.getByText('There is a problem').waitFor();
      expect(await page.getAttribute('#q-why', 'aria-invalid')).toBe('true');
      expect(await page.getAttribute('#q-why', 'aria-describedby')).toContain('q-why-error');
      expect(await seriousViolations(page)).toEqual([]);

      await page.getByLabel('What could we do better?').fill('Call back <sooner>');
      await page.getByLabel('Phone').check();
      await page.getByRole('button', { name: 'Submit' }).click();
      await page.getByRole('heading', { name: 'Thank you!' }).waitFor();
      expect(page.url()).toContain(`/s/${token}/thanks`);
      expect(await page.textContent('main')).toContain('Thank you for your answers.');
      expect(await seriousViolations(page)).toEqual([]);

      // The link works once.
      const again = await page.goto(`${base}/s/${token}`);
      expect(again?.status()).toBe(409);
    } finally {
      await context.close();
    }
  });

  it('works with JavaScript switched off, and switches language', async () => {
    const { token } = await activeSurveyWithLink(t.app, t.auth);
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'nl-NL' });
    const page = await context.newPage();
    try {
      await page.goto(`${base}/s/${token}`);
      expect(await page.getAttribute('html', 'lang')).toBe('nl');
      await page.getByRole('button', { name: 'English' }).click();
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await page.click('label[for="q-nps-10"]');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('How did you contact us?').waitFor();
      expect(await page.getByText('What could we do better?').count()).toBe(0);
      await page.getByRole('button', { name: 'Submit' }).click();
      await page.getByRole('heading', { name: 'Thank you!' }).waitFor();
    } finally {
      await context.close();
    }
  });
});
