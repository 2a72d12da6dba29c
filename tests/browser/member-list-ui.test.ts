import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { openAdminPage, SCREENSHOTS } from '../support/admin-page';
import { launchChromium } from '../support/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { useAppWithWorkflows } from '../support/app-with-workflows';
import { seriousViolations } from '../support/axe';
import { ALWAYS_OPEN, addEmployee } from '../support/campaign-fixtures';
import { until } from '../support/until';
import { createSurvey } from '../fixtures/surveys';

/*
 * A campaign's member list and one member's page in Chromium, against the real app, PostgreSQL,
 * the time-skipping Temporal server and the worker: the campaign is launched, one member answers
 * as a detractor; the list sorts by its column headings and downloads as CSV, the member's page
 * shows the statuses its workflow wrote with their times, its invitation email, its answer and
 * follow-up task, and its send times in its own zone and the viewer's. English and Dutch, axe clean.
 */

const stack = useAppWithWorkflows();
let browser: Browser;
let base: string;
let campaignId: string;
let fienId: string;

const post = (url: string, payload?: object) => stack.t.app.inject({ method: 'POST', url, headers: stack.t.auth, ...(payload ? { payload } : {}) });
const get = (url: string) => stack.t.app.inject({ url, headers: stack.t.auth });
const db = () => stack.t.database.db;

beforeAll(async () => {
  base = await stack.t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
  const survey = await createSurvey(stack.t.app, stack.t.auth);
  await post(`/api/surveys/${survey.id}/activate`);
  campaignId = (await post('/api/campaigns', { name: 'Spring wave', surveyId: survey.id, settings: ALWAYS_OPEN })).json().id;
  const erin = await addEmployee(db(), 'Erin');
  const frank = await addEmployee(db(), 'Frank');
  const [acme] = await db().insert(tables.clients).values({ name: 'Acme Logistics' }).returning();
  const [bolt] = await db().insert(tables.clients).values({ name: 'Bolt Energy' }).returning();
  const tag = randomUUID().slice(0, 6);
  const people = [
    { firstName: 'Fien', lastName: 'Visser', timeZone: 'America/New_York', language: 'en', clientId: acme!.id, frontlineEmployeeId: erin.id },
    { firstName: 'Daan', lastName: 'Bakker', language: 'nl', clientId: bolt!.id, frontlineEmployeeId: frank.id },
    { firstName: 'Noor', lastName: 'Willems', language: 'nl', clientId: null, frontlineEmployeeId: erin.id },
  ];
  const contacts = await db()
    .insert(tables.contacts)
    .values(people.map((p, i) => ({ ...p, externalRef: `${tag}-${i}`, email: `${p.firstName.toLowerCase()}-${tag}@customer.example` })))
    .returning();
  const added = await post(`/api/campaigns/${campaignId}/members`, { members: contacts.map((c) => ({ contactId: c.id })) });
  fienId = added.json().memberIds[0];
  expect((await post(`/api/campaigns/${campaignId}/launch`)).statusCode).toBe(202);
  await until(() => get(`/api/campaigns/${campaignId}/members/counts`).then((r) => r.json()), (c) => c.Survey_Not_Started === 3, 60_000);

  // Fien answers as a detractor: her workflow records the answer and opens a follow-up task.
  const [invitation] = await db().select().from(tables.invitations).where(eq(tables.invitations.memberId, fienId));
  const answered = await stack.t.app.inject({
    method: 'POST',
    url: `/api/public/responses/${invitation!.token}`,
    payload: { answers: { nps: 3, service: 2, why: 'Nobody called back.', channels: ['phone'] } },
  });
  expect(answered.statusCode, answered.body).toBe(201);
  await until(() => get(`/api/campaigns/${campaignId}/members/${fienId}`).then((r) => r.json()), (m) => m.followUpTasks?.length === 1, 60_000);
}, 240_000);

afterAll(async () => {
  await browser?.close();
});

const openPage = (locale: string) => openAdminPage(browser, locale, { context: { timezoneId: 'Europe/Amsterdam', acceptDownloads: true } });

