import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { eq } from 'drizzle-orm';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SCREENSHOTS } from '../support/admin-page';
import { launchChromium } from '../support/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { resolveCampaignSettings } from '../../domain/campaign-settings';
import { projectRoot } from '../../temporal/binaries';
import { createSurvey } from '../fixtures/surveys';
import { addClient, addEmployee, addInvitations, addResponses, type ResponseSpec } from '../support/analytics-fixtures';
import { createTestApp, TEST_ADMIN_KEY, type TestApp } from '../support/app';

/*
 * The admin UI in system Chromium (playwright-core; scripts/setup-system.sh installs it, nothing
 * is downloaded) against the real app on a real port over a fresh PostgreSQL database with a
 * year of answers. With UPDATE_SCREENSHOTS=1 the main pages are saved to docs/screenshots/.
 */

const TIME_ZONE = 'Europe/Amsterdam';

let t: TestApp;
let browser: Browser;
let base: string;
let seed: Seed;
let en: Record<string, string>;
let nl: Record<string, string>;

/** The UI's dictionaries (browser modules without types, so imported by path). */
async function dictionary(language: string): Promise<Record<string, string>> {
  const file = path.join(projectRoot, 'api/admin-ui/i18n', `${language}.js`);
  return ((await import(pathToFileURL(file).href)) as { default: Record<string, string> }).default;
}

interface Seed {
  surveyId: string;
  otherSurveyId: string;
  campaignId: string;
  clientIds: string[];
  outboxId: string;
  outboxToken: string;
}

// Runs in the page (this file is compiled without the DOM library).
declare const getComputedStyle: (element: unknown) => { fontWeight: string; color: string };

/** The 1st of the month `back` months before the current one, as local YYYY-MM-DD. */
function monthStart(back: number): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }).format(new Date());
  const [year, month] = today.split('-').map(Number) as [number, number];
  const index = year * 12 + (month - 1) - back;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

/** NPS scores: p promoters, q passives, d detractors. */
const scores = (p: number, q: number, d: number) => [
  ...Array.from({ length: p }, (_, i) => (i % 3 ? 9 : 10)),
  ...Array.from({ length: q }, (_, i) => (i % 2 ? 7 : 8)),
  ...Array.from({ length: d }, (_, i) => [2, 4, 5, 6][i % 4]!),
];

