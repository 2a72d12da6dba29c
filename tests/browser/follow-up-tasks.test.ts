import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, eq } from 'drizzle-orm';
import { type Browser, type Page } from 'playwright-core';
import { SCREENSHOTS } from '../support/admin-page';
import { launchChromium } from '../support/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { startSignalRelay, type SignalRelay } from '../../signals/relay';
import { kto } from '../fixtures/surveys';
import { createTestApp, type TestApp } from '../support/app';
import { seriousViolations } from '../support/axe';
import { addCampaign } from '../support/campaign-fixtures';
import { createTestEnvironment, startWorker, type RunningWorker } from '../support/temporal';
import { until } from '../support/until';

/*
 * An employee works a detractor's follow-up task in Chromium: signs in by email link, lands on
 * "My tasks", opens the task, reads the answers, adds a note and closes it; the task's workflow
 * then sends no overdue email. axe-core checks the new pages; UPDATE_SCREENSHOTS=1 saves them.
 */

const DAY = 86_400_000;

let env: TestWorkflowEnvironment;
let t: TestApp;
let worker: RunningWorker;
let relay: SignalRelay;
let browser: Browser;
let base: string;
const ids: Record<string, string> = {};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A detractor's answer and its task, as the member's workflow leaves them. */
async function detractorTask(name: string, assignee: string, dueInDays: number, campaign: Awaited<ReturnType<typeof addCampaign>>) {
  const db = t.database.db;
  const [contact] = await db
    .insert(tables.contacts)
    .values({ firstName: name, lastName: 'de Vries', email: `${name.toLowerCase()}@customer.example`, phone: '+31 6 5555 0101', language: 'nl' })
    .returning();
  const [invitation] = await db
    .insert(tables.invitations)
    .values({ token: randomUUID(), surveyId: campaign.surveyId, campaignId: campaign.campaignId, contactId: contact!.id, status: 'completed', sentAt: new Date(Date.now() - 3 * DAY), completedAt: new Date(Date.now() - DAY) })
    .returning();
  const [response] = await db
    .insert(tables.responses)
    .values({
      invitationId: invitation!.id,
      surveyId: campaign.surveyId,
      surveyVersion: 1,
      campaignId: campaign.campaignId,
      contactId: contact!.id,
      language: 'nl',
      answers: { nps: 2, service: 1, why: 'The invoice was wrong twice and nobody called back.', channels: ['phone'] },
      npsScore: 2,
    })
    .returning();
  const dueAt = new Date(Date.now() + dueInDays * DAY);
  const [task] = await db
    .insert(tables.followUpTasks)
    .values({
      kind: 'feedback_call',
      responseId: response!.id,
      contactId: contact!.id,
      campaignId: campaign.campaignId,
      surveyId: campaign.surveyId,
      assigneeEmployeeId: assignee,
      subject: `Feedback call: ${name} de Vries (NPS 2)`,
      dueDate: dueAt.toISOString().slice(0, 10),
      dueAt,
    })
    .returning();
  await db.insert(tables.followUpTaskEvents).values({ taskId: task!.id, kind: 'created' });
  return task!;
}

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = await createTestEnvironment();
  t = await createTestApp({ temporal: { client: env.client, taskQueue: 'pending' }, env: { NODE_ENV: 'development', PUBLIC_BASE_URL: base } });
  worker = await startWorker(env, { db: t.database.db, publicBaseUrl: base });
  (t.app.temporal as { taskQueue: string }).taskQueue = worker.taskQueue;
  relay = startSignalRelay(t.database.db, { client: env.client, taskQueue: worker.taskQueue }, { intervalMs: 200 });
  for (const [email, role, firstName] of [
    ['eva.employee@example.com', 'employee', 'Eva'],
    ['mark.employee@example.com', 'employee', 'Mark'],
    ['ada.admin@example.com', 'admin', 'Ada'],
    ['alex.analyst@example.com', 'analyst', 'Alex'],
  ] as const) {
    const res = await t.app.inject({ method: 'POST', url: '/api/employees', headers: t.auth, payload: { email, role, firstName, lastName: 'Test', timeZone: 'Europe/Amsterdam' } });
    expect(res.statusCode).toBe(201);
    ids[firstName] = res.json().id;
  }
  const campaign = await addCampaign(t.database.db, {});
  await t.database.db.update(tables.surveyVersions).set({ definition: kto() }).where(eq(tables.surveyVersions.surveyId, campaign.surveyId));
  ids.overdue = (await detractorTask('Gina', ids.Eva!, -2, campaign)).id;
  ids.task = (await detractorTask('Hugo', ids.Eva!, 4, campaign)).id;
  ids.other = (await detractorTask('Bram', ids.Mark!, 3, campaign)).id;
  await t.app.listen({ port, host: '127.0.0.1' });
  browser = await launchChromium();
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
  await worker?.stop();
  await t?.close();
  await env?.teardown();
});

