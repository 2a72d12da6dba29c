import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { OutboxQueue } from '../../email';
import { createSession } from '../../people/sessions';
import { SESSION_COOKIE } from '../../api/plugins/auth';
import { TEST_ADMIN_KEY } from '../support/app';
import { useAppWithWorkflows } from '../support/app-with-workflows';
import { seriousViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { ALWAYS_OPEN, addEmployee } from '../support/campaign-fixtures';
import { createSurvey, newLink } from '../fixtures/surveys';

/*
 * Every page of the admin UI, in English and Dutch, under axe-core: no serious or critical WCAG
 * 2.1 A/AA issue, no script error. Then the keyboard alone: Tab reaches every control of the
 * dashboard and of a campaign's page, each with a visible focus ring.
 */

const stack = useAppWithWorkflows();
let browser: Browser;
let base: string;
const ids: Record<string, string> = {};
let employeeSession = '';

const post = (url: string, payload?: object) => stack.t.app.inject({ method: 'POST', url, headers: stack.t.auth, ...(payload ? { payload } : {}) });
const db = () => stack.t.database.db;

beforeAll(async () => {
  base = await stack.t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();

  const erin = await addEmployee(db(), 'Erin');
  ids.employee = erin.id;
  const [client] = await db().insert(tables.clients).values({ name: 'Acme Logistics', frontlineEmployeeId: erin.id }).returning();
  ids.client = client!.id;
  const survey = await createSurvey(stack.t.app, stack.t.auth);
  ids.survey = survey.id;
  await post(`/api/surveys/${survey.id}/activate`);
  ids.campaign = (await post('/api/campaigns', { name: 'Autumn wave', surveyId: survey.id, settings: ALWAYS_OPEN })).json().id;
  const tag = randomUUID().slice(0, 6);
  const added = await post(`/api/campaigns/${ids.campaign}/members`, {
    members: ['Ann', 'Bas'].map((firstName, i) => ({
      contact: { externalRef: `${tag}-${i}`, email: `${firstName.toLowerCase()}-${tag}@customer.example`, firstName, lastName: 'Visser', language: 'nl', clientId: client!.id },
    })),
  });
  ids.member = added.json().memberIds[0];
  const [member] = await db().select().from(tables.campaignMembers).where(eq(tables.campaignMembers.id, ids.member!));
  ids.contact = member!.contactId;

  // An answer through a survey link, and the follow-up task it asks for, assigned to Erin.
  const link = await newLink(stack.t.app, stack.t.auth, survey.id, { contactId: ids.contact });
  const answered = await stack.t.app.inject({
    method: 'POST',
    url: `/api/public/responses/${link.token}`,
    payload: { answers: { nps: 4, service: 2, why: 'The delivery was late.', channels: ['phone'] } },
  });
  expect(answered.statusCode, answered.body).toBe(201);
  ids.response = answered.json().id;
  const [task] = await db()
    .insert(tables.followUpTasks)
    .values({ responseId: ids.response, contactId: ids.contact, surveyId: survey.id, assigneeEmployeeId: erin.id, subject: 'Feedback call: Ann Visser (NPS 4)', dueAt: new Date(Date.now() + 3 * 86_400_000) })
    .returning();
  ids.task = task!.id;
  await db().insert(tables.followUpTaskEvents).values({ taskId: task!.id, kind: 'created' });
  const sent = await new OutboxQueue(db()).send({ idempotencyKey: `a11y-${tag}`, kind: 'invitation', to: 'ann@customer.example', subject: 'Your opinion', html: '<p>Hello</p>', text: 'Hello' });
  ids.outbox = sent.outboxId;

  const session = await createSession(db(), erin.id, 'email_link', { absoluteMs: 3_600_000, idleMs: 3_600_000 });
  employeeSession = session.token;
}, 240_000);

afterAll(async () => {
  await browser?.close();
});

/** The admin UI's pages: a name for the report, the hash route, and who looks at it. */
const pages = (): { name: string; route: string; as?: 'employee' | 'nobody' }[] => [
  { name: 'dashboard', route: '#/dashboard' },
  { name: 'surveys', route: '#/surveys' },
  { name: 'survey editor', route: `#/surveys/${ids.survey}` },
  { name: 'new survey', route: '#/surveys/new' },
  { name: 'campaigns', route: '#/campaigns' },
  { name: 'campaign detail', route: `#/campaigns/${ids.campaign}` },
  { name: 'member detail', route: `#/campaigns/${ids.campaign}/members/${ids.member}` },
  { name: 'responses', route: '#/responses' },
  { name: 'response detail', route: `#/responses/${ids.response}` },
  { name: 'tasks', route: '#/tasks' },
  { name: 'task detail', route: `#/tasks/${ids.task}` },
  { name: 'new action-plan task (contact)', route: `#/tasks/new?contactId=${ids.contact}` },
  { name: 'new action-plan task (client)', route: '#/tasks/new' },
  { name: 'my tasks', route: '#/tasks', as: 'employee' },
  { name: 'my task', route: `#/tasks/${ids.task}`, as: 'employee' },
  { name: 'clients', route: '#/clients' },
  { name: 'client detail', route: `#/clients/${ids.client}` },
  { name: 'contacts', route: '#/contacts' },
  { name: 'contact detail', route: `#/contacts/${ids.contact}` },
  { name: 'employees', route: '#/employees' },
  { name: 'employee detail', route: `#/employees/${ids.employee}` },
  { name: 'outbox', route: '#/outbox' },
  { name: 'outbox message', route: `#/outbox/${ids.outbox}` },
  { name: 'audit', route: '#/audit' },
  { name: 'api keys', route: '#/api-keys' },
  { name: 'me', route: '#/me' },
  { name: 'my account (employee)', route: '#/me', as: 'employee' },
  { name: 'sign-in', route: '#/sign-in', as: 'nobody' },
];

async function newContext(locale: string, as: 'admin' | 'employee' | 'nobody'): Promise<BrowserContext> {
  // bypassCSP lets the test inject axe-core; the app's own scripts run under its CSP as usual.
  const context = await browser.newContext({ locale, viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1, bypassCSP: true });
  if (as === 'admin') await context.addInitScript(`try { sessionStorage.setItem('npsflow.adminKey', ${JSON.stringify(TEST_ADMIN_KEY)}) } catch {}`);
  if (as === 'employee') await context.addCookies([{ name: SESSION_COOKIE, value: employeeSession, url: base }]);
  return context;
}

/** Opens a route and waits until the page has loaded what it shows. */
async function visit(page: Page, route: string, loading: string) {
  await page.goto(`${base}/admin/${route}`);
  await page.locator('h1').first().waitFor();
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(`!document.body.innerText.includes(${JSON.stringify(loading)})`);
}

const LOADING = { en: 'Loading…', nl: 'Laden…' };

describe('accessibility of every admin page', () => {
  for (const [language, locale] of [
    ['en', 'en-GB'],
    ['nl', 'nl-NL'],
  ] as const) {
    it(`has no serious or critical axe issue and no script error on any page (${language})`, async () => {
      const contexts = new Map<string, BrowserContext>();
      const found: string[] = [];
      try {
        for (const { name, route, as = 'admin' } of pages()) {
          if (!contexts.has(as)) contexts.set(as, await newContext(locale, as));
          const page = await contexts.get(as)!.newPage();
          const problems: string[] = [];
          page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
          page.on('console', (message) => {
            // Signed out, the page asks who is signed in and hears 401: the browser logs that answer.
            const expected = as === 'nobody' && message.text().includes('status of 401');
            if (message.type() === 'error' && !expected) problems.push(`console: ${message.text()}`);
          });
          await visit(page, route, LOADING[language]);
          expect(await page.evaluate('document.documentElement.lang')).toBe(language);
          for (const issue of [...(await seriousViolations(page)), ...problems]) {
            found.push(`${name}: ${issue}`);
            console.warn(`${language} ${name}: ${issue}`);
          }
          await page.close();
        }
      } finally {
        for (const context of contexts.values()) await context.close();
      }
      expect(found).toEqual([]);
    }, 420_000);
  }
});

/** Marks every control a keyboard user must reach; tabs until focus comes round; reports the controls never reached and any focus without a visible ring. */
async function tabThrough(page: Page): Promise<{ controls: number; missed: string[]; invisible: string[] }> {
  const controls = (await page.evaluate(`(() => {
    const selector = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
    const shown = [...document.querySelectorAll(selector)].filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden');
    shown.forEach((el, i) => el.setAttribute('data-kb', String(i)));
    return shown.length;
  })()`)) as number;
  const reached = new Set<string>();
  const invisible: string[] = [];
  await page.evaluate('document.activeElement && document.activeElement.blur()');
  for (let press = 0; press < controls * 2 + 10; press += 1) {
    await page.keyboard.press('Tab');
    const focus = (await page.evaluate(`(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || (style.boxShadow && style.boxShadow !== 'none');
      return { kb: el.getAttribute('data-kb'), ring, what: el.tagName.toLowerCase() + ' ' + (el.getAttribute('aria-label') || el.textContent || el.getAttribute('name') || '').trim().slice(0, 40) };
    })()`)) as { kb: string | null; ring: boolean; what: string } | null;
    if (!focus) continue;
    if (focus.kb !== null && reached.has(focus.kb) && reached.size >= controls) break;
    if (focus.kb !== null) reached.add(focus.kb);
    if (!focus.ring) invisible.push(focus.what);
  }
  const missed = (await page.evaluate(`[...document.querySelectorAll('[data-kb]')]
    .filter((el) => !${JSON.stringify([...reached])}.includes(el.getAttribute('data-kb')))
    .map((el) => el.tagName.toLowerCase() + ' ' + (el.getAttribute('aria-label') || el.textContent || el.getAttribute('name') || '').trim().slice(0, 40))`)) as string[];
  return { controls, missed, invisible: [...new Set(invisible)] };
}

describe('the keyboard alone', () => {
  for (const [name, route] of [
    ['dashboard', '#/dashboard'],
    ['campaign page', 'campaign'],
  ] as const) {
    it(`reaches every control of the ${name} with a visible focus`, async () => {
      const context = await newContext('en-GB', 'admin');
      try {
        const page = await context.newPage();
        await visit(page, route === 'campaign' ? `#/campaigns/${ids.campaign}` : route, LOADING.en);
        const { controls, missed, invisible } = await tabThrough(page);
        expect(controls).toBeGreaterThan(10);
        expect(missed).toEqual([]);
        expect(invisible).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});