async function seedData(): Promise<Seed> {
  const { db } = t.database;
  const survey = await createSurvey(t.app, t.auth, { title: 'Klanttevredenheid dienstverlening', channels: ['phone', 'email', 'desk'] });
  await t.app.inject({ method: 'POST', url: `/api/surveys/${survey.id}/activate`, headers: t.auth });
  const other = await createSurvey(t.app, t.auth, { title: 'Relatiemeting 2026' });

  const eva = await addEmployee(db, 'Eva');
  const mark = await addEmployee(db, 'Mark');
  const clientIds = [
    await addClient(db, 'Gemeente Utrecht', eva),
    await addClient(db, 'Bakkerij de Vries', mark),
    await addClient(db, 'Van Dijk Logistiek', eva),
  ];
  const [campaign] = await db
    .insert(tables.campaigns)
    .values({ name: 'Relatiemeting voorjaar', surveyId: survey.id, settings: resolveCampaignSettings({}), status: 'active', launchedAt: new Date() })
    .returning();

  // Twelve months of answers with a dip two months ago; this month is clearly better than last.
  const shape: [number, number, number][] = [
    [14, 8, 8], [15, 9, 7], [16, 8, 8], [18, 9, 6], [17, 10, 7], [19, 8, 6],
    [20, 9, 6], [18, 10, 8], [21, 8, 6], [12, 9, 14], [20, 12, 18], [40, 12, 8],
  ];
  const channels = ['phone', 'email', 'desk'];
  const now = Date.now();
  const specs: ResponseSpec[] = [];
  shape.forEach(([p, q, d], index) => {
    const back = shape.length - 1 - index;
    const start = new Date(`${monthStart(back)}T09:00:00Z`).getTime();
    scores(p, q, d).forEach((nps, i) => {
      // Spread over the first days of the month; this month's answers lie in the past hours.
      const at = back === 0 ? new Date(now - (i + 1) * 60_000) : new Date(start + (i % 20) * 86_400_000 + i * 60_000);
      specs.push({
        surveyId: survey.id as string,
        at: at.toISOString(),
        nps,
        rating: nps >= 9 ? 5 : nps >= 7 ? 4 : nps >= 5 ? 3 : 2,
        channel: channels[i % 3],
        clientId: clientIds[i % 3],
        employeeId: i % 3 === 1 ? mark : eva,
        campaignId: i % 2 === 0 ? campaign!.id : undefined,
      });
    });
  });
  await addResponses(db, specs);
  // Invitations nobody answered yet, so the response rate is not 100%.
  await addInvitations(
    db,
    Array.from({ length: 30 }, (_, i) => ({
      surveyId: survey.id as string,
      at: new Date(now - (i + 1) * 120_000).toISOString(),
      channel: channels[i % 3],
      clientId: clientIds[i % 3],
      campaignId: i % 2 === 0 ? campaign!.id : undefined,
    })),
  );

  // Campaign members in several states.
  const statuses = ['Survey_Completed', 'Survey_Completed', 'Survey_Completed', 'Survey_Not_Started', 'Survey_Not_Started', 'Awaiting_Send', 'Email_Bounced', 'NPS_Opt_Out'] as const;
  const people = [
    ['Anna', 'de Jong'], ['Bram', 'Visser'], ['Chantal', 'Bakker'], ['Daan', 'Smit'],
    ['Esther', 'Mulder'], ['Frank', 'de Boer'], ['Gina', 'Meijer'], ['Hugo', 'Bos'],
  ];
  const contacts = await db
    .insert(tables.contacts)
    .values(
      people.map(([firstName, lastName], i) => ({
        firstName,
        lastName,
        email: `${firstName!.toLowerCase()}@klant${i % 3}.example`,
        externalRef: `C-${1000 + i}`,
        language: 'nl',
        clientId: clientIds[i % 3],
        frontlineEmployeeId: i % 2 ? mark : eva,
      })),
    )
    .returning();
  await db.insert(tables.campaignMembers).values(
    contacts.map((contact, i) => ({
      campaignId: campaign!.id,
      contactId: contact.id,
      status: statuses[i]!,
      workflowStartedAt: i < 7 ? new Date() : null,
      lastCommunicationAt: statuses[i] === 'Awaiting_Send' ? null : new Date(now - i * 3_600_000),
      remindersSent: statuses[i] === 'Survey_Not_Started' ? 1 : 0,
    })),
  );

  // Follow-up tasks: Eva has one overdue, from the campaign; one more of hers, overdue for a year,
  // was made thirteen months ago, outside every period the dashboard offers.
  const yearAgo = new Date(`${monthStart(13)}T09:00:00Z`).getTime();
  await db.insert(tables.followUpTasks).values([
    { assigneeEmployeeId: eva, subject: 'Bel Gina terug', dueAt: new Date(now - 2 * 86_400_000), surveyId: survey.id as string, campaignId: campaign!.id },
    { assigneeEmployeeId: eva, subject: 'Bel Hugo terug', dueAt: new Date(now + 3 * 86_400_000) },
    { assigneeEmployeeId: mark, subject: 'Bel Bram terug', dueAt: new Date(now + 4 * 86_400_000) },
    { assigneeEmployeeId: eva, subject: 'Bel Anna terug', dueAt: new Date(yearAgo + 7 * 86_400_000), createdAt: new Date(yearAgo), surveyId: survey.id as string, campaignId: campaign!.id },
  ]);

  // The outbox: the bodies carry a personal link.
  const outboxToken = 'tok_SECRET_personal_link_0123456789';
  const kinds = ['invitation', 'invitation', 'reminder', 'detractor_notice', 'invitation'];
  const rows = await db
    .insert(tables.emailOutbox)
    .values(
      kinds.map((kind, i) => ({
        idempotencyKey: `admin-ui-test-${i}`,
        kind,
        toAddress: `${people[i]![0]!.toLowerCase()}@klant${i % 3}.example`,
        fromAddress: 'npsflow <surveys@npsflow.local>',
        subject: kind === 'detractor_notice' ? 'Opvolging nodig: detractor Gina Meijer' : 'Hoe hebben wij u geholpen?',
        // Styled as MJML styles: a <style> block and style attributes.
        html:
          `<!doctype html><html><head><style>.greeting { font-weight: 700; }</style></head><body>` +
          `<div style="background: rgb(244, 246, 249); padding: 24px"><p class="greeting">Beste klant,</p>` +
          `<p>Wilt u <a style="color: rgb(31, 78, 121)" href="http://127.0.0.1/s/${outboxToken}${i}">onze vragen</a> beantwoorden?</p></div>` +
          `<script>document.title = 'ran'</script></body></html>`,
        text: `Beste klant,\n\nWilt u onze vragen beantwoorden? http://127.0.0.1/s/${outboxToken}${i}\n`,
        headers: { 'List-Unsubscribe': `<http://127.0.0.1/u/${outboxToken}${i}>` },
        status: 'sent' as const,
        contactId: contacts[i]!.id,
        createdAt: new Date(now - (kinds.length - i) * 600_000),
        sentAt: new Date(now - (kinds.length - i) * 600_000 + 2000),
      })),
    )
    .returning({ id: tables.emailOutbox.id });

  return {
    surveyId: survey.id as string,
    otherSurveyId: other.id as string,
    campaignId: campaign!.id,
    clientIds,
    outboxId: rows.at(-1)!.id,
    outboxToken,
  };
}

