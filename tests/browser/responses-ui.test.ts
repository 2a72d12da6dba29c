import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { SCREENSHOTS } from '../support/admin-page';
import { launchChromium } from '../support/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSurvey, newLink } from '../fixtures/surveys';
import { seriousViolations } from '../support/axe';
import { createTestApp, TEST_ADMIN_KEY, type TestApp } from '../support/app';

/*
 * The responses pages in system Chromium against the real app over a fresh database, with
 * answers given through the public form: the list, its filters and text search, one response
 * labelled in the reader's language, Dutch and English, axe-core, and an employee kept out.
 * UPDATE_SCREENSHOTS=1 saves them to docs/screenshots/.
 */


let t: TestApp;
let browser: Browser;
let base: string;
let employeeKey: string;

const ANSWERS: { answers: Record<string, unknown>; language: string; channel: string; withContact?: boolean }[] = [
  { answers: { nps: 10, service: 5, channels: ['phone'] }, language: 'nl', channel: 'phone' },
  { answers: { nps: 4, service: 2, why: 'De klant moest drie keer bellen voordat iemand hielp.', channels: ['phone'] }, language: 'nl', channel: 'phone' },
  { answers: { nps: 8, service: 4, channels: ['email', 'desk'] }, language: 'en', channel: 'email' },
  { answers: { nps: 2, service: 1, why: 'Klanten wachten veel te lang aan de balie.', channels: ['desk'] }, language: 'nl', channel: 'desk', withContact: true },
  { answers: { nps: 6, why: 'The invoice was hard to read and nobody answered my email.' }, language: 'en', channel: 'email' },
  { answers: { nps: 9, service: 5, channels: ['desk'] }, language: 'nl', channel: 'desk' },
];

beforeAll(async () => {
  t = await createTestApp();
  const survey = await createSurvey(t.app, t.auth, { title: 'Klanttevredenheid dienstverlening' });
  await t.app.inject({ method: 'POST', url: `/api/surveys/${survey.id}/activate`, headers: t.auth });
  const client = (await t.app.inject({ method: 'POST', url: '/api/clients', headers: t.auth, payload: { name: 'Gemeente Utrecht' } })).json();
  const contact = (
    await t.app.inject({
      method: 'POST',
      url: '/api/contacts',
      headers: t.auth,
      payload: { firstName: 'Gina', lastName: 'Meijer', email: 'gina@klant.example', language: 'nl', clientId: client.id },
    })
  ).json();
  for (const given of ANSWERS) {
    const link = await newLink(t.app, t.auth, survey.id, {
      channel: given.channel,
      language: given.language,
      ...(given.withContact ? { contactId: contact.id, clientId: client.id } : {}),
    });
    const res = await t.app.inject({ method: 'POST', url: `/api/public/responses/${link.token}`, payload: { answers: given.answers } });
    expect(res.statusCode, res.body).toBe(201);
  }
  const employee = (await t.app.inject({ method: 'POST', url: '/api/employees', headers: t.auth, payload: { email: 'balie@example.com' } })).json();
  const key = await t.app.inject({ method: 'POST', url: '/api/api-keys', headers: t.auth, payload: { name: 'balie', role: 'employee', employeeId: employee.id } });
  employeeKey = key.json().secret;
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** A signed-in tab in the given UI language; problems collects console errors and failed requests. */
async function open(language: 'en' | 'nl', key = TEST_ADMIN_KEY) {
  const context = await browser.newContext({ locale: language === 'nl' ? 'nl-NL' : 'en-GB', viewport: { width: 1360, height: 900 }, bypassCSP: true });
  await context.addInitScript(`sessionStorage.setItem('npsflow.adminKey', ${JSON.stringify(key)}); localStorage.setItem('npsflow.language', '${language}')`);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return { context, page, problems };
}

/** Time for a page to show an answer on a machine busy with other test runs (not a timing assertion). */
const SETTLED = { timeout: 20_000 };

const rows = (page: Page) => page.locator('[data-testid="responses-table"] tbody tr');

async function shoot(page: Page, name: string) {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe('responses pages', () => {
  it('lists, filters and searches the answers, and opens one with its labelled answers (English)', async () => {
    const { context, page, problems } = await open('en');
    try {
      await page.goto(`${base}/admin/#/responses`);
      await expect.poll(() => rows(page).count(), SETTLED).toBe(6);
      await expect.poll(() => page.getByTestId('responses-count').innerText(), SETTLED).toBe('6 responses');
      // Newest first: the last answer given is the first row.
      expect(await rows(page).first().locator('td').first().innerText()).toBe('9 Promoter');
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'responses');

      // Dutch stemming: "klanten" finds "klant" too.
      await page.getByLabel('Search the comments').fill('klanten');
      await page.getByRole('button', { name: 'Filter' }).click();
      await expect.poll(() => page.getByTestId('responses-count').innerText(), SETTLED).toBe('2 responses');
      expect(page.url()).toContain('q=klanten');
      await page.getByLabel('Group').selectOption('detractor');
      await page.getByLabel('Channel').fill('desk');
      await page.getByRole('button', { name: 'Filter' }).click();
      await expect.poll(() => rows(page).count(), SETTLED).toBe(1);
      expect(await rows(page).first().innerText()).toContain('Klanten wachten veel te lang aan de balie.');

      await rows(page).first().getByRole('link').click();
      const answers = page.getByTestId('response-answers');
      await answers.waitFor();
      const text = await answers.innerText();
      expect(text).toContain('How likely are you to recommend us?');
      expect(text).toContain('How did you contact us?\nDesk');
      expect(text).toContain('very dissatisfied');
      expect(await page.getByTestId('response-facts').innerText()).toContain('Gina Meijer');
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toMatch(/^Response of /);
      expect(await page.locator('.page-header .badge').innerText()).toBe('Detractor');
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'response-detail');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the same pages in Dutch, answers labelled in Dutch', async () => {
    const { context, page, problems } = await open('nl');
    try {
      await page.goto(`${base}/admin/#/responses?hasComment=true`);
      await expect.poll(() => page.getByTestId('responses-count').innerText(), SETTLED).toBe('3 antwoorden');
      expect(await page.getByRole('columnheader', { name: 'Opmerking' }).count()).toBe(1);
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'responses-nl');
      await rows(page).last().getByRole('link').click();
      const answers = page.getByTestId('response-answers');
      await answers.waitFor();
      expect(await answers.innerText()).toContain('Hoe waarschijnlijk is het dat u ons aanbeveelt?');
      expect(await answers.innerText()).toContain('Hoe had u contact met ons?\nTelefoon');
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'response-detail-nl');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('keeps an employee out: no menu entry, and the page says so', async () => {
    const { context, page } = await open('en', employeeKey);
    try {
      await page.goto(`${base}/admin/#/responses`);
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').innerText()).toContain('Your role does not give access to this page.');
      expect(await page.getByRole('link', { name: 'Responses' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
