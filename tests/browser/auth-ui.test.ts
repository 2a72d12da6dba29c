import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { SCREENSHOTS } from '../support/admin-page';
import { launchChromium } from '../support/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tables } from '../../db';
import { createTestApp, type TestApp } from '../support/app';
import { seriousViolations } from '../support/axe';

/*
 * People signing in to the admin UI in Chromium, as on a fresh `npm start` (development, the
 * outbox mailer): ask for a link with an employee's address, open it, see what the role allows.
 * axe-core checks the sign-in, API keys, audit and account pages. UPDATE_SCREENSHOTS=1 saves them.
 */


let t: TestApp;
let browser: Browser;
let base: string;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await createTestApp({ env: { NODE_ENV: 'development', PUBLIC_BASE_URL: base } });
  for (const [email, role, firstName] of [
    ['ada.admin@example.com', 'admin', 'Ada'],
    ['noor.analyst@example.com', 'analyst', 'Noor'],
    ['eddy.employee@example.com', 'employee', 'Eddy'],
  ] as const) {
    const res = await t.app.inject({ method: 'POST', url: '/api/employees', headers: t.auth, payload: { email, role, firstName } });
    expect(res.statusCode).toBe(201);
  }
  await t.app.listen({ port, host: '127.0.0.1' });
  browser = await launchChromium();
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function newPage(locale = 'en-GB') {
  // CSP bypassed only so the test can inject axe; the app itself runs under its strict policy.
  const context = await browser.newContext({ bypassCSP: true, locale, viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 401/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  return { context, page, problems };
}

async function shoot(page: Page, name: string) {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Asks for a link on the sign-in page and opens the one the page shows (development). */
async function signInByLink(page: Page, email: string) {
  await page.goto(`${base}/admin/`);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await page.getByText('a sign-in link is on its way').waitFor();
  await page.getByTestId('dev-link').click();
  await page.getByTestId('signed-in-as').waitFor();
}

const navItems = async (page: Page) => (await page.locator('nav.sidebar ul a').allInnerTexts()).map((text) => text.trim());

describe('signing in to the admin UI', () => {
  it('signs an analyst in by email link and shows only what the role may do', async () => {
    const { context, page, problems } = await newPage();
    try {
      await page.goto(`${base}/admin/`);
      await page.getByRole('button', { name: 'Email me a sign-in link' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await signInByLink(page, 'noor.analyst@example.com');
      // The link is used up and gone from the address bar.
      expect(page.url()).not.toContain('/sign-in/link/');
      expect(await navItems(page)).toEqual(['Tasks', 'Dashboard', 'Surveys', 'Campaigns', 'Clients', 'Responses', 'My account']);
      expect(await page.getByTestId('signed-in-as').innerText()).toContain('Analyst');
      await page.goto(`${base}/admin/#/campaigns`);
      await page.getByTestId('campaign-table').waitFor();
      expect(await page.getByRole('button', { name: 'New campaign' }).count()).toBe(0);
      await page.goto(`${base}/admin/#/outbox`);
      await page.getByText('Your role does not give access to this page.').waitFor();
      // The cookie is httpOnly: the page's script cannot read it.
      expect(await page.evaluate('document.cookie')).toBe('');
      const cookies = await context.cookies();
      expect(cookies.find((c) => c.name === 'npsflow_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lands an employee on their tasks, shows their own page, and signs out', async () => {
    const { context, page, problems } = await newPage();
    try {
      await signInByLink(page, 'eddy.employee@example.com');
      await page.getByRole('heading', { name: 'My tasks' }).waitFor();
      expect(await navItems(page)).toEqual(['My tasks', 'My account']);
      await page.getByRole('link', { name: 'My account' }).click();
      await page.getByTestId('me').waitFor();
      expect(await page.getByTestId('me').innerText()).toContain('eddy.employee@example.com');
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'my-account-employee');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Email me a sign-in link' }).waitFor();
      const [session] = await t.database.db
        .select()
        .from(tables.sessions)
        .innerJoin(tables.employees, eq(tables.employees.id, tables.sessions.employeeId))
        .where(eq(tables.employees.email, 'eddy.employee@example.com'));
      expect(session).toBeUndefined();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('refuses a used or wrong link with a clear message on the sign-in page', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto(`${base}/admin/#/sign-in/link/not-a-real-token`);
      await page.getByText('This sign-in link is not valid').waitFor();
      await page.getByRole('button', { name: 'Email me a sign-in link' }).waitFor();
      expect(page.url()).not.toContain('not-a-real-token');
      await shoot(page, 'sign-in-link-invalid');
    } finally {
      await context.close();
    }
  });

  it('lets an admin create and revoke an API key and read the audit log, in English and Dutch', async () => {
    const { context, page, problems } = await newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    try {
      await page.goto(`${base}/admin/`);
      await page.getByLabel('Email address').fill('ada.admin@example.com');
      await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
      await page.getByTestId('dev-link').waitFor();
      await shoot(page, 'sign-in-email-link');
      await page.getByTestId('dev-link').click();
      await page.getByTestId('signed-in-as').waitFor();
      expect(await navItems(page)).toEqual(['Tasks', 'Dashboard', 'Surveys', 'Campaigns', 'Clients', 'Contacts', 'Responses', 'Email outbox', 'Employees', 'API keys', 'Audit log', 'My account']);

      await page.goto(`${base}/admin/#/api-keys`);
      await page.getByTestId('key-table').waitFor();
      await page.locator('input[name="name"]').fill('Reporting tool');
      await page.locator('select[name="role"]').selectOption('analyst');
      await page.getByRole('button', { name: 'Create key' }).click();
      const secret = await page.locator('[data-testid="new-secret"] code').innerText();
      expect(secret).toMatch(/^npsf_/);
      // The key works, with its role.
      expect((await t.app.inject({ url: '/api/campaigns', headers: { authorization: `Bearer ${secret}` } })).statusCode).toBe(200);
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'api-keys');
      await page.getByRole('button', { name: 'I have copied it' }).click();
      expect(await page.getByText(secret).count()).toBe(0);
      await page.getByRole('button', { name: 'Revoke the key Reporting tool' }).click();
      await page.locator('[data-testid="key-table"] tr', { hasText: 'Reporting tool' }).getByText('Revoked').waitFor();
      expect((await t.app.inject({ url: '/api/campaigns', headers: { authorization: `Bearer ${secret}` } })).statusCode).toBe(401);

      await page.goto(`${base}/admin/#/audit`);
      const table = page.getByTestId('audit-table');
      await table.getByText('DELETE /api/api-keys/:id').waitFor();
      expect(await table.innerText()).toContain('POST /api/api-keys');
      expect(await table.innerText()).toContain('sign-in.email-link');
      expect(await table.innerText()).not.toContain(secret);
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'audit');

      await page.getByRole('button', { name: 'Nederlands' }).click();
      await page.getByRole('heading', { name: 'Auditlog' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'audit-nl');
      await page.goto(`${base}/admin/#/api-keys`);
      await page.getByRole('heading', { name: 'Nieuwe API-sleutel' }).waitFor();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lets an admin give a role and deactivate an employee, whose open session ends at once', async () => {
    const admin = await newPage();
    const person = await newPage();
    admin.page.on('dialog', (dialog) => void dialog.accept());
    try {
      await t.app.inject({ method: 'POST', url: '/api/employees', headers: t.auth, payload: { email: 'vera.leaving@example.com', role: 'analyst', firstName: 'Vera' } });
      await signInByLink(person.page, 'vera.leaving@example.com');
      await signInByLink(admin.page, 'ada.admin@example.com');
      await admin.page.goto(`${base}/admin/#/employees`);
      const row = admin.page.locator('[data-testid="employee-table"] tr[data-email="vera.leaving@example.com"]');
      await row.waitFor();
      // Ada cannot change her own role or lock herself out.
      expect(await admin.page.getByLabel('Role of ada.admin@example.com').isDisabled()).toBe(true);
      await admin.page.getByLabel('Role of noor.analyst@example.com').selectOption('employee');
      await expect.poll(async () => (await t.app.inject({ url: '/api/employees?q=noor', headers: t.auth })).json().items[0].role).toBe('employee');
      // docs/screenshots/employees.png comes from tests/browser/contacts-ui.test.ts.
      expect(await seriousViolations(admin.page)).toEqual([]);

      await row.getByRole('button', { name: 'Deactivate' }).click();
      await row.getByText('Deactivated').waitFor();
      // Vera's next step sends her back to sign-in.
      await person.page.goto(`${base}/admin/#/surveys`);
      await person.page.getByText('Your session has ended').waitFor();
      await t.app.inject({ method: 'PATCH', url: '/api/employees/' + (await t.app.inject({ url: '/api/employees?q=noor', headers: t.auth })).json().items[0].id, headers: t.auth, payload: { role: 'analyst' } });
      expect(admin.problems).toEqual([]);
    } finally {
      await admin.context.close();
      await person.context.close();
    }
  });

  it('shows the sign-in page in Dutch without accessibility problems', async () => {
    const { context, page } = await newPage('nl-NL');
    try {
      await page.goto(`${base}/admin/`);
      await page.getByRole('button', { name: 'Stuur mij een inloglink' }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('nl');
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'sign-in-nl');
    } finally {
      await context.close();
    }
  });
});