async function newPage(locale = 'en-GB') {
  const context = await browser.newContext({ bypassCSP: true, locale, viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 40[13]/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  return { context, page, problems };
}

async function shoot(page: Page, name: string) {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function signInByLink(page: Page, email: string, labels = { email: 'Email address', send: 'Email me a sign-in link' }) {
  await page.goto(`${base}/admin/`);
  await page.getByLabel(labels.email).fill(email);
  await page.getByRole('button', { name: labels.send }).click();
  await page.getByTestId('dev-link').click();
  await page.getByTestId('signed-in-as').waitFor();
}

describe('follow-up tasks in the admin UI', () => {
  it('an employee opens the detractor’s task from My tasks, reads the answers, adds a note and closes it; no overdue email follows', async () => {
    const { context, page, problems } = await newPage();
    try {
      await signInByLink(page, 'eva.employee@example.com');
      await page.getByRole('heading', { name: 'My tasks' }).waitFor();
      await page.getByTestId('task-table').waitFor();
      // Open work, earliest due first; the overdue one is marked; Mark's task is not here.
      const rows = await page.getByTestId('task-table').locator('tbody tr').allInnerTexts();
      expect(rows[0]).toContain('Gina de Vries');
      expect(rows[0]).toContain('Overdue');
      expect(rows[1]).toContain('Hugo de Vries');
      expect(rows.join(' ')).not.toContain('Bram');
      expect(await page.getByTestId('overdue-count').innerText()).toContain('1 overdue');
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'my-tasks-en');

      await page.getByRole('link', { name: 'Feedback call: Hugo de Vries (NPS 2)' }).click();
      await page.getByTestId('task-answers').waitFor();
      const answers = await page.getByTestId('task-answers').innerText();
      expect(answers).toContain('How likely are you to recommend us?');
      expect(answers).toContain('The invoice was wrong twice and nobody called back.');
      expect(answers).toContain('How did you contact us?');
      expect(await page.getByTestId('task-contact').innerText()).toContain('+31 6 5555 0101');
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'task-detail-en');

      await page.getByLabel('Note', { exact: true }).fill('Called Hugo: the invoice is credited.');
      await page.getByRole('button', { name: 'Add note' }).click();
      await page.getByTestId('task-history').getByText('Called Hugo: the invoice is credited.').waitFor();
      await page.getByLabel('Resolved', { exact: true }).check();
      await page.getByLabel('Note', { exact: true }).fill('Credit note sent; customer satisfied.');
      await page.getByRole('button', { name: 'Close the task' }).click();
      await page.getByTestId('task-status').getByText('Closed').waitFor();
      expect(await page.getByTestId('task-history').innerText()).toContain('Credit note sent; customer satisfied.');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }

    const [task] = await t.database.db.select().from(tables.followUpTasks).where(eq(tables.followUpTasks.id, ids.task!));
    expect(task).toMatchObject({ status: 'closed', outcome: 'resolved' });
    // Past the due day and the escalation: the closed task's workflow sends nothing more.
    await env.sleep(task!.dueAt.getTime() + 4 * DAY - (await env.currentTimeMs()));
    const overdue = await t.database.db
      .select()
      .from(tables.emailOutbox)
      .where(and(eq(tables.emailOutbox.contactId, task!.contactId!), eq(tables.emailOutbox.kind, 'follow_up_overdue')));
    expect(overdue).toEqual([]);
  });

  it('in Dutch: Mijn taken and the task page', async () => {
    const { context, page, problems } = await newPage('nl-NL');
    try {
      await signInByLink(page, 'eva.employee@example.com', { email: 'E-mailadres', send: 'Stuur mij een inloglink' });
      await page.getByRole('heading', { name: 'Mijn taken' }).waitFor();
      await page.getByTestId('task-table').first().waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'my-tasks-nl');
      await page.goto(`${base}/admin/#/tasks/${ids.overdue}`);
      await page.getByTestId('task-answers').waitFor();
      expect(await page.getByTestId('task-answers').innerText()).toContain('Wat kunnen wij beter doen?');
      expect(await seriousViolations(page)).toEqual([]);
      await shoot(page, 'task-detail-nl');
      // Another employee's task is not hers.
      await page.goto(`${base}/admin/#/tasks/${ids.other}`);
      await page.getByRole('alert').waitFor();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('admins see everyone’s tasks with filters', async () => {
    for (const [locale, title] of [
      ['en-GB', 'Tasks'],
      ['nl-NL', 'Taken'],
    ] as const) {
      const { context, page, problems } = await newPage(locale);
      try {
        await signInByLink(page, 'ada.admin@example.com', locale === 'en-GB' ? undefined : { email: 'E-mailadres', send: 'Stuur mij een inloglink' });
        await page.goto(`${base}/admin/#/tasks`);
        await page.getByRole('heading', { name: title, exact: true }).waitFor();
        await page.getByTestId('task-table').waitFor();
        await until(() => page.getByTestId('task-table').locator('tbody tr').count(), (n) => n === 2);
        expect(await page.getByTestId('task-table').innerText()).toContain('Bram de Vries');
        await page.locator('select[name="overdue"]').selectOption('true');
        await until(() => page.getByTestId('task-table').locator('tbody tr').count(), (n) => n === 1);
        expect(await seriousViolations(page)).toEqual([]);
        await page.locator('select[name="overdue"]').selectOption('');
        await until(() => page.getByTestId('task-table').locator('tbody tr').count(), (n) => n === 2);
        await shoot(page, `tasks-admin-${locale.slice(0, 2)}`);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    }
  });

  it('an admin gives an employee an action-plan task from a contact’s page, an analyst from the task list; it opens on its task page', async () => {
    const db = t.database.db;
    const [client] = await db.insert(tables.clients).values({ name: 'Bakkerij de Vries' }).returning();
    const texts = {
      'en-GB': {
        signIn: undefined,
        newTask: 'New action-plan task',
        create: 'Create the task',
        subject: 'Subject',
        description: 'Description',
        assignee: 'Assigned to',
        due: 'Due date',
        required: 'Fill this in.',
        open: 'Open',
      },
      'nl-NL': {
        signIn: { email: 'E-mailadres', send: 'Stuur mij een inloglink' },
        newTask: 'Nieuwe actieplantaak',
        create: 'Taak aanmaken',
        subject: 'Onderwerp',
        description: 'Omschrijving',
        assignee: 'Toegewezen aan',
        due: 'Vervaldatum',
        required: 'Vul dit in.',
        open: 'Open',
      },
    } as const;
    for (const [locale, text] of Object.entries(texts) as [keyof typeof texts, (typeof texts)[keyof typeof texts]][]) {
      const language = locale.slice(0, 2);
      const [contact] = await db
        .insert(tables.contacts)
        .values({ firstName: language === 'en' ? 'Els' : 'Joost', lastName: 'Bakker', email: `bakker-${language}@customer.example`, clientId: client!.id, frontlineEmployeeId: ids.Mark })
        .returning();
      const { context, page, problems } = await newPage(locale);
      try {
        await signInByLink(page, 'ada.admin@example.com', text.signIn);
        await page.goto(`${base}/admin/#/contacts/${contact!.id}`);
        await page.getByTestId('contact-actions').getByRole('link', { name: text.newTask }).click();
        const form = page.getByTestId('action-plan-form');
        await form.waitFor();
        expect(await page.getByTestId('action-plan-about').innerText()).toMatch(new RegExp(`${contact!.firstName} Bakker[\\s\\S]*Bakkerij de Vries`));
        // The contact's frontline employee is proposed.
        expect(await form.getByLabel(text.assignee).inputValue()).toBe(ids.Mark);

        // Without a subject the form says so at the field, and sends nothing.
        await form.getByRole('button', { name: text.create }).click();
        await form.getByText(text.required).waitFor();
        expect(await form.getByLabel(text.subject).getAttribute('aria-invalid')).toBe('true');
        expect(await page.evaluate('document.activeElement.name')).toBe('subject');
        expect(await seriousViolations(page)).toEqual([]);

        const subject = language === 'en' ? 'Talk Els through the new delivery times' : 'Joost bellen over de nieuwe levertijden';
        const dueDate = new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10);
        await form.getByLabel(text.subject).fill(subject);
        await form.getByLabel(text.description).fill(language === 'en' ? 'She asked twice when the bread comes.' : 'Hij vroeg twee keer wanneer het brood komt.');
        await form.getByLabel(text.assignee).selectOption(ids.Eva!);
        await form.getByLabel(text.due).fill(dueDate);
        await form.getByLabel(text.due).blur();
        await expect.poll(() => form.getByText(text.required).count()).toBe(0);
        expect(await seriousViolations(page)).toEqual([]);
        await shoot(page, language === 'en' ? 'action-plan-new' : 'action-plan-new-nl');

        await form.getByRole('button', { name: text.create }).click();
        await page.getByRole('heading', { name: subject, level: 1 }).waitFor();
        const [task] = await db.select().from(tables.followUpTasks).where(eq(tables.followUpTasks.subject, subject));
        expect(task).toMatchObject({ kind: 'action_plan', status: 'open', contactId: contact!.id, clientId: client!.id, assigneeEmployeeId: ids.Eva, createdByEmployeeId: ids.Ada, dueDate });
        expect(page.url()).toContain(`#/tasks/${task!.id}`);
        expect(await page.getByTestId('task-status').innerText()).toContain(text.open);
        expect(await page.getByTestId('task-contact').innerText()).toContain(`${contact!.firstName} Bakker`);
        expect(await page.locator('dl.facts').first().innerText()).toMatch(/Eva Test[\s\S]*Bakkerij de Vries/);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
      // The employee is told, as for every new task.
      await until(
        () => db.select().from(tables.emailOutbox).where(and(eq(tables.emailOutbox.kind, 'follow_up_assigned'), eq(tables.emailOutbox.toAddress, 'eva.employee@example.com'))),
        (rows) => rows.some((row) => row.subject.includes(language === 'en' ? 'Talk Els' : 'Joost bellen') || row.text.includes(language === 'en' ? 'Talk Els' : 'Joost bellen')),
      );
    }

    // From the task list, the same form asks which client the task is about; analysts create them too.
    const { context, page, problems } = await newPage();
    try {
      await signInByLink(page, 'alex.analyst@example.com');
      await page.goto(`${base}/admin/#/tasks`);
      await page.getByRole('link', { name: 'New action-plan task' }).click();
      const form = page.getByTestId('action-plan-form');
      await form.getByLabel('Client').selectOption(client!.id);
      await form.getByLabel('Subject').fill('Plan the bakery’s service review');
      await form.getByLabel('Assigned to').selectOption(ids.Mark!);
      await form.getByRole('button', { name: 'Create the task' }).click();
      await page.getByRole('heading', { name: 'Plan the bakery’s service review', level: 1 }).waitFor();
      const [task] = await db.select().from(tables.followUpTasks).where(eq(tables.followUpTasks.subject, 'Plan the bakery’s service review'));
      expect(task).toMatchObject({ kind: 'action_plan', clientId: client!.id, contactId: null, assigneeEmployeeId: ids.Mark, createdByEmployeeId: ids.Alex });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
