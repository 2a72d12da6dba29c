import path from 'node:path';
import type { Browser } from 'playwright-core';
import { openAdminPage, SCREENSHOTS } from '../support/admin-page';
import { launchChromium } from '../support/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAppWithWorkflows } from '../support/app-with-workflows';
import { seriousViolations } from '../support/axe';
import { ALWAYS_OPEN } from '../support/campaign-fixtures';
import { createSurvey } from '../fixtures/surveys';

/*
 * Pausing, resuming and closing a campaign in the admin UI, in Chromium, against the real app,
 * PostgreSQL, the time-skipping Temporal server and the worker: each button starts the operation
 * and the page follows it to the end; in English and Dutch, without serious accessibility issues.
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

const post = (url: string, payload?: object) => stack.t.app.inject({ method: 'POST', url, headers: stack.t.auth, ...(payload ? { payload } : {}) });

async function launchedCampaign(name: string): Promise<string> {
  const survey = await createSurvey(stack.t.app, stack.t.auth);
  await post(`/api/surveys/${survey.id}/activate`);
  const campaign = (await post('/api/campaigns', { name, surveyId: survey.id, settings: ALWAYS_OPEN })).json();
  const members = Array.from({ length: 5 }, (_, i) => ({ contact: { externalRef: `${name}-${i}`, email: `${name}-${i}@klant.example`, firstName: `Lid${i}` } }));
  await post(`/api/campaigns/${campaign.id}/members`, { members });
  await post(`/api/campaigns/${campaign.id}/launch`);
  for (let waited = 0; waited < 30_000; waited += 100) {
    const counts = (await stack.t.app.inject({ url: `/api/campaigns/${campaign.id}/members/counts`, headers: stack.t.auth })).json();
    if (counts.Survey_Not_Started === 5) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return campaign.id;
}

const openPage = (locale: string) => openAdminPage(browser, locale, { acceptDialogs: true });

describe('campaign lifecycle in the admin UI', () => {
  it('pauses, resumes and closes a campaign, following each operation to the end (English)', async () => {
    const campaignId = await launchedCampaign('golf');
    const { page, problems, close } = await openPage('en-GB');
    try {
      await page.goto(`${base}/admin/#/campaigns/${campaignId}`);
      const card = page.getByTestId('lifecycle');
      await card.getByRole('button', { name: 'Pause campaign' }).click();
      const progress = card.getByTestId('operation-progress');
      await progress.getByText('5 done, 0 skipped, 0 failed of 5').waitFor();
      await progress.getByText('finished').waitFor();
      await page.locator('.page-header').getByText('Paused').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'campaign-paused.png'), fullPage: true });

      await card.getByRole('button', { name: 'Resume campaign' }).click();
      await card.getByText('Resuming members').waitFor();
      await card.getByTestId('operation-progress').getByText('finished').waitFor();
      await page.locator('.page-header').getByText('Active').waitFor();

      await card.getByRole('button', { name: 'Close campaign' }).click();
      await card.getByText('Closing members').waitFor();
      await card.getByTestId('operation-progress').getByText('finished').waitFor();
      await page.locator('.page-header').getByText('Closed').waitFor();
      await page.reload();
      await page.locator('[data-status="Campaign_Closed"]').getByText('5').waitFor();
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);

  it('speaks Dutch, with no serious accessibility issue', async () => {
    const campaignId = await launchedCampaign('golfnl');
    const { page, problems, close } = await openPage('nl-NL');
    try {
      await page.goto(`${base}/admin/#/campaigns/${campaignId}`);
      const card = page.getByTestId('lifecycle');
      await card.getByRole('button', { name: 'Campagne pauzeren' }).click();
      await card.getByTestId('operation-progress').getByText('5 klaar, 0 overgeslagen, 0 mislukt van 5').waitFor();
      await page.locator('.page-header').getByText('Gepauzeerd').waitFor();
      await card.getByRole('button', { name: 'Campagne hervatten' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'campaign-paused-nl.png'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);
});