beforeAll(async () => {
  [en, nl] = await Promise.all([dictionary('en'), dictionary('nl')]);
  t = await createTestApp();
  await t.app.inject({ method: 'PUT', url: '/api/analytics/settings', headers: t.auth, payload: { timeZone: TIME_ZONE, minSample: 30 } });
  seed = await seedData();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

interface Session {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and failed requests seen so far. */
  problems: string[];
}

/** A fresh tab, signed in (the key put where the sign-in form puts it). */
async function openSession(options: { signedIn?: boolean; locale?: string } = {}): Promise<Session> {
  const context = await browser.newContext({ locale: options.locale ?? 'en-GB', viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
  if (options.signedIn !== false) {
    // Runs in every frame; the sandboxed email preview has no storage, hence the try.
    await context.addInitScript(`try { sessionStorage.setItem('npsflow.adminKey', ${JSON.stringify(TEST_ADMIN_KEY)}) } catch {}`);
  }
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.url()}`);
  });
  return { context, page, problems };
}

async function api<T>(url: string): Promise<T> {
  const res = await t.app.inject({ method: 'GET', url, headers: t.auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as T;
}

async function shoot(page: Page, name: string, fullPage = true) {
  if (!SCREENSHOTS) return;
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** Text a translation key would show if a dictionary lacked it. */
const keyPattern = () => new RegExp(`\\b(${[...new Set(Object.keys(en).map((k) => k.split('.')[0]))].join('|')})\\.[a-zA-Z_]+`);

async function expectCleanPage(session: Session, hash: string, ready: string) {
  await session.page.goto(`${base}/admin/#${hash}`);
  await session.page.locator(ready).first().waitFor();
  // Whatever the page still loads after its first content has settled.
  await expect.poll(() => session.page.locator('.stale').count()).toBe(0);
  await session.page.waitForTimeout(300);
  const text = await session.page.locator('body').innerText();
  expect(text, `untranslated key on ${hash}`).not.toMatch(keyPattern());
  expect(session.problems, `problems on ${hash}`).toEqual([]);
}

const nf = (options: Intl.NumberFormatOptions) => new Intl.NumberFormat('en-GB', options);
const nps = (value: number | null) => (value === null ? '–' : nf({ signDisplay: 'exceptZero', maximumFractionDigits: 0 }).format(Math.round(value) || 0));
const fixed = (value: number | null, digits: number) =>
  value === null ? '–' : nf({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);

interface KpiBody {
  responses: number;
  nps: { nps: number | null; n: number; marginOfError: number | null; reliable: boolean; promoters: number; passives: number; detractors: number; promoterPct: number | null };
  responseRate: { ofInvited: number | null; invited: number; completed: number } | null;
  change: { arrow: string; significant: boolean };
  range: { from: string; to: string; label: string };
}

async function expectDashboardMatches(page: Page, query: string) {
  const kpi = await api<KpiBody>(`/api/analytics/kpi?period=month${query}`);
  const dashboard = page.locator('[data-testid="dashboard"][data-ready="true"]');
  await dashboard.waitFor();
  const text = (id: string) => page.getByTestId(id).innerText();
  // After a filter change the page is ready with the previous figures until the new ones arrive.
  await expect.poll(() => text('kpi-nps')).toBe(nps(kpi.nps.nps));
  expect(await text('kpi-n')).toBe(`n = ${fixed(kpi.nps.n, 0)}`);
  expect(await text('kpi-margin')).toBe(kpi.nps.marginOfError === null ? '–' : `± ${fixed(kpi.nps.marginOfError, 1)}`);
  const rate = kpi.responseRate!.ofInvited;
  expect(await text('kpi-response-rate')).toBe(rate === null ? '–' : `${fixed(rate, 1)}%`);
  expect(await text('kpi-response-counts')).toBe(
    `${fixed(kpi.responseRate!.completed, 0)} completed of ${fixed(kpi.responseRate!.invited, 0)} invited`,
  );
  expect(await text('kpi-responses')).toBe(`${fixed(kpi.responses, 0)} responses in total`);
  expect(await text('promoters-count')).toBe(`(${kpi.nps.promoters})`);
  expect(await text('passives-count')).toBe(`(${kpi.nps.passives})`);
  expect(await text('detractors-count')).toBe(`(${kpi.nps.detractors})`);
  expect(await text('promoters-pct')).toBe(kpi.nps.promoterPct === null ? '–' : `${fixed(kpi.nps.promoterPct, 0)}%`);
  // The arrow is there exactly when the API calls the change significant.
  expect(await page.getByTestId('kpi-arrow').count()).toBe(kpi.change.significant ? 1 : 0);
  expect(await page.getByTestId('kpi-not-reliable').count()).toBe(kpi.nps.reliable ? 0 : 1);
  return kpi;
}

describe('admin UI', () => {
  it('is served with a strict CSP and refuses unknown files', async () => {
    const res = await fetch(`${base}/admin/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${base}/admin/vendor/preact.mjs`)).headers.get('content-type')).toContain('text/javascript');
    expect((await fetch(`${base}/admin/../package.json`)).status).toBe(404);
    expect((await fetch(`${base}/admin/nothing.js`)).status).toBe(404);
    const etag = (await fetch(`${base}/admin/app.js`)).headers.get('etag')!;
    expect((await fetch(`${base}/admin/app.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });

  it('has the same texts in Dutch and English', () => {
    expect(Object.keys(nl).sort()).toEqual(Object.keys(en).sort());
    expect(Object.entries(nl).filter(([, text]) => !text.trim())).toEqual([]);
  });

  it('rejects a wrong key at sign-in, accepts the right one, and a revoked session goes back to sign-in', async () => {
    const session = await openSession({ signedIn: false });
    const { page } = session;
    try {
      await page.goto(`${base}/admin/`);
      await page.getByLabel('API key').fill('npsf_not-a-real-key-000000000000');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.locator('#sign-in-error').innerText()).toContain('This key was not accepted');
      await shoot(page, 'sign-in', false);
      expect(await page.evaluate(`sessionStorage.getItem('npsflow.adminKey')`)).toBeNull();

      await page.getByLabel('API key').fill(TEST_ADMIN_KEY);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('[data-testid="dashboard"]').waitFor();

      // A key that stops working: the next call's 401 brings the sign-in form back.
      await page.evaluate(`sessionStorage.setItem('npsflow.adminKey', 'npsf_revoked-key-00000000000000000')`);
      await page.goto(`${base}/admin/#/surveys`);
      await page.getByText('Your key is no longer accepted').waitFor();
      expect(await page.evaluate(`sessionStorage.getItem('npsflow.adminKey')`)).toBeNull();
    } finally {
      await session.context.close();
    }
  });

  it('shows on the dashboard the numbers the analytics API gives, for all answers and for a survey and campaign', async () => {
    const session = await openSession();
    const { page } = session;
    try {
      await page.goto(`${base}/admin/#/dashboard`);
      const all = await expectDashboardMatches(page, '');
      expect(all.nps.n).toBe(60);
      expect(all.change.significant).toBe(true);
      expect(await page.getByTestId('kpi-arrow').innerText()).toBe('▲');
      // Twelve periods drawn, the per-channel table and the tasks.
      expect(await page.locator('[data-testid="trend-chart"] circle').count()).toBe(12);
      expect(await page.getByTestId('channel-table').locator('tbody tr').count()).toBe(3);
      // The follow-up tasks made this month: Eva's task of a year ago is not counted.
      const tasks = page.getByTestId('tasks-table');
      const taskRows = () => tasks.locator('tbody tr').allInnerTexts();
      expect(await page.getByTestId('tasks-panel').getByRole('heading').innerText()).toContain(all.range.label);
      expect(await taskRows()).toEqual([expect.stringMatching(/^Eva Smit.*\t2\t1\t/s), expect.stringMatching(/^Mark Smit.*\t1\t0\t/s)]);
      await shoot(page, 'dashboard');

      await page.locator('select[name="surveyId"]').selectOption(seed.surveyId);
      await page.locator('select[name="campaignId"]').selectOption(seed.campaignId);
      await expect.poll(() => page.url()).toContain('campaignId=');
      const filtered = await expectDashboardMatches(page, `&surveyId=${seed.surveyId}&campaignId=${seed.campaignId}`);
      expect(filtered.nps.n).toBe(30);
      expect(filtered.nps.reliable).toBe(true);
      // The campaign's tasks of the month: Eva's overdue one only.
      await expect.poll(taskRows).toEqual([expect.stringMatching(/^Eva Smit.*\t1\t1\t/s)]);

      // Her open count opens the task list with the same filters: that one task.
      const openLink = tasks.locator('tbody tr').first().locator('td').first().getByRole('link');
      const target = new URLSearchParams((await openLink.getAttribute('href'))!.split('?')[1]);
      expect(Object.fromEntries(target)).toMatchObject({
        surveyId: seed.surveyId,
        campaignId: seed.campaignId,
        createdFrom: filtered.range.from,
        createdTo: filtered.range.to,
        status: 'active',
      });
      await openLink.click();
      await page.getByTestId('task-table').waitFor();
      await expect.poll(() => page.getByTestId('task-table').locator('tbody tr').allInnerTexts()).toEqual([expect.stringContaining('Bel Gina terug')]);
      expect(await page.locator('select[name="campaignId"]').inputValue()).toBe(seed.campaignId);
      expect(await page.locator('input[name="createdFrom"]').inputValue()).toBe(filtered.range.from);
      expect(await page.locator('input[name="createdTo"]').inputValue()).toBe(filtered.range.to);
      // Without the period the list has the year-old task too.
      await page.locator('input[name="createdFrom"]').fill('');
      await page.locator('input[name="createdTo"]').fill('');
      await expect.poll(() => page.getByTestId('task-table').locator('tbody tr').count()).toBe(2);
      await page.goto(`${base}/admin/#/dashboard?surveyId=${seed.surveyId}&campaignId=${seed.campaignId}`);
      await expectDashboardMatches(page, `&surveyId=${seed.surveyId}&campaignId=${seed.campaignId}`);

      // A survey without answers says so instead of drawing a score.
      await page.locator('select[name="surveyId"]').selectOption(seed.otherSurveyId);
      await expect.poll(() => page.url()).not.toContain('campaignId=');
      const empty = await expectDashboardMatches(page, `&surveyId=${seed.otherSurveyId}`);
      expect(empty.nps.reliable).toBe(false);
      await page.getByText('Not yet reliable: 0 answers').waitFor();

      // Week periods: the trend asks for weeks.
      await page.locator('select[name="surveyId"]').selectOption('');
      await page.locator('select[name="unit"]').selectOption('week');
      await page.getByRole('heading', { name: 'NPS per week, last 12' }).waitFor();
      // The follow-up figures follow the period too: this week's tasks, the same as the API gives.
      const week = await api<KpiBody>('/api/analytics/kpi?period=week');
      await expect.poll(() => page.getByTestId('tasks-panel').getByRole('heading').innerText()).toContain(week.range.label);
      const weekTasks = await api<{ rows: { name: string; open: number }[] }>(`/api/analytics/follow-up-tasks?from=${week.range.from}&to=${week.range.to}`);
      expect(weekTasks.rows.map((row) => [row.name, row.open])).toEqual([['Eva Smit', 2], ['Mark Smit', 1]]);
      expect(await taskRows()).toEqual([expect.stringMatching(/^Eva Smit.*\t2\t1\t/s), expect.stringMatching(/^Mark Smit.*\t1\t0\t/s)]);
      expect(session.problems).toEqual([]);
    } finally {
      await session.context.close();
    }
  });

  it('loads every page without console errors, in English and Dutch', async () => {
    const session = await openSession();
    try {
      const pages: [string, string, string?][] = [
        ['/dashboard', '[data-testid="dashboard"][data-ready="true"]'],
        ['/surveys', '[data-testid="survey-table"]', 'surveys'],
        [`/surveys/${seed.surveyId}`, '[data-testid="survey-editor"]', 'survey-editor'],
        ['/campaigns', '[data-testid="campaign-table"]', 'campaigns'],
        [`/campaigns/${seed.campaignId}`, '[data-testid="member-table"] tbody tr >> nth=7', 'campaign-members'],
        ['/clients', '[data-testid="client-table"]', 'clients'],
        [`/clients/${seed.clientIds[0]}`, '[data-testid="client-periods"]', 'client-detail'],
        ['/outbox', '[data-testid="outbox-table"] tbody tr >> nth=4', 'outbox'],
        [`/outbox/${seed.outboxId}`, 'iframe.mail-preview', 'outbox-message'],
      ];
      for (const [hash, ready, screenshot] of pages) {
        await expectCleanPage(session, hash, ready);
        if (screenshot) await shoot(session.page, screenshot);
      }
      // Dutch: the switch changes every text and is remembered.
      await session.page.goto(`${base}/admin/#/dashboard`);
      await session.page.getByRole('button', { name: 'Nederlands' }).click();
      await session.page.getByRole('heading', { name: 'NPS per maand, laatste 12' }).waitFor();
      expect(await session.page.getAttribute('html', 'lang')).toBe('nl');
      for (const [hash, ready] of pages) await expectCleanPage(session, hash, ready);
      await session.page.goto(`${base}/admin/#/dashboard`);
      await session.page.locator('[data-testid="dashboard"][data-ready="true"]').waitFor();
      await shoot(session.page, 'dashboard-nl');
    } finally {
      await session.context.close();
    }
  });

  it('creates a survey through the editor: two languages, a choice question shown only to detractors', async () => {
    const session = await openSession();
    const { page } = session;
    try {
      await page.goto(`${base}/admin/#/surveys`);
      await page.getByRole('link', { name: 'New survey' }).click();
      const editor = page.getByTestId('survey-editor');
      await editor.waitFor();
      await page.locator('input[name="title"]').fill('Balie-enquête');
      await page.locator('input[name="form-title-nl"]').fill('Hoe was uw bezoek?');
      await page.locator('input[name="form-title-en"]').fill('How was your visit?');
      await page.locator('input[name="q0-label-nl"]').fill('Zou u ons aanbevelen?');
      await page.locator('input[name="q0-label-en"]').fill('Would you recommend us?');
      await page.locator('input[name="q0-required"]').check();

      // Saving with an empty question shows the server's problems, by path.
      await page.locator('select[name="page-0-new-type"]').selectOption('choice');
      await page.getByRole('button', { name: '+ Add question' }).click();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('alert').getByText('pages[0].questions[1].label').first().waitFor();
      expect(session.problems.splice(0)).toEqual([
        expect.stringMatching(/^HTTP 400 .*\/api\/surveys$/),
        expect.stringContaining('status of 400'),
      ]);

      await page.locator('input[name="q1-label-nl"]').fill('Wat ging er mis?');
      await page.locator('input[name="q1-label-en"]').fill('What went wrong?');
      await page.locator('select[name="q1-mode"]').selectOption('multiple');
      const labels: [string, string][] = [['Wachttijd', 'Waiting time'], ['Bejegening', 'Manners'], ['Informatie', 'Information']];
      await page.getByRole('button', { name: '+ Add option' }).click();
      for (const [i, [nlLabel, enLabel]] of labels.entries()) {
        await page.locator(`input[name="q1-o${i}-nl"]`).fill(nlLabel);
        await page.locator(`input[name="q1-o${i}-en"]`).fill(enLabel);
      }
      await page.locator('input[name="q1-o0-id"]').fill('wait');
      await page.getByRole('button', { name: '+ Show only under a condition' }).click();
      await page.locator('select[name="q1-question"]').selectOption('q1');
      await page.locator('select[name="q1-op"]').selectOption('lte');
      await page.locator('input[name="q1-value"]').fill('6');
      await shoot(page, 'survey-editor-new');
      await page.getByRole('button', { name: 'Save' }).click();

      await expect.poll(() => page.url()).toMatch(/#\/surveys\/[0-9a-f-]{36}$/);
      const id = page.url().split('/').pop()!;
      await page.getByText('Draft').first().waitFor();
      const saved = await api<{ title: string; status: string; definition: { languages: string[]; pages: { questions: Record<string, unknown>[] }[] } }>(
        `/api/surveys/${id}`,
      );
      expect(saved.title).toBe('Balie-enquête');
      expect(saved.definition.languages).toEqual(['nl', 'en']);
      const [first, second] = saved.definition.pages[0]!.questions;
      expect(first).toMatchObject({ id: 'q1', type: 'nps', required: true, label: { nl: 'Zou u ons aanbevelen?', en: 'Would you recommend us?' } });
      expect(second).toMatchObject({
        id: 'q2',
        type: 'choice',
        mode: 'multiple',
        visibleIf: { question: 'q1', op: 'lte', value: 6 },
        options: [
          { id: 'wait', label: { nl: 'Wachttijd', en: 'Waiting time' } },
          { id: 'o2', label: { nl: 'Bejegening', en: 'Manners' } },
          { id: 'o3', label: { nl: 'Informatie', en: 'Information' } },
        ],
      });

      // Activate it from the editor, then preview: a new tab with the public form.
      await page.getByRole('button', { name: 'Activate' }).click();
      await page.getByText('Active').first().waitFor();
      const [form] = await Promise.all([session.context.waitForEvent('page'), page.getByRole('button', { name: 'Preview form' }).click()]);
      await form.waitForURL(/\/s\/[A-Za-z0-9_-]+/);
      await form.getByText('Would you recommend us?').waitFor();
      await form.close();
      expect(session.problems).toEqual([]);
      expect((await api<{ status: string }>(`/api/surveys/${id}`)).status).toBe('active');
    } finally {
      await session.context.close();
    }
  });

  it('shows campaign members by status, adds members from CSV and shows the launch progress', async () => {
    const session = await openSession();
    const { page } = session;
    try {
      await page.goto(`${base}/admin/#/campaigns/${seed.campaignId}`);
      const members = page.getByTestId('member-table').locator('tbody tr');
      // The page loads its filters' lists and the counts beside the members: allow a loaded machine time.
      await expect.poll(() => members.count(), { timeout: 15_000 }).toBe(8);
      await page.getByTestId('launch-progress').getByText('7 of 8 members started (88%)').waitFor();
      await page.locator('[data-status="Survey_Completed"]').click();
      await expect.poll(() => members.count(), { timeout: 15_000 }).toBe(3);

      await page.locator('textarea[name="members"]').fill('email;firstName;lastName;language\nivo@klant1.example;Ivo;Peters;NL\njoke@klant2.example;Joke;Vos;nl');
      await page.getByText('2 members recognised.').waitFor();
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByText('2 added, 0 were members already.').waitFor();
      await page.getByRole('button', { name: /^All/ }).click();
      await expect.poll(() => members.count(), { timeout: 15_000 }).toBe(10);
      const [joke] = await t.database.db.select().from(tables.contacts).where(eq(tables.contacts.externalRef, 'joke@klant2.example'));
      expect(joke).toMatchObject({ firstName: 'Joke', lastName: 'Vos', language: 'nl' });
      expect(session.problems).toEqual([]);
    } finally {
      await session.context.close();
    }
  });

  it('creates a campaign and follows its launch live', async () => {
    const session = await openSession();
    const { page } = session;
    const { db } = t.database;
    try {
      await page.goto(`${base}/admin/#/campaigns`);
      await page.getByRole('button', { name: 'New campaign' }).click();
      await page.locator('input[name="name"]').fill('Najaarsgolf');
      await page.getByTestId('new-campaign').locator('select[name="surveyId"]').selectOption(seed.surveyId);
      await page.getByRole('button', { name: 'Create campaign' }).click();
      await expect.poll(() => page.url()).toMatch(/#\/campaigns\/[0-9a-f-]{36}$/);
      const campaignId = page.url().split('/').pop()!;
      await page.getByText('Launching starts the invitation process for all 0 members.').waitFor();

      const people = await db
        .insert(tables.contacts)
        .values(Array.from({ length: 4 }, (_, i) => ({ email: `golf${i}@klant.example`, firstName: `Lid${i}`, lastName: 'Test' })))
        .returning();
      const members = await db
        .insert(tables.campaignMembers)
        .values(people.map((contact) => ({ campaignId, contactId: contact.id })))
        .returning();
      // What the launch workflow does, step by step; the page polls GET /launch meanwhile.
      await db.update(tables.campaigns).set({ status: 'launching' }).where(eq(tables.campaigns.id, campaignId));
      await page.reload();
      const progress = page.getByTestId('launch-progress');
      await progress.getByText('0 of 4 members started (0%)').waitFor();
      for (const member of members.slice(0, 2)) {
        await db.update(tables.campaignMembers).set({ workflowStartedAt: new Date(), status: 'Awaiting_Send' }).where(eq(tables.campaignMembers.id, member.id));
      }
      await progress.getByText('2 of 4 members started (50%)').waitFor();
      expect(await progress.locator('progress').getAttribute('value')).toBe('2');
      for (const member of members.slice(2)) {
        await db.update(tables.campaignMembers).set({ workflowStartedAt: new Date(), status: 'Awaiting_Send' }).where(eq(tables.campaignMembers.id, member.id));
      }
      await db.update(tables.campaigns).set({ status: 'active', launchedAt: new Date() }).where(eq(tables.campaigns.id, campaignId));
      await progress.getByText('4 of 4 members started (100%)').waitFor();
      await page.locator('.page-header').getByText('Active').waitFor();
      await page.locator('[data-status="Awaiting_Send"]').getByText('4').waitFor();
      expect(session.problems).toEqual([]);
    } finally {
      await session.context.close();
    }
  });

  it('lists the outbox without personal links and shows them only in a message', async () => {
    const session = await openSession();
    const { page } = session;
    try {
      await page.goto(`${base}/admin/#/outbox`);
      const rows = page.getByTestId('outbox-table').locator('tbody tr');
      await expect.poll(() => rows.count()).toBe(5);
      expect(await page.content()).not.toContain(seed.outboxToken);
      await page.locator('select[name="kind"]').selectOption('reminder');
      await expect.poll(() => rows.count()).toBe(1);
      await rows.first().getByRole('link').click();
      // The preview shows the message, with links that go nowhere.
      const preview = page.frameLocator('iframe.mail-preview');
      await preview.getByText('Beste klant').waitFor();
      expect(await preview.getByText('Beste klant').evaluate((element) => getComputedStyle(element).fontWeight)).toBe('700');
      expect(await preview.getByText('onze vragen').evaluate((element) => getComputedStyle(element).color)).toBe('rgb(31, 78, 121)');
      expect(await preview.locator('script').count()).toBe(0);
      expect(await preview.getByText('onze vragen').getAttribute('href')).toBeNull();
      expect(await preview.getByText('onze vragen').getAttribute('title')).toContain(`/s/${seed.outboxToken}2`);
      await page.getByRole('tab', { name: 'Plain text' }).click();
      expect(await page.getByTestId('mail-body').innerText()).toContain(`/s/${seed.outboxToken}2`);
      expect(session.problems).toEqual([]);
    } finally {
      await session.context.close();
    }
  });
});