const texts = {
  en: {
    client: 'Client',
    download: 'Download CSV',
    back: 'Back to Spring wave',
    timeline: 'Timeline',
    invited: 'Invited, not started',
    completed: 'Completed',
    email: 'Invitation email',
    answered: 'Answered with score 3',
    openResponse: 'Open the response',
    openTask: 'Open the task',
    memberTime: "Member's time (America/New_York)",
    yourTime: 'Your time (Europe/Amsterdam)',
  },
  nl: {
    client: 'Klant',
    download: 'CSV downloaden',
    back: 'Terug naar Spring wave',
    timeline: 'Tijdlijn',
    invited: 'Uitgenodigd, niet begonnen',
    completed: 'Ingevuld',
    email: 'Uitnodigingsmail',
    answered: 'Beantwoord met score 3',
    openResponse: 'Antwoord openen',
    openTask: 'Taak openen',
    memberTime: 'Tijd van het lid (America/New_York)',
    yourTime: 'Uw tijd (Europe/Amsterdam)',
  },
};

const rowNames = (page: Page) => page.getByTestId('member-table').locator('tbody th[scope="row"]').allInnerTexts();

describe('the member list and a member page in the admin UI', () => {
  for (const [language, locale] of [
    ['en', 'en-GB'],
    ['nl', 'nl-NL'],
  ] as const) {
    it(`sorts the list, downloads it, and shows a member's timeline (${language})`, async () => {
      const words = texts[language];
      const suffix = language === 'en' ? '' : '-nl';
      const { page, problems, close } = await openPage(locale);
      try {
        await page.goto(`${base}/admin/#/campaigns/${campaignId}`);
        // By name (last name) first.
        await expect.poll(() => rowNames(page), { timeout: 30_000 }).toEqual(['Daan Bakker', 'Fien Visser', 'Noor Willems']);
        const table = page.getByTestId('member-table');
        const clientHeading = table.getByRole('columnheader', { name: words.client });
        await clientHeading.getByRole('button').click();
        await expect.poll(() => rowNames(page)).toEqual(['Fien Visser', 'Daan Bakker', 'Noor Willems']);
        expect(await clientHeading.getAttribute('aria-sort')).toBe('ascending');
        await clientHeading.getByRole('button').click();
        // Descending; the member without a client stays last.
        await expect.poll(() => rowNames(page)).toEqual(['Daan Bakker', 'Fien Visser', 'Noor Willems']);
        expect(await clientHeading.getAttribute('aria-sort')).toBe('descending');
        expect(await seriousViolations(page)).toEqual([]);
        if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `campaign-members${suffix}.png`), fullPage: true });

        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: words.download }).click()]);
        expect(download.suggestedFilename()).toBe('members-spring-wave.csv');
        const csv = await readFile((await download.path())!, 'utf8');
        expect(csv.trim().split('\r\n').slice(1).map((line) => line.split(',')[1])).toEqual(['Daan', 'Fien', 'Noor']);

        await table.getByRole('link', { name: 'Fien Visser' }).click();
        const timeline = page.getByTestId('member-timeline');
        await timeline.getByRole('heading', { name: words.timeline }).waitFor();
        await page.getByRole('link', { name: words.back }).waitFor();
        await timeline.getByText(words.invited).first().waitFor();
        await timeline.getByText(words.completed).first().waitFor();
        await timeline.getByText(words.email).waitFor();
        await timeline.getByText(words.answered).waitFor();
        const sending = page.getByTestId('send-times');
        await sending.getByRole('columnheader', { name: words.memberTime }).waitFor();
        await sending.getByRole('columnheader', { name: words.yourTime }).waitFor();
        // The invitation's time in New York's zone and in Amsterdam's.
        const [memberCell, yourCell] = await sending.locator('tbody tr').nth(1).locator('td').allInnerTexts();
        expect(memberCell).toMatch(/E[SD]T|GMT[-−][45]/);
        expect(yourCell).toMatch(/CES?T|GMT\+[12]/);
        expect(await seriousViolations(page)).toEqual([]);
        if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `member-detail${suffix}.png`), fullPage: true });

        await timeline.getByRole('link', { name: words.openTask }).waitFor();
        await timeline.getByRole('link', { name: words.openResponse }).click();
        await page.waitForURL(/#\/responses\/[0-9a-f-]{36}$/);
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    });
  }
});
